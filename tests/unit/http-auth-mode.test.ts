// The open-mode latch of the HTTP server (src/http/auth-mode.ts) on a fake clock and a fake key count: it
// counts keys at most once per interval, closes on the first key, and never reopens.
import { describe, expect, it } from "vitest";
import { OpenModeLatch } from "../../src/http/auth-mode.ts";

function latchWith(counts: number[]) {
  let t = 0;
  let queries = 0;
  let closes = 0;
  const latch = new OpenModeLatch(async () => counts[Math.min(queries++, counts.length - 1)]!, () => closes++, () => t, 1_000);
  return { latch, advance: (ms: number) => (t += ms), queries: () => queries, closes: () => closes };
}

describe("OpenModeLatch", () => {
  it("stays open without keys and counts them at most once per interval", async () => {
    const l = latchWith([0]);
    expect(await l.latch.authRequired()).toBe(false);
    expect(await l.latch.authRequired()).toBe(false);
    expect(l.queries()).toBe(1);
    l.advance(999);
    await l.latch.authRequired();
    expect(l.queries()).toBe(1);
    l.advance(1);
    await l.latch.authRequired();
    expect(l.queries()).toBe(2);
  });

  it("closes at the first check that finds a key, and stays closed when the count drops back to 0", async () => {
    const l = latchWith([0, 1, 0]);
    expect(await l.latch.authRequired()).toBe(false);
    l.advance(1_000);
    expect(await l.latch.authRequired()).toBe(true);
    expect(l.closes()).toBe(1);
    l.advance(5_000);
    expect(await l.latch.authRequired()).toBe(true);
    expect(l.queries()).toBe(2);
    expect(l.closes()).toBe(1);
  });

  it("shares one query between concurrent checks", async () => {
    const l = latchWith([1]);
    const answers = await Promise.all([l.latch.authRequired(), l.latch.authRequired(), l.latch.authRequired()]);
    expect(answers).toEqual([true, true, true]);
    expect(l.queries()).toBe(1);
  });
});
