// calculate_health_score: the five components from stored data, the weighted composite, trend, band,
// alert and projection, stored as history with the account's current score and trend updated. One
// account, a list of accounts or the whole portfolio go through the same set-based pass: a handful of
// GROUP BY statements to load signals, then one multi-row insert and one set-based update per chunk.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { HealthSignalsRepository, STANDARD_LOOKBACK_DAYS, usageDecline, type AccountSignals } from "../../repositories/health-signals.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";
import {
  COMPONENTS,
  bandOf,
  composite,
  computeComponents,
  coverageOf,
  isInsufficient,
  normaliseWeights,
  projectScore,
  trendOf,
  type Band,
  type Component,
  type ComponentScores,
  type NoProjection,
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
  /** Share of the weight backed by data (0–1). */
  coverage: number;
  components: ComponentScores;
  weights: Weights;
  missing_components: Component[];
  basis: Record<Component, string>;
  previous_score: number | null;
  trend: "up" | "down" | "stable" | null;
  band: Band;
  alert: { threshold: number; message: string } | null;
  /** The same numbers identify_churn_risk and score_risk_factors use (one definition each). */
  signals: { sla_breaches: number; usage_decline: number | null };
  prediction?: Projection | NoProjection | undefined;
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

/**
 * Scores one account from its signals (pure; shared with the churn model). `rated` is the overall score
 * when the data suffices for a rating (band other than insufficient_data), else null.
 */
export function scoreAccount(a: AccountSignals, o: HealthEngineOptions) {
  const satisfactionDays = Math.max(o.lookbackDays, SATISFACTION_MIN_DAYS);
  const results = computeComponents(a, { lookbackDays: o.lookbackDays, satisfactionDays, featureCatalog: o.featureCatalog, now: o.now });
  const scores = Object.fromEntries(COMPONENTS.map((c) => [c, results[c].score])) as ComponentScores;
  const basis = Object.fromEntries(COMPONENTS.map((c) => [c, results[c].basis])) as Record<Component, string>;
  const comp = composite(scores, o.weights);
  const coverage = coverageOf(scores, o.weights);
  const insufficient = comp.overall === null || isInsufficient(scores, coverage);
  const rated = insufficient ? null : comp.overall;
  // The previous score: the latest standard run's (null when that run had insufficient data).
  const previous = a.history[0]?.score ?? null;
  const trend = rated === null ? null : trendOf(rated, previous, o.trendDelta);
  const band: Band = rated === null ? "insufficient_data" : bandOf(rated, o.bands);
  return { scores, basis, ...comp, coverage, rated, previous, trend, band };
}

/** A run with custom weights or a non-default lookback is a what-if: answered, never stored. */
export function isWhatIf(model: "weighted_composite" | "custom", lookbackDays: number): boolean {
  return model === "custom" || lookbackDays !== STANDARD_LOOKBACK_DAYS;
}

/** The engine with the configured weights, trend delta and bands: what every reader of "health now" uses. */
export function configuredEngine(config: Config, lookbackDays: number, featureCatalog: number, now: Date): HealthEngineOptions {
  return {
    weights: defaultWeights(config),
    lookbackDays,
    featureCatalog,
    now,
    trendDelta: config.HEALTH_TREND_DELTA,
    bands: { atRiskBelow: config.HEALTH_AT_RISK_BELOW, healthyFrom: config.HEALTH_HEALTHY_FROM, championFrom: config.HEALTH_CHAMPION_FROM },
  };
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

  /** `store: false` (a read-only server) answers a standard run like a what-if: computed, nothing written. */
  async calculate(input: CalculateInput, progress: Progress = async () => {}, signal?: AbortSignal, store = true) {
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
    const whatIf = isWhatIf(input.scoring_model, L);
    const persist = store && !whatIf;
    const results: AccountHealth[] = [];
    for (let i = 0; i < total; i += CHUNK) {
      const chunk = set.accounts.slice(i, i + CHUNK);
      const scored = chunk.map((a) => this.describe(a, scoreAccount(a, engine), input, threshold, now, persist));
      results.push(...scored);
      await progress(Math.min(i + CHUNK, total), total, `scored ${Math.min(i + CHUNK, total)} of ${total} accounts`);
    }

    if (persist) await this.store(results, input.scoring_model, L, now, signal);

    const meta = {
      scoring_model: input.scoring_model,
      lookback_period_days: L,
      risk_threshold: threshold,
      calculated_at: now.toISOString(),
      configured_weights: weights,
      what_if: whatIf,
      ...(whatIf ? { what_if_note: `what-if (custom weights or a lookback other than ${STANDARD_LOOKBACK_DAYS} days): not stored; stored scores and history are unchanged` } : {}),
    };
    if (input.client_id !== undefined) return { mode: "single" as const, ...meta, account: results[0]! };
    return { mode: "portfolio" as const, ...meta, ...this.portfolio(results, input.limit, input.offset) };
  }

  private describe(a: AccountSignals, s: ReturnType<typeof scoreAccount>, input: CalculateInput, threshold: number, now: Date, persist: boolean): AccountHealth {
    const out: AccountHealth = {
      client_id: a.account_id,
      overall_score: s.overall,
      coverage: s.coverage,
      components: s.scores,
      weights: s.weights,
      missing_components: s.missing,
      basis: s.basis,
      previous_score: s.previous,
      trend: s.trend,
      band: s.band,
      alert:
        s.rated !== null && s.rated < threshold
          ? { threshold, message: `health ${s.rated} is under the risk threshold ${threshold}${s.missing.length ? ` (missing: ${s.missing.join(", ")})` : ""}` }
          : null,
      signals: { sla_breaches: a.support?.sla_breaches ?? 0, usage_decline: roundShare(usageDecline(a.usage)) },
      stored: persist && s.overall !== null,
    };
    if (input.include_predictions) {
      if (s.rated === null) {
        out.prediction = { projected_score: null, points_used: 0, span_days: 0, note: "insufficient data for a rating, so there is nothing to project" };
      } else {
        out.prediction = projectScore(projectionPoints(s.rated, a, now), now, input.lookback_period_days);
      }
    }
    return out;
  }

  /**
   * Stores a standard run in one transaction the call's signal rolls back (a timed-out run stores nothing):
   * one health_scores row per account with any data (overall null when insufficient), and the account's
   * health_score/health_trend — null for insufficient data, so lists and segments that read the column see an
   * unknown, never a confident figure.
   */
  private async store(rows: AccountHealth[], model: string, lookback: number, now: Date, signal?: AbortSignal) {
    const scored = rows.filter((r) => r.overall_score !== null);
    if (!scored.length) return;
    const rated = (r: AccountHealth) => (r.band === "insufficient_data" ? null : r.overall_score);
    await abortableTransaction(this.prisma, signal, async (tx, checkpoint) => {
      for (let i = 0; i < scored.length; i += CHUNK) {
        checkpoint();
        const chunk = scored.slice(i, i + CHUNK);
        await tx.healthScore.createMany({
          data: chunk.map((r) => ({
            account_id: r.client_id,
            overall_score: rated(r),
            coverage: r.coverage,
            usage_score: r.components.usage,
            engagement_score: r.components.engagement,
            support_score: r.components.support,
            satisfaction_score: r.components.satisfaction,
            payment_score: r.components.payment,
            weights: r.weights,
            missing_components: r.missing_components,
            trend: r.trend,
            band: r.band,
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
          chunk.map(rated),
          chunk.map((r) => r.trend),
          now.toISOString(),
        );
      }
    });
  }

  private portfolio(results: AccountHealth[], limit: number, offset: number) {
    const by_band = { at_risk: 0, needs_attention: 0, healthy: 0, champion: 0, insufficient_data: 0 };
    const missing_counts = { usage: 0, engagement: 0, support: 0, satisfaction: 0, payment: 0 };
    let sum = 0;
    let scored = 0;
    let alerts = 0;
    for (const r of results) {
      for (const c of r.missing_components) missing_counts[c]++;
      if (r.overall_score === null) continue;
      by_band[r.band]++;
      if (r.band === "insufficient_data") continue;
      scored++;
      sum += r.overall_score;
      if (r.alert) alerts++;
    }
    // Rated accounts lowest first (the accounts to look at), then insufficient data, then no data at all.
    const rank = (r: AccountHealth) => (r.overall_score === null ? 202 : r.band === "insufficient_data" ? 101 + r.overall_score / 1000 : r.overall_score);
    const sorted = [...results].sort((a, b) => rank(a) - rank(b) || a.client_id.localeCompare(b.client_id));
    const page = sorted.slice(offset, offset + limit);
    return {
      totals: {
        accounts: results.length,
        scored,
        insufficient_data: by_band.insufficient_data,
        unscored: results.length - scored - by_band.insufficient_data,
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

const roundShare = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/** The new score and the rated scores of earlier standard runs, newest first: the points of a projection. */
export function projectionPoints(score: number, a: AccountSignals, now: Date): Array<{ score: number; at: Date }> {
  const earlier = a.history.filter((h): h is { score: number; at: Date } => h.score !== null);
  return [{ score, at: now }, ...earlier];
}
