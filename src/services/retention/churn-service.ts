// identify_churn_risk: churn probability per account from the active model (a trained one, else the hand-set
// logistic model of churn-model.ts), over the same set-based signals as the health score. Health follows the
// one rule of current-health.ts (the latest standard stored score, else computed now; said in health_source).
// The whole portfolio is scored, counted, ranked and stored by the database (churn-portfolio.ts); one account,
// and the portfolio's page, are scored and explained here.
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
import type { LearnedModel } from "../churn-model/model.ts";
import type { DatabaseKind } from "../../db/database.ts";
import { CHURN_CHUNK, scorePortfolio } from "./churn-portfolio.ts";

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

export interface ExplainOptions {
  now: Date;
  lookbackDays: number;
  threshold: number;
  learned: LearnedModel | null;
  includePredictions: boolean;
}

export class ChurnService {
  private readonly signals: HealthSignalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
    /** "postgres": a portfolio run is one transaction on one pool connection; "embedded": only the store is (churn-portfolio.ts). */
    private readonly kind: DatabaseKind = "postgres",
    /** Accounts per scoring statement of a portfolio run (tests make it small to cross chunk edges). */
    private readonly chunk: number = CHURN_CHUNK,
  ) {
    this.signals = new HealthSignalsRepository(prisma);
  }

  private get levels() {
    return { high: this.config.CHURN_HIGH_FROM, medium: this.config.CHURN_MEDIUM_FROM, low: this.config.CHURN_LOW_FROM };
  }

  /**
   * `store: false` (a read-only server): the same predictions, none written. One account is scored here in
   * JavaScript; the portfolio is scored by the database (churn-portfolio.ts) and only its page is explained here.
   */
  async identify(input: ChurnInput, progress: Progress = async () => {}, signal?: AbortSignal, store = true) {
    const now = this.now();
    const L = input.days_lookback;
    const threshold = input.health_score_threshold ?? this.config.RETENTION_TRIGGER_HEALTH;
    const levels = this.levels;
    // The active learned model when there is one, else the hand-set prior.
    const learned = await activeLearnedModel(this.prisma);
    const model: ModelName = learned ? { version: learned.version, kind: learned.kind } : HAND_SET_MODEL;
    const meta = { model_version: model.version, model, health_rule: HEALTH_RULE, days_lookback: L, health_score_threshold: threshold, predicted_at: now.toISOString(), levels };
    const opts: ExplainOptions = { now, lookbackDays: L, threshold, learned, includePredictions: input.include_predictions };

    if (input.client_id !== undefined) {
      const [account] = await this.explainAccounts([input.client_id], opts);
      if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
      await progress(1, 1, "predicted 1 of 1 accounts");
      if (store) await this.store([account], now, signal);
      return { mode: "single" as const, ...meta, account };
    }

    const { totals, page } = await scorePortfolio(
      this.prisma,
      this.config,
      this.kind,
      { lookbackDays: L, now, threshold, levels, learned, modelVersion: model.version, limit: input.limit, store },
      async (ranked) => {
        const byId = new Map((await this.explainAccounts(ranked.map((r) => r.client_id), opts)).map((a) => [a.client_id, a]));
        // The database's probability (the one ranked, counted and stored), the per-account path's factors.
        return ranked.map((r) => ({ ...byId.get(r.client_id)!, churn_probability: r.probability, risk_level: riskLevel(r.probability, levels) }));
      },
      progress,
      signal,
      this.chunk,
    );
    return { mode: "portfolio" as const, ...meta, totals, accounts: page, limit: input.limit, truncated: totals.accounts > input.limit };
  }

  /**
   * The per-account path: the given accounts (null = every active account) loaded and scored in JavaScript,
   * with their factors in words. The portfolio's page is explained here; the equivalence test compares it
   * with the set-based run account by account.
   */
  async explainAccounts(ids: string[] | null, o: ExplainOptions): Promise<AccountChurn[]> {
    if (ids !== null && ids.length === 0) return [];
    const { now, lookbackDays: L, learned } = o;
    const set = await this.signals.load({ accountIds: ids, now, lookbackDays: L, satisfactionDays: Math.max(L, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
    const learnedById = learned ? await learnedScores(this.prisma, learned, ids, now) : null;
    const levels = this.levels;
    const engine = configuredEngine(this.config, L, set.feature_catalog, now);
    const version = learned ? learned.version : HAND_SET_MODEL.version;
    return set.accounts.map((a) => {
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
        below_health_threshold: h.score !== null && h.score < o.threshold,
        factors: score.factors,
        model_version: version,
      };
      if (o.includePredictions) out.projection = learned ? LEARNED_PROJECTION : this.project(a, h, inputs, now, L);
      return out;
    });
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
