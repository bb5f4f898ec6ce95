// The Zendesk mirror of handle_support_ticket, end to end on both back ends: the tool queues the create and
// a comment before anything is delivered; the dispatcher (real registry, real node-zendesk client, the
// contract-checking Zendesk fake on loopback) holds the comment while the create is pending, delivers the
// create, writes the Zendesk id into support_tickets.zendesk_id, and then sends the comment to that
// Zendesk ticket. A failed create fails its followers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { supportTools } from "../../src/tools/support/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createResilience, type Resilience } from "../../src/integrations/resilience/index.ts";
import { createOperationRegistry } from "../../src/integrations/registry.ts";
import { OutboxDispatcher } from "../../src/integrations/outbox-dispatcher.ts";
import { startZendeskFake, type ZendeskFake } from "../contract/fakes/zendesk.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");

describe.each(BACKENDS)("Zendesk mirror of support tickets on %s", (backend) => {
  let t: TestDb;
  let fake: ZendeskFake;
  let p: ToolPipeline;
  let resilience: Resilience;
  let dispatcher: OutboxDispatcher;
  let n = 0;

  async function account() {
    const slug = `zd_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug } });
    return id;
  }
  const outbox = (key: string) => t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: key }, include: { attempt_log: true } });
  /** Makes a waiting row due now (the dispatcher's own clock would get there after the DependencyPending wait). */
  const dueNow = (key: string) => t.db.prisma.outboxMessage.update({ where: { idempotency_key: key }, data: { next_attempt_at: new Date(Date.now() - 1) } });

  beforeAll(async () => {
    fake = await startZendeskFake();
    t = await openTestDb(backend, { ZENDESK_BASE_URL: fake.url, ZENDESK_EMAIL: "agent@acme.test", ZENDESK_API_TOKEN: "zd-test-token" });
    p = pipelineFor(t, supportTools, NOW);
    const logger = createLogger("silent");
    resilience = createResilience(t.config, logger);
    dispatcher = new OutboxDispatcher({ prisma: t.db.prisma, registry: createOperationRegistry(t.config, resilience, logger), resilience, logger, config: t.config });
  });
  afterAll(async () => {
    await resilience?.close();
    await fake?.stop();
    await t?.cleanup();
  });

  it("create then comment queued before delivery: the comment waits, the create writes zendesk_id, the comment lands on that Zendesk ticket", async () => {
    const id = await account();
    const created = await call(p, "handle_support_ticket", { action: "create", client_id: id, subject: "SSO login fails", description: "Users get a 500 after the IdP redirect", priority: "P1", requester_email: "ana@acme.test", tags: ["sso"] });
    const tid = created.ticket.ticket_id as string;
    const createKey = `zendesk:ticket:${tid}:create`;
    expect(created.zendesk).toEqual([{ integration: "zendesk", status: "queued", outbox_id: expect.any(String), idempotency_key: createKey }]);
    // Keep the create out of the first round so that the comment is tried first.
    await t.db.prisma.outboxMessage.update({ where: { idempotency_key: createKey }, data: { next_attempt_at: new Date(Date.now() + 60_000) } });

    const commented = await call(p, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "We are on it", author: "agent@acme.test" });
    const commentKey = `zendesk:ticket:${tid}:comment:${commented.comment.comment_id}`;
    expect(commented.zendesk).toEqual([{ integration: "zendesk", status: "queued", outbox_id: expect.any(String), idempotency_key: commentKey }]);
    expect((await outbox(commentKey)).payload).toEqual({ support_ticket_id: tid, body: "We are on it", public: true });

    // Round 1: only the comment is due; its create is still pending → it waits, the attempt not counted.
    const r1 = await dispatcher.runOnce();
    expect(r1).toEqual([{ id: commented.zendesk[0].outbox_id, outcome: "retryable_error" }]);
    const waiting = await outbox(commentKey);
    expect(waiting).toMatchObject({ status: "pending", attempts: 0 });
    expect(waiting.last_error).toContain(`waiting for the Zendesk create of support ticket ${tid}`);
    expect(fake.received).toHaveLength(0);

    // Round 2: the create goes out (with its idempotency key and our id as external_id) and records the Zendesk id.
    await dueNow(createKey);
    expect(await dispatcher.runOnce()).toEqual([{ id: created.zendesk[0].outbox_id, outcome: "delivered" }]);
    const createReq = fake.received[0]!;
    expect(createReq).toMatchObject({ method: "POST", operationId: "CreateTicket" });
    expect(createReq.headers["idempotency-key"]).toBe(createKey);
    expect(createReq.body).toEqual({
      ticket: { subject: "SSO login fails", comment: { body: "Users get a 500 after the IdP redirect", public: true }, requester: { email: "ana@acme.test" }, priority: "urgent", tags: ["sso"], external_id: tid },
    });
    const zendeskId = [...fake.tickets.keys()][0]!;
    const stored = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } });
    expect(stored.zendesk_id).toBe(String(zendeskId));

    // Round 3: the comment goes to that Zendesk ticket.
    await dueNow(commentKey);
    expect(await dispatcher.runOnce()).toEqual([{ id: commented.zendesk[0].outbox_id, outcome: "delivered" }]);
    const commentReq = fake.received[1]!;
    expect(commentReq).toMatchObject({ method: "PUT", operationId: "UpdateTicket", contractPath: `/api/v2/tickets/${zendeskId}`, body: { ticket: { comment: { body: "We are on it", public: true } } } });
    const delivered = await outbox(commentKey);
    expect(delivered).toMatchObject({ status: "delivered", attempts: 1 });

    // Resolve: a status update, mapped to Zendesk's "solved", on the same ticket.
    const resolved = await call(p, "handle_support_ticket", { action: "resolve", ticket_id: tid, notes: "Fixed in 4.2.1" });
    expect(resolved.zendesk).toHaveLength(1);
    expect(resolved.zendesk[0].idempotency_key).toBe(`zendesk:ticket:${tid}:resolve:2`);
    expect(await dispatcher.runOnce()).toEqual([{ id: resolved.zendesk[0].outbox_id, outcome: "delivered" }]);
    expect(fake.received[2]).toMatchObject({ method: "PUT", contractPath: `/api/v2/tickets/${zendeskId}`, body: { ticket: { status: "solved", comment: { body: "Fixed in 4.2.1", public: true } } } });
    expect(fake.tickets.get(zendeskId)!.status).toBe("solved");
    expect(fake.violations).toEqual([]);
    expect(fake.answerViolations).toEqual([]);
    fake.reset();
  });

  it("an update whose create failed fails too; a change Zendesk does not keep is skipped", async () => {
    const id = await account();
    const created = await call(p, "handle_support_ticket", { action: "create", client_id: id, subject: "Invoice wrong", description: "Charged twice", priority: "P3", category: "billing" });
    const tid = created.ticket.ticket_id as string;
    await t.db.prisma.outboxMessage.update({ where: { idempotency_key: `zendesk:ticket:${tid}:create` }, data: { status: "failed", last_error: "refused" } });
    const skipped = await call(p, "handle_support_ticket", { action: "update", ticket_id: tid, category: "payments" });
    expect(skipped.zendesk).toEqual([{ integration: "zendesk", status: "skipped", reason: "nothing Zendesk keeps changed (the mirror carries subject, priority, status, tags and comments)" }]);
    const updated = await call(p, "handle_support_ticket", { action: "update", ticket_id: tid, status: "pending", priority: "P2" });
    expect(updated.zendesk).toHaveLength(1);
    expect((await outbox(updated.zendesk[0].idempotency_key)).payload).toEqual({ support_ticket_id: tid, status: "pending", priority: "high" });
    await dispatcher.runOnce();
    const row = await outbox(updated.zendesk[0].idempotency_key);
    expect(row.status).toBe("failed");
    expect(row.last_error).toContain(`the Zendesk create of support ticket ${tid} failed`);
    expect(fake.received).toHaveLength(0);
    expect((await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } })).zendesk_id).toBeNull();
  });
});
