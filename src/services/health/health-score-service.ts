// calculate_health_score: the five components from stored data, the weighted composite, trend, band,
// alert and projection, stored as history with the account's current score and trend updated. One
// account, a list of accounts or the whole portfolio go through the same set-based pass: a handful of
// GROUP BY statements to load signals, then one multi-row insert and one set-based update per chunk.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { HealthSignalsRepository, type AccountSignals } from "../../repositories/health-signals.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";
import {
  COMPONENTS,
  bandOf,
  composite,
  computeComponents,
  normaliseWeights,
  projectScore,
  trendOf,
  type Component,
  type ComponentScores,
  type Projection,
  type Weights,
} from "./components.ts";

export type Progress = (done: number, total?: number, message?: string) => Promise<void>;

export interface CalculateInput {
  client_id?: string | undefined;
  client_ids?: string[] | undefined;
  all?: boolean | undefined;
  scoring_model: "weighted_composite" | "custom";
  component_weights?: Partial<Weights> | undefined;
  lookback_period_days: number;
  include_predictions: boolean;
  risk_threshold?: number | undefined;
  limit: number;
  offset: number;
}

export interface AccountHealth {
  client_id: string;
  overall_score: number | null;
  components: ComponentScores;
  weights: Weights;
  missing_components: Component[];
  basis: Record<Component, string>;
  previous_score: number | null;
  trend: "up" | "down" | "stable" | null;
  band: "at_risk" | "needs_attention" | "healthy" | "champion" | null;
  alert: { threshold: number; message: string } | null;
  prediction?: (Projection & { note?: string }) | { projected_score: null; points_used: number; note: string } | undefined;
  stored: boolean;
}

/** Stored scores (besides the new one) used for the projection: the newest 5, so 6 points at most. */
export const PROJECTION_HISTORY = 5;
/** The satisfaction window: the lookback, but never less than this many days. */
export const SATISFACTION_MIN_DAYS = 180;
const CHUNK = 1000;

export interface HealthEngineOptions {
  weights: Weights;
  lookbackDays: number;
  featureCatalog: number;
  now: Date;
  trendDelta: number;
  bands: { atRiskBelow: number; healthyFrom: number; championFrom: number };
}

/** Scores one account from its signals (pure; shared with the churn model). */
export function scoreAccount(a: AccountSignals, o: HealthEngineOptions) {
  const satisfactionDays = Math.max(o.lookbackDays, SATISFACTION_MIN_DAYS);
  const results = computeComponents(a, { lookbackDays: o.lookbackDays, satisfactionDays, featureCatalog: o.featureCatalog, now: o.now });
  const scores = Object.fromEntries(COMPONENTS.map((c) => [c, results[c].score])) as ComponentScores;
  const basis = Object.fromEntries(COMPONENTS.map((c) => [c, results[c].basis])) as Record<Component, string>;
  const comp = composite(scores, o.weights);
  const previous = a.history[0]?.score ?? null;
  const trend = comp.overall === null ? null : trendOf(comp.overall, previous, o.trendDelta);
  const band = comp.overall === null ? null : bandOf(comp.overall, o.bands);
  return { scores, basis, ...comp, previous, trend, band };
}

export function defaultWeights(config: Config): Weights {
  return normaliseWeights({
    usage: config.HEALTH_WEIGHT_USAGE,
    engagement: config.HEALTH_WEIGHT_ENGAGEMENT,
    support: config.HEALTH_WEIGHT_SUPPORT,
    satisfaction: config.HEALTH_WEIGHT_SATISFACTION,
    payment: config.HEALTH_WEIGHT_PAYMENT,
  });
}

/** Custom weights: omitted components weigh 0; the sum must be 1 ± 0.01; then normalised to exactly 1. */
export function customWeights(w: Partial<Weights>): Weights {
  const full = Object.fromEntries(COMPONENTS.map((c) => [c, w[c] ?? 0])) as Weights;
  const sum = COMPONENTS.reduce((a, c) => a + full[c], 0);
  if (Math.abs(sum - 1) > 0.01) {
    throw validationError(`component_weights: must sum to 1 ± 0.01 (they sum to ${sum.toFixed(4)})`, "give weights for usage, engagement, support, satisfaction and payment that add up to 1");
  }
  return normaliseWeights(full);
}

export class HealthScoreService {
  private readonly signals: HealthSignalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.signals = new HealthSignalsRepository(prisma);
  }

  private get bands() {
    return { atRiskBelow: this.config.HEALTH_AT_RISK_BELOW, healthyFrom: this.config.HEALTH_HEALTHY_FROM, championFrom: this.config.HEALTH_CHAMPION_FROM };
  }

  async calculate(input: CalculateInput, progress: Progress = async () => {}, signal?: AbortSignal) {
    const modes = [input.client_id !== undefined, input.client_ids !== undefined, input.all === true].filter(Boolean).length;
    if (modes !== 1) throw validationError("client_id: give exactly one of client_id, client_ids or all: true", "client_id scores one account, client_ids a list (≤ 500), all: true every active account");
    let weights: Weights;
    if (input.scoring_model === "custom") {
      if (!input.component_weights) throw validationError("component_weights: is required when scoring_model is 'custom'");
      weights = customWeights(input.component_weights);
    } else {
      if (input.component_weights) throw validationError("scoring_model: component_weights need scoring_model 'custom'", "pass scoring_model: 'custom' with your weights, or leave component_weights out to use the configured weights");
      weights = defaultWeights(this.config);
    }
    const threshold = input.risk_threshold ?? this.config.HEALTH_AT_RISK_BELOW;
    const now = this.now();
    const L = input.lookback_period_days;

    const ids = input.client_id !== undefined ? [input.client_id] : input.client_ids !== undefined ? [...new Set(input.client_ids)] : null;
    const set = await this.signals.load({ accountIds: ids, now, lookbackDays: L, satisfactionDays: Math.max(L, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
    if (ids) {
      const found = new Set(set.accounts.map((a) => a.account_id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) {
        if (input.client_id !== undefined) throw notFound("client", input.client_id, "use list_clients to find the client_id");
        throw validationError(`client_ids: ${missing.length} unknown client_id(s): ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`, "list_clients shows the existing client_ids; nothing was scored");
      }
    }
    const total = set.accounts.length;
    await progress(0, total, `signals loaded for ${total} accounts`);

    const engine: HealthEngineOptions = { weights, lookbackDays: L, featureCatalog: set.feature_catalog, now, trendDelta: this.config.HEALTH_TREND_DELTA, bands: this.bands };
    const results: AccountHealth[] = [];
    for (let i = 0; i < total; i += CHUNK) {
      const chunk = set.accounts.slice(i, i + CHUNK);
      const scored = chunk.map((a) => this.describe(a, scoreAccount(a, engine), input, threshold, now));
      results.push(...scored);
      await progress(Math.min(i + CHUNK, total), total, `scored ${Math.min(i + CHUNK, total)} of ${total} accounts`);
    }

    await this.store(results, input.scoring_model, L, now, signal);

    const meta = { scoring_model: input.scoring_model, lookback_period_days: L, risk_threshold: threshold, calculated_at: now.toISOString(), configured_weights: weights };
    if (input.client_id !== undefined) return { mode: "single" as const, ...meta, account: results[0]! };
    return { mode: "portfolio" as const, ...meta, ...this.portfolio(results, input.limit, input.offset) };
  }

  private describe(a: AccountSignals, s: ReturnType<typeof scoreAccount>, input: CalculateInput, threshold: number, now: Date): AccountHealth {
    const out: AccountHealth = {
      client_id: a.account_id,
      overall_score: s.overall,
      components: s.scores,
      weights: s.weights,
      missing_components: s.missing,
      basis: s.basis,
      previous_score: s.previous,
      trend: s.trend,
      band: s.band,
      alert:
        s.overall !== null && s.overall < threshold
          ? { threshold, message: `health ${s.overall} is under the risk threshold ${threshold}${s.missing.length ? ` (missing: ${s.missing.join(", ")})` : ""}` }
          : null,
      stored: s.overall !== null,
    };
    if (input.include_predictions) {
      if (s.overall === null) {
        out.prediction = { projected_score: null, points_used: 0, note: "no score could be computed, so there is nothing to project" };
      } else {
        const points = [{ score: s.overall, at: now }, ...a.history];
        const p = projectScore(points, now, input.lookback_period_days);
        out.prediction = p ?? { projected_score: null, points_used: points.length, note: `a projection needs at least 3 scores; ${points.length} stored so far (score again later)` };
      }
    }
    return out;
  }

  /** Every score of the run in one transaction the call's signal rolls back: a timed-out run stores nothing. */
  private async store(rows: AccountHealth[], model: string, lookback: number, now: Date, signal?: AbortSignal) {
    const scored = rows.filter((r) => r.overall_score !== null);
    if (!scored.length) return;
    await abortableTransaction(this.prisma, signal, async (tx, checkpoint) => {
      for (let i = 0; i < scored.length; i += CHUNK) {
        checkpoint();
        const chunk = scored.slice(i, i + CHUNK);
        await tx.healthScore.createMany({
          data: chunk.map((r) => ({
            account_id: r.client_id,
            overall_score: r.overall_score!,
            usage_score: r.components.usage,
            engagement_score: r.components.engagement,
            support_score: r.components.support,
            satisfaction_score: r.components.satisfaction,
            payment_score: r.components.payment,
            weights: r.weights,
            missing_components: r.missing_components,
            trend: r.trend!,
            band: r.band!,
            scoring_model: model,
            lookback_days: lookback,
            calculated_at: now,
          })),
        });
        await tx.$executeRawUnsafe(
          `UPDATE accounts AS a SET health_score = v.score, health_trend = v.trend, updated_at = $4::timestamptz
             FROM (SELECT unnest($1::text[]) AS id, unnest($2::int[]) AS score, unnest($3::text[]) AS trend) AS v
            WHERE a.id = v.id`,
          chunk.map((r) => r.client_id),
          chunk.map((r) => r.overall_score!),
          chunk.map((r) => r.trend!),
          now.toISOString(),
        );
      }
    });
  }

  private portfolio(results: AccountHealth[], limit: number, offset: number) {
    const by_band = { at_risk: 0, needs_attention: 0, healthy: 0, champion: 0 };
    const missing_counts = { usage: 0, engagement: 0, support: 0, satisfaction: 0, payment: 0 };
    let sum = 0;
    let scored = 0;
    let alerts = 0;
    for (const r of results) {
      for (const c of r.missing_components) missing_counts[c]++;
      if (r.overall_score === null) continue;
      scored++;
      sum += r.overall_score;
      by_band[r.band!]++;
      if (r.alert) alerts++;
    }
    // Lowest scores first (the accounts to look at); accounts that could not be scored at the end.
    const sorted = [...results].sort((a, b) => (a.overall_score ?? 101) - (b.overall_score ?? 101) || a.client_id.localeCompare(b.client_id));
    const page = sorted.slice(offset, offset + limit);
    return {
      totals: {
        accounts: results.length,
        scored,
        unscored: results.length - scored,
        mean_score: scored ? Math.round((sum / scored) * 10) / 10 : null,
        alerts,
        by_band,
        missing_components: missing_counts,
      },
      accounts: page,
      limit,
      offset,
      next_offset: offset + limit < sorted.length ? offset + limit : null,
    };
  }
}
