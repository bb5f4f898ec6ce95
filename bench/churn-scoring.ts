// identify_churn_risk over a whole portfolio (issue 14): the tool's time as a ratio to a hand-written SQL floor
// doing the same reads in the same run, peak RSS during the call and RSS after it against idle, on PostgreSQL
// (a throwaway database; skipped without DATABASE_URL) and on the embedded database (PGlite, a temp dir), for
// each size given (default a small one first, then 20,000 accounts / 4,000,000 usage events), with the
// hand-set model and then with a model trained on the same portfolio.
//
// The data is bench/scoring.ts's generator (set-based INSERT … SELECT, deterministic), used as it is. Before
// timing, calculate_health_score {all: true} stores every account's health once (the state identify_churn_risk
// reads health from: the latest stored score). The floor:
//   hand-set: bench/scoring.ts's FLOOR_SQL, one statement returning per active account every raw aggregate the
//             signals repository reads (usage, tickets, escalations, surveys, invoices, contract, last scores);
//   trained:  that statement and the point-in-time feature statement (churn-features.ts, SELECT * FROM r),
//             the two reads the trained model's run makes.
// The floor computes nothing and stores nothing; the tool scores, counts, ranks and stores a prediction per account.
//
// `npm run bench:churn-scoring` (builds, then `node dist/bench/churn-scoring.js [--sizes 2000:400000,20000:4000000]
// [--runs 3] [--skip-embedded] [--skip-postgres] [--hand-set-only] [--quick]`): prints a markdown table, writes
// bench/results/churn-scoring.json and (unless --quick) the bench:churn-scoring section of docs/performance.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { loadConfig, type Config } from "../src/config/load.ts";
import { createLogger } from "../src/observability/logger.ts";
import { Metrics } from "../src/observability/metrics.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { createServices } from "../src/services/index.ts";
import { ToolPipeline } from "../src/server/pipeline.ts";
import { createRateLimiter } from "../src/server/rate-limit.ts";
import { calculateHealthScore } from "../src/tools/health/calculate-health-score.ts";
import { identifyChurnRisk } from "../src/tools/retention/identify-churn-risk.ts";
import { trainChurnModel } from "../src/services/churn-model/train.ts";
import { featureSql } from "../src/repositories/churn-features.ts";
import { FLOOR_SQL, dataSpec, generateScoringData, rssAround } from "./scoring.ts";
import { loadAverage, machineInfo, type MachineInfo } from "./machine.ts";
import { median } from "./stats.ts";
import { createThrowawayDb, describeUrl } from "./postgres.ts";
import { writeBenchResults } from "./report.ts";
import { option } from "./args.ts";

const DAY_MS = 86_400_000;
const LOOKBACK = 30;
/** Accounts marked churned (with a churned_at) before training: the outcomes the trained model learns from. */
const CHURNED_SHARE = 0.08;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const rssMb = () => Math.round(process.memoryUsage.rss() / 1048576);
const r2 = (v: number) => Math.round(v * 100) / 100;
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const fmt = (n: number) => n.toLocaleString("en-US");

export interface ModelRun {
  model: "hand-set" | "trained";
  model_version: string;
  accounts_scored: number;
  floor_seconds: number[];
  tool_seconds: number[];
  floor_median: number;
  tool_median: number;
  ratio: number;
  rss: { idle_mb: number; peak_mb: number; after_mb: number; after_vs_idle: number };
  load_avg: { start: number; end: number };
}

export interface BackendRun {
  backend: "postgres" | "embedded";
  server: string;
  accounts: number;
  usage_events: number;
  generate_seconds: number;
  health_store_seconds: number;
  train_seconds: number | null;
  models: ModelRun[];
}

export interface ChurnScoringResult {
  machine: MachineInfo;
  total_seconds: number;
  runs: BackendRun[];
  notes: string[];
}

function floorParams(now: Date) {
  return [
    now.toISOString(),
    new Date(now.getTime() - LOOKBACK * DAY_MS).toISOString(),
    new Date(now.getTime() - 2 * LOOKBACK * DAY_MS).toISOString(),
    new Date(now.getTime() - 180 * DAY_MS).toISOString(),
    now.toISOString().slice(0, 10),
    5,
  ];
}

async function measureModel(db: Database, pipeline: ToolPipeline, now: Date, model: ModelRun["model"], runs: number, log: (m: string) => void): Promise<ModelRun> {
  const load0 = loadAverage();
  const features = featureSql({ kind: "scoring", accountIds: null });
  features.params[0] = now.toISOString();
  const floor = async () => {
    const t0 = performance.now();
    await db.query(FLOOR_SQL, floorParams(now));
    if (model === "trained") await db.query(`WITH ${features.sql} SELECT * FROM r`, features.params);
    return (performance.now() - t0) / 1000;
  };
  const tool = async () => {
    const t0 = performance.now();
    const r = await pipeline.call("identify_churn_risk", {});
    const seconds = (performance.now() - t0) / 1000;
    if (r.isError) throw new Error(`identify_churn_risk failed: ${JSON.stringify(r.content)}`);
    const s = r.structuredContent as { model_version: string; totals: { accounts: number } };
    return { seconds, version: s.model_version, accounts: s.totals.accounts };
  };
  log(`  ${model}: warm-up`);
  const w = await tool();
  const wf = await floor();
  log(`    warm-up: tool ${w.seconds.toFixed(2)} s (${fmt(w.accounts)} accounts, ${w.version}), floor ${wf.toFixed(2)} s`);
  const floorRuns: number[] = [];
  const toolRuns: number[] = [];
  for (let i = 0; i < runs; i++) {
    floorRuns.push(await floor());
    toolRuns.push((await tool()).seconds);
    log(`    run ${i + 1}/${runs}: floor ${floorRuns.at(-1)!.toFixed(2)} s, tool ${toolRuns.at(-1)!.toFixed(2)} s`);
  }
  // Memory: idle (after a GC, 2 s after the last call), peak sampled every 20 ms during one more call, after (2 s, GC).
  await new Promise((r) => setTimeout(r, 2000));
  const { before: idle, peak, after } = await rssAround(tool);
  log(`    RSS: idle ${idle} MB, peak ${peak} MB, after ${after} MB`);
  const fm = median(floorRuns);
  const tm = median(toolRuns);
  return {
    model,
    model_version: w.version,
    accounts_scored: w.accounts,
    floor_seconds: floorRuns.map(r3),
    tool_seconds: toolRuns.map(r3),
    floor_median: r3(fm),
    tool_median: r3(tm),
    ratio: r2(tm / fm),
    rss: { idle_mb: idle, peak_mb: peak, after_mb: after, after_vs_idle: r3((after - idle) / idle) },
    load_avg: { start: load0, end: loadAverage() },
  };
}

async function runOn(db: Database, config: Config, now: Date, runs: number, log: (m: string) => void, trained = true): Promise<Pick<BackendRun, "health_store_seconds" | "train_seconds" | "models">> {
  const services = createServices({ db, redis: null, config, metrics: new Metrics(), now: () => now });
  const pipeline = new ToolPipeline([calculateHealthScore, identifyChurnRisk], {
    services,
    logger: createLogger("silent"),
    metrics: new Metrics(),
    limiter: createRateLimiter(0, null),
    timeoutMs: 1_800_000,
  });
  const h0 = performance.now();
  const h = await pipeline.call("calculate_health_score", { all: true });
  if (h.isError) throw new Error(`calculate_health_score failed: ${JSON.stringify(h.content)}`);
  const health_store_seconds = r3((performance.now() - h0) / 1000);
  log(`  health stored for every account in ${health_store_seconds} s`);
  const models: ModelRun[] = [await measureModel(db, pipeline, now, "hand-set", runs, log)];
  if (!trained) return { health_store_seconds, train_seconds: null, models };
  // Outcomes to learn from: a share of the accounts churned at a date in the last 60 days, then a model trained and activated.
  await db.query(
    `UPDATE accounts SET status = 'churned', churned_at = $1::timestamptz - (1 + abs(hashtext(id)) % 60) * interval '1 day'
      WHERE abs(hashtext(id || 'churn')) % 10000 < $2::int`,
    [now.toISOString(), Math.round(CHURNED_SHARE * 10000)],
  );
  const t0 = performance.now();
  const m = await trainChurnModel(db.prisma, now);
  const train_seconds = r3((performance.now() - t0) / 1000);
  log(`  trained ${m.version} on ${fmt(m.metrics.accounts)} accounts (${fmt(m.metrics.churners)} churners) in ${train_seconds} s`);
  models.push(await measureModel(db, pipeline, now, "trained", runs, log));
  return { health_store_seconds, train_seconds, models };
}

async function runPostgres(adminUrl: string, accounts: number, events: number, now: Date, runs: number, log: (m: string) => void, trained: boolean): Promise<BackendRun> {
  const tdb = await createThrowawayDb(adminUrl, "bench_churn_scoring");
  try {
    const config = loadConfig({ DATABASE_URL: tdb.url, LOG_LEVEL: "silent", DB_STATEMENT_TIMEOUT_MS: "1200000" });
    const db = await openDatabase(config, createLogger("silent"), { migrate: true });
    try {
      log(`postgres ${describeUrl(tdb.url)}: generating ${fmt(accounts)} accounts, ${fmt(events)} usage events`);
      const client = new pg.Client({ connectionString: tdb.url });
      await client.connect();
      let gen: Awaited<ReturnType<typeof generateScoringData>>;
      let version = "";
      try {
        version = ((await client.query("SHOW server_version")).rows[0] as { server_version: string }).server_version.split(" ")[0] ?? "";
        gen = await generateScoringData(async (sql, params) => (await client.query(sql, params)).rows, dataSpec(accounts, events), now, log, "VACUUM ANALYZE");
      } finally {
        await client.end();
      }
      const m = await runOn(db, config, now, runs, log, trained);
      const u = new URL(adminUrl);
      return { backend: "postgres", server: `PostgreSQL ${version} at ${u.hostname}:${u.port || "5432"}`, accounts, usage_events: gen.rows.usage_events, generate_seconds: gen.seconds, ...m };
    } finally {
      await db.close();
    }
  } finally {
    await tdb.drop().catch((err: Error) => log(`could not drop ${tdb.name}: ${err.message}`));
  }
}

async function runEmbedded(accounts: number, events: number, now: Date, runs: number, log: (m: string) => void, trained: boolean): Promise<BackendRun> {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-bench-churn-"));
  try {
    const config = loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" });
    const db = await openDatabase(config, createLogger("silent"));
    try {
      log(`embedded (PGlite): generating ${fmt(accounts)} accounts, ${fmt(events)} usage events`);
      const gen = await generateScoringData((sql, params) => db.query(sql, params), dataSpec(accounts, events), now, log, "ANALYZE");
      const m = await runOn(db, config, now, runs, log, trained);
      return { backend: "embedded", server: "PGlite (PostgreSQL 17 in WebAssembly, in this process)", accounts, usage_events: gen.rows.usage_events, generate_seconds: gen.seconds, ...m };
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ChurnScoringOptions {
  sizes?: Array<{ accounts: number; events: number }>;
  runs?: number;
  skipEmbedded?: boolean;
  skipPostgres?: boolean;
  /** Only the hand-set model (no training, no trained run). */
  handSetOnly?: boolean;
  adminUrl?: string | undefined;
  log?: (m: string) => void;
  /** Called with the figures so far after each back end and size (the CLI writes them, so a long run that is cut short keeps what it measured). */
  onRun?: (partial: ChurnScoringResult) => void;
}

export async function runChurnScoringBench(o: ChurnScoringOptions = {}): Promise<ChurnScoringResult> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const machine = machineInfo();
  const t0 = performance.now();
  const now = new Date(Date.UTC(2026, 5, 15, 12));
  const sizes = o.sizes ?? [
    { accounts: 2000, events: 400_000 },
    { accounts: 20_000, events: 4_000_000 },
  ];
  const runs = o.runs ?? 3;
  const adminUrl = o.adminUrl ?? process.env.DATABASE_URL;
  const notes: string[] = [];
  const out: BackendRun[] = [];
  const result = (): ChurnScoringResult => ({ machine: { ...machine, load_avg_1m: { start: machine.load_avg_1m.start, end: loadAverage() } }, total_seconds: r3((performance.now() - t0) / 1000), runs: out, notes });
  for (const s of sizes) {
    if (!o.skipPostgres) {
      if (adminUrl) {
        out.push(await runPostgres(adminUrl, s.accounts, s.events, now, runs, log, !o.handSetOnly));
        o.onRun?.(result());
      } else if (!notes.includes("PostgreSQL: skipped (no DATABASE_URL).")) notes.push("PostgreSQL: skipped (no DATABASE_URL).");
    }
    if (!o.skipEmbedded) {
      out.push(await runEmbedded(s.accounts, s.events, now, runs, log, !o.handSetOnly));
      o.onRun?.(result());
    }
  }
  return result();
}

export function churnScoringMarkdown(r: ChurnScoringResult): string {
  const m = r.machine;
  const date = m.date.slice(0, 10);
  const rows = r.runs.flatMap((b) =>
    b.models.map(
      (x) =>
        `| ${b.backend === "postgres" ? "PostgreSQL" : "PGlite"} | ${fmt(b.accounts)} / ${fmt(b.usage_events)} | ${x.model} | ${fmt(x.accounts_scored)} | ${x.floor_median} | ${x.tool_median} | **${x.ratio.toFixed(2)}×** | ${x.rss.idle_mb} | ${x.rss.peak_mb} | ${x.rss.after_mb} (${x.rss.after_vs_idle >= 0 ? "+" : ""}${(x.rss.after_vs_idle * 100).toFixed(1)} %) | ${x.load_avg.start} → ${x.load_avg.end} |`,
    ),
  );
  return [
    "<!-- Generated by bench/churn-scoring.ts (`npm run bench:churn-scoring`): do not edit by hand, run the bench again. -->",
    "",
    `## identify_churn_risk over a portfolio (${date})`,
    "",
    `Measured ${date} on ${m.cpu}, ${m.cores} cores shared with other work, ${m.memory_gb} GB RAM, ${m.os}, Node ${m.node}; 1-minute load average ${m.load_avg_1m.start} at the start, ${m.load_avg_1m.end ?? "?"} at the end (per row below); the whole run took ${Math.round(r.total_seconds)} s.`,
    "",
    "`identify_churn_risk {}` (every active account: scored by the database with the active model, counted, ranked, a prediction stored per account with `INSERT … SELECT`, the top 15 explained) against the floor, hand-written SQL doing the same reads and returning them, computing and storing nothing: for the hand-set model the one statement of the raw aggregates the signals repository reads (bench/scoring.ts `FLOOR_SQL`), for the trained model that statement and the point-in-time feature statement. Medians of the timed runs after a warm-up; health was stored for every account first (`calculate_health_score {all: true}`). The trained model is fitted on the same portfolio after 8 % of its accounts were marked churned, so it scores the other 92 %. RSS is this process's (on PGlite the database runs inside it): idle after a GC, the peak sampled every 20 ms during one call, after = 2 s later with a GC.",
    "",
    "| back end | accounts / usage events | model | accounts scored | floor (s) | tool (s) | tool ÷ floor | idle RSS (MB) | peak RSS (MB) | RSS after (MB, vs idle) | load average |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
    "",
    ...(r.notes.length ? ["Notes:", "", ...r.notes.map((n) => `- ${n}`), ""] : []),
    "The full figures (every run) are in `bench/results/churn-scoring.json` (not committed).",
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--help")) {
    // Without this, --help was ignored and the whole (long) default run started.
    process.stdout.write(
      "node dist/bench/churn-scoring.js [--sizes 2000:400000,20000:4000000] [--runs 3] [--skip-postgres] [--skip-embedded] [--hand-set-only] [--quick]\n" +
        "PostgreSQL runs when DATABASE_URL is an admin URL (a throwaway database per size); writes docs/performance.md's bench:churn-scoring section.\n",
    );
    process.exit(0);
  }
  const quick = process.argv.includes("--quick");
  const opts: ChurnScoringOptions = { skipEmbedded: process.argv.includes("--skip-embedded"), skipPostgres: process.argv.includes("--skip-postgres"), handSetOnly: process.argv.includes("--hand-set-only") };
  const sizes = option("--sizes") ?? (quick ? "1000:100000" : undefined);
  if (sizes) opts.sizes = sizes.split(",").map((s) => ({ accounts: Number(s.split(":")[0]), events: Number(s.split(":")[1]) }));
  const runs = option("--runs") ?? (quick ? "1" : undefined);
  if (runs) opts.runs = Number(runs);
  opts.onRun = (partial) => void writeBenchResults("churn-scoring", partial, () => churnScoringMarkdown(partial), quick);
  runChurnScoringBench(opts).then(
    (r) => {
      writeBenchResults("churn-scoring", r, () => churnScoringMarkdown(r), quick);
      process.stdout.write(`\n${churnScoringMarkdown(r)}\n`);
    },
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
