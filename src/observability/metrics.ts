// In-process metrics of tool calls: counts, errors and latency percentiles per tool, kept in a bounded
// window so that memory stays flat however long the server runs. Read by health_check_deep.

const WINDOW = 1024;

interface ToolStats {
  calls: number;
  errors: number;
  durations: number[]; // ring buffer of the last WINDOW call durations (ms)
  next: number;
}

export type CallOutcome = "ok" | "error" | "rate_limited" | "timeout";

export class Metrics {
  private readonly tools = new Map<string, ToolStats>();
  readonly startedAt = Date.now();
  /** Also told of every call (the Prometheus registry of the HTTP mode). */
  observer: ((tool: string, durationMs: number, outcome: CallOutcome) => void) | null = null;

  record(tool: string, durationMs: number, ok: boolean, outcome: CallOutcome = ok ? "ok" : "error"): void {
    this.observer?.(tool, durationMs, outcome);
    let s = this.tools.get(tool);
    if (!s) {
      s = { calls: 0, errors: 0, durations: [], next: 0 };
      this.tools.set(tool, s);
    }
    s.calls += 1;
    if (!ok) s.errors += 1;
    if (s.durations.length < WINDOW) s.durations.push(durationMs);
    else s.durations[s.next] = durationMs;
    s.next = (s.next + 1) % WINDOW;
  }

  snapshot(): Array<{ tool: string; calls: number; errors: number; p50_ms: number | null; p99_ms: number | null }> {
    return [...this.tools.entries()]
      .map(([tool, s]) => ({
        tool,
        calls: s.calls,
        errors: s.errors,
        p50_ms: percentile(s.durations, 0.5),
        p99_ms: percentile(s.durations, 0.99),
      }))
      .sort((a, b) => a.tool.localeCompare(b.tool));
  }
}

/** Nearest-rank percentile; null when there is nothing measured. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return Math.round((sorted[rank - 1] as number) * 100) / 100;
}
