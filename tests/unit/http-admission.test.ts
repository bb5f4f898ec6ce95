// The /mcp admission gate (src/http/admission.ts): at most `limit` served at once, the rest admitted in
// arrival order as slots free up, a wait past maxWaitMs refused, a cancelled wait leaving the queue.
import { describe, expect, it } from "vitest";
import { AdmissionGate, type Release } from "../../src/http/admission.ts";

const LONG = 60_000;

describe("AdmissionGate", () => {
  it("admits up to the limit at once and the rest in arrival order", async () => {
    const gate = new AdmissionGate(2, LONG);
    const first = await gate.enter().ready;
    const second = await gate.enter().ready;
    expect(first).toBeTypeOf("function");
    expect(second).toBeTypeOf("function");
    const order: string[] = [];
    const third = gate.enter().ready.then((r) => (order.push("third"), r));
    const fourth = gate.enter().ready.then((r) => (order.push("fourth"), r));
    expect([gate.inFlight, gate.waiting]).toEqual([2, 2]);

    first!();
    const r3 = await third;
    expect(order).toEqual(["third"]);
    expect([gate.inFlight, gate.waiting]).toEqual([2, 1]);
    first!(); // a second call of the same release frees nothing more
    expect([gate.inFlight, gate.waiting]).toEqual([2, 1]);

    second!();
    const r4 = await fourth;
    expect(order).toEqual(["third", "fourth"]);
    r3!();
    r4!();
    expect([gate.inFlight, gate.waiting]).toEqual([0, 0]);
  });

  it("a newcomer does not jump the queue when a slot frees", async () => {
    const gate = new AdmissionGate(1, LONG);
    const holder = (await gate.enter().ready)!;
    const waiting = gate.enter().ready;
    holder();
    // The waiter took the freed slot: a new request has to wait behind it.
    const late = gate.enter();
    expect(gate.waiting).toBe(1);
    (await waiting)!();
    expect(await late.ready).toBeTypeOf("function");
  });

  it("refuses a wait longer than maxWaitMs and frees its place", async () => {
    const gate = new AdmissionGate(1, 20);
    const holder = (await gate.enter().ready) as Release;
    expect(await gate.enter().ready).toBeNull();
    expect(gate.waiting).toBe(0);
    holder();
    expect(gate.inFlight).toBe(0);
  });

  it("a cancelled wait leaves the queue and the next one is admitted instead", async () => {
    const gate = new AdmissionGate(1, LONG);
    const holder = (await gate.enter().ready)!;
    const gone = gate.enter();
    const next = gate.enter();
    gone.cancel();
    expect(await gone.ready).toBeNull();
    expect(gate.waiting).toBe(1);
    holder();
    const r = await next.ready;
    expect(r).toBeTypeOf("function");
    r!();
    expect([gate.inFlight, gate.waiting]).toEqual([0, 0]);
  });

  it("rejects a limit below 1", () => {
    expect(() => new AdmissionGate(0, LONG)).toThrow("the admission limit must be at least 1");
  });
});
