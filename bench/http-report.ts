// Presents a `npm run bench:http` run: the result shape written to bench/results/http.json, a table per
// stage on stdout, and the bench:http section of docs/performance.md.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MachineInfo } from "./machine.ts";
import type { StageRun, StagePlan } from "./http-load.ts";
import type { MixEntry, Ratios } from "./http-stats.ts";

export interface TargetRun extends StageRun {
  stage_clients: number;
  target: "echo" | "cs-mcp ×1" | "cs-mcp ×2";
  /** Per server process: peak RSS (VmHWM, MB) and CPU seconds used during the stage. */
  servers: Array<{ label: string; peak_rss_mb: number | null; cpu_s: number; tool_mean_ms?: number | null; http_mean_ms?: number | null }>;
  /** To the echo run of the same stage; peak RSS is per process (the mean of the instances). */
  ratios: Ratios;
}

export interface HttpBenchResults {
  benchmark: "http";
  label: string;
  server_version: string;
  machine: MachineInfo;
  config: {
    stages: StagePlan[];
    mix: readonly MixEntry[];
    accounts: number;
    api_keys: number;
    server_settings: Record<string, string>;
    postgres: string;
    fd_limit: number | null;
    load_generator: string;
  };
  seeding: unknown;
  runs: TargetRun[];
  duration_s: number;
}

const x = (v: number | null) => (v === null ? "–" : `${v.toFixed(2)}×`);
const n = (v: number | null | undefined, digits = 1) => (v == null ? "–" : v.toFixed(digits));

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

export function errorsText(errors: Partial<Record<string, number>>): string {
  const parts = Object.entries(errors).filter(([, v]) => v);
  return parts.length ? parts.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

/** One row per target of a stage. */
export function stageTable(runs: readonly TargetRun[]): string {
  return table(
    ["server", "connected", "calls ok", "calls/s", "p50 ms", "p99 ms", "failed calls (by kind)", "peak RSS MB", "server CPU ms/call", "calls/s ÷ echo", "p50 ÷ echo", "p99 ÷ echo", "RSS ÷ echo"],
    runs.map((r) => {
      const cpu = r.servers.reduce((a, s) => a + s.cpu_s, 0);
      const connectFailed = r.connect.failed ? ` (${r.connect.failed} failed: ${errorsText(r.connect.errors)})` : "";
      return [
        r.target,
        `${r.connect.ok}${connectFailed}`,
        String(r.summary.calls_ok),
        n(r.summary.calls_per_s),
        n(r.summary.latency?.p50_ms),
        n(r.summary.latency?.p99_ms),
        errorsText(r.summary.errors),
        r.servers.map((s) => n(s.peak_rss_mb, 0)).join(" + "),
        r.summary.calls_ok ? n((cpu * 1000) / r.summary.calls_ok, 2) : "–",
        x(r.ratios.calls_per_s),
        x(r.ratios.p50),
        x(r.ratios.p99),
        x(r.ratios.peak_rss),
      ];
    }),
  );
}

export function byStage(r: HttpBenchResults): Map<number, TargetRun[]> {
  const out = new Map<number, TargetRun[]>();
  for (const run of r.runs) out.set(run.stage_clients, [...(out.get(run.stage_clients) ?? []), run]);
  return out;
}

function machineLine(r: HttpBenchResults): string {
  const m = r.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB RAM, ${m.os}, Node ${m.node} (load average ${m.load_avg_1m.start} → ${m.load_avg_1m.end ?? "?"})`;
}

function opTable(runs: readonly TargetRun[]): string {
  const cs = runs.filter((r) => r.target !== "echo");
  const ops = [...new Set(cs.flatMap((r) => Object.keys(r.summary.by_op)))];
  return table(
    ["tool", ...cs.map((r) => `${r.target}: ok / failed, p50 / p99 ms`)],
    ops.map((op) => [
      op,
      ...cs.map((r) => {
        const o = r.summary.by_op[op];
        return o ? `${o.ok} / ${o.failed}, ${n(o.latency?.p50_ms)} / ${n(o.latency?.p99_ms)}` : "–";
      }),
    ]),
  );
}

/** Where a call's time goes on the server: mean time in the tool pipeline vs per HTTP request (from /metrics). */
function serverTimesText(run: TargetRun): string {
  return run.servers
    .filter((s) => s.tool_mean_ms !== undefined)
    .map((s) => `${s.label}: mean ${n(s.http_mean_ms)} ms per HTTP request, ${n(s.tool_mean_ms)} ms of it in the tool pipeline`)
    .join("; ");
}

/** Older results (one in-process generator) have no process count. */
function loadGenText(run: TargetRun): string {
  const lg = run.load_generator;
  const lost = lg.lost ? `, ${lg.lost} of them ended without reporting (killed at their time bound; their clients count as failed)` : "";
  return `the load generator (${lg.processes ?? 1} process${(lg.processes ?? 1) > 1 ? "es" : ""}${lost}) used ${lg.cpu_s} CPU s and ${lg.peak_rss_mb} MB`;
}

export function renderHttpText(r: HttpBenchResults): string {
  const lines = ["", `HTTP load benchmark (${r.label}, cs-mcp ${r.server_version}) on ${machineLine(r)}, ${r.machine.date}`];
  for (const [clients, runs] of byStage(r)) {
    lines.push("", `${clients} concurrent clients:`, stageTable(runs), "", opTable(runs));
    for (const run of runs) {
      lines.push(`  ${run.target}: connect ${run.connect.wall_s} s (p99 ${n(run.connect.latency?.p99_ms)} ms, ${run.connect.retries_503 ?? 0} retries after 503); ${loadGenText(run)}; ${serverTimesText(run)}`);
      for (const [k, m] of Object.entries(run.summary.error_examples)) lines.push(`    ${k}: ${m}`);
    }
  }
  lines.push("", `Finished in ${r.duration_s.toFixed(0)} s.`, "");
  return lines.join("\n");
}

/** The before/after pair of the bottleneck fix, when a run labelled `before` is on disk. */
function beforeAfter(r: HttpBenchResults, root: string): string[] {
  const path = join(root, "bench", "results", "http.before.json");
  if (!existsSync(path)) return [];
  const before = JSON.parse(readFileSync(path, "utf8")) as HttpBenchResults;
  const rows: string[][] = [];
  for (const [clients, runs] of byStage(before)) {
    const after = byStage(r).get(clients) ?? [];
    for (const b of runs) {
      const a = after.find((x) => x.target === b.target);
      const cell = (t: TargetRun | undefined) => (t ? `${t.connect.ok} of ${clients} connected; ${n(t.summary.calls_per_s)} calls/s, p50 ${n(t.summary.latency?.p50_ms)}, p99 ${n(t.summary.latency?.p99_ms)} ms, ${t.summary.calls_failed} failed (${errorsText(t.summary.errors)}); ${x(t.ratios.calls_per_s)} echo's calls/s` : "–");
      rows.push([`${clients}`, b.target, cell(b), cell(a)]);
    }
  }
  return [
    `Before the fix: run of ${before.machine.date.slice(0, 16).replace("T", " ")} UTC (load average ${before.machine.load_avg_1m.start} → ${before.machine.load_avg_1m.end ?? "?"}), ` +
      `stages ${before.config.stages.map((s) => `${s.clients} clients × ${s.durationMs / 1000} s`).join(", ")}; after: the run above. Two runs, each with its own echo baseline:`,
    "",
    table(["clients", "server", "before the fix", "after the fix (this run)"], rows),
  ];
}

/** The prose around the tables (what is measured, the bottleneck, 50k): kept in bench/http-notes.md next to this file. */
function notes(root: string): string {
  const path = join(root, "bench", "http-notes.md");
  return existsSync(path) ? readFileSync(path, "utf8").trim() : "";
}

export function renderHttpMarkdown(r: HttpBenchResults, root: string): string {
  const out = [
    "<!-- Generated by `npm run bench:http` (bench/http.ts; prose from bench/http-notes.md): do not edit by hand, run the bench again. -->",
    "",
    "## HTTP: load on the hosted mode (Streamable HTTP, API keys, PostgreSQL + Redis)",
    "",
    `Measured ${r.machine.date.slice(0, 16).replace("T", " ")} UTC on ${machineLine(r)}; cs-mcp ${r.server_version}; the whole run took ${r.duration_s.toFixed(0)} s. ` +
      "**The load generator, PostgreSQL and Redis run on the same cores as the servers** (the load average above says whether anything else did): the ratios to the echo server of the same stage are the figures to compare, not the absolute numbers.",
    "",
    `Setup: ${r.config.accounts} accounts (cs-mcp demo, seed 42) on a throwaway PostgreSQL database at ${r.config.postgres}, Redis for the shared rate limit, ` +
      `${r.config.api_keys} API keys (cs-mcp keys create, scopes read,write) shared round-robin by the clients. Server settings: ${Object.entries(r.config.server_settings).map(([k, v]) => `${k}=${v}`).join(", ")}; the rest default (DB_POOL_MAX 20 per instance). ` +
      `Open-file limit of the bench, its load-generator processes and its servers: ${r.config.fd_limit ?? "unknown"} each (raised to the hard limit by the npm script). ` +
      `Mix per client: ${r.config.mix.map((m) => `${m.op} ${m.percent}%`).join(", ")}; the echo server gets the same clients calling echo. ` +
      `Load generator: ${r.config.load_generator}. Each stage: every client initializes, then all call for ${r.config.stages.map((s) => `${s.durationMs / 1000} s`).join(" / ")} ` +
      `(calls in flight at the end are waited for; ${(r.config.stages[0]?.timeoutMs ?? 0) / 1000} s timeout per request).`,
  ];
  for (const [clients, runs] of byStage(r)) {
    out.push("", `### ${clients.toLocaleString("en-US")} concurrent clients`, "", stageTable(runs), "", opTable(runs));
    out.push(
      "",
      ...runs.map((run) => {
        const times = serverTimesText(run);
        return `- ${run.target}: initialize of all clients took ${run.connect.wall_s} s (p99 ${n(run.connect.latency?.p99_ms)} ms, ${run.connect.retries_503 ?? 0} retries after a 503); ${loadGenText(run)}${times ? `; ${times}` : ""}.`;
      }),
    );
  }
  const ba = beforeAfter(r, root);
  if (ba.length) out.push("", "### The first bottleneck, before and after", "", ...ba);
  const prose = notes(root);
  if (prose) out.push("", prose);
  out.push("", "Raw figures (per tool, connect phase, load generator): `bench/results/http.json` (not committed).");
  return out.join("\n");
}
