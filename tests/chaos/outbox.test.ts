// The durable outbox under outages, on both back ends: every requested side effect arrives exactly once
// after recovery, attempts never exceed the limit, failures are recorded (scrubbed of secrets), an open
// breaker stops claims, and a dispatcher process killed mid-delivery (kill -9) loses and duplicates
// nothing: its row is taken over once the lock passes and the vendor dedupes by idempotency key.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config/load.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { OutboxDispatcher } from "../../src/integrations/outbox-dispatcher.ts";
import { createResilience, type Resilience } from "../../src/integrations/resilience/index.ts";
import { OutboxRepository } from "../../src/repositories/outbox.ts";
import type { OperationRegistry } from "../../src/integrations/types.ts";
import { createOperationRegistry } from "../../src/integrations/registry.ts";
import { startZendeskFake } from "../contract/fakes/zendesk.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import { OutboxAdminService } from "../../src/services/outbox-admin.ts";
import { DependencyFailed, DependencyPending, type DeliveryEffects } from "../../src/integrations/effects/index.ts";
import { BACKENDS, embeddedDataDir, openTestDb, postgresDatabase, type Backend, type TestDb } from "../helpers/databases.ts";
import { serverEnv, CLI } from "../helpers/server.ts";
import { httpHandler, startFakeVendor, type FakeVendor } from "./fake-vendor.ts";

const SETTINGS = {
  SENDGRID_TIMEOUT_MS: "1000",
  INTEGRATION_DEADLINE_MS: "1500",
  INTEGRATION_BREAKER_THRESHOLD: "1000",
  INTEGRATION_BREAKER_RESET_MS: "300",
  OUTBOX_BATCH_SIZE: "20",
  OUTBOX_LOCK_MS: "2000",
  OUTBOX_POLL_MS: "50",
};

async function insertRows(db: Database, keys: string[], maxAttempts = 10): Promise<void> {
  await db.prisma.outboxMessage.createMany({
    data: keys.map((k) => ({ integration: "sendgrid", operation: "test.deliver", payload: { to: `${k}@example.test` }, idempotency_key: k, max_attempts: maxAttempts })),
  });
}

function dispatcherFor(t: TestDb, fake: FakeVendor, resilience: Resilience, registry?: OperationRegistry): OutboxDispatcher {
  return new OutboxDispatcher({
    prisma: t.db.prisma,
    // The fake vendor dedupes by idempotency key, like Zendesk: a delivery taken over from a dead dispatcher is re-sent.
    registry: registry ?? { "test.deliver": { integration: "sendgrid", handler: httpHandler(fake.url, "sendgrid"), idempotent: true } },
    resilience,
    logger: createLogger("silent"),
    config: t.config,
    options: { backoffBaseMs: 20, backoffMaxMs: 100 },
  });
}

/** Runs the dispatcher's batches until `done` holds (bounded). */
async function runUntil(d: OutboxDispatcher, done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await d.runOnce();
    if (await done()) return;
    if (Date.now() > until) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the dispatcher's batches until no row is pending or in flight (bounded). */
async function drain(t: TestDb, d: OutboxDispatcher, timeoutMs = 20_000): Promise<void> {
  const open = () => t.db.prisma.outboxMessage.count({ where: { status: { in: ["pending", "in_flight"] } } });
  await runUntil(d, async () => (await open()) === 0, timeoutMs).catch(async () => {
    throw new Error(`${await open()} deliveries still open`);
  });
}

describe.each(BACKENDS)("outbox dispatcher under outages (%s)", (backend: Backend) => {
  let t: TestDb;
  let fake: FakeVendor;
  let config: Config;

  beforeAll(async () => {
    t = await openTestDb(backend, SETTINGS);
    config = t.config;
    // The fake closes itself after its lifetime (a safety net); it must outlive the whole block on a loaded machine.
    fake = await startFakeVendor({ lifetimeMs: 900_000 });
  });
  afterAll(async () => {
    await fake?.close();
    await t?.cleanup();
  });

  const reset = async () => {
    await t.db.prisma.outboxMessage.deleteMany({});
    fake.requests.length = 0;
    fake.effects.clear();
    fake.behave = () => ({ kind: "ok" });
  };

  it("delivers every side effect exactly once through 500s, 429s with Retry-After and hangs", async () => {
    await reset();
    const keys = Array.from({ length: 12 }, (_, i) => `mixed-${i}`);
    await insertRows(t.db, keys);
    // The first 15 requests fail in the three ways, then the vendor is back.
    fake.behave = (n) =>
      n >= 15 ? { kind: "ok" } : n % 3 === 0 ? { kind: "status", status: 500 } : n % 3 === 1 ? { kind: "status", status: 429, retryAfterSeconds: 1 } : { kind: "hang" };
    const resilience = createResilience(config, createLogger("silent"));
    try {
      await drain(t, dispatcherFor(t, fake, resilience));
    } finally {
      await resilience.close();
    }
    const rows = await t.db.prisma.outboxMessage.findMany({ include: { attempt_log: true } });
    expect(rows.map((r) => r.status)).toEqual(keys.map(() => "delivered"));
    for (const k of keys) expect(fake.effects.get(k)).toBe(1);
    for (const r of rows) {
      expect(r.external_id).toMatch(/^fake_/);
      expect(r.delivered_at).not.toBeNull();
      expect(r.attempts).toBeLessThanOrEqual(r.max_attempts);
      // An attempt row for every request the vendor saw for this key (and one per attempt that timed out
      // before reaching it on a loaded machine), exactly one of them delivered.
      expect(r.attempt_log).toHaveLength(r.attempts);
      expect(r.attempt_log.length).toBeGreaterThanOrEqual(fake.requests.filter((q) => q.key === r.idempotency_key).length);
      expect(r.attempt_log.filter((a) => a.outcome === "delivered")).toHaveLength(1);
    }
    // A 429's Retry-After (1 s) was honoured before the next try of that row.
    const after429 = fake.requests.findIndex((_, n) => n % 3 === 1 && n < 15);
    const k = fake.requests[after429]!.key;
    const next = fake.requests.slice(after429 + 1).find((q) => q.key === k);
    expect(next!.at - fake.requests[after429]!.at).toBeGreaterThanOrEqual(990);
  });

  it("stops at max_attempts against a vendor that stays down, and records each attempt with secrets scrubbed", async () => {
    await reset();
    await insertRows(t.db, ["down-1", "down-2"], 3);
    fake.behave = () => ({ kind: "status", status: 503 });
    const resilience = createResilience(config, createLogger("silent"));
    const port = new URL(fake.url).port;
    try {
      // down-2 goes through a refused connection instead (its error text names a bearer token).
      const registry: OperationRegistry = {
        "test.deliver": {
          integration: "sendgrid",
          handler: (p, ctx) => httpHandler(ctx.idempotencyKey === "down-2" ? "http://127.0.0.1:1" : `http://127.0.0.1:${port}`, "sendgrid")(p, ctx),
        },
      };
      await drain(t, dispatcherFor(t, fake, resilience, registry));
    } finally {
      await resilience.close();
    }
    const rows = await t.db.prisma.outboxMessage.findMany({ include: { attempt_log: true }, orderBy: { idempotency_key: "asc" } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([["failed", 3], ["failed", 3]]);
    expect(fake.requests.filter((q) => q.key === "down-1").length).toBeLessThanOrEqual(3); // never more than the limit
    for (const r of rows) {
      expect(r.attempt_log).toHaveLength(3);
      expect(r.attempt_log.every((a) => a.outcome === "retryable_error" && a.duration_ms >= 0)).toBe(true);
    }
    const refused = rows[1]!;
    expect(refused.last_error).toMatch(/network error/);
    expect(refused.last_error).not.toContain("sk_live_secret_token_123");
    expect(refused.attempt_log.every((a) => !a.error!.includes("sk_live_secret_token_123"))).toBe(true);
  });

  it("delivery effects: a row waits (attempt not counted) for the row it depends on, fails with it, and writes back once", async () => {
    await reset();
    const resilience = createResilience(config, createLogger("silent"));
    const seen: Array<Record<string, unknown>> = [];
    const writeBacks: string[] = [];
    const registry: OperationRegistry = {
      "test.create": { integration: "sendgrid", handler: async () => ({ external_id: "vendor-42" }) },
      "test.follow": { integration: "sendgrid", handler: async (p) => (seen.push(p), { external_id: "f" }) },
    };
    // The follow-up needs the vendor id of its parent; the parent's delivery records it.
    const effects: DeliveryEffects = {
      "test.create": { delivered: async (_tx, row, res) => void writeBacks.push(`${row.idempotency_key}=${res.external_id}`) },
      "test.follow": {
        prepare: async (prisma, row) => {
          const parent = await prisma.outboxMessage.findUnique({ where: { idempotency_key: String(row.payload.parent) } });
          if (parent?.status === "failed") throw new DependencyFailed(`parent ${parent.id} failed`);
          if (parent?.status !== "delivered") throw new DependencyPending("parent not delivered yet", 10);
          return { ...row.payload, vendor_id: parent.external_id };
        },
      },
    };
    await t.db.prisma.outboxMessage.createMany({
      data: [
        { integration: "sendgrid", operation: "test.follow", payload: { parent: "p1" }, idempotency_key: "f1", max_attempts: 2 },
        // p1 is held back until f1 has been tried and told to wait; then it is made due (no timing window).
        { integration: "sendgrid", operation: "test.create", payload: {}, idempotency_key: "p1", next_attempt_at: new Date(Date.now() + 3_600_000) },
        { integration: "sendgrid", operation: "test.follow", payload: { parent: "gone" }, idempotency_key: "f2" },
        { integration: "sendgrid", operation: "test.create", payload: {}, idempotency_key: "gone", status: "failed" },
      ],
    });
    const d = new OutboxDispatcher({ prisma: t.db.prisma, registry, resilience, logger: createLogger("silent"), config: t.config, effects, options: { backoffBaseMs: 20, backoffMaxMs: 100 } });
    const waits = () => t.db.prisma.outboxAttempt.count({ where: { message: { idempotency_key: "f1" }, outcome: "retryable_error" } });
    try {
      await runUntil(d, async () => (await waits()) > 0);
      expect(await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: "p1" } })).toMatchObject({ status: "pending", attempts: 0 });
      await t.db.prisma.outboxMessage.update({ where: { idempotency_key: "p1" }, data: { next_attempt_at: new Date() } });
      await drain(t, d);
    } finally {
      await resilience.close();
    }
    const rows = new Map((await t.db.prisma.outboxMessage.findMany({ include: { attempt_log: true } })).map((r) => [r.idempotency_key, r]));
    // f1 was tried while p1 was still scheduled, waited, and went out with p1's vendor id; its waits did not
    // use up its two attempts.
    expect(rows.get("f1")!.status).toBe("delivered");
    expect(rows.get("f1")!.attempt_log.filter((a) => a.outcome === "retryable_error").length).toBeGreaterThan(0);
    expect(rows.get("f1")!.attempts).toBe(1);
    expect(seen).toEqual([{ parent: "p1", vendor_id: "vendor-42" }]);
    expect(rows.get("f2")!.status).toBe("failed");
    expect(rows.get("f2")!.last_error).toMatch(/parent .* failed/);
    expect(writeBacks).toEqual(["p1=vendor-42"]);
  });

  it("one outbox attempt is one vendor request with the real registry: a 429 is not retried inside the attempt", async () => {
    await reset();
    const zd = await startZendeskFake();
    const config = { ...t.config, ZENDESK_BASE_URL: zd.url, ZENDESK_EMAIL: "agent@acme.test", ZENDESK_API_TOKEN: "zd-test-token" };
    const resilience = createResilience(config, createLogger("silent"));
    try {
      const registry = createOperationRegistry(config, resilience, createLogger("silent"));
      await t.db.prisma.outboxMessage.create({ data: { integration: "zendesk", operation: "zendesk.create_ticket", payload: { subject: "s", body: "b" }, idempotency_key: "zd-429" } });
      zd.failNext({ status: 429, headers: { "retry-after": "1" }, body: { error: "TooManyRequests", description: "Rate limited" } });
      const d = new OutboxDispatcher({ prisma: t.db.prisma, registry, resilience, logger: createLogger("silent"), config, options: { backoffBaseMs: 20, backoffMaxMs: 100 } });
      const before = Date.now();
      await d.runOnce();
      expect(zd.received.filter((r) => r.operationId === "CreateTicket")).toHaveLength(1);
      const row = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: "zd-429" }, include: { attempt_log: true } });
      expect([row.status, row.attempts, row.attempt_log.map((a) => a.outcome)]).toEqual(["pending", 1, ["retryable_error"]]);
      expect(row.next_attempt_at.getTime()).toBeGreaterThanOrEqual(before + 1000); // Retry-After honoured by the outbox
      await t.db.prisma.outboxMessage.update({ where: { id: row.id }, data: { next_attempt_at: new Date(Date.now() - 1) } });
      await d.runOnce();
      const done = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: "zd-429" } });
      expect([done.status, done.attempts]).toEqual(["delivered", 2]);
      expect(zd.received.filter((r) => r.operationId === "CreateTicket")).toHaveLength(2);
    } finally {
      await resilience.close();
      await zd.stop();
    }
  });

  it("marks a 4xx refusal failed at once (permanent_error, no retry)", async () => {
    await reset();
    await insertRows(t.db, ["bad-1"]);
    fake.behave = () => ({ kind: "status", status: 400 });
    // A generous timeout: the test is about a status code, and a loaded machine must not turn it into a timeout.
    const resilience = createResilience({ ...config, SENDGRID_TIMEOUT_MS: 30_000, INTEGRATION_DEADLINE_MS: 30_000 }, createLogger("silent"));
    try {
      await drain(t, dispatcherFor(t, fake, resilience));
    } finally {
      await resilience.close();
    }
    const row = await t.db.prisma.outboxMessage.findFirstOrThrow({ include: { attempt_log: true } });
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(1);
    expect(row.attempt_log.map((a) => a.outcome)).toEqual(["permanent_error"]);
    expect(fake.requests).toHaveLength(1);
  });

  it("claims nothing for a vendor whose breaker is open, and delivers after the half-open probe", async () => {
    await reset();
    await insertRows(t.db, ["brk-1", "brk-2", "brk-3", "brk-4"]);
    const resilience = createResilience({ ...config, INTEGRATION_BREAKER_THRESHOLD: 2 }, createLogger("silent"));
    fake.behave = () => ({ kind: "status", status: 500 });
    const d = dispatcherFor(t, fake, resilience);
    try {
      await d.runOnce();
      expect(resilience.breakerState("sendgrid")).toBe("open");
      const seen = fake.requests.length;
      expect(seen).toBeGreaterThanOrEqual(2);
      expect(await d.runOnce()).toEqual([]); // open: no claim, no request
      expect(fake.requests).toHaveLength(seen);
      const refunded = await t.db.prisma.outboxMessage.findMany({ where: { attempt_log: { none: {} } } });
      expect(refunded.every((r) => r.attempts === 0)).toBe(true); // rows cut off by the breaker kept their budget
      fake.behave = () => ({ kind: "ok" });
      await drain(t, d); // claims nothing until the breaker lets its half-open probe through
    } finally {
      await resilience.close();
    }
    expect(resilience.breakerState("sendgrid")).toBe("closed");
    expect(await t.db.prisma.outboxMessage.count({ where: { status: "delivered" } })).toBe(4);
    for (const k of ["brk-1", "brk-2", "brk-3", "brk-4"]) expect(fake.effects.get(k)).toBe(1);
  });

  it("takes over a row whose dispatcher died mid-delivery once its lock passes; the key makes it a no-op at the vendor", async () => {
    await reset();
    await insertRows(t.db, ["crash-1"]);
    const repo = new OutboxRepository(t.db.prisma);
    // A dispatcher claimed it and the vendor applied it, but the process died before recording it.
    const [claimed] = await repo.claim(["sendgrid"], 10, 3_600_000);
    expect(claimed!.attempts).toBe(1);
    await fetch(`${fake.url}/deliver`, { method: "POST", headers: { "idempotency-key": "crash-1" }, body: "{}" });
    const resilience = createResilience(config, createLogger("silent"));
    const d = dispatcherFor(t, fake, resilience);
    try {
      expect(await d.runOnce()).toEqual([]); // still locked
      // The lock passes (moved into the past rather than waited for: no window for a slow machine to miss).
      await t.db.prisma.outboxMessage.update({ where: { id: claimed!.id }, data: { locked_until: new Date(Date.now() - 1) } });
      const out = await d.runOnce();
      expect(out).toEqual([{ id: claimed!.id, outcome: "delivered" }]);
    } finally {
      await resilience.close();
    }
    expect(fake.effects.get("crash-1")).toBe(1);
    const row = await t.db.prisma.outboxMessage.findFirstOrThrow();
    expect([row.status, row.attempts]).toEqual(["delivered", 2]);
  });

  it("after a dispatcher died mid-request, a SendGrid mail (no idempotency key) is parked as unknown_outcome and sent only on an operator's retry; a Zendesk ticket is taken over", async () => {
    await reset();
    const [sg, zd] = await Promise.all([startSendGridFake(), startZendeskFake()]);
    const config = {
      ...t.config,
      SENDGRID_API_KEY: "SG.test-key",
      SENDGRID_FROM_EMAIL: "cs@example.com",
      SENDGRID_BASE_URL: sg.url,
      ZENDESK_BASE_URL: zd.url,
      ZENDESK_EMAIL: "agent@acme.test",
      ZENDESK_API_TOKEN: "zd-test-token",
      // Generous bounds: the test is about what happens after a death, not about timeouts on a loaded machine.
      SENDGRID_TIMEOUT_MS: 30_000,
      ZENDESK_TIMEOUT_MS: 30_000,
      INTEGRATION_DEADLINE_MS: 30_000,
      OUTBOX_LOCK_MS: 60_000,
    };
    const resilience = createResilience(config, createLogger("silent"));
    const sends = () => sg.received.filter((r) => r.operationId === "SendMail").length;
    const creates = () => zd.received.filter((r) => r.operationId === "CreateTicket").length;
    try {
      const registry = createOperationRegistry(config, resilience, createLogger("silent"));
      const mail = { to: "ana@acme.test", subject: "Renewal", text: "Hello" };
      const ticket = { subject: "Renewal risk", body: "Call the customer" };
      await t.db.prisma.outboxMessage.createMany({
        data: [
          { integration: "sendgrid", operation: "sendgrid.send", payload: mail, idempotency_key: "unk-sg" },
          { integration: "zendesk", operation: "zendesk.create_ticket", payload: ticket, idempotency_key: "unk-zd" },
        ],
      });
      // A dispatcher claims both: the attempt is committed before any request (seen here from another query).
      const claimed = await new OutboxRepository(t.db.prisma).claim(["sendgrid", "zendesk"], 10, 3_600_000);
      expect(claimed).toHaveLength(2);
      const started = await t.db.prisma.outboxMessage.findMany({ orderBy: { idempotency_key: "asc" } });
      expect(started.map((r) => [r.idempotency_key, r.status, r.attempts])).toEqual([["unk-sg", "in_flight", 1], ["unk-zd", "in_flight", 1]]);
      // Its requests reach the vendors, then it dies before recording anything.
      const signal = new AbortController().signal;
      await registry["sendgrid.send"]!.handler(mail, { idempotencyKey: "unk-sg", signal });
      const first = await registry["zendesk.create_ticket"]!.handler(ticket, { idempotencyKey: "unk-zd", signal });
      expect([sends(), creates()]).toEqual([1, 1]);
      // The locks pass (moved into the past rather than waited for).
      await t.db.prisma.outboxMessage.updateMany({ data: { locked_until: new Date(Date.now() - 1) } });

      const d = new OutboxDispatcher({ prisma: t.db.prisma, registry, resilience, logger: createLogger("silent"), config, options: { backoffBaseMs: 20, backoffMaxMs: 100 } });
      const byKey = async (k: string) => t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: k } });
      const zdRow = await byKey("unk-zd");
      // Only the ticket is taken over; Zendesk answers the same key with the first ticket.
      expect(await d.runOnce()).toEqual([{ id: zdRow.id, outcome: "delivered" }]);
      expect(await d.runOnce()).toEqual([]);
      expect(creates()).toBe(2);
      expect(zd.received.filter((r) => r.operationId === "CreateTicket").at(-1)!.headers["idempotency-key"]).toBe("unk-zd");
      expect((await byKey("unk-zd")).external_id).toBe(first.external_id);
      // The mail is not sent again: it may have arrived, and SendGrid would deliver it twice.
      expect(sends()).toBe(1);
      const parked = await byKey("unk-sg");
      expect([parked.status, parked.attempts, parked.locked_until]).toEqual(["unknown_outcome", 1, null]);
      expect(parked.last_error).toMatch(/^outcome unknown: .*no idempotency key.*retry_outbox_delivery/);

      const admin = new OutboxAdminService(t.db.prisma, resilience);
      const listed = await admin.list({ status: "unknown_outcome", limit: 10, offset: 0 });
      expect(listed.deliveries.map((r) => [r.idempotency_key, r.status])).toEqual([["unk-sg", "unknown_outcome"]]);
      expect(listed.counts).toMatchObject({ unknown_outcome: 1, delivered: 1, in_flight: 0, pending: 0 });

      // The operator checked SendGrid and decides to send it: then, and only then, it goes out again.
      const retried = await admin.retry(parked.id);
      expect(retried).toMatchObject({ status: "pending", previous_error: parked.last_error });
      expect(await d.runOnce()).toEqual([{ id: parked.id, outcome: "delivered" }]);
      expect(sends()).toBe(2);
      expect(await byKey("unk-sg")).toMatchObject({ status: "delivered", attempts: 1 });
    } finally {
      await resilience.close();
      await Promise.all([sg.stop(), zd.stop()]);
    }
    expect([...sg.violations, ...zd.violations]).toEqual([]);
  });

  it("a dispatcher process killed with SIGKILL mid-delivery: after a restart the side effect arrives exactly once", async () => {
    await reset();
    const keys = ["kill-1", "kill-2", "kill-3"];
    // The first request is accepted by the vendor and then held: the worker is killed while it waits.
    fake.behave = (n) => (n === 0 ? { kind: "accept_then_hang" } : { kind: "ok" });
    const workerEnv: Record<string, string> = {
      ...SETTINGS,
      OUTBOX_LOCK_MS: "3000",
      SENDGRID_TIMEOUT_MS: "5000",
      INTEGRATION_DEADLINE_MS: "5000",
      OUTBOX_BATCH_SIZE: "1",
      LOG_LEVEL: "info",
      FAKE_VENDOR_URL: fake.url,
    };
    let target: { env: Record<string, string>; open(): Promise<Database>; done(): Promise<void> };
    if (backend === "embedded") {
      const { dir, remove } = embeddedDataDir();
      const cfg = loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" });
      target = { env: { CS_MCP_DATA_DIR: dir }, open: () => openDatabase(cfg, createLogger("silent")), done: async () => remove() };
    } else {
      const { url, drop } = await postgresDatabase();
      const cfg = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" });
      target = { env: { DATABASE_URL: url }, open: () => openDatabase(cfg, createLogger("silent"), { migrate: true }), done: drop };
    }
    let worker: ChildProcess | null = null;
    try {
      let db = await target.open();
      await insertRows(db, keys);
      await db.close(); // the embedded database belongs to one process at a time

      worker = spawnWorker({ ...target.env, ...workerEnv });
      await fake.waitForRequests(1, 60_000);
      const exited = new Promise((r) => worker!.once("exit", r));
      worker.kill("SIGKILL");
      await exited;
      expect(fake.effects.get(fake.requests[0]!.key!)).toBe(1); // the vendor did apply it

      worker = spawnWorker({ ...target.env, ...workerEnv });
      // Everything is delivered: 3 effects, the held one redelivered (same key) after its lock passed.
      await fake.waitForRequests(4, 60_000);
      await waitUntil(() => fake.requests.slice(0, 4).every((q, i) => i === 0 || q.answered), 5_000);
      const stopped = new Promise<number | null>((r) => worker!.once("exit", (code) => r(code)));
      worker.kill("SIGTERM");
      expect(await stopped).toBe(0);
      worker = null;

      db = await target.open();
      try {
        const rows = await db.prisma.outboxMessage.findMany({ orderBy: { idempotency_key: "asc" } });
        expect(rows.map((r) => r.status)).toEqual(["delivered", "delivered", "delivered"]);
        const heldKey = fake.requests[0]!.key!;
        expect(rows.find((r) => r.idempotency_key === heldKey)!.attempts).toBe(2);
        expect(fake.requests.filter((q) => q.key === heldKey)).toHaveLength(2);
      } finally {
        await db.close();
      }
      for (const k of keys) expect(fake.effects.get(k)).toBe(1);
    } finally {
      worker?.kill("SIGKILL");
      await target.done();
    }
  }, 180_000); // two worker start-ups and a lock take-over: generous bounds for a loaded machine
});

function spawnWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", resolve("tests/chaos/fixtures/register.mjs"), CLI, "worker"], {
    env: serverEnv(env),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    if (process.env.DEBUG_WORKER) process.stderr.write(d);
  });
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGKILL" && signal !== "SIGTERM") process.stderr.write(`worker exited ${code}: ${err.slice(-2000)}\n`);
  });
  return child;
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
