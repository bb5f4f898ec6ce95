// The load of `npm run bench:http`: N virtual clients split over several load-generator processes
// (bench/http-load-worker.ts), so that no single process holds thousands of sockets near its open-file
// limit or is the CPU bottleneck of the connect storm. Each client is an MCP SDK Client with its own
// Streamable HTTP transport; it initializes (as an agent connecting by URL does), then calls tools back to
// back — a closed loop without think time, so N clients keep up to N requests in flight — until the
// stage's time or call budget runs out. Client i talks to urls[i % urls.length]: with two instances, the
// clients are split evenly between them (as a balancer that spreads connections does).
// The window starts when every process has connected its clients; the processes report their samples
// (latencies, errors) back over IPC and exit. Every process is bounded in time (workerLifetimeMs) and is
// killed by its PID if still there after that.
import { fork, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { latencyOf, summarizeStage, type ErrorKind, type LatencySummary, type Sample, type StageSummary } from "./http-stats.ts";
import type { TargetSpec } from "./http-targets.ts";

export interface StagePlan {
  clients: number;
  /** The measured window: calls start when every client has connected, and no call starts after it. */
  durationMs: number;
  /** No more calls than this in the stage (across clients). */
  maxCalls: number;
  /** Per request (initialize and each call): beyond it the call counts as a timeout. */
  timeoutMs: number;
  /** How long initialize may be retried after a 503 (Retry-After) before the client counts as not connected. */
  connectBudgetMs: number;
}

export interface StageRun {
  connect: { ok: number; failed: number; errors: Partial<Record<ErrorKind, number>>; retries_503?: number; wall_s: number; latency: LatencySummary | null };
  /** From the first call to the last answer (calls in flight when the window closes are waited for). */
  window_s: number;
  summary: StageSummary;
  /** The load-generator processes together: CPU seconds and the sum of their peak RSS. */
  load_generator: { processes?: number; lost?: number; cpu_s: number; peak_rss_mb: number };
}

export interface WorkerPlan {
  type: "plan";
  spec: TargetSpec;
  urls: string[];
  plan: StagePlan;
  /** Clients [from, to) of the stage. */
  from: number;
  to: number;
  maxCalls: number;
}
export type ToWorker = WorkerPlan | { type: "go" };
export type FromWorker =
  | { type: "connected"; connect_ms: number[]; errors: Partial<Record<ErrorKind, number>>; retries_503: number }
  | { type: "done"; samples: Sample[]; window_s: number; cpu_s: number; peak_rss_mb: number };

const WORKER = fileURLToPath(new URL("./http-load-worker.js", import.meta.url));

/** The longest a load-generator process may live: connecting (with retries), the window, the last calls' timeout, closing. */
export function workerLifetimeMs(plan: StagePlan): number {
  return plan.connectBudgetMs + plan.timeoutMs + plan.durationMs + plan.timeoutMs + 60_000;
}

/** Enough processes that none holds more than 2,500 clients (1 for up to 2,500). */
export function defaultWorkers(clients: number): number {
  return Math.max(1, Math.ceil(clients / 2_500));
}

/** Clients [from, to) of each of n processes, as even as possible. */
export function slices(clients: number, n: number): Array<[number, number]> {
  return Array.from({ length: n }, (_, k) => [Math.floor((clients * k) / n), Math.floor((clients * (k + 1)) / n)] as [number, number]).filter(([a, b]) => b > a);
}

class Worker {
  private readonly child: ChildProcess;
  private readonly queue: FromWorker[] = [];
  private waiting: ((m: FromWorker | null) => void) | null = null;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  constructor() {
    this.child = fork(WORKER, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    this.child.on("message", (m: FromWorker) => (this.waiting ? (this.waiting(m), (this.waiting = null)) : this.queue.push(m)));
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.child.once("exit", (code, signal) => {
      this.failure = new Error(`a load-generator process ended early (${code ?? signal})`);
      this.waiting?.(null);
    });
  }

  send(msg: ToWorker): void {
    this.child.send(msg);
  }

  /** The process's report; a process that ended without one counts as all its clients failed ("other"), with no calls. */
  async next<T extends FromWorker["type"]>(type: T, clients: number): Promise<Extract<FromWorker, { type: T }>> {
    const m = this.queue.shift() ?? (this.failure ? null : await new Promise<FromWorker | null>((resolve) => (this.waiting = resolve)));
    if (m && m.type === type) return m as Extract<FromWorker, { type: T }>;
    if (m) throw new Error(`load generator: expected '${type}', got '${m.type}'`);
    process.stderr.write(`[bench:http] ${this.failure?.message ?? "a load-generator process ended early"}: its ${clients} clients count as failed\n`);
    this.lost = true;
    const lost: FromWorker = type === "connected" ? { type: "connected", connect_ms: [], errors: { other: clients }, retries_503: 0 } : { type: "done", samples: [], window_s: 0, cpu_s: 0, peak_rss_mb: 0 };
    return lost as Extract<FromWorker, { type: T }>;
  }

  lost = false;

  /** Waits for the process to end by itself (it disconnects after its report), then kills it by PID after a bound. */
  async stop(boundMs = 15_000): Promise<void> {
    const late = setTimeout(() => this.child.kill("SIGKILL"), boundMs);
    if (this.child.connected) this.child.disconnect();
    await this.exited;
    clearTimeout(late);
  }
}

/** onWindowStart runs when every client has connected, just before the first call (to read the servers' CPU time). */
export async function runStage(spec: TargetSpec, urls: string[], plan: StagePlan, workers: number, onWindowStart: () => void = () => {}): Promise<StageRun> {
  const parts = slices(plan.clients, workers);
  const procs = parts.map(() => new Worker());
  const hardStop = setTimeout(() => procs.forEach((p) => void p.stop(0)), workerLifetimeMs(plan) + 10_000);
  try {
    const c0 = performance.now();
    parts.forEach(([from, to], k) => procs[k]!.send({ type: "plan", spec, urls, plan, from, to, maxCalls: Math.ceil((plan.maxCalls * (to - from)) / plan.clients) }));
    const connected = await Promise.all(procs.map((p, k) => p.next("connected", parts[k]![1] - parts[k]![0])));
    const connectWall = (performance.now() - c0) / 1000;
    onWindowStart();
    const w0 = performance.now();
    for (const p of procs) p.send({ type: "go" });
    const done = await Promise.all(procs.map((p, k) => p.next("done", parts[k]![1] - parts[k]![0])));
    const windowS = (performance.now() - w0) / 1000;

    const connectMs = connected.flatMap((c) => c.connect_ms);
    const errors: Partial<Record<ErrorKind, number>> = {};
    for (const c of connected) for (const [k, v] of Object.entries(c.errors)) errors[k as ErrorKind] = (errors[k as ErrorKind] ?? 0) + (v ?? 0);
    const round1 = (v: number) => Math.round(v * 10) / 10;
    return {
      connect: {
        ok: connectMs.length,
        failed: Object.values(errors).reduce((a, b) => a + (b ?? 0), 0),
        errors,
        retries_503: connected.reduce((a, c) => a + c.retries_503, 0),
        wall_s: round1(connectWall),
        latency: latencyOf(connectMs),
      },
      window_s: round1(windowS),
      summary: summarizeStage(done.flatMap((d) => d.samples), windowS),
      load_generator: { processes: procs.length, lost: procs.filter((p) => p.lost).length, cpu_s: round1(done.reduce((a, d) => a + d.cpu_s, 0)), peak_rss_mb: Math.round(done.reduce((a, d) => a + d.peak_rss_mb, 0)) },
    };
  } finally {
    clearTimeout(hardStop);
    await Promise.all(procs.map((p) => p.stop()));
  }
}
