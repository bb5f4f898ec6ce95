import { describe, it, expect } from "vitest";
import { Metrics, percentile } from "../../src/observability/metrics.ts";

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe("percentile (nearest rank)", () => {
  it("gives p50 = 50 and p99 = 99 over 1..100", () => {
    expect(percentile(oneToHundred, 0.5)).toBe(50);
    expect(percentile(oneToHundred, 0.99)).toBe(99);
  });

  it("gives the maximum at p100 and the minimum at p0", () => {
    expect(percentile(oneToHundred, 1)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
  });

  it("is null for no values", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([], 0.99)).toBeNull();
  });

  it("sorts numerically without changing its input", () => {
    const v = [30, 4, 100, 2, 11];
    // sorted 2,4,11,30,100; p50 rank ceil(2.5)=3 → 11; p90 rank ceil(4.5)=5 → 100
    expect(percentile(v, 0.5)).toBe(11);
    expect(percentile(v, 0.9)).toBe(100);
    expect(v).toEqual([30, 4, 100, 2, 11]);
  });

  it("rounds to two decimals", () => {
    expect(percentile([1.23456], 0.5)).toBe(1.23);
    expect(percentile([2.005, 9], 0.5)).toBe(Math.round(2.005 * 100) / 100);
  });

  it("one value is every percentile", () => {
    expect(percentile([7], 0.01)).toBe(7);
    expect(percentile([7], 0.99)).toBe(7);
  });
});

describe("Metrics", () => {
  it("starts empty", () => {
    expect(new Metrics().snapshot()).toEqual([]);
  });

  it("counts calls and errors per tool and sorts by tool name", () => {
    const m = new Metrics();
    m.record("b_tool", 10, true);
    m.record("a_tool", 5, false);
    m.record("b_tool", 30, false);
    m.record("b_tool", 20, true);
    expect(m.snapshot()).toEqual([
      { tool: "a_tool", calls: 1, errors: 1, p50_ms: 5, p99_ms: 5 },
      // b: 10, 20, 30 → p50 rank ceil(1.5)=2 → 20; p99 rank 3 → 30
      { tool: "b_tool", calls: 3, errors: 1, p50_ms: 20, p99_ms: 30 },
    ]);
  });

  it("keeps only the last 1024 durations while counting every call", () => {
    const m = new Metrics();
    for (let i = 1; i <= 2000; i++) m.record("t", i, i % 10 !== 0);
    const [s] = m.snapshot();
    expect(s!.calls).toBe(2000);
    expect(s!.errors).toBe(200);
    // the window holds 977..2000 (1024 values); p50 rank 512 → 977 + 511 = 1488; p99 rank ceil(1013.76)=1014 → 1990
    expect(s!.p50_ms).toBe(1488);
    expect(s!.p99_ms).toBe(1990);
  });

  it("overwrites the oldest samples once the window is full", () => {
    const a = new Metrics();
    for (let i = 0; i < 1024; i++) a.record("t", 1, true);
    // 600 large values replace the oldest 600 ones → 424 ones + 600 thousands; p50 rank 512 > 424 → 1000
    for (let i = 0; i < 600; i++) a.record("t", 1000, true);
    expect(a.snapshot()[0]).toMatchObject({ calls: 1624, p50_ms: 1000, p99_ms: 1000 });

    const b = new Metrics();
    for (let i = 0; i < 1024; i++) b.record("t", 1, true);
    // 400 large values → 624 ones + 400 thousands; p50 rank 512 ≤ 624 → 1; p99 rank 1014 → 1000
    for (let i = 0; i < 400; i++) b.record("t", 1000, true);
    expect(b.snapshot()[0]).toMatchObject({ calls: 1424, p50_ms: 1, p99_ms: 1000 });
  });
});
