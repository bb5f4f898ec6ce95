// The log destination on stderr collects lines and hands them on in one write: each write wakes a libuv
// thread and whoever reads stderr, which cost a tool call more than its audit line itself.
import { describe, it, expect } from "vitest";
import { batchedDestination, createLogger } from "../../src/observability/logger.ts";

function sink() {
  const writes: string[] = [];
  return { writes, write: (chunk: string) => void writes.push(chunk) };
}

const lines = (writes: string[]) => writes.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("batched log destination", () => {
  it("hands 200 lines logged back to back to the sink in one write, in order", async () => {
    const s = sink();
    const logger = createLogger("info", batchedDestination(s, 20, 1_000_000));
    for (let i = 0; i < 200; i++) logger.info({ n: i }, "tool call");
    expect(s.writes).toHaveLength(0);
    await expect.poll(() => s.writes.length).toBe(1);
    expect(lines(s.writes).map((l) => l.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("writes at once when the batch reaches its size limit, and keeps the rest for the timer", async () => {
    const s = sink();
    const dest = batchedDestination(s, 20, 1_000);
    const logger = createLogger("info", dest);
    let i = 0;
    while (s.writes.length === 0) logger.info({ n: i++ }, "x".repeat(100));
    const first = lines(s.writes).length;
    expect(first).toBe(i);
    logger.info({ n: i++ }, "last");
    await expect.poll(() => s.writes.length).toBe(2);
    expect(lines(s.writes).map((l) => l.n)).toEqual(Array.from({ length: i }, (_, k) => k));
  });

  it("gives what waits to take() and then has nothing left to write", async () => {
    const s = sink();
    const dest = batchedDestination(s, 10);
    dest.write('{"level":30,"a":1}\n');
    dest.write('{"level":30,"a":2}\n');
    expect(dest.take()).toBe('{"level":30,"a":1}\n{"level":30,"a":2}\n');
    dest.flush();
    await new Promise((r) => setTimeout(r, 30));
    expect(s.writes).toEqual([]);
  });
});

describe("batched log destination: warnings", () => {
  it("writes a warning at once, after the info lines waiting before it", () => {
    const s = sink();
    const logger = createLogger("info", batchedDestination(s, 60_000, 1_000_000));
    logger.info({ n: 0 }, "tool call");
    logger.info({ n: 1 }, "tool call");
    expect(s.writes).toHaveLength(0);
    logger.warn({ n: 2 }, "an API key exists");
    expect(s.writes).toHaveLength(1);
    expect(lines(s.writes).map((l) => [l.n, l.level])).toEqual([[0, 30], [1, 30], [2, 40]]);
  });
});
