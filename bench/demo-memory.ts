// The demo-load memory benchmark (issue 14: "demo load peak ≤ 500 MB"): spawns `cs-mcp demo --accounts N`
// on each back end (embedded PGlite in a temp data dir; PostgreSQL in a throwaway database when
// DATABASE_URL is an admin URL) and samples the child's memory from /proc every SAMPLE_MS: the peak is
// the kernel's high-water mark (VmHWM), so a spike between two samples is still counted. Each load is
// bounded in time (--timeout-s, default 900 s); a load stopped at its bound is reported as such, with the
// peak it had reached.
//
// `node dist/bench/demo-memory.js [--sizes 200,2000,20000] [--timeout-s N] [--skip-postgres]
// [--skip-embedded] [--no-write]` prints a table, writes bench/results/demo-memory.json and replaces the
// <!-- bench:demo:start --> … <!-- bench:demo:end --> section of docs/performance.md.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { machineInfo, loadAverage, type MachineInfo } from "./machine.ts";
import { createThrowawayDb } from "./postgres.ts";
import { writeBenchResults } from "./report.ts";
import { CS_MCP_CLI, cleanEnv } from "./spawn.ts";
import { DEMO_DEFAULT_ACCOUNTS } from "../src/services/demo/generate.ts";
import { option } from "./args.ts";

const SAMPLE_MS = 50;
const PEAK_TARGET_MB = 500;

export interface DemoLoadRun {
  backend: "embedded" | "postgres";
  accounts: number;
  /** usage_events written (from the summary), null when the load did not finish. */
  usage_events: number | null;
  /** Wall time of the whole command (spawn → exit), seconds. */
  seconds: number;
  /** Peak RSS (VmHWM) in MB, and the largest VmRSS sampled. */
  peak_rss_mb: number | null;
  /** "ok", "timeout" (stopped at the bound) or "failed: <last stderr line>". */
  outcome: string;
  load_avg_1m: { start: number; end: number };
}

export interface DemoMemoryResults {
  machine: MachineInfo;
  timeout_s: number;
  runs: DemoLoadRun[];
}

function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb);
  } catch {
    return null;
  }
}

/** Runs one `cs-mcp demo --accounts N`, sampling its high-water RSS until it exits or the bound is reached. */
export async function measureDemoLoad(backend: DemoLoadRun["backend"], accounts: number, env: Record<string, string>, cwd: string, timeoutS: number): Promise<DemoLoadRun> {
  const loadStart = loadAverage();
  const started = performance.now();
  const child = spawn(process.execPath, [CS_MCP_CLI, "demo", "--accounts", String(accounts)], { cwd, env: cleanEnv({ LOG_LEVEL: "warn", ...env }), stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid as number;
  let stdout = "";
  let lastErr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => {
    const lines = b.toString().trim().split("\n");
    lastErr = lines[lines.length - 1] ?? lastErr;
  });
  let hwmKb = 0;
  const sample = () => {
    const kb = statusKb(pid, "VmHWM");
    if (kb !== null && kb > hwmKb) hwmKb = kb;
  };
  const timer = setInterval(sample, SAMPLE_MS);
  let timedOut = false;
  const bound = setTimeout(() => {
    timedOut = true;
    sample();
    child.kill("SIGKILL");
  }, timeoutS * 1000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearInterval(timer);
  clearTimeout(bound);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  let usage: number | null = null;
  try {
    usage = (JSON.parse(stdout) as { usage_events: number }).usage_events;
  } catch {
    /* no summary: the load failed or was stopped */
  }
  const outcome = timedOut ? "timeout" : code === 0 ? "ok" : `failed: ${lastErr}`;
  return {
    backend,
    accounts,
    usage_events: usage,
    seconds,
    peak_rss_mb: hwmKb > 0 ? Math.round(hwmKb / 102.4) / 10 : null,
    outcome,
    load_avg_1m: { start: loadStart, end: loadAverage() },
  };
}

export async function runDemoMemoryBench(opts: { sizes: number[]; timeoutS: number; skipEmbedded: boolean; adminUrl: string | undefined; log: (m: string) => void }): Promise<DemoMemoryResults> {
  const machine = machineInfo();
  const runs: DemoLoadRun[] = [];
  for (const accounts of opts.sizes) {
    if (!opts.skipEmbedded) {
      const dir = mkdtempSync(join(tmpdir(), "cs-mcp-demo-mem-"));
      try {
        opts.log(`embedded: demo --accounts ${accounts}`);
        runs.push(await measureDemoLoad("embedded", accounts, { CS_MCP_DATA_DIR: join(dir, "data") }, dir, opts.timeoutS));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      opts.log(`  ${describe(runs[runs.length - 1] as DemoLoadRun)}`);
    }
    if (opts.adminUrl) {
      const tdb = await createThrowawayDb(opts.adminUrl, "bench_demo");
      const dir = mkdtempSync(join(tmpdir(), "cs-mcp-demo-mem-"));
      try {
        opts.log(`postgres: demo --accounts ${accounts}`);
        runs.push(await measureDemoLoad("postgres", accounts, { DATABASE_URL: tdb.url, CS_MCP_AUTO_MIGRATE: "true" }, dir, opts.timeoutS));
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await tdb.drop();
      }
      opts.log(`  ${describe(runs[runs.length - 1] as DemoLoadRun)}`);
    }
  }
  machine.load_avg_1m.end = loadAverage();
  return { machine, timeout_s: opts.timeoutS, runs };
}

function describe(r: DemoLoadRun): string {
  return `${r.outcome}, ${r.seconds} s, peak RSS ${r.peak_rss_mb ?? "?"} MB, ${r.usage_events?.toLocaleString("en-US") ?? "?"} usage events (load ${r.load_avg_1m.start} → ${r.load_avg_1m.end})`;
}

export function renderDemoMemory(r: DemoMemoryResults): string {
  const m = r.machine;
  const lines = [
    "<!-- Generated by bench/demo-memory.ts (`npm run bench:demo`): do not edit by hand, run the bench again. -->",
    "## bench:demo — peak RSS of `cs-mcp demo --accounts N`",
    "",
    `${m.date.slice(0, 16).replace("T", " ")} UTC, ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, ${m.os}, Node ${m.node}; ` +
      `1-minute load average ${m.load_avg_1m.start} at the start, ${m.load_avg_1m.end} at the end. Peak = the child's VmHWM ` +
      `(/proc, sampled every ${SAMPLE_MS} ms); each load bounded to ${r.timeout_s} s. Target: ≤ ${PEAK_TARGET_MB} MB, not growing with the account count.`,
    "",
    "| back end | accounts | usage events | outcome | wall | peak RSS | load avg (start → end) |",
    "| --- | ---: | ---: | --- | ---: | ---: | --- |",
    ...r.runs.map(
      (x) =>
        `| ${x.backend === "embedded" ? "embedded (PGlite)" : "PostgreSQL"} | ${x.accounts.toLocaleString("en-US")}${x.accounts === DEMO_DEFAULT_ACCOUNTS ? " (default)" : ""} | ` +
        `${x.usage_events?.toLocaleString("en-US") ?? "—"} | ${x.outcome} | ${x.seconds} s | ${x.peak_rss_mb ?? "—"} MB | ${x.load_avg_1m.start} → ${x.load_avg_1m.end} |`,
    ),
  ];
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--help")) {
    process.stdout.write(
      "node dist/bench/demo-memory.js [--sizes 200,2000,20000] [--timeout-s 900] [--skip-postgres] [--skip-embedded] [--no-write]\n" +
        "PostgreSQL runs when DATABASE_URL is an admin URL (a throwaway database per load).\n",
    );
    process.exit(0);
  }
  const sizes = (option("--sizes") ?? `${DEMO_DEFAULT_ACCOUNTS},2000,20000`).split(",").map(Number);
  const timeoutS = Number(option("--timeout-s") ?? 900);
  const adminUrl = process.argv.includes("--skip-postgres") ? undefined : process.env.DATABASE_URL;
  const result = await runDemoMemoryBench({ sizes, timeoutS, skipEmbedded: process.argv.includes("--skip-embedded"), adminUrl, log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`${renderDemoMemory(result)}\n`);
  if (!process.argv.includes("--no-write")) for (const f of writeBenchResults("demo", result, () => renderDemoMemory(result))) process.stderr.write(`wrote ${f}\n`);
}
