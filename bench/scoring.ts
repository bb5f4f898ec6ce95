// The portfolio-scoring benchmark (issue 4): calculate_health_score with `all: true` over 10,000 accounts
// and 2,000,000 usage events, as a ratio to (c) the floor — ONE hand-written SQL statement computing the
// same raw per-account aggregates the signals repository reads, storing nothing — and with (b) a
// per-account loop of the same tool call (a timed sample, extrapolated linearly). Runs on a throwaway
// PostgreSQL database (DATABASE_URL is the admin URL; skipped with a note without one) and, smaller,
// (a) and (c) only, on the embedded database (PGlite) in a temp directory.
//
// The data is generated inside the database by set-based INSERT … SELECT … FROM generate_series(…)
// statements, deterministic (hashint8extended of the series index, never random()): accounts with a
// current contract each, usage events spread over the last 90 days (some accounts growing, some
// declining, some gone quiet), tickets with SLA targets and CSAT, escalations, NPS answers, invoices.
//
// Exported for bench/run.ts; `node dist/bench/scoring.js [--accounts N] [--events N] [--loop-sample N]
// [--runs N] [--scaling 2000,20000,200000] [--scaling-events-per-account N] [--quick]` runs it alone:
// prints a markdown table, writes bench/results/scoring.json and replaces the
// <!-- bench:scoring:start --> … <!-- bench:scoring:end --> section of docs/performance.md. With
// `--part postgres` or `--part embedded` it runs one half and writes bench/results/scoring-<part>.json
// only; `--combine` joins the two into the docs (two halves can run at the same time).
import { H, npsAnswersSql } from "./seed-sql.ts";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { loadConfig, type Config } from "../src/config/load.ts";
import { createLogger } from "../src/observability/logger.ts";
import { Metrics } from "../src/observability/metrics.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { createServices } from "../src/services/index.ts";
import { ToolPipeline } from "../src/server/pipeline.ts";
import { createRateLimiter } from "../src/server/rate-limit.ts";
import { calculateHealthScore } from "../src/tools/health/calculate-health-score.ts";
import { getClientOverview } from "../src/tools/core/get-client-overview.ts";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { HealthSignalsRepository, type AccountSignals } from "../src/repositories/health-signals.ts";
import { PORTFOLIO_CHUNK, PROJECTION_HISTORY, SATISFACTION_MIN_DAYS } from "../src/services/health/health-score-service.ts";
import { machineInfo, loadAverage, type MachineInfo } from "./machine.ts";
import { median, percentile } from "./stats.ts";
import { createThrowawayDb, describeUrl } from "./postgres.ts";
import { writeBenchResults } from "./report.ts";
import { option } from "./args.ts";

export interface ScoringBenchOptions {
  /** Accounts. Default 20,000. */
  accounts?: number;
  /** Usage events (last 90 days). Default 4,000,000. */
  events?: number;
  /** Portfolio sizes of the PostgreSQL scaling run. Default 2,000, 20,000 and 200,000 accounts; [] skips it. */
  scaling?: number[];
  /** Usage events per account in the scaling run. Default 50. */
  scalingEventsPerAccount?: number;
  /** Skip the embedded (PGlite) part. */
  skipEmbedded?: boolean;
  /** Accounts scored one call at a time for (b), evenly spread over the portfolio. Default 300. */
  loopSample?: number;
  /** Stop the (b) sample early after this many seconds (the extrapolation uses the calls made). Default 240. */
  loopBudgetSeconds?: number;
  /** Measured runs of (a) and (c) after the warm-up (the median is reported). Default 3. */
  runs?: number;
  /** Embedded (PGlite) run: accounts and usage events. Default the same as PostgreSQL. */
  embeddedAccounts?: number;
  embeddedEvents?: number;
  /** PostgreSQL admin URL; default DATABASE_URL. Without one the PostgreSQL part is skipped. */
  adminUrl?: string | undefined;
  log?: (m: string) => void;
  /** Write bench/results/scoring.json (scoring.quick.json when quick) and, unless quick, the docs section. Default true. */
  write?: boolean;
  /** Small sizes (1,000 accounts / 100,000 events, 60 loop calls, 1 run); the docs are not touched. */
  quick?: boolean;
  /**
   * Run one part only and write bench/results/scoring-<part>.json (not the docs): "postgres" (the main
   * PostgreSQL run and the scaling run) or "embedded". `--combine` then joins the two files into the docs.
   */
  part?: "postgres" | "embedded";
}

export interface DataSpec {
  accounts: number;
  usage_events: number;
  support_tickets: number;
  escalations: number;
  survey_responses: number;
  invoices: number;
}

export interface Timed {
  runs_seconds: number[];
  median_seconds: number;
}

export interface BackendResult {
  server: string;
  /** Rows counted in the database after generation (contracts: one current contract per account). */
  rows: DataSpec & { contracts: number };
  generate_seconds: number;
  /** (c) one hand-written SQL statement, same raw aggregates, nothing stored. */
  floor: Timed & { rows: number; columns: number };
  /** (a) calculate_health_score {all: true} through the ToolPipeline. */
  tool: Timed & {
    accounts: number;
    scored: number;
    /** Median time until the "signals loaded" progress notification (the GROUP BY statements). */
    signals_median_seconds: number;
    health_scores_stored_per_run: number;
    /** The tool's own totals of the last run: how the generated portfolio scores. */
    totals: { mean_score: number | null; by_band: Record<string, number>; alerts: number; missing_components: Record<string, number> };
  };
  /** (b) calculate_health_score {client_id} once per account of a sample, extrapolated to every account. */
  loop: null | {
    sample: number;
    sample_seconds: number;
    per_call_ms: { median: number; p95: number; mean: number };
    extrapolated_seconds: number;
    /** The feature-catalog statement every call runs (count(DISTINCT feature) over the window's events), alone: median of 5. */
    catalog_query_ms: number;
    accounts: number;
  };
  ratios: {
    /** (a) ÷ (c): how many times longer the tool takes than the bare aggregate. */
    tool_to_floor: number;
    /** (b) ÷ (a): how many times longer a per-account loop would take than the one set-based call. */
    loop_to_tool: number | null;
    loop_to_floor: number | null;
  };
  /** The floor's aggregates compared with HealthSignalsRepository.load for a sample of accounts. */
  floor_check: { accounts: number; fields: number; mismatches: string[] };
  /** This process's RSS (the database runs in it on PGlite) around the last (a) run. */
  memory: MemoryFigures;
  /** get_client_overview latency alone and while an (a) run is going on. */
  fairness: FairnessFigures;
}

export interface MemoryFigures {
  /** RSS just before the call (data generated, one warm-up run done), after a GC. */
  before_mb: number;
  /** Highest RSS sampled every 20 ms during the call. */
  peak_mb: number;
  /** RSS 2 s after the call, after a GC. */
  after_mb: number;
  /** (after − before) ÷ before. */
  after_growth: number;
}

export interface FairnessFigures {
  /** Overview calls alone (one at a time): latency in ms. */
  idle_ms: { n: number; median: number; p95: number; max: number };
  /** Overview calls one after another while one (a) run is going on. */
  during_ms: { n: number; median: number; p95: number; max: number };
  /** How long that (a) run took. */
  scoring_seconds: number;
}

export interface ScalingPoint {
  accounts: number;
  usage_events: number;
  generate_seconds: number;
  tool_seconds: number;
  floor_seconds: number;
  tool_to_floor: number;
  /** tool seconds per 1,000 accounts. */
  seconds_per_1k_accounts: number;
  /** This (bench) process's RSS before the tool call (after a GC) and its peak during it, sampled every 20 ms. */
  rss_before_mb: number;
  rss_peak_mb: number;
}

export interface ScoringBenchResult {
  benchmark: "scoring";
  machine: MachineInfo;
  now: string;
  lookback_days: number;
  postgres: BackendResult | null;
  embedded: BackendResult | null;
  /** PostgreSQL at growing portfolio sizes (one warm-up and one measured run each). */
  scaling: ScalingPoint[];
  total_seconds: number;
  notes: string[];
}

const DAY_MS = 86_400_000;
const LOOKBACK = 30;
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const r2 = (v: number) => Math.round(v * 100) / 100;
const fmt = (n: number) => n.toLocaleString("en-US");

/** A deterministic non-negative int from an integer SQL expression and a seed (PostgreSQL's own 64-bit hash). */

export type Exec = (sql: string, params?: unknown[]) => Promise<unknown[]>;

export function dataSpec(accounts: number, events: number): DataSpec {
  return {
    accounts,
    usage_events: events,
    support_tickets: accounts * 5,
    escalations: Math.round(accounts / 10),
    survey_responses: accounts * 2,
    invoices: accounts * 4,
  };
}

/**
 * The generation statements, in order, with their parameters (now as ISO text, the account count, a row count).
 * bench_acc (temporary) holds the per-account parameters the child tables are drawn from.
 */
function generationSql(spec: DataSpec, now: string): Array<{ label: string; sql: string; params: unknown[] }> {
  const n = spec.accounts;
  return [
    {
      label: "account parameters",
      sql: `CREATE TEMP TABLE bench_acc (i int PRIMARY KEY, id text NOT NULL, created timestamptz NOT NULL, tier text NOT NULL, seats int NOT NULL,
              arr numeric NOT NULL, users int NOT NULL, warp float8 NOT NULL, dormant_days int NOT NULL, payment_status text NOT NULL,
              ev_n bigint NOT NULL DEFAULT 0)`,
      params: [],
    },
    {
      label: "account parameters",
      sql: `INSERT INTO bench_acc (i, id, created, tier, seats, arr, users, warp, dormant_days, payment_status)
            SELECT i, 'cs_' || extract(epoch FROM created)::bigint || '_bench_company_' || i, created, tier, seats,
                   seats * CASE tier WHEN 'starter' THEN 600 WHEN 'standard' THEN 900 WHEN 'professional' THEN 1200 ELSE 1500 END,
                   -- active users: 15–100 % of the seats; 3 % of the accounts never used the product
                   CASE WHEN act_roll < 3 THEN 0 ELSE greatest(1, round(seats * (0.15 + (h6 % 86) / 100.0)))::int END,
                   -- time warp of the events: 1.8 = usage declining, 0.6 = growing
                   CASE WHEN trend_roll < 15 THEN 1.8 WHEN trend_roll < 30 THEN 0.6 ELSE 1.0 END,
                   -- 8 % gone quiet: last event 20–79 days ago
                   CASE WHEN trend_roll >= 92 THEN 20 + h8 % 60 ELSE 0 END,
                   CASE WHEN pay_roll < 92 THEN 'current' WHEN pay_roll < 98 THEN 'overdue' ELSE 'failed' END
              FROM (
                SELECT *, CASE tier WHEN 'starter' THEN 2 + h3 % 5 WHEN 'standard' THEN 5 + h3 % 16 WHEN 'professional' THEN 20 + h3 % 41 ELSE 60 + h3 % 141 END AS seats
                  FROM (
                    SELECT i, date_trunc('second', $1::timestamptz - (${H("i", 1)} % (730 * 86400)) * interval '1 second') AS created,
                           CASE WHEN ${H("i", 2)} % 100 < 45 THEN 'starter' WHEN ${H("i", 2)} % 100 < 80 THEN 'standard'
                                WHEN ${H("i", 2)} % 100 < 95 THEN 'professional' ELSE 'enterprise' END AS tier,
                           ${H("i", 3)} AS h3, ${H("i", 4)} % 100 AS act_roll, ${H("i", 5)} % 100 AS trend_roll, ${H("i", 6)} AS h6,
                           ${H("i", 7)} % 100 AS pay_roll, ${H("i", 8)} AS h8
                      FROM generate_series(1, $2::int) AS i) b) s`,
      params: [now, n],
    },
    {
      label: "account parameters",
      // Events per account ∝ active users × 2–6; exact total by differencing the floored cumulative shares.
      sql: `UPDATE bench_acc b SET ev_n = w.n
              FROM (SELECT i, floor($1::numeric * cum / tot)::bigint - floor($1::numeric * (cum - wt) / tot)::bigint AS n
                      FROM (SELECT i, wt, sum(wt) OVER (ORDER BY i) AS cum, sum(wt) OVER () AS tot
                              FROM (SELECT i, users * (2 + ${H("i", 9)} % 5) AS wt FROM bench_acc) x) y) w
             WHERE b.i = w.i`,
      params: [spec.usage_events],
    },
    {
      label: "accounts",
      sql: `INSERT INTO accounts (id, client_name, company_name, company_key, industry, tier, lifecycle_stage, status, arr, seats,
                                  primary_contact_email, primary_contact_name, csm_name, csm_email, created_at, updated_at)
            SELECT id, 'Bench Company ' || i, 'Bench Company ' || i, 'bench company ' || i,
                   (ARRAY['saas','fintech','healthcare','retail','manufacturing','education','media','logistics'])[1 + ${H("i", 91)} % 8],
                   tier::"Tier",
                   (CASE WHEN created > $1::timestamptz - interval '90 days' THEN 'onboarding'
                         WHEN ${H("i", 92)} % 100 < 20 THEN 'adoption' WHEN ${H("i", 92)} % 100 < 55 THEN 'growth'
                         WHEN ${H("i", 92)} % 100 < 90 THEN 'maturity' ELSE 'renewal' END)::"LifecycleStage",
                   'active'::"AccountStatus", arr, seats, 'owner@company' || i || '.example', 'Owner ' || i,
                   'CSM ' || (1 + i % 25), 'csm' || (1 + i % 25) || '@vendor.example', created, created
              FROM bench_acc`,
      params: [now],
    },
    {
      label: "contracts",
      sql: `INSERT INTO contracts (id, account_id, contract_value, start_date, end_date, renewal_date, payment_status, seats, status, auto_renew, created_at, updated_at)
            SELECT 'bench_ct_' || i, id, arr, t.start, (t.start + interval '1 year' - interval '1 day')::date, (t.start + interval '1 year')::date,
                   payment_status, seats, 'active', ${H("i", 81)} % 2 = 0, created, created
              FROM bench_acc
             CROSS JOIN LATERAL (SELECT ((created AT TIME ZONE 'UTC')::date
                                  + make_interval(years => floor(extract(epoch FROM ($1::timestamptz - created)) / (365.25 * 86400))::int))::date AS start) t`,
      params: [now],
    },
    {
      label: "usage_events",
      // Strictly increasing instants within an account (a warped even spread plus k ms): the unique key holds.
      sql: `INSERT INTO usage_events (account_id, user_id, event, feature, occurred_at, source)
            SELECT a.id,
                   'u' || (1 + ${H("a.i::bigint * 100000000 + k", 11)} % a.users),
                   (ARRAY['login','dashboard_view','report_run','export','api_call','search','invite_sent','settings_change'])[1 + ${H("a.i::bigint * 100000000 + k", 12)} % 8],
                   (ARRAY[NULL,'reports','exports','dashboards','api','admin','alerts','integrations','workflows','billing','sso','mobile'])[1 + ${H("a.i::bigint * 100000000 + k", 13)} % 12],
                   $1::timestamptz - interval '90 days'
                     + (floor(power((k + 0.5)::float8 / a.ev_n, a.warp) * (90 - a.dormant_days - 0.05)::float8 * 86400000) + k) * interval '1 millisecond',
                   'import'
              FROM bench_acc a
             CROSS JOIN LATERAL generate_series(0, a.ev_n - 1) AS k
             WHERE a.ev_n > 0`,
      params: [now],
    },
    {
      label: "support_tickets",
      sql: `INSERT INTO support_tickets (id, account_id, subject, priority, status, satisfaction_rating, first_response_due_at, resolution_due_at,
                                         first_response_at, resolved_at, closed_at, created_at, updated_at)
            SELECT 'bench_tk_' || t.g, a.id, 'Bench ticket ' || t.g, t.priority::"TicketPriority", t.status::"TicketStatus",
                   CASE WHEN t.status IN ('resolved','closed') AND t.r_rate < 55 THEN (ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + t.r_score % 10] END,
                   t.created + t.resp_h * interval '1 hour', t.created + t.res_h * interval '1 hour',
                   CASE WHEN t.fr < $1::timestamptz THEN t.fr END,
                   t.resolved,
                   CASE WHEN t.status = 'closed' THEN LEAST(t.resolved + interval '2 days', $1::timestamptz - interval '1 minute') END,
                   t.created, COALESCE(t.resolved, t.created)
              FROM (
                SELECT s.*,
                       s.created + s.resp_h * (CASE WHEN s.r_late < 10 THEN 1.2 + (s.r_f % 180) / 100.0 ELSE 0.1 + (s.r_f % 80) / 100.0 END) * interval '1 hour' AS fr,
                       CASE WHEN s.status IN ('resolved','closed') THEN
                         LEAST(s.created + s.res_h * (CASE WHEN s.r_late2 < 15 THEN 1.1 + (s.r_f2 % 140) / 100.0 ELSE 0.2 + (s.r_f2 % 80) / 100.0 END) * interval '1 hour',
                               $1::timestamptz - interval '1 minute') END AS resolved
                  FROM (
                    SELECT p.*,
                           CASE p.priority WHEN 'P1' THEN 1 WHEN 'P2' THEN 4 WHEN 'P3' THEN 8 ELSE 24 END AS resp_h,
                           CASE p.priority WHEN 'P1' THEN 8 WHEN 'P2' THEN 24 WHEN 'P3' THEN 72 ELSE 120 END AS res_h,
                           CASE WHEN p.age_s < 14 * 86400 AND p.r_open < 60 THEN (ARRAY['open','pending','in_progress'])[1 + p.r_st % 3]
                                WHEN p.age_s >= 14 * 86400 AND p.r_open < 2 THEN 'open'
                                WHEN p.r_st % 5 = 0 THEN 'closed' ELSE 'resolved' END AS status
                      FROM (
                        SELECT g, 1 + ${H("g", 21)} % $2::int AS ai, ${H("g", 22)} % (365 * 86400) AS age_s,
                               $1::timestamptz - (${H("g", 22)} % (365 * 86400)) * interval '1 second' AS created,
                               CASE WHEN ${H("g", 23)} % 100 < 5 THEN 'P1' WHEN ${H("g", 23)} % 100 < 25 THEN 'P2'
                                    WHEN ${H("g", 23)} % 100 < 75 THEN 'P3' ELSE 'P4' END AS priority,
                               ${H("g", 24)} % 100 AS r_open, ${H("g", 25)} AS r_st, ${H("g", 26)} % 100 AS r_late, ${H("g", 27)} AS r_f,
                               ${H("g", 28)} % 100 AS r_late2, ${H("g", 29)} AS r_f2, ${H("g", 30)} % 100 AS r_rate, ${H("g", 31)} AS r_score
                          FROM generate_series(1, $3::int) AS g) p) s) t
              JOIN bench_acc a ON a.i = t.ai`,
      params: [now, n, spec.support_tickets],
    },
    {
      label: "escalations",
      sql: `INSERT INTO escalations (id, account_id, severity, reason, status, created_at, updated_at, resolved_at)
            SELECT 'bench_es_' || x.g, a.id, (ARRAY['low','medium','high','critical'])[1 + ${H("x.g", 51)} % 4], 'Bench escalation ' || x.g,
                   CASE WHEN x.r < 30 THEN 'open' WHEN x.r < 40 THEN 'in_progress' ELSE 'resolved' END, x.c, x.c,
                   CASE WHEN x.r >= 40 THEN LEAST(x.c + interval '3 days', $1::timestamptz - interval '1 minute') END
              FROM (SELECT g, ${H("g", 52)} % 100 AS r, $1::timestamptz - (1 + ${H("g", 53)} % (180 * 86400)) * interval '1 second' AS c,
                           1 + ${H("g", 54)} % $2::int AS ai
                      FROM generate_series(1, $3::int) AS g) x
              JOIN bench_acc a ON a.i = x.ai`,
      params: [now, n, spec.escalations],
    },
    {
      label: "survey_responses (NPS)",
      sql: npsAnswersSql([0,3,5,6,6,7,7,8,8,8,9,9,9,9,9,10,10,10,10,10]),
      params: [now, n, spec.survey_responses],
    },
    {
      label: "invoices",
      // Quarterly, the last four: 8 % of the latest and 2 % of the one before unpaid (overdue), 12 % paid late.
      sql: `INSERT INTO invoices (id, account_id, external_id, amount, issued_at, due_date, paid_at, created_at)
            SELECT 'bench_in_' || a.i || '_' || q, a.id, 'INV-' || a.i || '-' || q, round(a.arr / 4.0, 2), x.due - 30, x.due,
                   CASE WHEN (q = 0 AND x.r < 8) OR (q = 1 AND x.r < 2) THEN NULL
                        WHEN x.r >= 88 THEN LEAST(((x.due + 1 + x.r2 % 20)::timestamp AT TIME ZONE 'UTC') + interval '10 hours', $1::timestamptz - interval '1 hour')
                        ELSE ((x.due - x.r2 % 10)::timestamp AT TIME ZONE 'UTC') + interval '10 hours' END,
                   ((x.due - 30)::timestamp AT TIME ZONE 'UTC')
              FROM bench_acc a
             CROSS JOIN generate_series(0, 3) AS q
             CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE 'UTC')::date - (q * 91 + 3 + ${H("a.i * 4 + q", 71)} % 28) AS due,
                                        ${H("a.i * 4 + q", 72)} % 100 AS r, ${H("a.i * 4 + q", 73)} AS r2) x`,
      params: [now],
    },
    { label: "cleanup", sql: `DROP TABLE bench_acc`, params: [] },
  ];
}

export async function generateScoringData(exec: Exec, spec: DataSpec, now: Date, log: (m: string) => void, analyze: string): Promise<{ seconds: number; rows: BackendResult["rows"] }> {
  const t0 = performance.now();
  for (const step of generationSql(spec, now.toISOString())) {
    const s0 = performance.now();
    if (step.label === "usage_events") {
      // The events go in without usage_events' secondary indexes, which are then built again from their own
      // definitions (pg_indexes): a bulk load then an index build is several times faster than millions of
      // index insertions, on PGlite above all. The schema afterwards is the migrated one.
      const indexes = (await exec(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'usage_events' AND indexname NOT LIKE '%_pkey'`)) as Array<{ indexname: string; indexdef: string }>;
      for (const ix of indexes) await exec(`DROP INDEX "${ix.indexname}"`);
      await exec(step.sql, step.params);
      for (const ix of indexes) await exec(ix.indexdef);
      log(`  ${step.label}: ${((performance.now() - s0) / 1000).toFixed(1)} s (${indexes.length} indexes built after the load)`);
      continue;
    }
    await exec(step.sql, step.params);
    if (step.label !== "account parameters" && step.label !== "cleanup") log(`  ${step.label}: ${((performance.now() - s0) / 1000).toFixed(1)} s`);
  }
  const a0 = performance.now();
  await exec(analyze);
  log(`  ${analyze}: ${((performance.now() - a0) / 1000).toFixed(1)} s`);
  const seconds = r3((performance.now() - t0) / 1000);
  const [c] = (await exec(
    `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM contracts)::int AS contracts,
            (SELECT count(*) FROM usage_events)::int AS usage_events, (SELECT count(*) FROM support_tickets)::int AS support_tickets,
            (SELECT count(*) FROM escalations)::int AS escalations, (SELECT count(*) FROM survey_responses)::int AS survey_responses,
            (SELECT count(*) FROM invoices)::int AS invoices`,
  )) as Array<BackendResult["rows"]>;
  return { seconds, rows: c! };
}

/**
 * (c) The floor: one statement returning, per active account, every raw aggregate the signals repository
 * reads (account + contract in force, usage, tickets, escalations, surveys, invoices, the last stored
 * scores) and the feature catalog. Nothing is computed in JavaScript and nothing is stored.
 * $1 now, $2 start of the current window, $3 start of the previous one, $4 start of the satisfaction
 * window, $5 today (UTC date), $6 history points.
 */
export const FLOOR_SQL = `
WITH acc AS (
  SELECT a.id, a.status::text AS status, a.lifecycle_stage::text AS lifecycle_stage, a.created_at,
         COALESCE(c.seats, a.seats) AS seats, (c.id IS NOT NULL) AS has_contract, c.renewal_date, c.payment_status
    FROM accounts a
    LEFT JOIN LATERAL (SELECT k.id, k.seats, k.renewal_date, k.payment_status FROM contracts k
                        WHERE k.account_id = a.id AND k.status = 'active'
                        ORDER BY k.start_date DESC NULLS LAST, k.created_at DESC LIMIT 1) c ON true
   WHERE a.status = 'active'
), u AS (
  SELECT account_id,
         count(DISTINCT user_id) FILTER (WHERE occurred_at >= $2) AS users_cur,
         count(DISTINCT user_id) FILTER (WHERE occurred_at >= $3 AND occurred_at < $2) AS users_prev,
         count(*) FILTER (WHERE occurred_at >= $2) AS events_cur,
         count(*) FILTER (WHERE occurred_at >= $3 AND occurred_at < $2) AS events_prev,
         count(DISTINCT user_id || '|' || (occurred_at AT TIME ZONE 'UTC')::date::text) FILTER (WHERE occurred_at >= $2) AS user_days_cur,
         count(DISTINCT user_id || '|' || (occurred_at AT TIME ZONE 'UTC')::date::text) FILTER (WHERE occurred_at >= $3 AND occurred_at < $2) AS user_days_prev,
         count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date) FILTER (WHERE occurred_at >= $2) AS days_cur,
         count(DISTINCT feature) FILTER (WHERE occurred_at >= $2) AS features_cur,
         max(occurred_at) AS last_at
    FROM usage_events WHERE occurred_at < $1 GROUP BY account_id
), t AS (
  SELECT account_id,
         count(*) FILTER (WHERE status IN ('open','pending','in_progress') AND priority = 'P1') AS open_p1,
         count(*) FILTER (WHERE status IN ('open','pending','in_progress') AND priority = 'P2') AS open_p2,
         count(*) FILTER (WHERE status IN ('open','pending','in_progress') AND priority = 'P3') AS open_p3,
         count(*) FILTER (WHERE status IN ('open','pending','in_progress') AND priority = 'P4') AS open_p4,
         count(*) FILTER (WHERE (created_at >= $2 OR status IN ('open','pending','in_progress')) AND (
             first_response_at > first_response_due_at
          OR (first_response_at IS NULL AND status IN ('open','pending','in_progress') AND first_response_due_at < $1)
          OR resolved_at > resolution_due_at
          OR (resolved_at IS NULL AND status IN ('open','pending','in_progress') AND resolution_due_at < $1))) AS sla_breaches,
         count(*) FILTER (WHERE created_at >= $2) AS tickets_cur,
         count(*) FILTER (WHERE resolved_at >= $2 AND resolved_at < $1 AND satisfaction_rating IS NOT NULL) AS ticket_csat_n,
         avg(satisfaction_rating) FILTER (WHERE resolved_at >= $2 AND resolved_at < $1 AND satisfaction_rating IS NOT NULL)::float8 AS ticket_csat_avg
    FROM support_tickets WHERE created_at < $1 GROUP BY account_id
), e AS (
  SELECT account_id, count(*) FILTER (WHERE status <> 'resolved') AS open_escalations, count(*) FILTER (WHERE created_at >= $2) AS escalations_cur
    FROM escalations WHERE created_at < $1 GROUP BY account_id
), s AS (
  SELECT account_id,
         count(*) FILTER (WHERE survey_type = 'nps') AS nps_n,
         count(*) FILTER (WHERE survey_type = 'nps' AND score >= 9) AS promoters,
         count(*) FILTER (WHERE survey_type = 'nps' AND score <= 6) AS detractors,
         count(*) FILTER (WHERE survey_type = 'nps' AND score <= 6 AND responded_at >= $2) AS detractors_cur,
         count(*) FILTER (WHERE survey_type = 'nps' AND responded_at >= $2) AS nps_cur_n,
         (array_agg(score ORDER BY responded_at DESC) FILTER (WHERE survey_type = 'nps'))[1] AS latest_nps,
         count(*) FILTER (WHERE survey_type = 'csat') AS csat_n,
         count(*) FILTER (WHERE survey_type = 'csat' AND score >= 4) AS csat_pos,
         count(*) FILTER (WHERE survey_type = 'ces') AS ces_n,
         avg(score) FILTER (WHERE survey_type = 'ces')::float8 AS ces_avg
    FROM survey_responses WHERE responded_at >= $4 AND responded_at < $1 GROUP BY account_id
), i AS (
  SELECT account_id,
         count(*) AS invoices_n,
         count(*) FILTER (WHERE paid_at IS NULL AND due_date < $5) AS overdue_n,
         COALESCE(sum(LEAST($5 - due_date, 90)) FILTER (WHERE paid_at IS NULL AND due_date < $5), 0) AS overdue_days_capped,
         COALESCE(max($5 - due_date) FILTER (WHERE paid_at IS NULL AND due_date < $5), 0) AS max_days_overdue,
         COALESCE(sum(amount) FILTER (WHERE paid_at IS NULL AND due_date < $5), 0) AS overdue_amount,
         count(*) FILTER (WHERE paid_at IS NOT NULL AND (paid_at AT TIME ZONE 'UTC')::date > due_date) AS paid_late_n
    FROM invoices
   WHERE COALESCE(issued_at, due_date) <= $5 AND (paid_at IS NULL OR due_date >= $5 - 365)
   GROUP BY account_id
), h AS (
  SELECT account_id, array_agg(overall_score ORDER BY calculated_at DESC) AS last_scores
    FROM (SELECT account_id, overall_score, calculated_at,
                 row_number() OVER (PARTITION BY account_id ORDER BY calculated_at DESC, id DESC) AS rn
            FROM health_scores WHERE calculated_at <= $1 AND scoring_model = 'weighted_composite' AND lookback_days = 30) x
   WHERE rn <= $6 GROUP BY account_id
)
SELECT acc.*, u.users_cur, u.users_prev, u.events_cur, u.events_prev, u.user_days_cur, u.user_days_prev, u.days_cur, u.features_cur, u.last_at,
       t.open_p1, t.open_p2, t.open_p3, t.open_p4, t.sla_breaches, t.tickets_cur, t.ticket_csat_n, t.ticket_csat_avg,
       e.open_escalations, e.escalations_cur,
       s.nps_n, s.promoters, s.detractors, s.detractors_cur, s.nps_cur_n, s.latest_nps, s.csat_n, s.csat_pos, s.ces_n, s.ces_avg,
       i.invoices_n, i.overdue_n, i.overdue_days_capped, i.max_days_overdue, i.overdue_amount, i.paid_late_n,
       h.last_scores,
       (SELECT count(DISTINCT feature) FROM usage_events WHERE occurred_at >= $2 AND occurred_at < $1 AND feature IS NOT NULL) AS feature_catalog
  FROM acc
  LEFT JOIN u ON u.account_id = acc.id
  LEFT JOIN t ON t.account_id = acc.id
  LEFT JOIN e ON e.account_id = acc.id
  LEFT JOIN s ON s.account_id = acc.id
  LEFT JOIN i ON i.account_id = acc.id
  LEFT JOIN h ON h.account_id = acc.id
 ORDER BY acc.id`;

function floorParams(now: Date) {
  return [
    now.toISOString(),
    new Date(now.getTime() - LOOKBACK * DAY_MS).toISOString(),
    new Date(now.getTime() - 2 * LOOKBACK * DAY_MS).toISOString(),
    new Date(now.getTime() - Math.max(LOOKBACK, SATISFACTION_MIN_DAYS) * DAY_MS).toISOString(),
    now.toISOString().slice(0, 10),
    PROJECTION_HISTORY,
  ];
}

/** Compares the floor's rows with what the repository loads for the same accounts (so the floor is the same work). */
async function checkFloor(db: Database, rows: Array<Record<string, unknown>>, now: Date, sample: string[]) {
  const set = await new HealthSignalsRepository(db.prisma).load({ accountIds: sample, now, lookbackDays: LOOKBACK, satisfactionDays: Math.max(LOOKBACK, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const mismatches: string[] = [];
  let fields = 0;
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const a of set.accounts as AccountSignals[]) {
    const f = byId.get(a.account_id);
    if (!f) {
      mismatches.push(`${a.account_id}: missing from the floor`);
      continue;
    }
    const pairs: Array<[string, unknown, unknown]> = [
      ["seats", a.seats, f.seats],
      ["payment_status", a.payment_status, f.payment_status],
      ["users_cur", a.usage?.users_cur ?? null, f.users_cur],
      ["users_prev", a.usage?.users_prev ?? null, f.users_prev],
      ["events_cur", a.usage?.events_cur ?? null, f.events_cur],
      ["user_days_cur", a.usage?.user_days_cur ?? null, f.user_days_cur],
      ["days_cur", a.usage?.days_cur ?? null, f.days_cur],
      ["features_cur", a.usage?.features_cur ?? null, f.features_cur],
      ["open_p1", a.support?.open_p1 ?? null, f.open_p1 ?? (a.support ? 0 : null)],
      ["sla_breaches", a.support?.sla_breaches ?? null, f.sla_breaches ?? (a.support ? 0 : null)],
      ["open_escalations", a.support?.open_escalations ?? null, f.open_escalations ?? (a.support ? 0 : null)],
      ["nps_n", a.surveys?.nps_n ?? null, f.nps_n],
      ["promoters", a.surveys?.promoters ?? null, f.promoters],
      ["detractors", a.surveys?.detractors ?? null, f.detractors],
      ["overdue_n", a.invoices?.overdue_n ?? null, f.overdue_n],
      ["overdue_days_capped", a.invoices?.overdue_days_capped ?? null, f.overdue_days_capped],
      ["paid_late_n", a.invoices?.paid_late_n ?? null, f.paid_late_n],
      ["history", a.history.length, Array.isArray(f.last_scores) ? f.last_scores.length : f.last_scores === null ? 0 : String(f.last_scores).split(",").length],
      ["feature_catalog", set.feature_catalog, f.feature_catalog],
    ];
    for (const [name, repo, floor] of pairs) {
      fields++;
      const same = typeof repo === "string" || typeof floor === "string" ? String(repo) === String(floor) : num(repo) === num(floor);
      if (!same) mismatches.push(`${a.account_id}.${name}: repository ${String(repo)}, floor ${String(floor)}`);
    }
  }
  return { accounts: set.accounts.length, fields, mismatches: mismatches.slice(0, 20) };
}

async function measure(
  db: Database,
  config: Config,
  now: Date,
  opts: { runs: number; loopSample: number; loopBudgetSeconds: number; log: (m: string) => void; label: string },
): Promise<Omit<BackendResult, "server" | "rows" | "generate_seconds">> {
  const { log, label } = opts;
  const services = createServices({ db, redis: null, config, metrics: new Metrics(), now: () => now });
  const pipeline = new ToolPipeline([calculateHealthScore, getClientOverview], {
    services,
    logger: createLogger("silent"),
    metrics: new Metrics(),
    limiter: createRateLimiter(0, null),
    timeoutMs: 600_000,
  });

  const tool = async () => {
    const t0 = performance.now();
    let signalsAt = 0;
    const r = await pipeline.call("calculate_health_score", { all: true }, {
      sendProgress: async () => {
        if (!signalsAt) signalsAt = performance.now();
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.isError) throw new Error(`calculate_health_score all: true failed: ${JSON.stringify(r.content)}`);
    const totals = (r.structuredContent as { totals: { accounts: number; scored: number; insufficient_data?: number; mean_score: number | null; by_band: Record<string, number>; alerts: number; missing_components: Record<string, number> } }).totals;
    return { seconds, signals: (signalsAt - t0) / 1000, totals };
  };
  const floor = async () => {
    const t0 = performance.now();
    const rows = await db.query<Record<string, unknown>>(FLOOR_SQL, floorParams(now));
    return { seconds: (performance.now() - t0) / 1000, rows };
  };

  log(`${label}: warm-up (one run of each)`);
  const warmTool = await tool();
  const warmFloor = await floor();
  log(`  warm-up: tool ${warmTool.seconds.toFixed(2)} s (${fmt(warmTool.totals.scored)} scored), floor ${warmFloor.seconds.toFixed(2)} s (${fmt(warmFloor.rows.length)} rows)`);

  const toolRuns: Array<Awaited<ReturnType<typeof tool>>> = [];
  const floorRuns: number[] = [];
  let floorRows = warmFloor.rows;
  for (let i = 0; i < opts.runs; i++) {
    const f = await floor();
    floorRuns.push(f.seconds);
    floorRows = f.rows;
    const t = await tool();
    toolRuns.push(t);
    log(`  run ${i + 1}/${opts.runs}: (c) floor ${f.seconds.toFixed(2)} s, (a) tool ${t.seconds.toFixed(2)} s (signals loaded after ${t.signals.toFixed(2)} s)`);
  }
  const ids = floorRows.map((r) => r.id as string);
  const checkIds = ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / 25)) === 0).slice(0, 25);
  // Untimed: a fresh floor result (the last tool run added a score to every account's history since).
  const floor_check = await checkFloor(db, (await floor()).rows, now, checkIds);
  log(`  floor check against the repository: ${floor_check.accounts} accounts, ${floor_check.fields} fields, ${floor_check.mismatches.length} mismatches`);

  // Memory: one more (a) run, RSS sampled every 20 ms; before and after with a GC first.
  const { before, peak, after } = await rssAround(tool);
  const memory: MemoryFigures = { before_mb: before, peak_mb: peak, after_mb: after, after_growth: r3((after - before) / before) };
  log(`  RSS: ${before} MB before, peak ${peak} MB during, ${after} MB 2 s after the call`);

  // Fairness: get_client_overview alone, then one after another while an (a) run goes on.
  const overviewIds = ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / 40)) === 0);
  const overview = async (k: number) => {
    const c0 = performance.now();
    const r = await pipeline.call("get_client_overview", { client_id: overviewIds[k % overviewIds.length]! });
    if (r.isError) throw new Error(`get_client_overview failed: ${JSON.stringify(r.content)}`);
    return performance.now() - c0;
  };
  const idle: number[] = [];
  for (let k = 0; k < 20; k++) idle.push(await overview(k));
  const during: number[] = [];
  let scoring = true;
  const s0 = performance.now();
  const run = tool().finally(() => (scoring = false));
  await new Promise((r) => setTimeout(r, 50));
  for (let k = 0; scoring; k++) {
    // One event-loop turn between calls, as between two requests read from a transport: calls chained in
    // microtasks alone would never let the embedded run's next chunk start.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!scoring) break;
    const ms = await overview(k);
    if (scoring) during.push(ms);
  }
  await run;
  const scoringSeconds = (performance.now() - s0) / 1000;
  const stats = (xs: number[]) => ({ n: xs.length, median: r2(median(xs)), p95: r2(percentile(xs, 95)), max: r2(Math.max(...xs)) });
  const fairness: FairnessFigures = { idle_ms: stats(idle), during_ms: during.length ? stats(during) : { n: 0, median: 0, p95: 0, max: 0 }, scoring_seconds: r3(scoringSeconds) };
  log(`  overview alone: median ${fairness.idle_ms.median} ms; during scoring (${fairness.scoring_seconds} s): ${during.length} calls, median ${fairness.during_ms.median} ms, p95 ${fairness.during_ms.p95} ms, max ${fairness.during_ms.max} ms`);

  let loop: BackendResult["loop"] = null;
  if (opts.loopSample > 0) {
    const n = Math.min(opts.loopSample, ids.length);
    const sample = Array.from({ length: n }, (_, j) => ids[Math.floor((j * ids.length) / n)]!);
    for (const id of sample.slice(0, 3)) await pipeline.call("calculate_health_score", { client_id: id }); // warm the single-account path
    log(`${label}: (b) per-account loop over a sample of ${n} accounts (budget ${opts.loopBudgetSeconds} s)`);
    const per: number[] = [];
    const t0 = performance.now();
    for (const id of sample) {
      const c0 = performance.now();
      const r = await pipeline.call("calculate_health_score", { client_id: id });
      per.push(performance.now() - c0);
      if (r.isError) throw new Error(`calculate_health_score ${id} failed: ${JSON.stringify(r.content)}`);
      if (per.length % 50 === 0) log(`  ${per.length} calls, ${(per.reduce((a, b) => a + b, 0) / per.length).toFixed(1)} ms/call`);
      if ((performance.now() - t0) / 1000 > opts.loopBudgetSeconds) break;
    }
    const sampleSeconds = (performance.now() - t0) / 1000;
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    const catalog: number[] = [];
    for (let i = 0; i < 5; i++) {
      const q0 = performance.now();
      await db.query(`SELECT count(DISTINCT feature)::int AS n FROM usage_events WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz AND feature IS NOT NULL`, [
        new Date(now.getTime() - LOOKBACK * DAY_MS).toISOString(),
        now.toISOString(),
      ]);
      catalog.push(performance.now() - q0);
    }
    loop = {
      sample: per.length,
      sample_seconds: r3(sampleSeconds),
      per_call_ms: { median: r2(median(per)), p95: r2(percentile(per, 95)), mean: r2(mean) },
      extrapolated_seconds: r3((sampleSeconds / per.length) * ids.length),
      accounts: ids.length,
      catalog_query_ms: r2(median(catalog)),
    };
    log(`  ${per.length} calls in ${sampleSeconds.toFixed(2)} s → ${loop.extrapolated_seconds} s extrapolated to ${fmt(ids.length)} accounts`);
  }

  const toolMedian = median(toolRuns.map((t) => t.seconds));
  const floorMedian = median(floorRuns);
  const last = toolRuns[toolRuns.length - 1]!;
  return {
    floor: { runs_seconds: floorRuns.map(r3), median_seconds: r3(floorMedian), rows: floorRows.length, columns: Object.keys(floorRows[0] ?? {}).length },
    tool: {
      runs_seconds: toolRuns.map((t) => r3(t.seconds)),
      median_seconds: r3(toolMedian),
      accounts: last.totals.accounts,
      scored: last.totals.scored,
      signals_median_seconds: r3(median(toolRuns.map((t) => t.signals))),
      // rated accounts and those with insufficient data (stored with a null overall score)
      health_scores_stored_per_run: last.totals.scored + (last.totals.insufficient_data ?? 0),
      totals: { mean_score: last.totals.mean_score, by_band: last.totals.by_band, alerts: last.totals.alerts, missing_components: last.totals.missing_components },
    },
    loop,
    ratios: {
      tool_to_floor: r2(toolMedian / floorMedian),
      loop_to_tool: loop ? r2(loop.extrapolated_seconds / toolMedian) : null,
      loop_to_floor: loop ? r2(loop.extrapolated_seconds / floorMedian) : null,
    },
    floor_check,
    memory,
    fairness,
  };
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const rssMb = () => Math.round(process.memoryUsage.rss() / 1048576);

/** RSS in MB around one call: before (after a GC), peak sampled every 20 ms during it, after (2 s later, after a GC). */
export async function rssAround(call: () => Promise<unknown>): Promise<{ before: number; peak: number; after: number }> {
  gc();
  const before = rssMb();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
  await call();
  clearInterval(sampler);
  peak = Math.max(peak, rssMb());
  await new Promise((r) => setTimeout(r, 2000));
  gc();
  return { before, peak, after: rssMb() };
}


async function runPostgres(adminUrl: string, accounts: number, events: number, now: Date, o: { runs: number; loopSample: number; loopBudgetSeconds: number; log: (m: string) => void }): Promise<BackendResult> {
  const { log } = o;
  const tdb = await createThrowawayDb(adminUrl, "bench_scoring");
  try {
    const config = loadConfig({ DATABASE_URL: tdb.url, LOG_LEVEL: "silent", DB_STATEMENT_TIMEOUT_MS: "600000" });
    const db = await openDatabase(config, createLogger("silent"), { migrate: true });
    try {
      const spec = dataSpec(accounts, events);
      log(`postgres ${describeUrl(tdb.url)}: generating ${fmt(accounts)} accounts, ${fmt(events)} usage events, ${fmt(spec.support_tickets)} tickets, ${fmt(spec.survey_responses)} NPS answers, ${fmt(spec.invoices)} invoices`);
      // Generation on one dedicated connection (the temp table lives in its session), no statement timeout.
      const client = new pg.Client({ connectionString: tdb.url });
      await client.connect();
      let gen: Awaited<ReturnType<typeof generateScoringData>>;
      let version = "";
      try {
        version = ((await client.query("SHOW server_version")).rows[0] as { server_version: string }).server_version.split(" ")[0] ?? "";
        gen = await generateScoringData(async (sql, params) => (await client.query(sql, params)).rows, spec, now, log, "VACUUM ANALYZE");
      } finally {
        await client.end();
      }
      log(`  generated in ${gen.seconds} s: ${JSON.stringify(gen.rows)}`);
      const m = await measure(db, config, now, { ...o, label: "postgres" });
      const u = new URL(adminUrl);
      return { server: `PostgreSQL ${version} at ${u.hostname}:${u.port || "5432"} (a throwaway database, dropped after the run)`, rows: gen.rows, generate_seconds: gen.seconds, ...m };
    } finally {
      await db.close();
    }
  } finally {
    await tdb.drop().catch((err: Error) => log(`could not drop ${tdb.name}: ${err.message}`));
  }
}

async function runEmbedded(accounts: number, events: number, now: Date, o: { runs: number; log: (m: string) => void }): Promise<BackendResult> {
  const { log } = o;
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-bench-scoring-"));
  try {
    const config = loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" });
    const db = await openDatabase(config, createLogger("silent"));
    try {
      const spec = dataSpec(accounts, events);
      log(`embedded (PGlite): generating ${fmt(accounts)} accounts, ${fmt(events)} usage events`);
      const gen = await generateScoringData((sql, params) => db.query(sql, params), spec, now, log, "ANALYZE");
      log(`  generated in ${gen.seconds} s: ${JSON.stringify(gen.rows)}`);
      const m = await measure(db, config, now, { ...o, loopSample: 0, loopBudgetSeconds: 0, label: "embedded" });
      return { server: "embedded PGlite (PostgreSQL 17 in WebAssembly; a temp data directory, removed after the run)", rows: gen.rows, generate_seconds: gen.seconds, ...m };
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One PostgreSQL portfolio size: generate, then one (c) floor run and one (a) tool run (no warm-up run: the data was just written and analysed). */
async function runScalingPoint(adminUrl: string, accounts: number, events: number, now: Date, log: (m: string) => void): Promise<ScalingPoint> {
  const tdb = await createThrowawayDb(adminUrl, "bench_scaling");
  try {
    // The 200,000-account run outlasts the default deadline (30 s) and Prisma's 120 s transaction default:
    // both follow CS_MCP_TOOL_TIMEOUT_MS (600 s here, its maximum); statements may take 20 minutes.
    const config = loadConfig({ DATABASE_URL: tdb.url, LOG_LEVEL: "silent", DB_STATEMENT_TIMEOUT_MS: "1200000", CS_MCP_TOOL_TIMEOUT_MS: "600000" });
    const db = await openDatabase(config, createLogger("silent"), { migrate: true });
    try {
      log(`scaling: generating ${fmt(accounts)} accounts, ${fmt(events)} usage events`);
      const client = new pg.Client({ connectionString: tdb.url });
      await client.connect();
      let gen: Awaited<ReturnType<typeof generateScoringData>>;
      try {
        gen = await generateScoringData(async (sql, params) => (await client.query(sql, params)).rows, dataSpec(accounts, events), now, log, "VACUUM ANALYZE");
      } finally {
        await client.end();
      }
      const services = createServices({ db, redis: null, config, metrics: new Metrics(), now: () => now });
      const pipeline = new ToolPipeline([calculateHealthScore], { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 600_000 });
      const f0 = performance.now();
      await db.query(FLOOR_SQL, floorParams(now));
      const floorSeconds = (performance.now() - f0) / 1000;
      gc();
      const rssBefore = rssMb();
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb())), 20);
      const t0 = performance.now();
      const r = await pipeline.call("calculate_health_score", { all: true }).finally(() => clearInterval(sampler));
      const toolSeconds = (performance.now() - t0) / 1000;
      if (r.isError) throw new Error(`calculate_health_score all: true failed at ${accounts} accounts: ${JSON.stringify(r.content)}`);
      return {
        accounts: gen.rows.accounts,
        usage_events: gen.rows.usage_events,
        generate_seconds: gen.seconds,
        tool_seconds: r3(toolSeconds),
        floor_seconds: r3(floorSeconds),
        tool_to_floor: r2(toolSeconds / floorSeconds),
        seconds_per_1k_accounts: r3(toolSeconds / (accounts / 1000)),
        rss_before_mb: rssBefore,
        rss_peak_mb: Math.max(rssPeak, rssMb()),
      };
    } finally {
      await db.close();
    }
  } finally {
    await tdb.drop().catch((err: Error) => log(`could not drop ${tdb.name}: ${err.message}`));
  }
}

export async function runScoringBench(opts: ScoringBenchOptions = {}): Promise<ScoringBenchResult> {
  const quick = opts.quick ?? false;
  const accounts = opts.accounts ?? (quick ? 1_000 : 20_000);
  const events = opts.events ?? (quick ? 100_000 : 4_000_000);
  const loopSample = opts.loopSample ?? (quick ? 30 : 100);
  const loopBudgetSeconds = opts.loopBudgetSeconds ?? 60;
  const runs = Math.max(1, opts.runs ?? (quick ? 1 : 2));
  const embeddedAccounts = opts.embeddedAccounts ?? accounts;
  const embeddedEvents = opts.embeddedEvents ?? events;
  const scalingSizes = opts.scaling ?? (quick ? [] : [2_000, 20_000, 200_000]);
  const perAccount = opts.scalingEventsPerAccount ?? 10;
  const adminUrl = opts.part === "embedded" ? undefined : (opts.adminUrl ?? process.env.DATABASE_URL);
  const log = opts.log ?? ((m: string) => process.stderr.write(`[bench:scoring] ${m}\n`));
  const started = performance.now();
  const machine = machineInfo();
  // One fixed instant for the data and every scoring call (ms precision, as stored).
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const notes: string[] = [];

  let postgres: BackendResult | null = null;
  if (!adminUrl) {
    if (opts.part !== "embedded") notes.push("DATABASE_URL not set: the PostgreSQL part (the per-account loop, the scaling run) was skipped; set it to a PostgreSQL admin URL");
  } else postgres = await runPostgres(adminUrl, accounts, events, now, { runs, loopSample, loopBudgetSeconds, log });
  const embedded = opts.skipEmbedded || opts.part === "postgres" ? null : await runEmbedded(embeddedAccounts, embeddedEvents, now, { runs, log });
  const scaling: ScalingPoint[] = [];
  if (adminUrl) {
    for (const n of scalingSizes) {
      const point = await runScalingPoint(adminUrl, n, n * perAccount, now, log);
      scaling.push(point);
      log(`scaling ${fmt(n)} accounts: tool ${point.tool_seconds} s, floor ${point.floor_seconds} s (${point.tool_to_floor}×), ${point.seconds_per_1k_accounts} s per 1,000 accounts`);
    }
  }

  machine.load_avg_1m.end = loadAverage();
  if (postgres?.loop) {
    notes.push(
      `every {client_id} call also recomputes the portfolio-wide feature catalog (count(DISTINCT feature) over the whole window's usage events, a sequential scan: usage_events has no index on occurred_at alone); that statement alone takes ${postgres.loop.catalog_query_ms} ms on PostgreSQL here, against a median of ${postgres.loop.per_call_ms.median} ms for a whole call${postgres.loop.catalog_query_ms >= postgres.loop.per_call_ms.median / 2 ? ", so it is most of the per-account loop's cost" : ""}`,
    );
  }
  if (postgres && postgres.tool.signals_median_seconds < postgres.floor.median_seconds) {
    notes.push(
      `PostgreSQL: the tool's signal phase (${postgres.tool.signals_median_seconds} s until "signals loaded") is shorter than the floor statement (${postgres.floor.median_seconds} s): the repository's 8 statements run concurrently on separate pool connections (${machine.cores} cores), while the floor is one statement in one backend; the floor is the single-statement baseline, not a lower bound on wall time`,
    );
  }
  notes.push(
    "(a) goes through the ToolPipeline as an MCP call would (zod input and output validation included) and also stores one health_scores row per scored account and updates accounts.health_score/health_trend; (c) only reads",
    "(c) returns every raw aggregate the signals repository reads (the floor check compares them field by field for a sample of accounts); it scores nothing and stores nothing",
    `(a) and (c) are medians of ${runs} run(s) after one warm-up run each, alternated; every (a) run adds to the score history that both then read`,
    "the (b) per-account loop times a sample of calculate_health_score {client_id} calls evenly spread over the portfolio and extrapolates linearly (sample time ÷ calls × accounts)",
    "the pipeline deadline is raised to 600 s and the statement timeout to 600 s for the PostgreSQL run; the default tool deadline (CS_MCP_TOOL_TIMEOUT_MS) is 30 s",
  );
  const result: ScoringBenchResult = {
    benchmark: "scoring",
    machine,
    now: now.toISOString(),
    lookback_days: LOOKBACK,
    postgres,
    embedded,
    scaling,
    total_seconds: r3((performance.now() - started) / 1000),
    notes,
  };
  if (embedded && !opts.part) notes.push(chunkWaitNote(embedded));
  if (scalingSizes.length && adminUrl) {
    notes.push(`the scaling run has ${perAccount} usage events per account at every size (the main runs: ${fmt(Math.round(events / accounts))}), so that 200,000 accounts fit the disk and the session; tickets, NPS answers and invoices stay proportional to the accounts (5, 2 and 4 per account)`);
  }
  notes.push(...sharedNotes());
  notes.push(
    "usage_events' secondary indexes are dropped for the events' bulk insert and built again from their own definitions (pg_indexes) before ANALYZE: generation only, the scored schema is the migrated one",
    "fairness: the overview calls run one after another with one event-loop turn between two calls, as requests read from a transport arrive; on the embedded database the scoring run yields one event-loop turn per chunk of 500 accounts, so an overview call waits for at most the chunk in progress",
  );
  if (opts.part && (opts.write ?? true)) {
    const file = partFile(opts.part);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`written: ${file}`);
  } else if (opts.write ?? true) log(`written: ${writeScoringResults(result, quick).join(", ")}`);
  return result;
}

/** Notes about how every run is set up (also added by --combine, for part files written before them). */
function sharedNotes(): string[] {
  return [
    "the scaling run's tool call runs with CS_MCP_TOOL_TIMEOUT_MS=600000 (the setting's maximum; default 30,000) and DB_STATEMENT_TIMEOUT_MS=1200000: at 200,000 accounts the call's one transaction lasts longer than Prisma's 120 s interactive-transaction default, which a portfolio run now raises to the tool deadline",
    "RSS on PGlite: \"before\" is measured after generating the data and one warm-up run, so the WebAssembly heap (which never shrinks) already holds what generation grew it to; a server that only serves this portfolio starts lower",
  ];
}

/**
 * What the overview latencies leave out on the embedded database: a chunk runs synchronously inside
 * PGlite, so a request that arrives during it is read only when it ends; its wait is at most one chunk.
 */
function chunkWaitNote(b: BackendResult): string {
  const chunks = Math.ceil(b.tool.accounts / PORTFOLIO_CHUNK);
  const perChunk = b.fairness.scoring_seconds / chunks;
  return `embedded fairness: the overview latencies are timed from the call's start; a request that arrives while a chunk runs is read when the chunk ends, so it also waits up to one chunk, ${r2(perChunk)} s on average here (a ${b.fairness.scoring_seconds} s run in ${chunks} chunks of ${PORTFOLIO_CHUNK} accounts) (before the per-chunk yield it waited for the whole run)`;
}

const partFile = (part: "postgres" | "embedded") => fileURLToPath(new URL(`../../bench/results/scoring-${part}.json`, import.meta.url));

/** Joins the two parts' files (run at the same time, each with its own load average) into one result: docs and scoring.json. */
export function combineScoringParts(): ScoringBenchResult {
  const pg = JSON.parse(readFileSync(partFile("postgres"), "utf8")) as ScoringBenchResult;
  const emb = JSON.parse(readFileSync(partFile("embedded"), "utf8")) as ScoringBenchResult;
  const m = emb.machine;
  const result: ScoringBenchResult = {
    ...pg,
    embedded: emb.embedded,
    total_seconds: Math.max(pg.total_seconds, emb.total_seconds),
    notes: [
      `run as two processes at the same time (\`--part postgres\` and \`--part embedded\`, joined by \`--combine\`): the header's load average is the PostgreSQL part's; the embedded part ran ${emb.total_seconds} s from ${m.date.slice(11, 16)} UTC at load average ${m.load_avg_1m.start} → ${m.load_avg_1m.end ?? "?"}`,
      ...new Set([...pg.notes, ...emb.notes, ...sharedNotes(), ...(emb.embedded ? [chunkWaitNote(emb.embedded)] : [])]),
    ],
  };
  writeScoringResults(result);
  return result;
}

function backendTable(name: string, b: BackendResult): string[] {
  const c = b.floor.median_seconds;
  const lines = [
    "| run | what it does | seconds | ratio to (c) |",
    "|---|---|---:|---:|",
    `| (c) floor: one hand-written SQL aggregate | ${fmt(b.floor.rows)} rows × ${b.floor.columns} columns returned, nothing computed or stored | ${c} | 1.00× |`,
    `| (a) \`calculate_health_score {all: true}\` | ${fmt(b.tool.scored)} of ${fmt(b.tool.accounts)} accounts scored, ${fmt(b.tool.health_scores_stored_per_run)} health_scores rows stored, accounts updated (signals loaded after ${b.tool.signals_median_seconds} s) | ${b.tool.median_seconds} | ${b.ratios.tool_to_floor.toFixed(2)}× |`,
  ];
  if (b.loop) {
    lines.push(
      `| (b) per-account loop, \`{client_id}\` × ${fmt(b.loop.accounts)} | extrapolated from ${b.loop.sample} calls in ${b.loop.sample_seconds} s (median ${b.loop.per_call_ms.median} ms, p95 ${b.loop.per_call_ms.p95} ms per call) | ${b.loop.extrapolated_seconds} | ${(b.ratios.loop_to_floor ?? 0).toFixed(2)}× |`,
    );
  }
  const ratios = [`(a) ÷ (c) = **${b.ratios.tool_to_floor.toFixed(2)}×**`];
  if (b.ratios.loop_to_tool !== null) ratios.push(`(b) ÷ (a) = **${b.ratios.loop_to_tool.toFixed(2)}×**`);
  const r = b.rows;
  return [
    `**${name}** — ${b.server}. Data: ${fmt(r.accounts)} accounts (${fmt(r.contracts)} contracts), ${fmt(r.usage_events)} usage events, ${fmt(r.support_tickets)} tickets, ${fmt(r.escalations)} escalations, ${fmt(r.survey_responses)} NPS answers, ${fmt(r.invoices)} invoices, generated in ${b.generate_seconds} s.`,
    "",
    ...lines,
    "",
    `${ratios.join("; ")}. Memory (this process's RSS; on PGlite the database runs inside it): ${b.memory.before_mb} MB before the call, peak ${b.memory.peak_mb} MB during it, ${b.memory.after_mb} MB 2 s after it (${b.memory.after_growth >= 0 ? "+" : ""}${(b.memory.after_growth * 100).toFixed(1)} %). Fairness: \`get_client_overview\` alone median ${b.fairness.idle_ms.median} ms (p95 ${b.fairness.idle_ms.p95} ms); ${b.fairness.during_ms.n} calls one after another during a ${b.fairness.scoring_seconds} s scoring run: median ${b.fairness.during_ms.median} ms, p95 ${b.fairness.during_ms.p95} ms, max ${b.fairness.during_ms.max} ms.`,
    "",
    `The generated portfolio scores a mean of ${b.tool.totals.mean_score ?? "—"} (${Object.entries(b.tool.totals.by_band).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}). Floor check: ${b.floor_check.fields} aggregates of ${b.floor_check.accounts} accounts compared with the signals repository, ${b.floor_check.mismatches.length} mismatches.`,
  ];
}

export function scoringMarkdown(r: ScoringBenchResult): string {
  const m = r.machine;
  const date = m.date.slice(0, 10);
  const lines = [
    "<!-- Generated by bench/scoring.ts (`node dist/bench/scoring.js`): do not edit by hand, run the bench again. -->",
    "",
    `## Portfolio scoring (${date})`,
    "",
    `Measured ${date} on ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB RAM, ${m.os}, Node ${m.node} (load average ${m.load_avg_1m.start} → ${m.load_avg_1m.end ?? "?"}); the whole run took ${Math.round(r.total_seconds)} s.`,
    "",
    `\`calculate_health_score\` with \`all: true\` (lookback ${r.lookback_days} days) scores the portfolio in one set-based pass. It is compared with (c) the floor, ONE hand-written SQL statement that returns the same raw per-account aggregates the signals repository reads (usage users/events/user-days/days/features and last activity, open tickets by priority, SLA breaches, ticket CSAT, escalations, NPS promoters/detractors, overdue and late invoices, contract in force, the last scores) and stores nothing; and with (b) a per-account loop of the same tool call. Data generated in the database with set-based \`INSERT … SELECT … FROM generate_series(…)\` (deterministic hashes of the series index).`,
    "",
  ];
  if (r.postgres) lines.push(...backendTable("PostgreSQL", r.postgres), "");
  else lines.push("PostgreSQL: skipped (no DATABASE_URL).", "");
  if (r.embedded) lines.push(...backendTable("Embedded (PGlite)", r.embedded), "");
  else lines.push("Embedded (PGlite): skipped in this run.", "");
  if (r.scaling.length) {
    lines.push(
      "**Scaling on PostgreSQL** (a fresh throwaway database per size, one floor run and one tool run each, no warm-up run):",
      "",
      "| accounts | usage events | generated in (s) | (c) floor (s) | (a) tool (s) | (a) ÷ (c) | (a) s per 1,000 accounts | RSS before → peak (MB) |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...r.scaling.map((p) => `| ${fmt(p.accounts)} | ${fmt(p.usage_events)} | ${p.generate_seconds} | ${p.floor_seconds} | ${p.tool_seconds} | ${p.tool_to_floor.toFixed(2)}× | ${p.seconds_per_1k_accounts} | ${p.rss_before_mb ?? "—"} → ${p.rss_peak_mb ?? "—"} |`),
      "",
    );
  }
  lines.push("Notes:", "", ...r.notes.map((n) => `- ${n}`), "", "The full figures are in `bench/results/scoring.json` (not committed).");
  return lines.join("\n");
}


/** Writes bench/results/scoring(.quick).json and, unless quick, the docs/performance.md section. */
export function writeScoringResults(r: ScoringBenchResult, quick = false): string[] {
  return writeBenchResults("scoring", r, () => scoringMarkdown(r), quick);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const value = option(name);
    return value !== undefined ? Number(value) : undefined;
  };
  if (process.argv.includes("--combine")) {
    process.stdout.write(`\n${scoringMarkdown(combineScoringParts())}\n`);
    process.exit(0);
  }
  const quick = process.argv.includes("--quick");
  const opts: ScoringBenchOptions = { quick };
  const part = process.argv.indexOf("--part");
  if (part > 0) {
    const which = process.argv[part + 1];
    if (which !== "postgres" && which !== "embedded") throw new Error("--part: must be postgres or embedded");
    opts.part = which;
  }
  const perAccount = arg("--scaling-events-per-account");
  if (perAccount) opts.scalingEventsPerAccount = perAccount;
  const runs = arg("--runs");
  if (runs) opts.runs = runs;
  const accounts = arg("--accounts");
  const events = arg("--events");
  const loopSample = arg("--loop-sample");
  const scaling = process.argv.indexOf("--scaling");
  if (scaling > 0) opts.scaling = (process.argv[scaling + 1] ?? "").split(",").filter(Boolean).map(Number);
  if (process.argv.includes("--skip-embedded")) opts.skipEmbedded = true;
  if (accounts) opts.accounts = accounts;
  if (events) opts.events = events;
  if (loopSample !== undefined) opts.loopSample = loopSample;
  runScoringBench(opts).then(
    (r) => process.stdout.write(`\n${scoringMarkdown(r)}\n`),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
