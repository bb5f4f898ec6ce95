// identify_churn_risk over the whole portfolio, scored by the database: the active model as SQL (churn-sql.ts)
// fills a temporary run table in chunks of accounts (progress and a cancellation check after each); the
// totals are one aggregate, the ranking and the page are SQL, and the store is one INSERT … SELECT. Only the
// page's accounts come back to JavaScript, where the per-account path explains them (factors in words).
// Accounts with no stored health score get it computed now by the health score's own set-based statement
// (portfolio-scoring-sql.ts) into a second run table first — the rule of current-health.ts.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import type { DatabaseKind } from "../../db/database.ts";
import { abortableTransaction, type Tx } from "../../db/abortable-transaction.ts";
import { rawSqlOf as sqlOf, type RawSql as Sql } from "../../db/raw-sql.ts";
import { FEATURE_CATALOG_SQL, standardHealthRun } from "../../repositories/health-signals.ts";
import { COMPONENTS } from "../health/components.ts";
import { RUN_COLUMNS, scoringSql } from "../health/portfolio-scoring-sql.ts";
import { SATISFACTION_MIN_DAYS, defaultWeights, type Progress } from "../health/health-score-service.ts";
import type { LearnedModel } from "../churn-model/model.ts";
import { CHURN_RUN_COLUMNS, HAND_SET_FACTORS, handSetChunkSql, learnedUpdateSql, storeRunSql } from "./churn-sql.ts";

const DAY_MS = 86_400_000;
/** Accounts per scoring statement (tests make it small to cross chunk edges). */
export const CHURN_CHUNK = 1000;

export type Level = "high" | "medium" | "low" | "minimal";

export interface PortfolioRun {
  lookbackDays: number;
  now: Date;
  threshold: number;
  levels: { high: number; medium: number; low: number };
  learned: LearnedModel | null;
  modelVersion: string;
  limit: number;
  store: boolean;
}

export interface PortfolioTotals {
  accounts: number;
  by_level: Record<Level, number>;
  below_health_threshold: number;
}

/** A page account as the database ranked it; `explain` turns the ids into the tool's account entries. */
export interface Ranked {
  client_id: string;
  probability: number;
}


/** The answer's order: probability high first, then client_id as JavaScript compares it (the per-account path's sort). */
const byRank = (a: Ranked, b: Ranked) => b.probability - a.probability || a.client_id.localeCompare(b.client_id);

export async function scorePortfolio<A extends { client_id: string; factors: Array<{ factor: string; contribution: number; value: number | string | null; detail: string }> }>(
  prisma: PrismaClient,
  config: Config,
  kind: DatabaseKind,
  run: PortfolioRun,
  explain: (page: Ranked[]) => Promise<A[]>,
  progress: Progress,
  signal: AbortSignal | undefined,
  chunk = CHURN_CHUNK,
): Promise<{ totals: PortfolioTotals; page: A[] }> {
  const suffix = randomBytes(6).toString("hex");
  const table = `churn_run_${suffix}`;
  const healthTable = `churn_health_${suffix}`;
  const shared = kind === "embedded";
  const L = run.lookbackDays;
  const now = run.now;
  const nowIso = now.toISOString();
  const cur = new Date(now.getTime() - L * DAY_MS).toISOString();
  const prev = new Date(now.getTime() - 2 * L * DAY_MS).toISOString();
  const sat = new Date(now.getTime() - Math.max(L, SATISFACTION_MIN_DAYS) * DAY_MS).toISOString();
  const today = nowIso.slice(0, 10);
  const levels = [String(run.levels.high), String(run.levels.medium), String(run.levels.low)];

  const work = async (db: Sql, checkpoint: () => void, inStoreTransaction: (fn: (tx: Sql, checkpoint: () => void) => Promise<void>) => Promise<void>) => {
    const starts = await db.rows<{ id: string; total: number }>(
      `SELECT id, total FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER ()::int AS total FROM accounts WHERE status = 'active') s
        WHERE (rn - 1) % $1::int = 0 ORDER BY id`,
      String(chunk),
    );
    const total = Number(starts[0]?.total ?? 0);
    const temp = shared ? "" : " ON COMMIT DROP";
    await db.run(`CREATE TEMP TABLE ${table} (${CHURN_RUN_COLUMNS})${temp}`);
    await progress(0, total, `scoring ${total} accounts`);

    // Health computed now, only when some active account has no stored health (no standard run, no column).
    const [unrated] = await db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM accounts a WHERE a.status = 'active' AND a.health_score IS NULL
          AND NOT EXISTS (SELECT 1 FROM health_scores h WHERE h.account_id = a.id AND h.calculated_at <= $1::timestamptz AND ${standardHealthRun("h")})`,
      nowIso,
    );
    const needHealth = (unrated?.n ?? 0) > 0;
    if (needHealth) {
      const [catalog] = await db.rows<{ n: number }>(FEATURE_CATALOG_SQL, cur, nowIso);
      const weights = defaultWeights(config);
      await db.run(`CREATE TEMP TABLE ${healthTable} (${RUN_COLUMNS})${temp}`);
      const params = [nowIso, cur, prev, sat, today, String(L), String(catalog?.n ?? 0), ...COMPONENTS.map((c) => String(weights[c])),
        String(config.HEALTH_TREND_DELTA), String(config.HEALTH_AT_RISK_BELOW), String(config.HEALTH_HEALTHY_FROM), String(config.HEALTH_CHAMPION_FROM), String(now.getTime()), String(run.threshold)];
      for (let k = 0; k < starts.length; k++) {
        checkpoint();
        const next = starts[k + 1]?.id ?? null;
        await db.run(scoringSql(healthTable, next !== null), starts[k]!.id, next, ...params);
      }
    }

    for (let k = 0; k < starts.length; k++) {
      checkpoint();
      const next = starts[k + 1]?.id ?? null;
      // No macrotask yield between chunks: on the shared embedded connection PGlite serves other calls'
      // queued statements between ours in order (as the health score's portfolio run does).
      await db.run(handSetChunkSql(table, needHealth ? healthTable : null, next !== null), starts[k]!.id, next, nowIso, cur, prev, sat, today, String(now.getTime()));
      const done = Math.min((k + 1) * chunk, total);
      await progress(done, total, `scored ${done} of ${total} accounts`);
    }
    if (run.learned) {
      checkpoint();
      const { sql, params } = learnedUpdateSql(table, run.learned);
      params[0] = nowIso;
      await db.run(sql, ...params);
    }
    checkpoint();

    const [t] = await db.rows<Record<string, number>>(
      `SELECT count(*)::int AS accounts,
              count(*) FILTER (WHERE probability >= $1::float8)::int AS high,
              count(*) FILTER (WHERE probability < $1::float8 AND probability >= $2::float8)::int AS medium,
              count(*) FILTER (WHERE probability < $2::float8 AND probability >= $3::float8)::int AS low,
              count(*) FILTER (WHERE probability < $3::float8)::int AS minimal,
              count(*) FILTER (WHERE health < $4::int)::int AS below
         FROM ${table}`,
      ...levels,
      String(run.threshold),
    );
    const totals: PortfolioTotals = {
      accounts: t!.accounts!,
      by_level: { high: t!.high!, medium: t!.medium!, low: t!.low!, minimal: t!.minimal! },
      below_health_threshold: t!.below!,
    };

    // The page: the top `limit` by probability; ties at its lower edge are fetched and ordered as JavaScript compares ids.
    const candidates = await db.rows<{ client_id: string; probability: number }>(
      `SELECT account_id AS client_id, probability FROM ${table}
        WHERE probability >= (SELECT min(probability) FROM (SELECT probability FROM ${table} ORDER BY probability DESC LIMIT $1::int) p)`,
      String(run.limit),
    );
    const ranked = candidates.map((c) => ({ client_id: c.client_id, probability: Number(c.probability) })).sort(byRank).slice(0, run.limit);
    const page = await explain(ranked);

    if (run.store && total > 0) {
      const pageFactors = Object.fromEntries(page.map((a) => [a.client_id, a.factors.map(({ factor, contribution, value, detail }) => ({ factor, contribution, value, detail }))]));
      const names = run.learned ? run.learned.features.map((f) => f.name) : HAND_SET_FACTORS;
      await inStoreTransaction(async (tx, cp) => {
        cp();
        await tx.run(storeRunSql(table, run.learned !== null), run.modelVersion, nowIso, ...levels, JSON.stringify(pageFactors), names);
      });
      await progress(total, total, `stored the predictions of ${total} accounts`);
    }
    return { totals, page };
  };

  if (!shared) {
    // One transaction on one pool connection: the run tables live (and are dropped) with it; a cancel rolls it all back.
    return abortableTransaction(prisma, signal, (tx, checkpoint) => work(sqlOf(tx), checkpoint, (fn) => fn(sqlOf(tx), checkpoint)));
  }
  signal?.throwIfAborted();
  try {
    return await work(sqlOf(prisma), () => signal?.throwIfAborted(), (fn) => abortableTransaction(prisma, signal, (tx, checkpoint) => fn(sqlOf(tx), checkpoint)));
  } finally {
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${table}, ${healthTable}`).catch(() => {});
  }
}
