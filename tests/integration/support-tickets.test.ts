// handle_support_ticket on both back ends: SLA targets per priority and the status of each target at its
// boundaries, first response recorded once by a public agent comment, status transitions refused with
// exact errors and nothing changed, escalation rows, and the Zendesk mirror without credentials.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { supportTools } from "../../src/tools/support/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const MIN = 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
// DOMAIN.md targets, written out here independently of the code under test.
const RESOLUTION: Record<string, number> = { P1: 240, P2: 480, P3: 1440, P4: 2880 };
const FIRST_RESPONSE = 15;

describe.each(BACKENDS)("handle_support_ticket on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account() {
    const slug = `sup_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug } });
    return id;
  }
  /** A ticket row written directly, due dates from the DOMAIN targets. */
  async function ticket(accountId: string, over: { priority?: "P1" | "P2" | "P3" | "P4"; created_at?: Date; first_response_at?: Date | null; status?: "open" | "pending" | "in_progress" | "resolved" | "closed"; resolved_at?: Date | null } = {}) {
    const priority = over.priority ?? "P3";
    const created = over.created_at ?? NOW;
    const row = await t.db.prisma.supportTicket.create({
      data: {
        account_id: accountId,
        subject: "Export fails",
        description: "The CSV export times out",
        priority,
        status: over.status ?? "open",
        created_at: created,
        updated_at: created,
        first_response_due_at: new Date(created.getTime() + FIRST_RESPONSE * MIN),
        resolution_due_at: new Date(created.getTime() + RESOLUTION[priority]! * MIN),
        first_response_at: over.first_response_at ?? null,
        resolved_at: over.resolved_at ?? null,
      },
    });
    return row.id;
  }
  const get = async (id: string) => (await call(p, "handle_support_ticket", { action: "get", ticket_id: id })).ticket;

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, supportTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("create stores the SLA due dates of each priority and reports Zendesk as not configured", async () => {
    const id = await account();
    for (const priority of ["P1", "P2", "P3", "P4"] as const) {
      const r = await call(p, "handle_support_ticket", { action: "create", client_id: id, subject: `Outage ${priority}`, description: "Dashboard is down", priority, category: "technical" });
      expect(r.ticket.sla.first_response).toMatchObject({ target_minutes: FIRST_RESPONSE, due_at: new Date(NOW.getTime() + FIRST_RESPONSE * MIN).toISOString(), status: "on_track", minutes_used: 0, minutes_remaining: FIRST_RESPONSE });
      expect(r.ticket.sla.resolution).toMatchObject({ target_minutes: RESOLUTION[priority], due_at: new Date(NOW.getTime() + RESOLUTION[priority]! * MIN).toISOString(), status: "on_track" });
      expect(r.ticket.subject).toEqual({ customer_text: `Outage ${priority}`, source: `ticket ${r.ticket.ticket_id} subject` });
      expect(r.zendesk).toEqual([{ integration: "zendesk", status: "not_configured", missing_variables: ["ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"] }]);
      const row = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: r.ticket.ticket_id } });
      expect(row.resolution_due_at.getTime() - row.created_at.getTime()).toBe(RESOLUTION[priority]! * MIN);
      expect(row.first_response_due_at.getTime() - row.created_at.getTime()).toBe(FIRST_RESPONSE * MIN);
    }
    expect(await t.db.prisma.outboxMessage.count()).toBe(0);
    expect(await t.db.prisma.auditLog.count({ where: { action: "create_ticket" } })).toBeGreaterThanOrEqual(4);
  });

  it("first response status at its boundaries: 80 % used → at_risk, a minute less → on_track; exactly due → at_risk (not yet breached), 1 ms later → breached", async () => {
    const id = await account();
    // 80 % of 15 minutes = 12 minutes.
    const atRisk = await get(await ticket(id, { created_at: ago(12 * MIN) }));
    expect(atRisk.sla.first_response).toMatchObject({ status: "at_risk", minutes_used: 12, minutes_remaining: 3, percent_used: 80 });
    const onTrack = await get(await ticket(id, { created_at: ago(11 * MIN) }));
    expect(onTrack.sla.first_response).toMatchObject({ status: "on_track", minutes_used: 11, minutes_remaining: 4 });
    const atDue = await get(await ticket(id, { created_at: ago(15 * MIN) }));
    expect(atDue.sla.first_response.status).toBe("at_risk");
    const past = await get(await ticket(id, { created_at: ago(15 * MIN + 1) }));
    expect(past.sla.first_response.status).toBe("breached");
  });

  it("a first response exactly at the due time is met, one millisecond later breached", async () => {
    const id = await account();
    const created = ago(60 * MIN);
    const met = await get(await ticket(id, { created_at: created, first_response_at: new Date(created.getTime() + FIRST_RESPONSE * MIN) }));
    expect(met.sla.first_response).toMatchObject({ status: "met", minutes_used: 15, minutes_remaining: 0 });
    const late = await get(await ticket(id, { created_at: created, first_response_at: new Date(created.getTime() + FIRST_RESPONSE * MIN + 1) }));
    expect(late.sla.first_response.status).toBe("breached");
  });

  it("resolution status per priority: 80 % of each target → at_risk, one minute below → on_track; resolved after due → breached", async () => {
    const id = await account();
    for (const priority of ["P1", "P2", "P3", "P4"] as const) {
      const eighty = (RESOLUTION[priority]! * 80) / 100; // 192, 384, 1152, 2304 minutes
      const responded = (c: Date) => new Date(c.getTime() + MIN);
      const c1 = ago(eighty * MIN);
      const r1 = await get(await ticket(id, { priority, created_at: c1, first_response_at: responded(c1) }));
      expect(r1.sla.resolution, priority).toMatchObject({ status: "at_risk", target_minutes: RESOLUTION[priority], minutes_used: eighty, percent_used: 80 });
      const c2 = ago((eighty - 1) * MIN);
      const r2 = await get(await ticket(id, { priority, created_at: c2, first_response_at: responded(c2) }));
      expect(r2.sla.resolution.status, priority).toBe("on_track");
      const c3 = ago((RESOLUTION[priority]! + 10) * MIN);
      const r3 = await get(await ticket(id, { priority, created_at: c3, first_response_at: responded(c3), status: "resolved", resolved_at: new Date(c3.getTime() + (RESOLUTION[priority]! + 1) * MIN) }));
      expect(r3.sla.resolution, priority).toMatchObject({ status: "breached", minutes_remaining: -1 });
    }
  });

  it("a public agent comment sets first_response_at once; internal notes and requester comments do not", async () => {
    const id = await account();
    const tid = await ticket(id, { created_at: ago(5 * MIN) });
    const note = await call(p, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "Looking into logs", is_public: false, author: "ana@vendor.test" });
    expect(note.first_response_recorded).toBe(false);
    const req = await call(p, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "Any news?", author_type: "requester" });
    expect(req.first_response_recorded).toBe(false);
    expect(req.comment.body).toEqual({ customer_text: "Any news?", source: `ticket ${tid} comment ${req.comment.comment_id} (requester)` });
    const first = await call(p, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "We found the cause", author: "ana@vendor.test" });
    expect(first.first_response_recorded).toBe(true);
    expect(first.ticket.first_response_at).toBe(NOW.toISOString());
    expect(first.ticket.sla.first_response).toMatchObject({ status: "met", minutes_used: 5 });

    const later = pipelineFor(t, supportTools, new Date(NOW.getTime() + 30 * MIN));
    const second = await call(later, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "Fix deployed" });
    expect(second.first_response_recorded).toBe(false);
    const row = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } });
    expect(row.first_response_at!.toISOString()).toBe(NOW.toISOString());
    const comments = await t.db.prisma.ticketComment.findMany({ where: { ticket_id: tid }, orderBy: { created_at: "asc" } });
    expect(comments.map((c) => [c.author_type, c.is_public])).toEqual([["agent", false], ["requester", true], ["agent", true], ["agent", true]]);
  });

  it("refuses transitions the lifecycle does not allow, with exact errors, and changes nothing", async () => {
    const id = await account();
    const tid = await ticket(id, { created_at: ago(30 * MIN) });
    const before = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } });

    const close = await callError(p, "handle_support_ticket", { action: "close", ticket_id: tid, notes: "done" });
    expect(close).toMatchObject({ code: "conflict", message: `ticket ${tid} is open; resolve it before closing (action 'resolve')` });
    const toResolved = await callError(p, "handle_support_ticket", { action: "update", ticket_id: tid, status: "resolved" });
    expect(toResolved).toMatchObject({ code: "validation_error", message: "status: use action 'resolve' to make a ticket resolved" });
    const rating = await callError(p, "handle_support_ticket", { action: "update", ticket_id: tid, satisfaction_rating: 5 });
    expect(rating).toMatchObject({ code: "conflict", message: `satisfaction_rating: ticket ${tid} is open; a rating is recorded once the ticket is resolved` });
    const badRating = await callError(p, "handle_support_ticket", { action: "resolve", ticket_id: tid, satisfaction_rating: 6 });
    expect(badRating).toMatchObject({ code: "validation_error", message: "invalid arguments: satisfaction_rating: must be between 1 and 5" });
    const missing = await callError(p, "handle_support_ticket", { action: "comment", ticket_id: tid });
    expect(missing).toMatchObject({ code: "validation_error", message: "action 'comment' needs notes (missing)" });
    const unused = await callError(p, "handle_support_ticket", { action: "get", ticket_id: tid, priority: "P1" });
    expect(unused.message).toBe("action 'get' does not use priority");
    expect(await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } })).toEqual(before);
    expect(await t.db.prisma.ticketComment.count({ where: { ticket_id: tid } })).toBe(0);

    const resolved = await call(p, "handle_support_ticket", { action: "resolve", ticket_id: tid, satisfaction_rating: 4 });
    expect(resolved.ticket).toMatchObject({ status: "resolved", resolved_at: NOW.toISOString(), satisfaction_rating: 4 });
    expect(resolved.ticket.sla.resolution).toMatchObject({ status: "met", minutes_used: 30 });
    const again = await callError(p, "handle_support_ticket", { action: "resolve", ticket_id: tid });
    expect(again).toMatchObject({ code: "conflict", message: `ticket ${tid} is already resolved (at ${NOW.toISOString()})` });

    const closed = await call(p, "handle_support_ticket", { action: "close", ticket_id: tid });
    expect(closed.ticket).toMatchObject({ status: "closed", closed_at: NOW.toISOString() });
    const afterClose = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } });
    const comment = await callError(p, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "one more thing" });
    expect(comment).toMatchObject({ code: "conflict", message: `ticket ${tid} is closed (since ${NOW.toISOString()}); a closed ticket takes no comments` });
    const update = await callError(p, "handle_support_ticket", { action: "update", ticket_id: tid, priority: "P1" });
    expect(update.message).toBe(`ticket ${tid} is closed (since ${NOW.toISOString()}); a closed ticket takes no changes`);
    expect(await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: tid } })).toEqual(afterClose);
    expect(await t.db.prisma.ticketComment.count({ where: { ticket_id: tid } })).toBe(0);
  });

  it("a requester comment reopens a resolved ticket; a priority change re-targets the resolution due time", async () => {
    const id = await account();
    const tid = await ticket(id, { created_at: ago(60 * MIN), first_response_at: ago(55 * MIN), status: "resolved", resolved_at: ago(10 * MIN) });
    const r = await call(p, "handle_support_ticket", { action: "comment", ticket_id: tid, notes: "Still broken", author_type: "requester", author: "pat@cust.test" });
    expect(r.reopened).toBe(true);
    expect(r.ticket).toMatchObject({ status: "open", resolved_at: null });
    const u = await call(p, "handle_support_ticket", { action: "update", ticket_id: tid, priority: "P1" });
    expect(u.changed).toEqual(["priority"]);
    expect(u.ticket.sla.resolution.due_at).toBe(new Date(ago(60 * MIN).getTime() + RESOLUTION.P1! * MIN).toISOString());
  });

  it("escalate writes an escalations row linked to the ticket and marks it escalated; the rule is reported and used as the reason", async () => {
    const id = await account();
    // Created 2 h + 1 ms ago with no first response: the DOMAIN rule (no first response within 2 h) applies.
    const due = await ticket(id, { priority: "P2", created_at: ago(120 * MIN + 1) });
    const atTwoHours = await ticket(id, { priority: "P2", created_at: ago(120 * MIN) });
    expect((await get(atTwoHours)).escalation_rule).toEqual({ should_escalate: false, reasons: [], already_escalated: false });
    const view = await get(due);
    expect(view.escalation_rule).toEqual({ should_escalate: true, reasons: ["no first response within 120 minutes (open 120 minutes)"], already_escalated: false });
    const listed = await call(p, "handle_support_ticket", { action: "list", client_id: id, escalation_due_only: true });
    expect(listed.tickets.map((x: { ticket_id: string }) => x.ticket_id)).toEqual([due]);

    const e = await call(p, "handle_support_ticket", { action: "escalate", ticket_id: due });
    expect(e.escalation).toMatchObject({ severity: "high", status: "open", reason: "Escalation rule: no first response within 120 minutes (open 120 minutes)" });
    const row = await t.db.prisma.escalation.findUniqueOrThrow({ where: { id: e.escalation.escalation_id } });
    expect(row).toMatchObject({ account_id: id, ticket_id: due, severity: "high", status: "open" });
    const stored = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: due } });
    expect(stored).toMatchObject({ escalated: true, escalated_at: NOW });
    expect(e.ticket.escalation_rule).toMatchObject({ should_escalate: false, already_escalated: true });

    const twice = await callError(p, "handle_support_ticket", { action: "escalate", ticket_id: due, notes: "again" });
    expect(twice).toMatchObject({ code: "conflict", message: `ticket ${due} already has an open escalation ${row.id} (since ${NOW.toISOString()})` });
    const noReason = await callError(p, "handle_support_ticket", { action: "escalate", ticket_id: atTwoHours });
    expect(noReason.message).toBe(`notes: escalating ticket ${atTwoHours} needs notes (the reason); the escalation rule does not call for it yet (no first response within 120 minutes or no resolution within 3 days)`);
    const manual = await call(p, "handle_support_ticket", { action: "escalate", ticket_id: atTwoHours, notes: "Customer's CFO called", severity: "critical", owner: "lead@vendor.test" });
    expect(manual.escalation).toMatchObject({ severity: "critical", reason: "Customer's CFO called", owner: "lead@vendor.test", triggered_by_rule: [] });
    expect(await t.db.prisma.escalation.count({ where: { account_id: id } })).toBe(2);
  });
});
