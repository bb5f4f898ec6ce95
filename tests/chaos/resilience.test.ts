// The resilience wrapper against a fake vendor that fails in every way a real one does: 500s, 429 with
// Retry-After, hangs, a refused connection. Small timeouts and reset values keep it to seconds.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { loadConfig } from "../../src/config/load.ts";
import { createResilience, type Resilience } from "../../src/integrations/resilience/index.ts";
import { CircuitOpenError, VendorError, VendorTimeoutError } from "../../src/integrations/types.ts";
import { memoryLogger } from "../unit/memory-log.ts";
import { closedPort, httpHandler, startFakeVendor, type FakeVendor } from "./fake-vendor.ts";

// No upper bound on a call's wall time is asserted (a loaded machine stretches any of them): a call that
// waited past its deadline for a hanging vendor would never return and fail on the test timeout, and the
// vendor's own request log proves no attempt started after the deadline. Lower bounds (it did wait) hold.

const base = {
  SENDGRID_TIMEOUT_MS: "400",
  INTEGRATION_DEADLINE_MS: "1500",
  INTEGRATION_MAX_RETRIES: "3",
  INTEGRATION_BREAKER_THRESHOLD: "50",
  INTEGRATION_BREAKER_RESET_MS: "300",
  LOG_LEVEL: "silent",
};

let fake: FakeVendor;
const open: Resilience[] = [];

function make(env: Record<string, string> = {}, redis?: Redis) {
  const log = memoryLogger("info");
  const r = createResilience(loadConfig({ ...base, ...env }), log.logger, redis ?? null, { backoffBaseMs: 20, backoffMaxMs: 200, minAttemptMs: 50 });
  open.push(r);
  return { r, log };
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

beforeAll(async () => {
  fake = await startFakeVendor({ lifetimeMs: 600_000 }); // a safety net only: it must outlive the file on a loaded machine
});
afterEach(async () => {
  fake.requests.length = 0;
  fake.effects.clear();
  fake.behave = () => ({ kind: "ok" });
  await Promise.all(open.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await fake.close();
});

const deliver = (r: Resilience, key: string, opts = {}) =>
  r.call("sendgrid", (signal) => httpHandler(fake.url, "sendgrid")({ n: 1 }, { idempotencyKey: key, signal }), opts);

describe("retries", () => {
  // Generous timeouts where the test is about status codes: a loaded CI machine must not turn them into timeouts.
  const roomy = { SENDGRID_TIMEOUT_MS: "2000", INTEGRATION_DEADLINE_MS: "4000" };

  it("retries 500s up to INTEGRATION_MAX_RETRIES, then gives up with the vendor's error", async () => {
    const { r } = make(roomy);
    fake.behave = () => ({ kind: "status", status: 500 });
    let calls = 0;
    const res = await timed(r.call("sendgrid", (signal) => (calls++, httpHandler(fake.url, "sendgrid")({}, { idempotencyKey: "k500", signal }))));
    expect(res.error).toBeInstanceOf(VendorError);
    expect((res.error as VendorError).status).toBe(500);
    expect(calls).toBe(4); // 1 + 3 retries, never more
    expect(fake.requests).toHaveLength(4);
  });

  it("recovers when the vendor comes back between retries", async () => {
    const { r } = make(roomy);
    fake.behave = (n) => (n < 2 ? { kind: "status", status: 503 } : { kind: "ok" });
    const res = await timed(deliver(r, "kback"));
    expect(res.value?.external_id).toMatch(/^fake_/);
    expect(fake.requests).toHaveLength(3);
    expect(fake.effects.get("kback")).toBe(1);
  });

  it("never retries a 4xx other than 429", async () => {
    const { r } = make(roomy);
    fake.behave = () => ({ kind: "status", status: 422 });
    const res = await timed(deliver(r, "k422"));
    expect((res.error as VendorError).status).toBe(422);
    expect(fake.requests).toHaveLength(1);
  });

  it("waits at least Retry-After after a 429", async () => {
    const { r } = make(roomy);
    fake.behave = (n) => (n === 0 ? { kind: "status", status: 429, retryAfterSeconds: 1 } : { kind: "ok" });
    const res = await timed(deliver(r, "k429"));
    expect(res.value?.external_id).toBeDefined();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it("does not retry when Retry-After reaches past the deadline: fails at once, keeping Retry-After for the outbox", async () => {
    const { r } = make({ INTEGRATION_DEADLINE_MS: "1000" });
    fake.behave = () => ({ kind: "status", status: 429, retryAfterSeconds: 5 });
    const res = await timed(deliver(r, "k429long"));
    expect((res.error as VendorError).status).toBe(429);
    expect((res.error as VendorError).retryAfterMs).toBe(5000);
    expect(fake.requests).toHaveLength(1);
  });

  it("retries a refused connection (network error) within the deadline", async () => {
    const { r } = make();
    const port = await closedPort();
    const res = await timed(
      r.call("sendgrid", (signal) => httpHandler(`http://127.0.0.1:${port}`, "sendgrid")({}, { idempotencyKey: "kref", signal })),
    );
    expect(res.error).toBeInstanceOf(VendorError);
    expect((res.error as VendorError).status).toBe(0);
  });
});

describe("timeouts and deadlines", () => {
  it("aborts a hanging request at the timeout: the vendor sees the connection closed", async () => {
    const { r } = make({ INTEGRATION_MAX_RETRIES: "0" });
    fake.behave = () => ({ kind: "hang" });
    const res = await timed(deliver(r, "khang"));
    expect(res.error).toBeInstanceOf(VendorTimeoutError);
    expect(res.ms).toBeGreaterThanOrEqual(390);
    await waitFor(() => fake.requests[0]!.aborted === true); // the vendor sees the closed connection
  });

  it("returns at the timeout even when the request ignores its signal", async () => {
    const { r } = make({ INTEGRATION_MAX_RETRIES: "0" });
    const res = await timed(r.call("sendgrid", () => new Promise<never>(() => {})));
    expect(res.error).toBeInstanceOf(VendorTimeoutError);
  });

  it.each([
    ["hangs", () => ({ kind: "hang" }) as const, 700],
    ["500s", () => ({ kind: "status", status: 500 }) as const, 120],
    ["429 + Retry-After 1 s", () => ({ kind: "status", status: 429, retryAfterSeconds: 1 }) as const, 600],
    ["a hang after 500s", (n: number) => (n < 2 ? ({ kind: "status", status: 500 }) as const : ({ kind: "hang" }) as const), 500],
  ])("never outlives its deadline when the vendor %s", async (_name, behave, deadlineMs) => {
    const { r } = make({ INTEGRATION_MAX_RETRIES: "10" });
    fake.behave = behave;
    const res = await timed(deliver(r, `kdl-${deadlineMs}`, { deadlineMs }));
    expect(res.error).toBeDefined();
    // Every request started early enough to be useful: none after the deadline.
    for (const q of fake.requests) expect(q.at - fake.requests[0]!.at).toBeLessThanOrEqual(deadlineMs);
  });

  it("a caller's cancellation aborts the request and is not retried", async () => {
    const { r } = make();
    fake.behave = () => ({ kind: "hang" });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error("tool call cancelled")), 100);
    const res = await timed(deliver(r, "kcancel", { signal: ctl.signal }));
    expect((res.error as Error).message).toBe("tool call cancelled");
    expect(fake.requests).toHaveLength(1);
    expect(r.breakerState("sendgrid")).toBe("closed");
  });
});

describe("circuit breaker", () => {
  it("opens at the threshold, fails fast without reaching the vendor, and a half-open probe closes it", async () => {
    const { r, log } = make({ INTEGRATION_BREAKER_THRESHOLD: "3", INTEGRATION_MAX_RETRIES: "0" });
    fake.behave = () => ({ kind: "status", status: 500 });
    for (let i = 0; i < 2; i++) await deliver(r, `kb${i}`).catch(() => {});
    expect(r.breakerState("sendgrid")).toBe("closed");
    await deliver(r, "kb2").catch(() => {});
    expect(r.breakerState("sendgrid")).toBe("open");
    expect(r.states()).toMatchObject({ sendgrid: "open", zendesk: "closed" });
    expect(fake.requests).toHaveLength(3);

    const fast = await timed(deliver(r, "kfast"));
    expect(fast.error).toBeInstanceOf(CircuitOpenError);
    expect(fake.requests).toHaveLength(3); // nothing reached the vendor

    fake.behave = () => ({ kind: "ok" });
    await waitFor(() => r.breakerState("sendgrid") === "half_open"); // after INTEGRATION_BREAKER_RESET_MS
    const probe = await deliver(r, "kprobe");
    expect(probe.external_id).toBeDefined();
    expect(r.breakerState("sendgrid")).toBe("closed");

    const changes = log.lines().filter((l) => l.breaker).map((l) => [l.level, l.breaker]);
    expect(changes).toEqual([[40, "open"], [40, "half_open"], [40, "closed"]]);
  });

  it("a failed half-open probe opens it again; 4xx answers never open it", async () => {
    const { r } = make({ INTEGRATION_BREAKER_THRESHOLD: "2", INTEGRATION_MAX_RETRIES: "0", SENDGRID_TIMEOUT_MS: "2000" });
    fake.behave = () => ({ kind: "status", status: 404 });
    for (let i = 0; i < 5; i++) await deliver(r, `k404-${i}`).catch(() => {});
    expect(r.breakerState("sendgrid")).toBe("closed");

    fake.behave = () => ({ kind: "hang" });
    for (let i = 0; i < 2; i++) await deliver(r, `kh${i}`, { deadlineMs: 100 }).catch(() => {});
    expect(r.breakerState("sendgrid")).toBe("open");
    await waitFor(() => r.breakerState("sendgrid") === "half_open");
    const probe = await timed(deliver(r, "kh-probe", { deadlineMs: 100 }));
    expect(probe.error).toBeInstanceOf(VendorTimeoutError);
    expect(r.breakerState("sendgrid")).toBe("open");
  });

  it("retries stop as soon as the breaker opens mid-call", async () => {
    const { r } = make({ INTEGRATION_BREAKER_THRESHOLD: "2", INTEGRATION_MAX_RETRIES: "5" });
    fake.behave = () => ({ kind: "status", status: 502 });
    const res = await timed(deliver(r, "kmid"));
    expect(res.error).toBeInstanceOf(CircuitOpenError);
    expect(fake.requests).toHaveLength(2);
  });
});

describe.skipIf(!process.env.REDIS_URL)("breaker shared through Redis", () => {
  it("an opened breaker opens the other instance's too, and a close propagates likewise", async () => {
    const env = { INTEGRATION_BREAKER_THRESHOLD: "2", INTEGRATION_MAX_RETRIES: "0", INTEGRATION_BREAKER_RESET_MS: "400" };
    const redisA = new Redis(process.env.REDIS_URL!);
    const redisB = new Redis(process.env.REDIS_URL!);
    try {
      const { r: a } = make(env, redisA);
      const { r: b, log: logB } = make(env, redisB);
      await Promise.all([a.ready(), b.ready()]);

      fake.behave = () => ({ kind: "status", status: 500 });
      for (let i = 0; i < 2; i++) await deliver(a, `ka${i}`).catch(() => {});
      expect(a.breakerState("sendgrid")).toBe("open");
      await waitFor(() => b.breakerState("sendgrid") === "open");
      const before = fake.requests.length;
      const res = await timed(deliver(b, "kb-fast"));
      expect(res.error).toBeInstanceOf(CircuitOpenError);
      expect(fake.requests).toHaveLength(before);
      expect(logB.lines().some((l) => l.breaker === "open" && l.source === "another instance")).toBe(true);
      expect(await redisA.exists("cs-mcp:breaker:open:sendgrid")).toBe(1);

      // A's probe succeeds after the reset time: A closes, and B with it.
      fake.behave = () => ({ kind: "ok" });
      await waitFor(() => a.breakerState("sendgrid") === "half_open");
      await deliver(a, "ka-probe");
      expect(a.breakerState("sendgrid")).toBe("closed");
      await waitFor(() => b.breakerState("sendgrid") === "closed");
      expect(await redisA.exists("cs-mcp:breaker:open:sendgrid")).toBe(0);
      expect((await deliver(b, "kb-after")).external_id).toBeDefined();
    } finally {
      await Promise.all(open.splice(0).map((r) => r.close()));
      redisA.disconnect();
      redisB.disconnect();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
