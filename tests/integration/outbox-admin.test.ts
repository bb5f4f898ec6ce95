// The outbox admin tools on both back ends: listing (filters, pagination, counts, breaker states) and
// retrying a failed delivery; readiness reports each integration's breaker state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { createResilience, type Resilience } from "../../src/integrations/resilience/index.ts";
import { listOutboxDeliveries, retryOutboxDelivery } from "../../src/tools/system/manage-outbox.ts";
import { ToolError } from "../../src/server/errors.ts";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";

describe.each(BACKENDS)("outbox admin (%s)", (backend) => {
  let t: TestDb;
  let services: Services;
  let resilience: Resilience;
  const ctx = () => ({ services, logger: createLogger("silent"), requestId: "r", signal: new AbortController().signal, progress: async () => {} });

  beforeAll(async () => {
    t = await openTestDb(backend, { INTEGRATION_BREAKER_THRESHOLD: "1" });
    resilience = createResilience(t.config, createLogger("silent"));
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), resilience });
    const rows = Array.from({ length: 25 }, (_, i) => ({
      integration: i < 20 ? "sendgrid" : "zendesk",
      operation: i < 20 ? "sendgrid.send" : "zendesk.create_ticket",
      payload: { n: i },
      idempotency_key: `adm-${String(i).padStart(2, "0")}`,
      status: i < 3 ? ("failed" as const) : i < 10 ? ("delivered" as const) : ("pending" as const),
      attempts: i < 3 ? 10 : 1,
      last_error: i < 3 ? "sendgrid answered HTTP 503" : null,
      created_at: new Date(Date.UTC(2025, 0, 1, 0, i)),
    }));
    await t.db.prisma.outboxMessage.createMany({ data: rows });
  });
  afterAll(async () => {
    await resilience?.close();
    await t?.cleanup();
  });

  it("lists by status and integration, newest first, with counts and pagination", async () => {
    const all = await listOutboxDeliveries.handler(listOutboxDeliveries.input.parse({ limit: 10 }), ctx());
    expect(all.data.total).toBe(25);
    expect(all.data.deliveries).toHaveLength(10);
    expect(all.data.deliveries[0]!.idempotency_key).toBe("adm-24");
    expect(all.data.next_offset).toBe(10);
    expect(all.data.counts).toEqual({ pending: 15, in_flight: 0, delivered: 7, failed: 3, unknown_outcome: 0 });
    const last = await listOutboxDeliveries.handler(listOutboxDeliveries.input.parse({ limit: 10, offset: 20 }), ctx());
    expect(last.data.deliveries).toHaveLength(5);
    expect(last.data.next_offset).toBeNull();

    const failed = await listOutboxDeliveries.handler(listOutboxDeliveries.input.parse({ status: "failed", integration: "sendgrid" }), ctx());
    expect(failed.data.deliveries.map((d) => d.idempotency_key)).toEqual(["adm-02", "adm-01", "adm-00"]);
    expect(failed.data.deliveries[0]).toMatchObject({ attempts: 10, last_error: "sendgrid answered HTTP 503" });
    expect(failed.text).toContain("3 deliveries match");
    expect(listOutboxDeliveries.output.safeParse(failed.data).success).toBe(true);
    expect(listOutboxDeliveries.input.safeParse({ limit: 1000 }).success).toBe(false);
  });

  it("retries a failed delivery: pending, due now, fresh attempt budget", async () => {
    const [row] = await t.db.prisma.outboxMessage.findMany({ where: { idempotency_key: "adm-00" } });
    await t.db.prisma.outboxAttempt.create({ data: { message_id: row!.id, outcome: "retryable_error", error: "HTTP 503", duration_ms: 12 } });
    const res = await retryOutboxDelivery.handler({ id: row!.id }, ctx());
    expect(res.data).toMatchObject({ id: row!.id, status: "pending", previous_error: "sendgrid answered HTTP 503", breaker: "closed" });
    expect(res.data.recent_attempts).toHaveLength(1);
    expect(retryOutboxDelivery.output.safeParse(res.data).success).toBe(true);
    const after = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } });
    expect(after.status).toBe("pending");
    expect(after.attempts).toBe(0);
    expect(after.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("lists and retries an unknown_outcome delivery (the operator's decision to re-send)", async () => {
    const row = await t.db.prisma.outboxMessage.create({
      data: { integration: "sendgrid", operation: "sendgrid.send", payload: {}, idempotency_key: "adm-unknown", status: "unknown_outcome", attempts: 1, last_error: "outcome unknown: x" },
    });
    try {
      const listed = await listOutboxDeliveries.handler(listOutboxDeliveries.input.parse({ status: "unknown_outcome" }), ctx());
      expect(listed.data.deliveries.map((d) => [d.id, d.status])).toEqual([[row.id, "unknown_outcome"]]);
      expect(listed.data.counts.unknown_outcome).toBe(1);
      expect(listed.text).toContain("1 unknown outcome");
      expect(listOutboxDeliveries.output.safeParse(listed.data).success).toBe(true);
      const res = await retryOutboxDelivery.handler({ id: row.id }, ctx());
      expect(res.data).toMatchObject({ id: row.id, status: "pending", previous_error: "outcome unknown: x" });
      expect(await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "pending", attempts: 0 });
    } finally {
      await t.db.prisma.outboxMessage.delete({ where: { id: row.id } });
    }
  });

  it("refuses to retry what is not failed, and an unknown id", async () => {
    const delivered = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "delivered" } });
    await expect(retryOutboxDelivery.handler({ id: delivered.id }, ctx())).rejects.toMatchObject({ code: "conflict" });
    await expect(retryOutboxDelivery.handler({ id: "nope" }, ctx())).rejects.toBeInstanceOf(ToolError);
    await expect(retryOutboxDelivery.handler({ id: "nope" }, ctx())).rejects.toMatchObject({ code: "not_found" });
  });

  it("readiness and the listing report each integration's breaker state", async () => {
    await resilience.call("zendesk", async () => {
      throw new (await import("../../src/integrations/types.ts")).VendorError("zendesk", 503, "down");
    }, { retries: 0 }).catch(() => {});
    const ready = await services.health.readiness();
    expect(Object.fromEntries(ready.integrations.map((i) => [i.integration, i.breaker]))).toEqual({
      zendesk: "open",
      intercom: "closed",
      mixpanel: "closed",
      sendgrid: "closed",
    });
    const list = await listOutboxDeliveries.handler(listOutboxDeliveries.input.parse({}), ctx());
    expect(list.data.breakers.zendesk).toBe("open");
    expect(list.text).toContain("zendesk open");
  });
});
