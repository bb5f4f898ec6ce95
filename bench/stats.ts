// Summary statistics of a sample of durations (milliseconds).

export interface Summary {
  n: number;
  median: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error("no samples");
  return [...values].sort((a, b) => a - b);
}

/** Median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Percentile by the nearest-rank method (p in 0..100): the smallest value with at least p% of the sample at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (p < 0 || p > 100) throw new RangeError("p must be within 0..100");
  const s = sorted(values);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  const s = sorted(values);
  return {
    n: s.length,
    median: median(s),
    p99: percentile(s, 99),
    min: s[0]!,
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** a / b, rounded to 2 decimals (the form every result is reported in). */
export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}
