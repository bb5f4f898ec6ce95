// calculate_health_score: the five components from stored data, the weighted composite, trend, band,
// alert and projection, stored as history with the account's current score and trend updated. One
// account or a list: a handful of GROUP BY statements load the signals, components.ts scores them, one
// multi-row insert and one set-based update store them. The whole portfolio (all: true) is scored inside
// the database instead (portfolio-scoring-sql.ts): chunks of accounts go INSERT … SELECT into a run
// table, the run table is stored with one INSERT … SELECT and one UPDATE in one transaction, the totals
// are one aggregate over it, and only the answer's page of accounts comes back to JavaScript.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { FEATURE_CATALOG_SQL, HealthSignalsRepository, STANDARD_LOOKBACK_DAYS, usageDecline, type AccountSignals } from "../../repositories/health-signals.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { abortableTransaction, type Tx } from "../../db/abortable-transaction.ts";
import { rawSqlOf as sqlOf, type RawSql as Sql } from "../../db/raw-sql.ts";
import type { DatabaseKind } from "../../db/database.ts";
import { RUN_COLUMNS, runTotalsSql, scoringSql, storeRunSql, updateAccountsSql } from "./portfolio-scoring-sql.ts";
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
/**
 * Accounts per scoring statement of a portfolio run. On the embedded database (one connection, each
 * statement holding the event loop) this bounds how long another call waits between two statements.
 */
export const PORTFOLIO_CHUNK = 500;
/**
 * The same on PostgreSQL, where other calls use other pool connections, so a chunk holds nobody up: a
 * chunk of 500 accounts reads its ~100k usage events with a bitmap heap scan and sorts them (on disk at
 * the default 4 MB work_mem), ~2 ms per account at 20,000 accounts / 4M events; from a few thousand the
 * planner reads them in (account_id, occurred_at) index order with no sort, ~1 ms per account.
 */
export const PORTFOLIO_CHUNK_POSTGRES = 5000;
const DAY_MS = 86_400_000;

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
    /**
     * "postgres": a portfolio run is one transaction on one pool connection (others serve other calls).
     * "embedded": the single connection is shared, so the scoring statements run outside the transaction,
     * letting other calls' statements in between, and only the store is one (short) transaction.
     */
    private readonly kind: DatabaseKind = "postgres",
    /** Accounts per scoring statement of a portfolio run (tests make it small to cross chunk edges). */
    private readonly chunk: number = kind === "embedded" ? PORTFOLIO_CHUNK : PORTFOLIO_CHUNK_POSTGRES,
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

    const whatIf = isWhatIf(input.scoring_model, L);
    const persist = store && !whatIf;
    const meta = {
      scoring_model: input.scoring_model,
      lookback_period_days: L,
      risk_threshold: threshold,
      calculated_at: now.toISOString(),
      configured_weights: weights,
      what_if: whatIf,
      ...(whatIf ? { what_if_note: `what-if (custom weights or a lookback other than ${STANDARD_LOOKBACK_DAYS} days): not stored; stored scores and history are unchanged` } : {}),
    };
    if (input.all === true) {
      return { mode: "portfolio" as const, ...meta, ...(await this.scorePortfolio(input, weights, threshold, now, persist, progress, signal)) };
    }

    const ids = input.client_id !== undefined ? [input.client_id] : [...new Set(input.client_ids)];
    const set = await this.signals.load({ accountIds: ids, now, lookbackDays: L, satisfactionDays: Math.max(L, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
    {
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
      const scored = chunk.map((a) => this.describe(a, scoreAccount(a, engine), input, threshold, now, persist));
      results.push(...scored);
      await progress(Math.min(i + CHUNK, total), total, `scored ${Math.min(i + CHUNK, total)} of ${total} accounts`);
    }

    if (persist) await this.store(results, input.scoring_model, L, now, signal);

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
    const sorted = results.map((r) => ({ r, id: r.client_id, rank: rankOf(r) })).sort(byRank);
    const page = sorted.slice(offset, offset + limit).map((x) => x.r);
    return { totals: totalsOf(results.length, scored, sum, alerts, by_band, missing_counts), ...pageOf(page, limit, offset, sorted.length) };
  }

  /**
   * all: true, scored by the database (portfolio-scoring-sql.ts) into a temporary run table, in chunks of
   * PORTFOLIO_CHUNK accounts (PORTFOLIO_CHUNK_POSTGRES on PostgreSQL) with a progress notification and a cancellation check after each. Then the
   * answer's page (the only accounts that come back to JavaScript, scored again by components.ts for their
   * basis lines and projections), the totals (one aggregate), and the store (one transaction: one
   * INSERT … SELECT and one UPDATE).
   */
  private async scorePortfolio(input: CalculateInput, weights: Weights, threshold: number, now: Date, persist: boolean, progress: Progress, signal?: AbortSignal) {
    const L = input.lookback_period_days;
    const run = `health_run_${randomBytes(6).toString("hex")}`;
    const shared = this.kind === "embedded";
    const work = async (db: Sql, checkpoint: () => void, inStoreTransaction: (fn: (tx: Sql, checkpoint: () => void) => Promise<void>) => Promise<void>) => {
      const nowIso = now.toISOString();
      const cur = new Date(now.getTime() - L * DAY_MS).toISOString();
      const [catalog] = await db.rows<{ n: number }>(FEATURE_CATALOG_SQL, cur, nowIso);
      // The first id of every chunk (ids in the database's order, as the chunks' ranges compare them).
      const starts = await db.rows<{ id: string; total: number }>(
        `SELECT id, total FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER ()::int AS total FROM accounts WHERE status = 'active') s
          WHERE (rn - 1) % $1::int = 0 ORDER BY id`,
        String(this.chunk),
      );
      const total = Number(starts[0]?.total ?? 0);
      await db.run(`CREATE TEMP TABLE ${run} (${RUN_COLUMNS})${shared ? "" : " ON COMMIT DROP"}`);
      await progress(0, total, `scoring ${total} accounts`);
      const params = [
        nowIso,
        cur,
        new Date(now.getTime() - 2 * L * DAY_MS).toISOString(),
        new Date(now.getTime() - Math.max(L, SATISFACTION_MIN_DAYS) * DAY_MS).toISOString(),
        nowIso.slice(0, 10),
        String(L),
        String(catalog?.n ?? 0),
        ...COMPONENTS.map((c) => String(weights[c])),
        String(this.config.HEALTH_TREND_DELTA),
        String(this.bands.atRiskBelow),
        String(this.bands.healthyFrom),
        String(this.bands.championFrom),
        String(now.getTime()),
        String(threshold),
      ];
      for (let k = 0; k < starts.length; k++) {
        // On the shared embedded connection a chunk runs synchronously inside PGlite and its statements
        // resolve in microtasks, so without a macrotask turn no request that arrived meanwhile (stdin,
        // HTTP, timers) would even be read until the whole run ended. One event-loop turn per chunk lets
        // them in; a call that starts then runs all its statements (microtasks again) before the next chunk.
        if (shared && k > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        checkpoint();
        const next = starts[k + 1]?.id ?? null;
        await db.run(scoringSql(run, next !== null), starts[k]!.id, next, ...params);
        const done = Math.min((k + 1) * this.chunk, total);
        await progress(done, total, `scored ${done} of ${total} accounts`);
      }
      checkpoint();

      const page = await this.portfolioPage(db, run, input, weights, threshold, now, persist, total);
      const [t] = await db.rows<Record<string, number>>(runTotalsSql(run));
      const by_band = { at_risk: t!.at_risk!, needs_attention: t!.needs_attention!, healthy: t!.healthy!, champion: t!.champion!, insufficient_data: t!.insufficient_data! };
      const missing = { usage: t!.m_usage!, engagement: t!.m_engagement!, support: t!.m_support!, satisfaction: t!.m_satisfaction!, payment: t!.m_payment! };
      const totals = totalsOf(t!.accounts!, t!.scored!, Number(t!.score_sum), t!.alerts!, by_band, missing);

      if (persist && totals.accounts > totals.unscored) {
        await inStoreTransaction(async (tx, cp) => {
          cp();
          await tx.run(storeRunSql(run), input.scoring_model, String(L), nowIso);
          cp();
          await tx.run(updateAccountsSql(run), nowIso);
        });
      }
      if (total > 0) await progress(total, total, persist ? `stored the scores of ${total - totals.unscored} accounts` : `scored ${total} accounts`);
      return { totals, ...pageOf(page, input.limit, input.offset, total) };
    };

    if (!shared) {
      // One transaction on one pool connection: the run table lives (and is dropped) with it.
      // The transaction may last as long as the tool's deadline (CS_MCP_TOOL_TIMEOUT_MS) allows: a 200,000-
      // account run outlasts the 120 s default, and the deadline's signal still rolls it back.
      return abortableTransaction(this.prisma, signal, (tx, checkpoint) => work(sqlOf(tx), checkpoint, (fn) => fn(sqlOf(tx), checkpoint)), {
        timeoutMs: this.config.CS_MCP_TOOL_TIMEOUT_MS,
      });
    }
    signal?.throwIfAborted();
    try {
      return await work(sqlOf(this.prisma), () => signal?.throwIfAborted(), (fn) => abortableTransaction(this.prisma, signal, (tx, checkpoint) => fn(sqlOf(tx), checkpoint)));
    } finally {
      await this.prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${run}`).catch(() => {});
    }
  }

  /**
   * The answer's page of a run table, in the answer's order (rank, then client_id as JavaScript compares
   * it: the ties at the page's edges are fetched and sorted here), scored again by components.ts for the
   * basis lines, signals and projection. Read before the run is stored, so the history is the one the run
   * table was scored against.
   */
  private async portfolioPage(db: Sql, run: string, input: CalculateInput, weights: Weights, threshold: number, now: Date, persist: boolean, total: number): Promise<AccountHealth[]> {
    if (input.offset >= total) return [];
    const [edge] = await db.rows<{ lo: number; hi: number }>(
      `SELECT min(rank) AS lo, max(rank) AS hi FROM (SELECT rank FROM ${run} ORDER BY rank OFFSET $1::int LIMIT $2::int) p`,
      String(input.offset),
      String(input.limit),
    );
    const [before] = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${run} WHERE rank < $1::float8`, String(edge!.lo));
    const candidates = await db.rows<{ id: string; rank: number }>(
      `SELECT account_id AS id, rank FROM ${run} WHERE rank >= $1::float8 AND rank <= $2::float8`,
      String(edge!.lo),
      String(edge!.hi),
    );
    const from = input.offset - before!.n;
    const ids = candidates.map((c) => ({ id: c.id, rank: Number(c.rank) })).sort(byRank).slice(from, from + input.limit).map((c) => c.id);
    const L = input.lookback_period_days;
    const set = await this.signals.load({ accountIds: ids, now, lookbackDays: L, satisfactionDays: Math.max(L, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
    const engine: HealthEngineOptions = { weights, lookbackDays: L, featureCatalog: set.feature_catalog, now, trendDelta: this.config.HEALTH_TREND_DELTA, bands: this.bands };
    const byId = new Map(set.accounts.map((a) => [a.account_id, a]));
    return ids.map((id) => {
      const a = byId.get(id)!;
      return this.describe(a, scoreAccount(a, engine), input, threshold, now, persist);
    });
  }
}


/** The answer's order: rated accounts lowest first, then insufficient data, then no data at all; then client_id. */
const rankOf = (r: AccountHealth) => (r.overall_score === null ? 202 : r.band === "insufficient_data" ? 101 + r.overall_score / 1000 : r.overall_score);
const byRank = (a: { id: string; rank: number }, b: { id: string; rank: number }) => a.rank - b.rank || a.id.localeCompare(b.id);

function totalsOf(accounts: number, scored: number, sum: number, alerts: number, by_band: Record<Band, number>, missing_components: Record<Component, number>) {
  return {
    accounts,
    scored,
    insufficient_data: by_band.insufficient_data,
    unscored: accounts - scored - by_band.insufficient_data,
    mean_score: scored ? Math.round((sum / scored) * 10) / 10 : null,
    alerts,
    by_band,
    missing_components,
  };
}

function pageOf(accounts: AccountHealth[], limit: number, offset: number, total: number) {
  return { accounts, limit, offset, next_offset: offset + limit < total ? offset + limit : null };
}

const roundShare = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/** The new score and the rated scores of earlier standard runs, newest first: the points of a projection. */
export function projectionPoints(score: number, a: AccountSignals, now: Date): Array<{ score: number; at: Date }> {
  const earlier = a.history.filter((h): h is { score: number; at: Date } => h.score !== null);
  return [{ score, at: now }, ...earlier];
}
