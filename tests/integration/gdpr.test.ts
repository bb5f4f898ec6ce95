// GDPR export and erasure on both back ends: the rows found for a client and for a contact (counted here from
// what the test inserted), a dry run that reports exactly what erasure then does and changes nothing, erasure
// that deletes the person's own rows, pseudonymises the records others' figures use, withdraws unsent messages,
// leaves other subjects untouched, and an audit trail that names the subject only by hash.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { systemTools } from "../../src/tools/system/index.ts";
import { subjectHash } from "../../src/services/gdpr.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-09-01T12:00:00.000Z");
const PAT = "Pat.Person@Customer.test"; // stored in mixed case in places: matching is case-insensitive

describe.each(BACKENDS)("GDPR export and erasure on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function world() {
    const k = ++n;
    const a = `cs_1700000000_gdpr_a${k}_${backend}`;
    const b = `cs_1700000000_gdpr_b${k}_${backend}`;
    const pat = PAT.replace("@", `${k}@`);
    const other = `other${k}@customer.test`;
    const prisma = t.db.prisma;
    for (const id of [a, b]) {
      await prisma.account.create({ data: { id, client_name: id, company_name: id, company_key: id, primary_contact_email: id === a ? pat.toLowerCase() : other, primary_contact_name: id === a ? "Pat Person" : "Other One", arr: 1000 } });
    }
    await prisma.contact.createMany({ data: [{ account_id: a, email: pat, name: "Pat Person" }, { account_id: b, email: pat.toUpperCase(), name: "Pat P." }, { account_id: b, email: other, name: "Other One" }] });
    const due = { first_response_due_at: NOW, resolution_due_at: NOW };
    const t1 = await prisma.supportTicket.create({ data: { account_id: a, subject: "Export broken", description: "My name is Pat and the export fails", requester_email: pat, ...due } });
    await prisma.supportTicket.create({ data: { account_id: b, subject: "Other issue", description: "not Pat's", requester_email: other, ...due } });
    await prisma.ticketComment.createMany({ data: [{ ticket_id: t1.id, author: pat, body: "Still broken, call me on 555" }, { ticket_id: t1.id, author: "agent@vendor.test", body: "Looking into it" }] });
    await prisma.surveyResponse.createMany({
      data: [
        { account_id: a, survey_type: "nps", respondent_email: pat, score: 9, reason: "Pat likes it", responded_at: NOW },
        { account_id: b, survey_type: "nps", respondent_email: other, score: 3, reason: "meh", responded_at: NOW },
      ],
    });
    await prisma.feedback.create({ data: { account_id: b, feedback_type: "general", content: "Pat here: love the product", submitter_email: pat, submitter_name: "Pat Person" } });
    await prisma.usageEvent.createMany({ data: [{ account_id: a, user_id: "u1", event: "login", occurred_at: NOW }, { account_id: a, user_id: "u2", event: "login", occurred_at: NOW }] });
    await prisma.outboxMessage.createMany({
      data: [
        { integration: "sendgrid", operation: "sendgrid.send", payload: { to: [{ email: pat }], subject: "hi" }, idempotency_key: `k-pending-${k}`, account_id: b },
        { integration: "sendgrid", operation: "sendgrid.send", payload: { to: [{ email: pat }], subject: "old" }, idempotency_key: `k-sent-${k}`, account_id: b, status: "delivered" },
        { integration: "sendgrid", operation: "sendgrid.send", payload: { to: [{ email: other }], subject: "hi" }, idempotency_key: `k-other-${k}`, account_id: a },
      ],
    });
    // Mentions outside any email column: an attendee list (text[]) and a prepared review (JSON) of account B,
    // and an insight naming both accounts.
    const ebr = await prisma.executiveReview.create({ data: { account_id: b, scheduled_at: NOW, attendees: [other, pat.toUpperCase()], prepared_data: { champion: { email: pat, role: "VP" } } } });
    const insight = await prisma.productInsight.create({ data: { insight_type: "feature_gap", title: "Exports", description: "d", affected_account_ids: [a, b] } });
    return { a, b, pat, other, t1, ebr, insight };
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, systemTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("exports a contact's rows from every table that names them, case-insensitively, with the rows hanging off them", async () => {
    const w = await world();
    const r = await call(p, "export_personal_data", { email: w.pat.toLowerCase() });
    const counts = Object.fromEntries(r.tables.map((x: { table: string; total_rows: number }) => [x.table, x.total_rows]));
    // Two contact rows (A and B), A's account row (primary contact), one ticket and both its comments (child rows),
    // one survey answer, one feedback, two outbox messages naming the address.
    expect(counts).toMatchObject({ contacts: 2, accounts: 1, support_tickets: 1, ticket_comments: 2, survey_responses: 1, feedback: 1, outbox_messages: 2 });
    expect(counts.usage_events).toBeUndefined(); // A's usage is the account's, not the person's
    const ticket = r.tables.find((x: { table: string }) => x.table === "support_tickets").rows[0];
    expect(ticket.description).toBe("My name is Pat and the export fails");
    const audit = await t.db.prisma.auditLog.findFirst({ where: { action: "gdpr_export" }, orderBy: { occurred_at: "desc" } });
    expect(audit!.entity_id).toBe(subjectHash({ kind: "contact", email: w.pat }));
    expect(JSON.stringify(audit)).not.toContain(w.pat.toLowerCase());
  });

  it("exports a client: the account and every row under it, nothing of the other account", async () => {
    const w = await world();
    const r = await call(p, "export_personal_data", { client_id: w.a, max_rows_per_table: 1 });
    const byTable = Object.fromEntries(r.tables.map((x: { table: string }) => [x.table, x]));
    expect(byTable.accounts.total_rows).toBe(1);
    expect(byTable.usage_events).toMatchObject({ total_rows: 2, truncated: true });
    expect(byTable.usage_events.rows).toHaveLength(1);
    expect(byTable.contacts.total_rows).toBe(1);
    expect(byTable.ticket_comments.total_rows).toBe(2);
    expect(byTable.outbox_messages.total_rows).toBe(1);
    expect(byTable.feedback).toBeUndefined(); // the feedback belongs to account B
  });

  it("a contact erasure: dry run counts exactly what erasure does; own rows deleted, records pseudonymised, unsent mail withdrawn", async () => {
    const w = await world();
    const before = await t.db.prisma.supportTicket.count();
    const dry = await call(p, "erase_personal_data", { email: w.pat, confirm: w.pat, dry_run: true });
    expect(dry.dry_run).toBe(true);
    expect(await t.db.prisma.contact.count({ where: { email: { equals: w.pat, mode: "insensitive" } } })).toBe(2); // unchanged
    const real = await call(p, "erase_personal_data", { email: w.pat, confirm: w.pat.toLowerCase() });
    expect(real.tables).toEqual(dry.tables);
    const rows = (table: string, action: string) => real.tables.find((x: { table: string; action: string }) => x.table === table && x.action === action)?.rows;
    expect(rows("contacts", "deleted")).toBe(2);
    expect(rows("support_tickets", "text_erased")).toBe(1);
    expect(rows("support_tickets", "pseudonymised")).toBe(1);
    expect(rows("outbox_messages", "deleted")).toBe(1);
    expect(rows("outbox_messages", "scrubbed")).toBe(1);

    const prisma = t.db.prisma;
    expect(await prisma.supportTicket.count()).toBe(before); // the record stays: SLA and volume figures keep it
    const ticket = await prisma.supportTicket.findUniqueOrThrow({ where: { id: w.t1.id } });
    expect(ticket.requester_email).toMatch(/^erased-[0-9a-f]{16}@erased\.invalid$/);
    expect(ticket.description).toBeNull();
    const comments = await prisma.ticketComment.findMany({ where: { ticket_id: w.t1.id }, orderBy: { body: "asc" } });
    expect(comments.map((c) => c.body)).toEqual(["Looking into it", "[erased at the data subject's request]"]);
    expect(comments.find((c) => c.author !== "agent@vendor.test")!.author).toBe(ticket.requester_email);
    const survey = await prisma.surveyResponse.findFirstOrThrow({ where: { account_id: w.a } });
    expect([survey.respondent_email, survey.reason, survey.score]).toEqual([ticket.requester_email, null, 9]); // the score still counts in NPS
    const fb = await prisma.feedback.findFirstOrThrow({ where: { account_id: w.b } });
    expect([fb.content, fb.submitter_name]).toEqual(["[erased at the data subject's request]", null]);
    const acct = await prisma.account.findUniqueOrThrow({ where: { id: w.a } });
    expect([acct.primary_contact_email, acct.primary_contact_name]).toEqual([ticket.requester_email, null]);
    expect(await prisma.outboxMessage.findUnique({ where: { idempotency_key: `k-pending-${n}` } })).toBeNull();
    expect((await prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: `k-sent-${n}` } })).payload).toEqual({ erased: true });
    const ebr = await prisma.executiveReview.findUniqueOrThrow({ where: { id: w.ebr.id } });
    expect(ebr.attendees).toEqual([w.other, ticket.requester_email]);
    expect(ebr.prepared_data).toEqual({ champion: { email: ticket.requester_email, role: "VP" } });
    // The other person is untouched.
    expect(await prisma.contact.count({ where: { email: w.other } })).toBe(1);
    expect((await prisma.surveyResponse.findFirstOrThrow({ where: { account_id: w.b } })).reason).toBe("meh");
    expect(await prisma.outboxMessage.count({ where: { idempotency_key: `k-other-${n}` } })).toBe(1);
    // Nothing is left that names the person.
    const left = await call(p, "export_personal_data", { email: w.pat });
    expect(left.total_rows).toBe(0);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "gdpr_erasure", entity_id: subjectHash({ kind: "contact", email: w.pat }) } });
    expect(JSON.stringify(audit)).not.toMatch(new RegExp(w.pat, "i"));
  });

  it("matches whole addresses only, and takes the person off a shared batch without withdrawing it from the others", async () => {
    const k = ++n;
    const id = `cs_1700000000_gdpr_s${k}_${backend}`;
    const bob = `bob${k}@x.test`;
    const jimbob = `jim${bob}`; // contains bob's address as a substring
    const prisma = t.db.prisma;
    await prisma.account.create({ data: { id, client_name: id, company_name: id, company_key: id } });
    await prisma.contact.createMany({ data: [{ account_id: id, email: bob }, { account_id: id, email: jimbob }] });
    const batch = (key: string, emails: string[]) => ({
      integration: "sendgrid",
      operation: "sendgrid.send_batch",
      idempotency_key: key,
      payload: { subject: "s", text: "t", recipients: emails.map((email) => ({ email, custom_args: { email_send_id: email } })) },
    });
    await prisma.outboxMessage.createMany({ data: [batch(`jim-carol-${k}`, [jimbob, "carol@x.test"]), batch(`bob-carol-${k}`, ["carol@x.test", bob.toUpperCase()])] });
    const zd = await prisma.outboxMessage.create({ data: { integration: "zendesk", operation: "zendesk.create_ticket", idempotency_key: `zd-${k}`, payload: { subject: "s", body: "b", requester_email: bob } } });
    const ebr = await prisma.executiveReview.create({ data: { account_id: id, scheduled_at: NOW, prepared_data: { champion: { email: jimbob }, sponsor: { email: bob } } } });

    const exported = await call(p, "export_personal_data", { email: bob });
    const outbox = exported.tables.find((x: { table: string }) => x.table === "outbox_messages");
    expect(outbox.total_rows).toBe(2); // bob's batch and the Zendesk ticket, not jimbob's batch
    const exportedBatch = outbox.rows.find((r: { idempotency_key: string }) => r.idempotency_key === `bob-carol-${k}`);
    expect(exportedBatch.payload.recipients).toEqual([{ email: bob.toUpperCase(), custom_args: { email_send_id: bob.toUpperCase() } }]); // not carol's entry

    await call(p, "erase_personal_data", { email: bob, confirm: bob });
    const rows = new Map((await prisma.outboxMessage.findMany({ where: { idempotency_key: { in: [`jim-carol-${k}`, `bob-carol-${k}`, `zd-${k}`] } } })).map((r) => [r.idempotency_key, r]));
    expect((rows.get(`jim-carol-${k}`)!.payload as { recipients: Array<{ email: string }> }).recipients.map((r) => r.email)).toEqual([jimbob, "carol@x.test"]);
    expect((rows.get(`bob-carol-${k}`)!.payload as { recipients: Array<{ email: string }> }).recipients.map((r) => r.email)).toEqual(["carol@x.test"]);
    const zdPayload = rows.get(`zd-${k}`)!.payload as { requester_email: string };
    expect(zdPayload.requester_email).toMatch(/^erased-[0-9a-f]{16}@erased\.invalid$/); // the ticket is still mirrored, without the address
    expect(rows.get(`zd-${k}`)!.id).toBe(zd.id);
    const after = (await prisma.executiveReview.findUniqueOrThrow({ where: { id: ebr.id } })).prepared_data as { champion: { email: string }; sponsor: { email: string } };
    expect(after.champion.email).toBe(jimbob);
    expect(after.sponsor.email).toBe(zdPayload.requester_email);
    expect(await prisma.contact.count({ where: { email: jimbob } })).toBe(1);
  });

  it("a client erasure deletes the account and everything under it, and nothing of another account", async () => {
    const w = await world();
    const prisma = t.db.prisma;
    const bBefore = { tickets: await prisma.supportTicket.count({ where: { account_id: w.b } }), contacts: await prisma.contact.count({ where: { account_id: w.b } }) };
    const r = await call(p, "erase_personal_data", { client_id: w.a, confirm: w.a });
    const deleted = Object.fromEntries(r.tables.filter((x: { action: string }) => x.action === "deleted").map((x: { table: string; rows: number }) => [x.table, x.rows]));
    expect(deleted).toMatchObject({ accounts: 1, contacts: 1, support_tickets: 1, ticket_comments: 2, usage_events: 2, survey_responses: 1, outbox_messages: 1 });
    for (const count of [prisma.account.count({ where: { id: w.a } }), prisma.usageEvent.count({ where: { account_id: w.a } }), prisma.outboxMessage.count({ where: { account_id: w.a } })]) {
      expect(await count).toBe(0);
    }
    expect(await prisma.supportTicket.count({ where: { account_id: w.b } })).toBe(bBefore.tickets);
    // The id becomes this erasure's marker (unique to it, so unique columns holding an id stay unique).
    expect((await prisma.productInsight.findUniqueOrThrow({ where: { id: w.insight.id } })).affected_account_ids).toEqual([expect.stringMatching(/^\[erased [0-9a-f]{8}\]$/), w.b]);
    expect(await prisma.contact.count({ where: { account_id: w.b } })).toBe(bBefore.contacts);
  });

  it("refuses a wrong confirmation, both subjects or neither, and an unknown client — changing nothing", async () => {
    const w = await world();
    const e1 = await callError(p, "erase_personal_data", { client_id: w.a, confirm: w.b });
    expect(e1).toMatchObject({ code: "validation_error", message: "confirm: must repeat the client_id being erased exactly; nothing was erased" });
    const e2 = await callError(p, "erase_personal_data", { client_id: w.a, email: w.pat, confirm: w.a });
    expect(e2.message).toBe("client_id / email: give exactly one of them: client_id for an account, email for a person");
    const e3 = await callError(p, "export_personal_data", {});
    expect(e3.code).toBe("validation_error");
    const e4 = await callError(p, "erase_personal_data", { client_id: "cs_1700000000_nobody", confirm: "cs_1700000000_nobody" });
    expect(e4).toMatchObject({ code: "not_found", message: "client cs_1700000000_nobody was not found" });
    expect(await t.db.prisma.account.count({ where: { id: w.a } })).toBe(1);
  });
});
