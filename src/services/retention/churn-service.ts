// identify_churn_risk: churn probability per account from the logistic model in churn-model.ts, over the
// same set-based signals as the health score. Health follows the one rule of current-health.ts (the latest
// standard stored score, else computed now; said in health_source). Predictions are stored in one multi-row
// insert per chunk.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";
import type { Config } from "../../config/load.ts";
import { HealthSignalsRepository, usageDecline, type AccountSignals } from "../../repositories/health-signals.ts";
import { notFound } from "../../server/errors.ts";
import { projectScore } from "../health/components.ts";
import { HEALTH_RULE, currentHealth, type CurrentHealth, type HealthSource } from "../health/current-health.ts";
import { PROJECTION_HISTORY, SATISFACTION_MIN_DAYS, configuredEngine, type Progress } from "../health/health-score-service.ts";
import { predictChurn, riskLevel, type ChurnFactor, type ChurnInputs } from "./churn-model.ts";
import { HAND_SET_MODEL, activeLearnedModel, learnedScores, type ModelName } from "../churn-model/scorer.ts";

export interface ChurnInput {
  client_id?: string | undefined;
  health_score_threshold?: number | undefined;
  days_lookback: number;
  include_predictions: boolean;
  limit: number;
}

export interface AccountChurn {
  client_id: string;
  churn_probability: number;
  risk_level: "high" | "medium" | "low" | "minimal";
  health_score: number | null;
  health_source: HealthSource;
  health_at: string | null;
  below_health_threshold: boolean;
  factors: ChurnFactor[];
  model_version: string;
  projection?: { projected_health: number | null; probability_if_trend_continues: number | null; points_used: number; note?: string } | undefined;
}

const DAY_MS = 86_400_000;
/** The learned model reads usage, support, satisfaction, payment and contract signals, not the health score: a health trend does not move it. */
const LEARNED_PROJECTION = { projected_health: null, probability_if_trend_continues: null, points_used: 0, note: "the active learned model does not use the health score, so a health trend does not change its probability" };
const CHUNK = 1000;

export function churnInputs(a: AccountSignals, health: number | null, previous: number | null, now: Date): ChurnInputs {
  const s = a.surveys;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    health,
    health_drop: health !== null && previous !== null ? Math.max(0, previous - health) : 0,
    usage_decline: usageDecline(a.usage),
    days_since_usage: a.usage ? Math.max(0, Math.floor((now.getTime() - a.usage.last_at.getTime()) / DAY_MS)) : null,
    recent_usage: !!a.usage && a.usage.users_cur + a.usage.users_prev > 0,
    detractor_share: s && s.nps_n > 0 ? s.detractors / s.nps_n : null,
    latest_nps: s?.latest_nps ?? null,
    open_p1: a.support?.open_p1 ?? 0,
    open_p2: a.support?.open_p2 ?? 0,
    sla_breaches: a.support?.sla_breaches ?? 0,
    open_escalations: a.support?.open_escalations ?? 0,
    overdue_invoices: a.invoices?.overdue_n ?? 0,
    max_days_overdue: a.invoices?.max_days_overdue ?? 0,
    payment_status: a.has_contract ? a.payment_status : null,
    days_to_renewal: a.renewal_date ? Math.round((a.renewal_date.getTime() - today) / DAY_MS) : null,
    tenure_days: Math.max(0, Math.floor((now.getTime() - a.customer_since.getTime()) / DAY_MS)),
    lifecycle_stage: a.lifecycle_stage,
  };
}

export class ChurnService {
  private readonly signals: HealthSignalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.signals = new HealthSignalsRepository(prisma);
  }

  /** `store: false` (a read-only server): the same predictions, none written. */
  async identify(input: ChurnInput, progress: Progress = async () => {}, signal?: AbortSignal, store = true) {
    const now = this.now();
    const L = input.days_lookback;
    const threshold = input.health_score_threshold ?? this.config.RETENTION_TRIGGER_HEALTH;
    const ids = input.client_id !== undefined ? [input.client_id] : null;
    const set = await this.signals.load({ accountIds: ids, now, lookbackDays: L, satisfactionDays: Math.max(L, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
    if (input.client_id !== undefined && set.accounts.length === 0) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    const total = set.accounts.length;
    // The active learned model when there is one (its features as of now, one statement), else the hand-set prior.
    const learned = await activeLearnedModel(this.prisma);
    const model: ModelName = learned ? { version: learned.version, kind: learned.kind } : HAND_SET_MODEL;
    const learnedById = learned ? await learnedScores(this.prisma, learned, ids, now) : null;
    await progress(0, total, `signals loaded for ${total} accounts`);

    const levels = { high: this.config.CHURN_HIGH_FROM, medium: this.config.CHURN_MEDIUM_FROM, low: this.config.CHURN_LOW_FROM };
    const engine = configuredEngine(this.config, L, set.feature_catalog, now);
    const results: AccountChurn[] = [];
    for (let i = 0; i < total; i += CHUNK) {
      const chunk = set.accounts.slice(i, i + CHUNK).map((a) => {
        const h = currentHealth(a, engine);
        const inputs = churnInputs(a, h.score, h.previous, now);
        const score = learnedById?.get(a.account_id) ?? predictChurn(inputs);
        const out: AccountChurn = {
          client_id: a.account_id,
          churn_probability: score.probability,
          risk_level: riskLevel(score.probability, levels),
          health_score: h.score,
          health_source: h.source,
          health_at: h.at?.toISOString() ?? null,
          below_health_threshold: h.score !== null && h.score < threshold,
          factors: score.factors,
          model_version: model.version,
        };
        if (input.include_predictions) out.projection = learned ? LEARNED_PROJECTION : this.project(a, h, inputs, now, L);
        return out;
      });
      results.push(...chunk);
      await progress(Math.min(i + CHUNK, total), total, `predicted ${Math.min(i + CHUNK, total)} of ${total} accounts`);
    }

    if (store) await this.store(results, now, signal);

    const meta = { model_version: model.version, model, health_rule: HEALTH_RULE, days_lookback: L, health_score_threshold: threshold, predicted_at: now.toISOString(), levels };
    if (input.client_id !== undefined) return { mode: "single" as const, ...meta, account: results[0]! };
    const counts = { high: 0, medium: 0, low: 0, minimal: 0 };
    let below = 0;
    for (const r of results) {
      counts[r.risk_level]++;
      if (r.below_health_threshold) below++;
    }
    const ranked = [...results].sort((a, b) => b.churn_probability - a.churn_probability || a.client_id.localeCompare(b.client_id));
    return {
      mode: "portfolio" as const,
      ...meta,
      totals: { accounts: results.length, by_level: counts, below_health_threshold: below },
      accounts: ranked.slice(0, input.limit),
      limit: input.limit,
      truncated: ranked.length > input.limit,
    };
  }

  /** The probability if the stored health trend continues one more window: null, with the reason, when it cannot be projected. */
  private project(a: AccountSignals, h: CurrentHealth, inputs: ChurnInputs, now: Date, L: number): NonNullable<AccountChurn["projection"]> {
    if (h.score === null) return { projected_health: null, probability_if_trend_continues: null, points_used: 0, note: "no health rating (insufficient data), so there is no trend to continue" };
    const rated = a.history.filter((x): x is { score: number; at: Date } => x.score !== null);
    const points = h.source === "stored" ? rated : [{ score: h.score, at: now }, ...rated];
    const proj = projectScore(points, now, L);
    if (proj.projected_score === null) return { projected_health: null, probability_if_trend_continues: null, points_used: proj.points_used, note: `${proj.note} (calculate_health_score stores scores)` };
    const future = predictChurn({ ...inputs, health: proj.projected_score, health_drop: Math.max(0, h.score - proj.projected_score) });
    return { projected_health: proj.projected_score, probability_if_trend_continues: future.probability, points_used: proj.points_used };
  }

  /** Every prediction of the run in one transaction the call's signal rolls back: a timed-out run stores nothing. */
  private async store(results: AccountChurn[], now: Date, signal?: AbortSignal) {
    if (!results.length) return;
    await abortableTransaction(this.prisma, signal, async (tx, checkpoint) => {
      for (let i = 0; i < results.length; i += CHUNK) {
        checkpoint();
        await tx.churnPrediction.createMany({
          data: results.slice(i, i + CHUNK).map((c) => ({
            account_id: c.client_id,
            probability: c.churn_probability,
            risk_level: c.risk_level,
            factors: c.factors.map(({ factor, contribution, value, detail }) => ({ factor, contribution, value, detail })),
            model_version: c.model_version,
            predicted_at: now,
          })),
        });
      }
    });
  }
}
