// `npm run bench`: the foundation benchmark. One run measures start-up and core-tool round trips of cs-mcp
// and of a bare SDK echo server (the baseline), and reports every cs-mcp figure as a ratio to the baseline.
// Writes bench/results/foundation.json and the foundation section of docs/performance.md.
// `--quick` runs a few calls of each (to try the bench out) and writes only bench/results/foundation.quick.json.
// `--soak` runs only the memory soak (bench/soak.ts: 50k mixed calls, RSS flat); the full run ends with it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { CS_MCP_BENCH_SETTINGS, CS_MCP_CLI, cpuMs, ECHO_SERVER, rssMb, runCli, startServer, type RunningServer, type ServerSpec } from "./spawn.ts";
import { measureRoundTrips, coreToolCases, type RoundTripPlan, type ToolCase } from "./roundtrip.ts";
import { databaseKind, listClientIds, loadDemoPortfolio, registerPortfolio, type SeedResult } from "./seed.ts";
import { createThrowawayDb, describeServer } from "./postgres.ts";
import { median, ratio, summarize } from "./stats.ts";
import { loadAverage, machineInfo } from "./machine.ts";
import { renderText, updatePerformanceDoc, writeJson } from "./report.ts";
import { runExtras } from "./extras.ts";
import { runToolsetsBench } from "./toolsets.ts";
import { runSoakBench } from "./soak.ts";
import type { FoundationResults, RoundTripResult, StartupResult, TargetResult } from "./results.ts";

interface Plan {
  startup: { echo: number; warm: number; cold: number };
  roundTrips: RoundTripPlan;
  accounts: number;
  seed: number;
}

const FULL: Plan = { startup: { echo: 7, warm: 7, cold: 3 }, roundTrips: { warmup: 30, calls: 300 }, accounts: 200, seed: 42 };
const QUICK: Plan = { startup: { echo: 2, warm: 2, cold: 1 }, roundTrips: { warmup: 5, calls: 20 }, accounts: 20, seed: 42 };

/** The targets of issue 14: ratios to the echo baseline of the same run, and two absolute figures. */
const TARGET_WARM_FIRST_ANSWER_RATIO = 3;
const TARGET_FIRST_START_MS = 2_000;
const TARGET_OVERVIEW_RATIO_EMBEDDED = 5;
const TARGET_OVERVIEW_RATIO_POSTGRES = 4;
const TARGET_IDLE_RSS_MB = 250;

/** The first call of every start-up measurement: a tool that needs the database open. */
const DB_CALL = ["list_clients", { limit: 1 }] as const;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const ECHO_CASE: ToolCase = { label: "echo", tool: "echo", args: () => ({ text: "ping from the foundation bench" }) };

class Bench {
  readonly tmp = mkdtempSync(join(tmpdir(), "cs-mcp-bench-"));
  private readonly open = new Set<RunningServer>();
  readonly notes: string[] = [];

  async start(spec: Omit<ServerSpec, "cwd">): Promise<RunningServer> {
    const s = await startServer({ ...spec, cwd: this.tmp });
    this.open.add(s);
    return s;
  }

  async stop(s: RunningServer): Promise<void> {
    this.open.delete(s);
    await s.close();
  }

  /**
   * Spawn → initialize answered, and spawn → first answer of a tool call (for cs-mcp one that needs the
   * database open); with `idleMs`, the resident memory after that long idle. Stops the server.
   */
  async firstAnswerOnce(spec: Omit<ServerSpec, "cwd">, tool: string, args: Record<string, unknown>, idleMs = 0): Promise<{ initMs: number; firstMs: number; cpuMs: number | null; rssMb: number | null }> {
    const s = await this.start(spec);
    const { ms } = await s.call(tool, args);
    const cpu = cpuMs(s.pid);
    let rss: number | null = null;
    if (idleMs > 0) {
      await new Promise((r) => setTimeout(r, idleMs));
      rss = rssMb(s.pid);
    }
    await this.stop(s);
    return { initMs: s.startupMs, firstMs: s.startupMs + ms, cpuMs: cpu, rssMb: rss };
  }

  async dispose(): Promise<void> {
    for (const s of this.open) await s.close().catch(() => {});
    this.open.clear();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

const echoSpec = (): Omit<ServerSpec, "cwd"> => ({ label: "echo", script: ECHO_SERVER });
const embeddedSpec = (dir: string, label = "cs-mcp"): Omit<ServerSpec, "cwd"> => ({
  label,
  script: CS_MCP_CLI,
  env: { ...CS_MCP_BENCH_SETTINGS, CS_MCP_DATA_DIR: dir },
});

async function seedEmbedded(bench: Bench, dir: string, plan: Plan): Promise<SeedResult> {
  log(`seeding the embedded database with the demo portfolio (${plan.accounts} accounts, seed ${plan.seed})`);
  const demo = await loadDemoPortfolio({ CS_MCP_DATA_DIR: dir }, bench.tmp, plan.accounts, plan.seed);
  if (!(demo instanceof Error)) return demo;
  const reason = `cs-mcp demo failed, seeded through register_client instead: ${demo.message.split("\n")[0]}`;
  log(reason);
  bench.notes.push(reason);
  const s = await bench.start(embeddedSpec(dir, "cs-mcp seeding"));
  try {
    return await registerPortfolio(s, plan.accounts, reason);
  } finally {
    await bench.stop(s);
  }
}

/** How long a server sits idle after its first answer before its resident memory is read. */
const IDLE_SETTLE_MS = 3_000;

interface StartupMeasures {
  rows: StartupResult[];
  /** Resident memory of each server after its first answer and IDLE_SETTLE_MS idle (medians, MB). */
  idle_rss_mb: { echo: number | null; embedded: number | null };
  /** Spawn → first database answer on a new data directory (median, ms): the first-start target is absolute. */
  cold_first_answer_ms: number;
}

async function measureStartups(bench: Bench, seededDir: string, plan: Plan): Promise<StartupMeasures> {
  const { echo, warm, cold } = plan.startup;
  log(`start-up: echo ×${echo}, cs-mcp warm ×${warm}, cs-mcp first start ×${cold} (interleaved)`);
  // Unmeasured first spawns, so that every measured one finds the files in the page cache.
  await bench.firstAnswerOnce(echoSpec(), "echo", { text: "first" });
  await bench.firstAnswerOnce(embeddedSpec(seededDir), ...DB_CALL);
  const samples = { echoInit: [] as number[], echo: [] as number[], warmInit: [] as number[], warm: [] as number[], coldInit: [] as number[], cold: [] as number[], echoRss: [] as number[], warmRss: [] as number[], echoCpu: [] as number[], warmCpu: [] as number[], coldCpu: [] as number[] };
  for (let i = 0; i < Math.max(echo, warm, cold); i++) {
    if (i < echo) {
      const r = await bench.firstAnswerOnce(echoSpec(), "echo", { text: "first" }, IDLE_SETTLE_MS);
      samples.echoInit.push(r.initMs);
      samples.echo.push(r.firstMs);
      if (r.cpuMs !== null) samples.echoCpu.push(r.cpuMs);
      if (r.rssMb !== null) samples.echoRss.push(r.rssMb);
    }
    if (i < warm) {
      const r = await bench.firstAnswerOnce(embeddedSpec(seededDir), ...DB_CALL, IDLE_SETTLE_MS);
      samples.warmInit.push(r.initMs);
      samples.warm.push(r.firstMs);
      if (r.cpuMs !== null) samples.warmCpu.push(r.cpuMs);
      if (r.rssMb !== null) samples.warmRss.push(r.rssMb);
    }
    if (i < cold) {
      const dir = join(bench.tmp, `cold-${i}`);
      const r = await bench.firstAnswerOnce(embeddedSpec(dir), ...DB_CALL);
      samples.coldInit.push(r.initMs);
      samples.cold.push(r.firstMs);
      if (r.cpuMs !== null) samples.coldCpu.push(r.cpuMs);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const echoInit = median(samples.echoInit);
  const echoFirst = median(samples.echo);
  const row = (label: string, what: string, s: number[], base: number, cpu: number[] = []): StartupResult => ({
    label,
    what,
    samples_ms: s,
    median_ms: median(s),
    ratio_to_echo: ratio(median(s), base),
    ...(cpu.length ? { cpu_median_ms: median(cpu) } : {}),
  });
  return {
    rows: [
      row("echo first answer (baseline)", "spawn → first echo tools/call answered", samples.echo, echoFirst, samples.echoCpu),
      row("cs-mcp warm first answer", `spawn → first list_clients answered, existing data dir (${plan.accounts} accounts)`, samples.warm, echoFirst, samples.warmCpu),
      row("cs-mcp first start", "spawn → first list_clients answered, new data dir (from the shipped pre-initialised one)", samples.cold, echoFirst, samples.coldCpu),
      row("echo initialize (baseline)", "spawn → initialize answered", samples.echoInit, echoInit),
      row("cs-mcp warm initialize", "spawn → initialize answered (not waiting for the database)", samples.warmInit, echoInit),
      row("cs-mcp first-start initialize", "spawn → initialize answered, new data dir", samples.coldInit, echoInit),
    ],
    idle_rss_mb: {
      echo: samples.echoRss.length ? median(samples.echoRss) : null,
      embedded: samples.warmRss.length ? median(samples.warmRss) : null,
    },
    cold_first_answer_ms: median(samples.cold),
  };
}

async function measureCases(
  server: RunningServer,
  backend: RoundTripResult["backend"],
  cases: ToolCase[],
  plan: RoundTripPlan,
): Promise<Array<{ backend: RoundTripResult["backend"]; c: ToolCase; samples: number[] }>> {
  const out = [];
  for (const c of cases) {
    log(`round trips: ${backend} ${c.label}`);
    out.push({ backend, c, samples: await measureRoundTrips(server, c, plan) });
  }
  return out;
}

function toRows(measured: Array<{ backend: RoundTripResult["backend"]; c: ToolCase; samples: number[] }>, echoMedian: number): RoundTripResult[] {
  return measured.map(({ backend, c, samples }) => {
    const summary = summarize(samples);
    return { backend, label: c.label, tool: c.tool, summary, ratio_median_to_echo: ratio(summary.median, echoMedian) };
  });
}

async function measurePostgres(
  bench: Bench,
  adminUrl: string,
  plan: Plan,
): Promise<{ measured: Array<{ backend: RoundTripResult["backend"]; c: ToolCase; samples: number[] }>; server: string; database: string; seeding: SeedResult }> {
  const db = await createThrowawayDb(adminUrl);
  log(`PostgreSQL: throwaway database ${db.name}`);
  try {
    const env = { DATABASE_URL: db.url };
    await runCli(["migrate"], env, bench.tmp);
    const spec = { label: "cs-mcp postgres", script: CS_MCP_CLI, args: ["--migrate"], env: { ...CS_MCP_BENCH_SETTINGS, ...env } };
    let seeding = await loadDemoPortfolio(env, bench.tmp, plan.accounts, plan.seed);
    const server = await bench.start(spec);
    try {
      if (seeding instanceof Error) {
        const reason = `cs-mcp demo failed on PostgreSQL, seeded through register_client instead: ${seeding.message.split("\n")[0]}`;
        bench.notes.push(reason);
        seeding = await registerPortfolio(server, plan.accounts, reason);
      }
      const kind = await databaseKind(server);
      if (kind !== "postgres") throw new Error(`the PostgreSQL server reports database kind '${kind}'`);
      const ids = await listClientIds(server);
      const cases = coreToolCases(ids, "pg").filter((c) => c.tool === "get_client_overview" || c.tool === "list_clients");
      const measured = await measureCases(server, "postgres", cases, plan.roundTrips);
      return { measured, server: describeServer(db.url), database: db.name, seeding };
    } finally {
      await bench.stop(server);
    }
  } finally {
    await db.drop();
    log(`PostgreSQL: dropped ${db.name}`);
  }
}

function serverVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  if (process.argv.includes("--soak")) {
    // The memory soak alone: long, so it is not part of the default run.
    await runSoakBench({ quick, log });
    return;
  }
  const plan = quick ? QUICK : FULL;
  const started = performance.now();
  const machine = machineInfo(new Date());
  const bench = new Bench();
  try {
    const seededDir = join(bench.tmp, "seeded");
    const seeding = await seedEmbedded(bench, seededDir, plan);
    const startup = await measureStartups(bench, seededDir, plan);

    // Round trips: the echo baseline in two halves (before and after cs-mcp's tools, to even out drift),
    // both servers up for the whole stretch.
    const echo = await bench.start(echoSpec());
    const cs = await bench.start(embeddedSpec(seededDir));
    const kind = await databaseKind(cs);
    if (kind !== "embedded") throw new Error(`the embedded server reports database kind '${kind}'`);
    const ids = await listClientIds(cs);
    log(`round trips: ${ids.length} accounts listed`);
    const half = Math.floor(plan.roundTrips.calls / 2);
    log("round trips: echo (first half)");
    const echoSamples = await measureRoundTrips(echo, ECHO_CASE, { warmup: plan.roundTrips.warmup, calls: half });
    const embedded = await measureCases(cs, "embedded", coreToolCases(ids, "emb"), plan.roundTrips);
    log("round trips: echo (second half)");
    echoSamples.push(...(await measureRoundTrips(echo, ECHO_CASE, { warmup: 0, calls: plan.roundTrips.calls - half })));
    await bench.stop(cs);
    await bench.stop(echo);

    let postgres: FoundationResults["postgres"];
    let pgMeasured: Awaited<ReturnType<typeof measurePostgres>>["measured"] = [];
    let pgSeeding: SeedResult | undefined;
    const adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) postgres = { status: "skipped", note: "DATABASE_URL is not set; set it to a PostgreSQL admin URL to measure PostgreSQL too" };
    else {
      try {
        const r = await measurePostgres(bench, adminUrl, plan);
        pgMeasured = r.measured;
        pgSeeding = r.seeding;
        postgres = { status: "measured", note: "throwaway database, migrated with --migrate, seeded like the embedded one, dropped after the run", server: r.server, database: r.database };
      } catch (err) {
        const msg = (err as Error).message.split("\n")[0]!;
        log(`PostgreSQL failed: ${msg}`);
        postgres = { status: "failed", note: msg };
      }
    }

    const echoMedian = median(echoSamples);
    const roundTrips = toRows([{ backend: "baseline", c: ECHO_CASE, samples: echoSamples }, ...embedded, ...pgMeasured], echoMedian);
    const overview = roundTrips.find((r) => r.backend === "embedded" && r.tool === "get_client_overview")!;
    const pgOverview = roundTrips.find((r) => r.backend === "postgres" && r.tool === "get_client_overview");
    const warm = startup.rows.find((s) => s.label === "cs-mcp warm first answer")!;
    const target = (name: string, measure: string, limit: number, value: number, unit: TargetResult["unit"] = "ratio"): TargetResult => ({ name, measure, limit, value, met: value <= limit, unit });
    const targets: TargetResult[] = [
      target("first answer on a warm data dir", "median spawn → first list_clients answer / median spawn → first echo answer", TARGET_WARM_FIRST_ANSWER_RATIO, warm.ratio_to_echo),
      target("first start on a new data dir", "median spawn → first list_clients answer", TARGET_FIRST_START_MS, Math.round(startup.cold_first_answer_ms), "ms"),
      target("get_client_overview on the embedded database", "median get_client_overview / median echo", TARGET_OVERVIEW_RATIO_EMBEDDED, overview.ratio_median_to_echo),
      ...(pgOverview ? [target("get_client_overview on PostgreSQL", "median get_client_overview / median echo", TARGET_OVERVIEW_RATIO_POSTGRES, pgOverview.ratio_median_to_echo)] : []),
      ...(startup.idle_rss_mb.embedded !== null
        ? [target("idle RSS of the embedded server", `RSS ${IDLE_SETTLE_MS / 1000} s after the first answer (echo server: ${startup.idle_rss_mb.echo ?? "?"} MB)`, TARGET_IDLE_RSS_MB, startup.idle_rss_mb.embedded, "MB")]
        : []),
    ];
    bench.notes.push(
      "Both servers run at the default log level (info): cs-mcp writes one audit line per call to stderr, the echo server none.",
      "The echo baseline's first answer touches no database; cs-mcp's first answer (list_clients) needs its database open: that difference is what the first-answer ratio measures.",
      "cs-mcp runs with CS_MCP_RATE_LIMIT_PER_MINUTE=1000000: the limiter stays on the call path but the bench's thousands of calls never trip it.",
      "The client does not call tools/list before the round trips, so the SDK client's output-schema validation is not part of the times.",
      "Other load on the machine is not controlled; the ratios to the same-run baseline are the figures to compare.",
    );
    const results: FoundationResults = {
      benchmark: "foundation",
      server_version: serverVersion(),
      machine: { ...machine, load_avg_1m: { start: machine.load_avg_1m.start, end: loadAverage() } },
      config: {
        startup_runs: plan.startup,
        round_trips: plan.roundTrips,
        portfolio: { accounts: plan.accounts, seed: plan.seed },
        server_settings: CS_MCP_BENCH_SETTINGS,
      },
      seeding: { embedded: { ...seeding }, ...(pgSeeding ? { postgres: { ...pgSeeding } } : {}) },
      startup: startup.rows,
      idle_rss_mb: startup.idle_rss_mb,
      round_trips: roundTrips,
      postgres,
      targets,
      notes: bench.notes,
      duration_s: Math.round((performance.now() - started) / 100) / 10,
    };

    process.stdout.write(renderText(results));
    const jsonPath = join(ROOT, "bench", "results", quick ? "foundation.quick.json" : "foundation.json");
    writeJson(jsonPath, results);
    log(`wrote ${jsonPath}`);
    if (!quick) {
      const docPath = join(ROOT, "docs", "performance.md");
      updatePerformanceDoc(docPath, results);
      log(`updated ${docPath}`);
    }
  } finally {
    await bench.dispose();
  }
  if (!process.argv.includes("--foundation-only")) {
    await runExtras(ROOT, quick, log);
    log("toolsets: five tools of the newer toolsets at portfolio scale vs hand-written SQL floors");
    await runToolsetsBench({ quick, log }); // writes its own JSON and docs section (not in quick mode)
    log("soak: memory over 50k mixed calls");
    await runSoakBench({ quick, log });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
