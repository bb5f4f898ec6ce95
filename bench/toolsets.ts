// The toolsets benchmark: five tools of the newer toolsets at portfolio scale, each called through the
// real ToolPipeline and reported as a ratio to a floor measured in the same run (bench/toolsets-cases.ts):
//   1. send_personalized_email to 10,000 recipients (SendGrid "configured" with a dummy key, so the sends are
//      queued in the outbox; no dispatcher runs, nothing is delivered) vs one INSERT … SELECT of the same rows;
//   2. manage_knowledge_base search over 10,000 published articles vs the same full-text SQL sent directly,
//      and vs an ILIKE scan (the cost without the index);
//   3. analyze_support_performance (full breakdown) over 100,000 tickets vs one hand-written aggregate;
//   4. forecast_renewals and track_revenue_expansion over 10,000 accounts with contracts vs one aggregate each;
//   5. track_cs_metrics (nps, monthly, 12 months) over 100,000 NPS answers vs one GROUP BY.
// On a throwaway PostgreSQL database (DATABASE_URL is the admin URL; skipped with a note without one) and,
// at a tenth of the size, on the embedded database (PGlite) in a temp directory. Data: bench/toolsets-seed.ts.
//
// Exported for bench/run.ts; `node dist/bench/toolsets.js [--quick]` runs it alone: prints the markdown,
// writes bench/results/toolsets.json (toolsets.quick.json with --quick) and, unless --quick, replaces the
// <!-- bench:toolsets:start --> … <!-- bench:toolsets:end --> section of docs/performance.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import pg from "pg";
import type { DestinationStream } from "pino";
import { loadConfig, type Config } from "../src/config/load.ts";
import { createLogger } from "../src/observability/logger.ts";
import { Metrics } from "../src/observability/metrics.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { createServices } from "../src/services/index.ts";
import { ToolPipeline } from "../src/server/pipeline.ts";
import { createRateLimiter } from "../src/server/rate-limit.ts";
import { ALL_TOOLS } from "../src/tools/definitions.ts";
import { MODEL_VERSION } from "../src/services/retention/churn-model.ts";
import { machineInfo, loadAverage, type MachineInfo } from "./machine.ts";
import { createThrowawayDb } from "./postgres.ts";
import { writeBenchResults } from "./report.ts";
import { seedToolsets, type Exec, type SeedSettings, type SeededRows, type ToolsetsScale } from "./toolsets-seed.ts";
import { emailCase, ginPendingProbe, kbCase, metricsCase, revenueCase, supportCase, type CaseContext, type EmailResult, type GinPendingProbe, type KbResult, type MetricsResult, type RevenueResult, type SupportResult } from "./toolsets-cases.ts";
import { collect, PgProbe, type RunPlan } from "./toolsets-measure.ts";
import { toolsetsMarkdown } from "./toolsets-report.ts";

export type CaseOutcome<T> = { status: "measured"; seconds: number; result: T } | { status: "failed"; seconds: number; error: string };

export interface BackendRun {
  backend: "postgres" | "embedded";
  server: string;
  scale: ToolsetsScale;
  rows: SeededRows;
  seed_seconds: number;
  /** Embedded only: two searches before the first VACUUM (see ginPendingProbe). */
  gin_pending?: GinPendingProbe;
  cases: {
    email: CaseOutcome<EmailResult>;
    kb: CaseOutcome<KbResult>;
    support: CaseOutcome<SupportResult>;
    revenue: CaseOutcome<RevenueResult>;
    metrics: CaseOutcome<MetricsResult>;
  };
  seconds: number;
}

export interface ToolsetsPlan {
  email: RunPlan;
  kb: RunPlan;
  support: RunPlan;
  revenue: RunPlan;
  metrics: RunPlan;
}

export interface ToolsetsBenchResult {
  benchmark: "toolsets";
  machine: MachineInfo;
  /** The pinned instant the data is generated around and every tool call runs at. */
  now: string;
  plans: { postgres: ToolsetsPlan; embedded: ToolsetsPlan };
  /** Whether memory baselines were taken after a forced garbage collection. */
  gc: boolean;
  tool_deadline_ms: number;
  postgres: BackendRun | null;
  embedded: BackendRun;
  notes: string[];
  total_seconds: number;
}

export interface ToolsetsBenchOptions {
  quick?: boolean;
  /** PostgreSQL admin URL; default DATABASE_URL. Without one the PostgreSQL part is skipped. */
  adminUrl?: string | undefined;
  log?: (m: string) => void;
  /** Write bench/results/toolsets(.quick).json and, unless quick, the docs section. Default true. */
  write?: boolean;
}

export const NOW = new Date("2026-11-15T12:00:00.000Z");
const FULL: ToolsetsScale = { accounts: 10_000, articles: 10_000, tickets: 100_000, surveys: 100_000 };
const scaled = (s: ToolsetsScale, by: number): ToolsetsScale => ({
  accounts: Math.max(40, Math.round(s.accounts / by)),
  articles: Math.max(50, Math.round(s.articles / by)),
  tickets: Math.max(500, Math.round(s.tickets / by)),
  surveys: Math.max(500, Math.round(s.surveys / by)),
});

function plans(quick: boolean): { postgres: ToolsetsPlan; embedded: ToolsetsPlan } {
  if (quick) {
    const p: RunPlan = { warmup: 1, runs: 2, budgetSeconds: 30 };
    const q: ToolsetsPlan = { email: p, kb: p, support: p, revenue: p, metrics: p };
    return { postgres: q, embedded: q };
  }
  return {
    postgres: {
      email: { warmup: 1, runs: 5, budgetSeconds: 90 },
      kb: { warmup: 1, runs: 7, budgetSeconds: 20 },
      support: { warmup: 1, runs: 7, budgetSeconds: 90 },
      revenue: { warmup: 1, runs: 5, budgetSeconds: 90 },
      metrics: { warmup: 1, runs: 11, budgetSeconds: 60 },
    },
    embedded: {
      email: { warmup: 1, runs: 5, budgetSeconds: 60 },
      kb: { warmup: 1, runs: 7, budgetSeconds: 20 },
      support: { warmup: 1, runs: 7, budgetSeconds: 60 },
      revenue: { warmup: 1, runs: 5, budgetSeconds: 60 },
      metrics: { warmup: 1, runs: 11, budgetSeconds: 30 },
    },
  };
}

/** Every tool sees SendGrid as configured (a dummy key: the bench never runs a dispatcher, nothing is sent). */
const BENCH_ENV = { LOG_LEVEL: "silent", SENDGRID_API_KEY: "SG.bench-dummy-key-never-used", SENDGRID_FROM_EMAIL: "bench@example.com" };

function seedSettings(config: Config): SeedSettings {
  return {
    slaFirstResponseMinutes: config.SLA_FIRST_RESPONSE_MINUTES,
    slaResolutionMinutes: { P1: config.SLA_RESOLUTION_P1_MINUTES, P2: config.SLA_RESOLUTION_P2_MINUTES, P3: config.SLA_RESOLUTION_P3_MINUTES, P4: config.SLA_RESOLUTION_P4_MINUTES },
    churnLevels: { high: config.CHURN_HIGH_FROM, medium: config.CHURN_MEDIUM_FROM, low: config.CHURN_LOW_FROM },
    modelVersion: MODEL_VERSION,
  };
}

async function runCase<T>(name: string, log: (m: string) => void, fn: () => Promise<T>): Promise<CaseOutcome<T>> {
  const t0 = performance.now();
  log(`  case ${name}`);
  try {
    const result = await fn();
    return { status: "measured", seconds: Math.round(performance.now() - t0) / 1000, result };
  } catch (err) {
    const error = (err as Error).message.split("\n")[0] ?? String(err);
    log(`  case ${name} failed: ${error}`);
    return { status: "failed", seconds: Math.round(performance.now() - t0) / 1000, error };
  }
}

async function runCases(db: Database, config: Config, plan: ToolsetsPlan, probe: PgProbe | null, log: (m: string) => void, before?: (ctx: CaseContext) => Promise<void>): Promise<BackendRun["cases"]> {
  const services = createServices({ db, redis: null, config, metrics: new Metrics(), now: () => NOW });
  // The pipeline logs only errors, into memory: an internal error's reason is then named in the case's failure.
  const errorLog: string[] = [];
  const logger = createLogger("error", { write: (line: string) => void errorLog.push(line) } as DestinationStream);
  const pipeline = new ToolPipeline(ALL_TOOLS, { services, logger, metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: config.CS_MCP_TOOL_TIMEOUT_MS });
  const ctx: CaseContext = { db, config, pipeline, now: NOW, probe, log, errorLog };
  await before?.(ctx);
  return {
    email: await runCase("1 send_personalized_email", log, () => emailCase(ctx, plan.email)),
    kb: await runCase("2 manage_knowledge_base search", log, () => kbCase(ctx, plan.kb)),
    support: await runCase("3 analyze_support_performance", log, () => supportCase(ctx, plan.support)),
    revenue: await runCase("4 forecast_renewals / track_revenue_expansion", log, () => revenueCase(ctx, plan.revenue)),
    metrics: await runCase("5 track_cs_metrics", log, () => metricsCase(ctx, plan.metrics)),
  };
}

async function runPostgres(adminUrl: string, scale: ToolsetsScale, plan: ToolsetsPlan, log: (m: string) => void): Promise<BackendRun> {
  const t0 = performance.now();
  const tdb = await createThrowawayDb(adminUrl, "bench_toolsets");
  try {
    const config = loadConfig({ ...BENCH_ENV, DATABASE_URL: tdb.url });
    const db = await openDatabase(config, createLogger("silent"), { migrate: true });
    try {
      log(`postgres (throwaway database ${tdb.name}): generating ${JSON.stringify(scale)}`);
      // Generation on one dedicated connection (the temporary table lives in its session), no statement timeout.
      const client = new pg.Client({ connectionString: tdb.url });
      await client.connect();
      let seeded: Awaited<ReturnType<typeof seedToolsets>>;
      let version = "";
      try {
        version = ((await client.query("SHOW server_version")).rows[0] as { server_version: string }).server_version.split(" ")[0] ?? "";
        const exec: Exec = async (sql, params) => (await client.query(sql, params)).rows;
        seeded = await seedToolsets(exec, scale, NOW, seedSettings(config), "VACUUM ANALYZE", log);
      } finally {
        await client.end();
      }
      log(`  generated in ${seeded.seconds} s: ${JSON.stringify(seeded.rows)}`);
      const cases = await runCases(db, config, plan, PgProbe.install(), log);
      const u = new URL(adminUrl);
      return {
        backend: "postgres",
        server: `PostgreSQL ${version} at ${u.hostname}:${u.port || "5432"} (a throwaway database, dropped after the run)`,
        scale,
        rows: seeded.rows,
        seed_seconds: seeded.seconds,
        cases,
        seconds: Math.round(performance.now() - t0) / 1000,
      };
    } finally {
      await db.close();
    }
  } finally {
    await tdb.drop().catch((err: Error) => log(`could not drop ${tdb.name}: ${err.message}`));
  }
}

async function runEmbedded(scale: ToolsetsScale, plan: ToolsetsPlan, log: (m: string) => void): Promise<BackendRun> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-bench-toolsets-"));
  try {
    const config = loadConfig({ ...BENCH_ENV, CS_MCP_DATA_DIR: dir });
    const db = await openDatabase(config, createLogger("silent"));
    try {
      log(`embedded (PGlite): generating ${JSON.stringify(scale)}`);
      // ANALYZE only: the searches are first timed as generated (nothing vacuums an embedded database), then
      // the probe VACUUMs, so that the cases measure the same clean state as on PostgreSQL.
      const seeded = await seedToolsets((sql, params) => db.query(sql, params), scale, NOW, seedSettings(config), "ANALYZE", log);
      log(`  generated in ${seeded.seconds} s: ${JSON.stringify(seeded.rows)}`);
      let ginPending: GinPendingProbe | undefined;
      const cases = await runCases(db, config, plan, null, log, async (ctx) => {
        log("  searches before the first VACUUM (GIN pending list), then VACUUM ANALYZE");
        ginPending = await ginPendingProbe(ctx, 3);
      });
      return {
        backend: "embedded",
        server: "embedded PGlite (PostgreSQL 17 in WebAssembly, in this process; a temp data directory, removed after the run)",
        scale,
        rows: seeded.rows,
        seed_seconds: seeded.seconds,
        ...(ginPending ? { gin_pending: ginPending } : {}),
        cases,
        seconds: Math.round(performance.now() - t0) / 1000,
      };
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runToolsetsBench(opts: ToolsetsBenchOptions = {}): Promise<ToolsetsBenchResult> {
  const quick = opts.quick ?? false;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[bench:toolsets] ${m}\n`));
  const adminUrl = opts.adminUrl ?? process.env.DATABASE_URL;
  const started = performance.now();
  const machine = machineInfo();
  const p = plans(quick);
  const pgScale = quick ? scaled(FULL, 10) : FULL;
  const embeddedScale = scaled(pgScale, 10);
  const notes: string[] = [];
  let postgres: BackendRun | null = null;
  if (!adminUrl) notes.push("DATABASE_URL not set: the PostgreSQL part (10,000 accounts, 100,000 tickets…) was skipped; set it to a PostgreSQL admin URL");
  else postgres = await runPostgres(adminUrl, pgScale, p.postgres, log);
  const embedded = await runEmbedded(embeddedScale, p.embedded, log);
  machine.load_avg_1m.end = loadAverage();
  const result: ToolsetsBenchResult = {
    benchmark: "toolsets",
    machine,
    now: NOW.toISOString(),
    plans: p,
    gc: collect !== null,
    tool_deadline_ms: loadConfig({ LOG_LEVEL: "silent" }).CS_MCP_TOOL_TIMEOUT_MS,
    postgres,
    embedded,
    notes,
    total_seconds: Math.round(performance.now() - started) / 1000,
  };
  if (opts.write ?? true) log(`written: ${writeToolsetsResults(result, quick).join(", ")}`);
  return result;
}

/** Writes bench/results/toolsets(.quick).json and, unless quick, the docs/performance.md section. */
export function writeToolsetsResults(r: ToolsetsBenchResult, quick = false): string[] {
  return writeBenchResults("toolsets", r, () => toolsetsMarkdown(r), quick);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runToolsetsBench({ quick: process.argv.includes("--quick") }).then(
    (r) => process.stdout.write(`\n${toolsetsMarkdown(r)}\n`),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
