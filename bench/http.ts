// `npm run bench:http`: cs-mcp's Streamable HTTP mode under load, against a bare SDK Streamable HTTP
// echo server measured in the same run. For each stage (1,000 then 10,000 concurrent clients) three
// targets run one after the other, each on servers started for it and stopped after it:
//   echo      bench/http-echo-server.ts, one `echo` tool (the baseline);
//   cs-mcp ×1 one `cs-mcp serve --http` on a throwaway PostgreSQL database + Redis;
//   cs-mcp ×2 two instances on that same database and Redis, clients split evenly between them.
// Needs DATABASE_URL (a PostgreSQL admin URL: a throwaway database is created and dropped) and REDIS_URL.
// Writes bench/results/http.json and the bench:http section of docs/performance.md.
// --quick: small stages, writes bench/results/http.quick.json only. --label NAME: writes
// bench/results/http.NAME.json only (a before/after pair of runs). --stages 1000,10000 and --duration S override;
// --targets echo,one,two picks targets; --workers N sets the load-generator processes; --server-env K=V,…
// adds settings to the cs-mcp instances; --profile DIR writes CPU profiles of the cs-mcp instances there;
// --render only rewrites the docs section from bench/results/http.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { CS_MCP_CLI, runCli } from "./spawn.ts";
import { createThrowawayDb, describeServer } from "./postgres.ts";
import { loadDemoPortfolio } from "./seed.ts";
import { loadAverage, machineInfo } from "./machine.ts";
import { replaceDocSection, repoRoot, writeBenchResults } from "./report.ts";
import { startHttpServer, type HttpServerProcess } from "./http-servers.ts";
import { defaultWorkers, runStage, type StagePlan } from "./http-load.ts";
import { promSum, ratiosToBaseline } from "./http-stats.ts";
import { CS_MIX, type TargetSpec } from "./http-targets.ts";
import { renderHttpMarkdown, renderHttpText, type HttpBenchResults, type TargetRun } from "./http-report.ts";
import { option } from "./args.ts";

const ECHO_SERVER = fileURLToPath(new URL("./http-echo-server.js", import.meta.url));
const log = (msg: string) => process.stderr.write(`[bench:http] ${msg}\n`);

interface Plan {
  stages: StagePlan[];
  accounts: number;
  keys: number;
}

const TIMEOUT_MS = 30_000;
const CONNECT_BUDGET_MS = 60_000;
const stagePlan = (clients: number, durationMs: number, maxCalls: number): StagePlan => ({ clients, durationMs, maxCalls, timeoutMs: TIMEOUT_MS, connectBudgetMs: CONNECT_BUDGET_MS });
/** The servers' listen backlog: Node's default of 511 overflows when 10,000 clients connect at once (the kernel caps it at net.core.somaxconn). */
const BACKLOG = "4096";
const FULL: Plan = { stages: [stagePlan(1_000, 20_000, 200_000), stagePlan(10_000, 20_000, 400_000)], accounts: 200, keys: 20 };
const QUICK: Plan = { stages: [stagePlan(50, 4_000, 20_000), stagePlan(200, 4_000, 20_000)], accounts: 20, keys: 4 };

/** Settings of every cs-mcp instance: the limits raised so that they stay on the call path but do not refuse the bench. */
export const HTTP_BENCH_SETTINGS: Record<string, string> = {
  LOG_LEVEL: "warn",
  CS_MCP_RATE_LIMIT_PER_MINUTE: "1000000",
  CS_MCP_HTTP_MAX_CONCURRENT_PER_PRINCIPAL: "100000",
  CS_MCP_HTTP_BACKLOG: BACKLOG,
};

function writeJsonFile(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

function fdLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    return line ? Number(line.split(/\s{2,}/)[1]) : null;
  } catch {
    return null;
  }
}

function somaxconn(): number | null {
  try {
    return Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
  } catch {
    return null;
  }
}

function serverVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

async function clientIds(url: string, limit: number): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ id: string }>("SELECT id FROM accounts ORDER BY id LIMIT $1", [limit]);
    return r.rows.map((row) => row.id);
  } finally {
    await c.end();
  }
}

async function createKeys(n: number, env: Record<string, string>, cwd: string): Promise<string[]> {
  const prefix = `bench-${Date.now().toString(36)}`;
  const keys: string[] = [];
  // A few at a time: each is a CLI process (as an admin would create them).
  for (let i = 0; i < n; i += 5) {
    const batch = Array.from({ length: Math.min(5, n - i) }, (_, j) =>
      runCli(["keys", "create", "--name", `${prefix}-${i + j}`, "--scopes", "read,write", "--json"], env, cwd).then((out) => (JSON.parse(out) as { key: string }).key),
    );
    keys.push(...(await Promise.all(batch)));
  }
  return keys;
}

/** Mean time inside the tool pipeline and per HTTP request, from the instance's own /metrics (cs-mcp only). */
async function serverTimes(url: string, token: string | undefined): Promise<{ tool_mean_ms: number | null; http_mean_ms: number | null }> {
  try {
    const res = await fetch(new URL("/metrics", url), { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const mean = (name: string) => {
      const sum = promSum(text, `${name}_sum`);
      const count = promSum(text, `${name}_count`);
      return sum !== null && count ? Math.round((sum / count) * 10_000) / 10 : null;
    };
    return { tool_mean_ms: mean("cs_mcp_tool_call_duration_seconds"), http_mean_ms: mean("cs_mcp_http_request_duration_seconds") };
  } catch {
    return { tool_mean_ms: null, http_mean_ms: null };
  }
}

async function runTarget(
  label: TargetRun["target"],
  start: () => Promise<HttpServerProcess[]>,
  target: TargetSpec,
  stage: StagePlan,
  workers: number,
): Promise<Omit<TargetRun, "ratios">> {
  log(`${stage.clients} clients → ${label}: starting`);
  const servers = await start();
  try {
    let cpu0 = servers.map(() => 0);
    const run = await runStage(target, servers.map((s) => s.url), stage, workers, () => (cpu0 = servers.map((s) => s.cpuMs() ?? 0)));
    const info = await Promise.all(
      servers.map(async (s, i) => ({
        label: s.label,
        peak_rss_mb: s.peakRssMb(),
        cpu_s: Math.round(((s.cpuMs() ?? 0) - cpu0[i]!) / 100) / 10,
        ...(label === "echo" ? {} : await serverTimes(s.url, target.kind === "cs" ? target.keys[0] : undefined)),
      })),
    );
    const s = run.summary;
    log(
      `${stage.clients} clients → ${label}: connected ${run.connect.ok}/${stage.clients} in ${run.connect.wall_s} s (${run.connect.retries_503} retries after 503, failed ${JSON.stringify(run.connect.errors)}); ` +
        `${s.calls_ok} ok, ${s.calls_failed} failed ${JSON.stringify(s.errors)} in ${run.window_s} s = ${s.calls_per_s}/s, ` +
        `p50 ${s.latency?.p50_ms ?? "-"} ms, p99 ${s.latency?.p99_ms ?? "-"} ms; peak RSS ${info.map((x) => x.peak_rss_mb).join(" + ")} MB`,
    );
    // A server fault is only referenced in the answer, and a server gone has no /proc: their logs say what it was.
    if (info.some((x) => x.peak_rss_mb === null) || Object.values(run.summary.error_examples).some((m) => /internal error/.test(m))) {
      for (const srv of servers) log(`${srv.label} stderr (tail):\n${srv.stderr().slice(-1500)}`);
    }
    return { stage_clients: stage.clients, target: label, servers: info, ...run };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--render")) {
    // Rewrites the docs section from bench/results/http.json (after editing bench/http-notes.md), without measuring.
    const root = repoRoot();
    const results = JSON.parse(readFileSync(join(root, "bench", "results", "http.json"), "utf8")) as HttpBenchResults;
    replaceDocSection(join(root, "docs", "performance.md"), "http", renderHttpMarkdown(results, root));
    log("updated docs/performance.md from bench/results/http.json");
    return;
  }
  const quick = process.argv.includes("--quick");
  const label = option("--label");
  const base = quick ? QUICK : FULL;
  const stageList = option("--stages")?.split(",").map(Number);
  const duration = option("--duration");
  const plan: Plan = {
    ...base,
    stages: (stageList ?? base.stages.map((s) => s.clients)).map((clients, i) => ({
      ...(base.stages[i] ?? base.stages[base.stages.length - 1]!),
      clients,
      ...(duration ? { durationMs: Number(duration) * 1000 } : {}),
    })),
  };
  const adminUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!adminUrl || !redisUrl) throw new Error("bench:http needs DATABASE_URL (a PostgreSQL admin URL) and REDIS_URL, e.g. set -a; . /tmp/cs-mcp-test-services/env; set +a");
  const root = repoRoot();
  const started = performance.now();
  const machine = machineInfo(new Date());
  const tmp = mkdtempSync(join(tmpdir(), "cs-mcp-bench-http-"));
  const db = await createThrowawayDb(adminUrl, "bench_http");
  log(`PostgreSQL: throwaway database ${db.name}; Redis ${describeServer(redisUrl)}`);
  try {
    const env = { DATABASE_URL: db.url, REDIS_URL: redisUrl };
    await runCli(["migrate"], env, tmp);
    log(`seeding the demo portfolio (${plan.accounts} accounts)`);
    const seeding = await loadDemoPortfolio(env, tmp, plan.accounts, 42);
    if (seeding instanceof Error) throw seeding;
    const ids = await clientIds(db.url, 500);
    const keys = await createKeys(plan.keys, env, tmp);
    log(`${ids.length} accounts, ${keys.length} API keys`);

    // --server-env K=V,K=V: extra settings for the cs-mcp instances (e.g. CS_MCP_API_KEY_CACHE_MS=0 for a before/after pair).
    const extra = Object.fromEntries((option("--server-env")?.split(",") ?? []).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const csEnv = { ...HTTP_BENCH_SETTINGS, ...extra, ...env };
    // --profile DIR: every cs-mcp instance writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
    const profileDir = option("--profile");
    const nodeArgs = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
    const cs = (n: number) => () =>
      Promise.all(Array.from({ length: n }, (_, i) => startHttpServer({ label: `cs-mcp ${i + 1}`, script: CS_MCP_CLI, args: ["serve", "--http", "--port", "0"], nodeArgs, env: csEnv, cwd: tmp })));
    const csTarget: TargetSpec = { kind: "cs", ids, keys };
    const echoTarget: TargetSpec = { kind: "echo" };
    const workersOption = option("--workers");

    const runs: TargetRun[] = [];
    const targets = new Set(option("--targets")?.split(",") ?? ["echo", "one", "two"]);
    for (const stage of plan.stages) {
      const workers = workersOption ? Number(workersOption) : defaultWorkers(stage.clients);
      const stageRuns: Array<Omit<TargetRun, "ratios">> = [];
      if (targets.has("echo")) stageRuns.push(await runTarget("echo", async () => [await startHttpServer({ label: "echo", script: ECHO_SERVER, args: ["0", BACKLOG], cwd: tmp })], echoTarget, stage, workers));
      if (targets.has("one")) stageRuns.push(await runTarget("cs-mcp ×1", cs(1), csTarget, stage, workers));
      if (targets.has("two")) stageRuns.push(await runTarget("cs-mcp ×2", cs(2), csTarget, stage, workers));
      const rss = (r: Omit<TargetRun, "ratios">) => (r.servers.every((s) => s.peak_rss_mb !== null) ? r.servers.reduce((a, s) => a + s.peak_rss_mb!, 0) / r.servers.length : null);
      const echo = stageRuns.find((r) => r.target === "echo");
      const baseline = echo ? { summary: echo.summary, peak_rss_mb: rss(echo) } : null;
      for (const r of stageRuns) {
        const ratios = baseline ? ratiosToBaseline({ summary: r.summary, peak_rss_mb: rss(r) }, baseline) : { calls_per_s: null, p50: null, p99: null, peak_rss: null };
        runs.push({ ...r, ratios });
      }
    }

    const results: HttpBenchResults = {
      benchmark: "http",
      label: label ?? (quick ? "quick" : "full"),
      server_version: serverVersion(root),
      machine: { ...machine, load_avg_1m: { start: machine.load_avg_1m.start, end: loadAverage() } },
      config: {
        stages: plan.stages,
        mix: CS_MIX,
        accounts: ids.length,
        api_keys: keys.length,
        server_settings: { ...HTTP_BENCH_SETTINGS, ...extra },
        postgres: describeServer(db.url),
        fd_limit: fdLimit(),
        load_generator:
          `MCP SDK Client + StreamableHTTPClientTransport per virtual client, split over ${plan.stages.map((st) => (workersOption ? Number(workersOption) : defaultWorkers(st.clients))).join(" / ")} load-generator processes (bench/http-load-worker.ts), each with one undici Agent (keep-alive, unlimited connections per origin); closed loop without think time; initialize retried after a 503 (Retry-After) for up to ${CONNECT_BUDGET_MS / 1000} s; servers listen with a backlog of ${BACKLOG} (net.core.somaxconn ${somaxconn() ?? "unknown"})`,
      },
      seeding: seeding.detail,
      runs,
      duration_s: Math.round((performance.now() - started) / 100) / 10,
    };
    process.stdout.write(renderHttpText(results));
    // A labelled run (e.g. `before`) is written as bench/results/http.LABEL.json, without touching the docs.
    const name = label ? `http.${label}` : "http";
    const written = label ? writeJsonFile(join(root, "bench", "results", `${name}.json`), results) : writeBenchResults(name, results, () => renderHttpMarkdown(results, root), quick, root);
    for (const path of [written].flat()) log(`wrote ${path}`);
  } finally {
    await db.drop().catch((err: unknown) => log(`could not drop ${db.name}: ${(err as Error).message}`));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:http] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
