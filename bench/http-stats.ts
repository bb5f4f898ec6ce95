// The pure parts of `npm run bench:http`: what kind of failure an error is, the mix of calls each
// virtual client makes, and a stage's samples summarised (calls/s, p50/p99, errors by kind, per tool).
import { percentile, ratio } from "./stats.ts";

export const ERROR_KINDS = ["http_429", "http_401_403", "http_4xx", "http_5xx", "rpc_error", "tool_error", "timeout", "connection", "other"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** The SDK's JSON-RPC code for its own request timeout (ErrorCode.RequestTimeout). */
const SDK_REQUEST_TIMEOUT = -32001;
const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|EPIPE|EADDRNOTAVAIL|EMFILE|ENFILE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_CLOSED)$/;

/**
 * What failed, from an error thrown by the SDK client's request over HTTP: an HTTP status (the SDK's
 * StreamableHTTPError carries it as `code`), a JSON-RPC error (McpError: negative `code`), the SDK's or
 * our timeout, or the socket (undici's "fetch failed" with the system error as `cause`).
 */
export function classifyError(err: unknown): ErrorKind {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object") return "other";
  const code = e.code;
  if (typeof code === "number") {
    if (code === 429) return "http_429";
    if (code === 401 || code === 403) return "http_401_403";
    if (code >= 400 && code < 500) return "http_4xx";
    if (code >= 500 && code < 600) return "http_5xx";
    if (code === SDK_REQUEST_TIMEOUT) return "timeout";
    if (code < 0) return "rpc_error";
  }
  if (e.name === "TimeoutError" || e.name === "AbortError") return "timeout";
  const cause = e.cause as { code?: unknown } | undefined;
  const sys = typeof code === "string" ? code : typeof cause?.code === "string" ? cause.code : undefined;
  if (sys && /TIMEOUT/.test(sys) && !/CONNECT/.test(sys)) return "timeout";
  if (sys && CONNECTION_CODES.test(sys)) return "connection";
  if (typeof e.message === "string" && /fetch failed|socket hang up|other side closed/i.test(e.message)) return "connection";
  return "other";
}

export interface MixEntry {
  op: string;
  /** Share of the calls, in percent; the entries of a mix add up to 100. */
  percent: number;
}

/** The op of a client's k-th call: a fixed walk through the mix's percent slots, offset per client. */
export function pickOp(mix: readonly MixEntry[], client: number, k: number): string {
  const total = mix.reduce((s, m) => s + m.percent, 0);
  if (total !== 100) throw new Error(`the mix adds up to ${total}%, not 100%`);
  // 37 is prime to 100, so each client's 100 consecutive calls visit every slot once: the mix holds per client.
  let slot = (client * 13 + k * 37) % 100;
  for (const m of mix) {
    if (slot < m.percent) return m.op;
    slot -= m.percent;
  }
  return mix[mix.length - 1]!.op;
}

export interface Sample {
  op: string;
  ms: number;
  error?: ErrorKind;
  /** The error's message (kept for the first failure of each kind and tool only). */
  message?: string;
}

export interface LatencySummary {
  n: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface StageSummary {
  calls_ok: number;
  calls_failed: number;
  calls_per_s: number;
  /** Of the successful calls. */
  latency: LatencySummary | null;
  errors: Partial<Record<ErrorKind, number>>;
  /** The first message of each kind of failure, per tool ("tool: kind" → message, cut to 200 characters). */
  error_examples: Record<string, string>;
  by_op: Record<string, { ok: number; failed: number; latency: LatencySummary | null }>;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

export function latencyOf(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)), max_ms: round(sorted[sorted.length - 1]!) };
}

/** A stage's samples over its measured window (seconds): successful calls per second, latency of those, failures by kind. */
export function summarizeStage(samples: readonly Sample[], windowS: number): StageSummary {
  if (!(windowS > 0)) throw new RangeError("the window must be longer than 0 s");
  const errors: Partial<Record<ErrorKind, number>> = {};
  const ops = new Map<string, { ok: number[]; failed: number }>();
  const okMs: number[] = [];
  const error_examples: Record<string, string> = {};
  for (const s of samples) {
    const o = ops.get(s.op) ?? { ok: [], failed: 0 };
    ops.set(s.op, o);
    if (s.error) {
      errors[s.error] = (errors[s.error] ?? 0) + 1;
      o.failed++;
      const key = `${s.op}: ${s.error}`;
      if (s.message && !(key in error_examples)) error_examples[key] = s.message.slice(0, 200);
    } else {
      okMs.push(s.ms);
      o.ok.push(s.ms);
    }
  }
  const by_op: StageSummary["by_op"] = {};
  for (const [op, o] of [...ops].sort(([a], [b]) => a.localeCompare(b))) by_op[op] = { ok: o.ok.length, failed: o.failed, latency: latencyOf(o.ok) };
  return {
    calls_ok: okMs.length,
    calls_failed: samples.length - okMs.length,
    calls_per_s: round(okMs.length / windowS),
    latency: latencyOf(okMs),
    errors,
    error_examples,
    by_op,
  };
}

export interface Ratios {
  calls_per_s: number | null;
  p50: number | null;
  p99: number | null;
  peak_rss: number | null;
}

const safeRatio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? ratio(a, b) : null);

/** A target's figures against the echo baseline of the same stage. */
export function ratiosToBaseline(
  target: { summary: StageSummary; peak_rss_mb: number | null },
  baseline: { summary: StageSummary; peak_rss_mb: number | null },
): Ratios {
  return {
    calls_per_s: safeRatio(target.summary.calls_per_s, baseline.summary.calls_per_s),
    p50: safeRatio(target.summary.latency?.p50_ms, baseline.summary.latency?.p50_ms),
    p99: safeRatio(target.summary.latency?.p99_ms, baseline.summary.latency?.p99_ms),
    peak_rss: safeRatio(target.peak_rss_mb, baseline.peak_rss_mb),
  };
}

/** Sum of every series of `name` in a Prometheus text exposition (all label sets), or null when absent. */
export function promSum(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}
