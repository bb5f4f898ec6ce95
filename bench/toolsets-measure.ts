// Measuring helpers of the toolsets benchmark: alternating timed runs under a time budget, the memory a
// call takes (peak heap and RSS above a collected baseline), and — on PostgreSQL — how much of a call
// had a statement in flight (every pg.Client query of the process is timed while a probe is on).
import { performance } from "node:perf_hooks";
import { runInNewContext } from "node:vm";
import v8 from "node:v8";
import pg from "pg";
import { median, percentile } from "./stats.ts";

export interface Stat {
  n: number;
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

export function stat(samples: readonly number[]): Stat {
  return { n: samples.length, median_ms: r2(median(samples)), p95_ms: r2(percentile(samples, 95)), min_ms: r2(Math.min(...samples)), max_ms: r2(Math.max(...samples)) };
}

/** tool ÷ floor of the medians, 2 decimals. */
export const ratioOf = (a: Stat, b: Stat) => (b.median_ms > 0 ? r2(a.median_ms / b.median_ms) : null);

/** A full garbage collection, when the runtime lets us ask for one (--expose-gc set at run time). */
export const collect: (() => void) | null = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
})();

export interface MemoryDelta {
  /** Highest heapUsed seen during the call, above the baseline taken after a collection (MB). */
  heap_peak_mb: number;
  /** Highest RSS seen during the call, above the baseline (MB). */
  rss_peak_mb: number;
}

/** Runs fn, sampling memory every millisecond the event loop is free (and once at the end). */
export async function withMemory<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; memory: MemoryDelta }> {
  collect?.();
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.heapUsed > heap) heap = m.heapUsed;
    if (m.rss > rss) rss = m.rss;
  };
  const timer = setInterval(sample, 1);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    sample();
    return { value, ms, memory: { heap_peak_mb: r2((heap - base.heapUsed) / 1048576), rss_peak_mb: r2((rss - base.rss) / 1048576) } };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Times every query sent by any pg.Client of this process while on (Prisma's PostgreSQL adapter and the
 * database's pool use pg.Client), so a tool call's wall time splits into "a statement in flight" (the union
 * of the statements' intervals, concurrent ones counted once) and the rest (Node: validation, Prisma,
 * rendering, JSON). PostgreSQL only: PGlite runs in this thread, so its time is Node time.
 */
export class PgProbe {
  private intervals: Array<[number, number]> = [];
  private on = false;
  private static installed: PgProbe | null = null;

  static install(): PgProbe {
    if (PgProbe.installed) return PgProbe.installed;
    const probe = new PgProbe();
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      if (!probe.on) return original.apply(this, args);
      const t0 = performance.now();
      const done = () => probe.intervals.push([t0, performance.now()]);
      const last = args[args.length - 1];
      if (typeof last === "function") {
        args[args.length - 1] = function (this: unknown, ...r: unknown[]) {
          done();
          return (last as (...a: unknown[]) => unknown).apply(this, r);
        };
        return original.apply(this, args);
      }
      const res = original.apply(this, args) as { then?: unknown } | undefined;
      if (res && typeof res.then === "function") {
        return (res as Promise<unknown>).then(
          (v) => (done(), v),
          (e: unknown) => {
            done();
            throw e;
          },
        );
      }
      return res;
    };
    PgProbe.installed = probe;
    return probe;
  }

  async around<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; sql: { statements: number; busy_ms: number } }> {
    this.intervals = [];
    this.on = true;
    const t0 = performance.now();
    try {
      const value = await fn();
      const ms = performance.now() - t0;
      return { value, ms, sql: { statements: this.intervals.length, busy_ms: r2(union(this.intervals)) } };
    } finally {
      this.on = false;
    }
  }
}

function union(xs: Array<[number, number]>): number {
  const s = [...xs].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const [a, b] of s) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else if (b > cur[1]) cur[1] = b;
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

export interface RunPlan {
  warmup: number;
  runs: number;
  /** Stop starting new rounds after this many seconds (at least one measured round always runs). */
  budgetSeconds: number;
}

/**
 * One warm-up round, then rounds of every variant in turn (so drift hits them alike), each variant's
 * durations collected; stops at `runs` rounds or when the budget is spent.
 */
export async function alternate<K extends string>(variants: Record<K, () => Promise<number>>, plan: RunPlan, log?: (m: string) => void): Promise<Record<K, number[]>> {
  const keys = Object.keys(variants) as K[];
  for (let w = 0; w < plan.warmup; w++) for (const k of keys) await variants[k]();
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const t0 = performance.now();
  for (let r = 0; r < plan.runs; r++) {
    for (const k of keys) out[k].push(await variants[k]());
    if ((performance.now() - t0) / 1000 > plan.budgetSeconds && r + 1 < plan.runs) {
      log?.(`    time budget of ${plan.budgetSeconds} s spent after ${r + 1} of ${plan.runs} rounds`);
      break;
    }
  }
  return out;
}
