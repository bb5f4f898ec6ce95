// send_personalized_email on both back ends: recipients per targeting mode from stored contacts,
// unsubscribes honoured and duplicates sent once, per-recipient Handlebars rendering (escaped in HTML, not
// in text), unknown tokens refused before any write, batches of at most 1,000 per outbox row, idempotent
// retries, scheduled sends, not-configured recording, delivery through the SendGrid fake with the
// dispatcher and the delivered effect, and SendGrid events (service and `import email_events`) folding
// into the sends, the campaign report and the next send's unsubscribes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { communicationTools } from "../../src/tools/communication/index.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import type { FakeServer } from "../contract/fakes/contract-server.ts";
import { OutboxDispatcher } from "../../src/integrations/outbox-dispatcher.ts";
import { createOperationRegistry } from "../../src/integrations/registry.ts";
import { createResilience } from "../../src/integrations/resilience/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { EmailEventService } from "../../src/services/communication/email-events.ts";
import { runImport } from "../../src/import/run.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const tmp = mkdtempSync(join(tmpdir(), "cs-mcp-email-test-"));
let fake: FakeServer;

beforeAll(async () => {
  fake = await startSendGridFake();
});
afterAll(async () => {
  await fake?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

type Contact = { email: string; name?: string; primary?: boolean; unsubscribed?: boolean };

describe.each(BACKENDS)("send_personalized_email on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let bare: ToolPipeline;
  let n = 0;

  beforeAll(async () => {
    t = await openTestDb(backend, { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@vendor.test", SENDGRID_BASE_URL: fake.url });
    p = pipelineFor(t, communicationTools, NOW);
    bare = pipelineFor({ ...t, config: { ...t.config, SENDGRID_API_KEY: undefined, SENDGRID_FROM_EMAIL: undefined } }, communicationTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  beforeEach(async () => {
    const db = t.db.prisma;
    await db.emailEvent.deleteMany({});
    await db.emailSend.deleteMany({});
    await db.emailCampaign.deleteMany({});
    await db.outboxMessage.deleteMany({});
    await db.segment.deleteMany({});
    await db.account.deleteMany({});
    await db.auditLog.deleteMany({});
    fake.received.length = 0;
  });

  async function account(contacts: Contact[], over: Record<string, unknown> = {}): Promise<string> {
    const slug = `mail_${backend}_${String(++n).padStart(3, "0")}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({
      data: {
        id,
        client_name: slug,
        company_name: `Company ${n}`,
        company_key: slug,
        csm_name: "Casey CSM",
        csm_email: "casey@vendor.test",
        health_score: 70,
        arr: "125000.50",
        ...over,
        contacts: {
          create: contacts.map((c) => ({ email: c.email, name: c.name ?? null, is_primary: c.primary ?? false, unsubscribed_at: c.unsubscribed ? new Date(NOW.getTime() - DAY) : null })),
        },
      },
    });
    return id;
  }

  const counts = async () => ({
    campaigns: await t.db.prisma.emailCampaign.count(),
    sends: await t.db.prisma.emailSend.count(),
    outbox: await t.db.prisma.outboxMessage.count(),
  });

  const base = { campaign_name: "Q3 check-in", subject_line: "{{company_name}}: checking in", body_html: "<p>Hi {{first_name}}</p>", body_text: "Hi {{first_name}}" };

  /** Runs the dispatcher (real registry, real SendGrid client, the fake) until nothing is open. */
  async function drain() {
    const resilience = createResilience(t.config, createLogger("silent"));
    const d = new OutboxDispatcher({ prisma: t.db.prisma, registry: createOperationRegistry(t.config, resilience, createLogger("silent")), resilience, logger: createLogger("silent"), config: t.config, options: { backoffBaseMs: 20, backoffMaxMs: 100 } });
    try {
      const until = Date.now() + 30_000;
      for (;;) {
        await d.runOnce();
        const open = await t.db.prisma.outboxMessage.count({ where: { status: { in: ["pending", "in_flight"] }, next_attempt_at: { lte: new Date(Date.now() + 1000) } } });
        if (open === 0) return;
        if (Date.now() > until) throw new Error(`${open} deliveries still open`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await resilience.close();
    }
  }

  it("resolves recipients per targeting mode: client ids (primary or all contacts), segment by id and name, tier", async () => {
    const a = await account([{ email: "ann@a.test", name: "Ann Alpha", primary: true }, { email: "al@a.test", name: "Al" }], { tier: "enterprise" });
    const b = await account([{ email: "bo@b.test", name: "Bo Beta", primary: true }], { tier: "enterprise" });
    const c = await account([{ email: "cy@c.test", name: "Cy", primary: true }], { tier: "starter" });
    await account([{ email: "old@d.test", primary: true }], { tier: "enterprise", status: "churned" });

    const primary = await call(p, "send_personalized_email", { ...base, target_client_ids: [a, b], idempotency_key: "k1" });
    expect(primary.resolution).toEqual({ accounts: 2, contacts_matched: 2, recipients: 2, skipped: { unsubscribed: 0, duplicate_email: 0, no_contact: 0, churned_accounts_excluded: 0 } });
    const sendsOf = async (campaign: string) => (await t.db.prisma.emailSend.findMany({ where: { campaign_id: campaign }, orderBy: { email: "asc" } })).map((s) => s.email);
    expect(await sendsOf(primary.campaign_id)).toEqual(["ann@a.test", "bo@b.test"]);

    const all = await call(p, "send_personalized_email", { ...base, target_client_ids: [a], recipient_scope: "all", idempotency_key: "k2" });
    expect(await sendsOf(all.campaign_id)).toEqual(["al@a.test", "ann@a.test"]);

    const seg = await t.db.prisma.segment.create({ data: { name: "high_value", segmentation_type: "value", created_at: new Date(NOW.getTime() - DAY), members: { create: [{ account_id: b }, { account_id: c }] } } });
    const bySegId = await call(p, "send_personalized_email", { ...base, target_segment: seg.id, idempotency_key: "k3" });
    expect(bySegId.targeting.segment).toEqual({ id: seg.id, name: "high_value" });
    expect(await sendsOf(bySegId.campaign_id)).toEqual(["bo@b.test", "cy@c.test"]);
    // A name means the newest snapshot of that name.
    const newer = await t.db.prisma.segment.create({ data: { name: "high_value", segmentation_type: "value", created_at: NOW, members: { create: [{ account_id: a }] } } });
    const bySegName = await call(p, "send_personalized_email", { ...base, target_segment: "high_value", idempotency_key: "k4" });
    expect(bySegName.targeting.segment.id).toBe(newer.id);
    expect(await sendsOf(bySegName.campaign_id)).toEqual(["ann@a.test"]);

    const byTier = await call(p, "send_personalized_email", { ...base, target_tier: "enterprise", idempotency_key: "k5" });
    expect(await sendsOf(byTier.campaign_id)).toEqual(["ann@a.test", "bo@b.test"]);
    expect(byTier.resolution.skipped.churned_accounts_excluded).toBe(1);

    // Exactly one targeting mode.
    const e = await callError(p, "send_personalized_email", { ...base, target_tier: "enterprise", target_client_ids: [a] });
    expect(e.message).toBe("targeting: give exactly one of target_client_ids, target_segment, target_tier (given: target_client_ids, target_tier)");
    const none = await callError(p, "send_personalized_email", base);
    expect(none.message).toBe("targeting: one of target_client_ids, target_segment, target_tier is required");
    const unknown = await callError(p, "send_personalized_email", { ...base, target_client_ids: ["cs_1700000000_nobody"] });
    expect(unknown.code).toBe("not_found");
    expect(unknown.message).toContain("cs_1700000000_nobody");
  });

  it("skips unsubscribed addresses (on any account) and duplicates, and says how many and why", async () => {
    const a = await account([{ email: "ok@a.test", name: "Ok", primary: true }, { email: "gone@a.test", unsubscribed: true }, { email: "shared@x.test" }]);
    // The same address on another account: unsubscribed there, so skipped here too.
    const b = await account([{ email: "shared@x.test", primary: true, unsubscribed: true }, { email: "ok2@b.test" }, { email: "dup@x.test" }]);
    const c = await account([{ email: "dup@x.test", primary: true }]);
    const empty = await account([]);
    const r = await call(p, "send_personalized_email", { ...base, target_client_ids: [a, b, c, empty], recipient_scope: "all" });
    expect(r.resolution).toEqual({ accounts: 4, contacts_matched: 7, recipients: 3, skipped: { unsubscribed: 3, duplicate_email: 1, no_contact: 1, churned_accounts_excluded: 0 } });
    expect(r.skipped_sample).toEqual(
      expect.arrayContaining([
        { client_id: a, email: "gone@a.test", reason: "unsubscribed" },
        { client_id: a, email: "shared@x.test", reason: "unsubscribed" },
        { client_id: b, email: "shared@x.test", reason: "unsubscribed" },
        { client_id: c, email: "dup@x.test", reason: "duplicate_email" },
        { client_id: empty, email: null, reason: "no_contact" },
      ]),
    );
    // The first occurrence of a duplicate wins (accounts in client_id order): dup@x.test goes out for b.
    const sends = await t.db.prisma.emailSend.findMany({ where: { campaign_id: r.campaign_id }, orderBy: { email: "asc" } });
    expect(sends.map((s) => [s.email, s.account_id])).toEqual([
      ["dup@x.test", b],
      ["ok2@b.test", b],
      ["ok@a.test", a],
    ]);
  });

  it("renders per recipient: escaped in HTML, not in text or the subject; stored tokens and personalization tokens", async () => {
    const hostile = `<script>alert("x")</script> & Co`;
    const id = await account([{ email: "h@a.test", name: hostile, primary: true }], { company_name: "Acme & Sons", health_score: 42 });
    await t.db.prisma.contract.create({ data: { account_id: id, contract_value: "1000", renewal_date: new Date("2026-09-30T00:00:00Z"), status: "active" } });
    const r = await call(p, "send_personalized_email", {
      campaign_name: "Escaping",
      subject_line: "{{company_name}} renews {{renewal_date}}",
      body_html: "<p>Dear {{contact_name}}, health {{health_score}}, ARR {{arr}} {{currency}}. {{#if csm_name}}Your CSM: {{csm_name}}{{/if}} {{webinar}}</p>",
      body_text: "Dear {{contact_name}}, {{webinar}}",
      personalization_tokens: { webinar: "Tuesday <10am>" },
      target_client_ids: [id],
    });
    expect(r.tokens_used.sort()).toEqual(["arr", "company_name", "contact_name", "csm_name", "currency", "health_score", "renewal_date", "webinar"]);
    const row = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { idempotency_key: `email_campaign:${r.campaign_id}:batch:1` } });
    const payload = row.payload as { subject: string; html: string; text: string; recipients: Array<{ email: string; name: string; substitutions: Record<string, string>; custom_args: Record<string, string> }> };
    expect(payload).toMatchObject({ subject: "{{subject_line}}", html: "{{html_body}}", text: "{{text_body}}" });
    const rec = payload.recipients[0]!;
    expect(rec.substitutions.html_body).toBe(
      "<p>Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co, health 42, ARR 125,000.50 USD. Your CSM: Casey CSM Tuesday &lt;10am&gt;</p>",
    );
    expect(rec.substitutions.text_body).toBe(`Dear ${hostile}, Tuesday <10am>`);
    expect(rec.substitutions.subject_line).toBe("Acme & Sons renews 2026-09-30");
    const send = await t.db.prisma.emailSend.findFirstOrThrow({ where: { campaign_id: r.campaign_id } });
    expect(rec.custom_args).toEqual({ email_send_id: send.id });
    expect(send).toMatchObject({ subject: "Acme & Sons renews 2026-09-30", status: "queued", outbox_id: row.id, email: "h@a.test" });
  });

  it("sends a recipient whose rendered parts exceed SendGrid's 10,000-byte substitution limit as a single mail", async () => {
    const long = "L".repeat(10_500);
    const id = await account([{ email: "short@a.test", name: "Short", primary: true }, { email: "long@a.test", name: long }]);
    const r = await call(p, "send_personalized_email", { ...base, body_html: "<p>{{contact_name}}</p>", body_text: undefined, target_client_ids: [id], recipient_scope: "all" });
    expect(r.delivery.batches.map((b: { recipients: number }) => b.recipients)).toEqual([1]);
    expect(r.delivery.single_sends).toBe(1);
    const single = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { operation: "sendgrid.send" } });
    const longSend = await t.db.prisma.emailSend.findFirstOrThrow({ where: { email: "long@a.test" } });
    expect(single.idempotency_key).toBe(`email_campaign:${r.campaign_id}:send:${longSend.id}`);
    expect(single.payload).toMatchObject({ to: [{ email: "long@a.test" }], html: `<p>${long}</p>`, custom_args: { email_send_id: longSend.id, campaign_id: r.campaign_id } });
    expect(longSend.outbox_id).toBe(single.id);
    await drain();
    expect(fake.violations).toEqual([]);
    expect(await t.db.prisma.emailSend.count({ where: { campaign_id: r.campaign_id, status: "sent" } })).toBe(2);
  });

  it("refuses an unknown token (and unescaped HTML output) before writing anything", async () => {
    const id = await account([{ email: "u@a.test", primary: true }]);
    const before = await counts();
    const e = await callError(p, "send_personalized_email", { ...base, body_html: "<p>Hi {{first_name}}, your {{favourite_color}}</p>", target_client_ids: [id] });
    expect(e.code).toBe("validation_error");
    expect(e.message).toBe("body_html: unknown token {{favourite_color}}");
    const raw = await callError(p, "send_personalized_email", { ...base, body_html: "<p>{{{contact_name}}}</p>", target_client_ids: [id] });
    expect(raw.message).toBe("body_html: {{{contact_name}}} would insert the value without HTML escaping; use {{contact_name}}");
    const shadow = await callError(p, "send_personalized_email", { ...base, personalization_tokens: { first_name: "X" }, target_client_ids: [id] });
    expect(shadow.message).toBe("personalization_tokens.first_name: is a stored token filled per recipient from the database; choose another name for a custom token");
    expect(await counts()).toEqual(before);
    expect(before).toEqual({ campaigns: 0, sends: 0, outbox: 0 });
  });

  it("queues 2,345 recipients as 3 outbox rows of 1,000/1,000/345 with 2,345 sends, once per retry", async () => {
    const contacts = Array.from({ length: 2345 }, (_, i) => ({ email: `user${String(i).padStart(4, "0")}@big.test`, name: `User ${i}`, primary: i === 0 }));
    const id = await account(contacts);
    const args = { ...base, target_client_ids: [id], recipient_scope: "all" };
    const r = await call(p, "send_personalized_email", args);
    expect(r.sends_recorded).toBe(2345);
    expect(r.delivery.batches.map((b: { recipients: number }) => b.recipients)).toEqual([1000, 1000, 345]);
    const rows = await t.db.prisma.outboxMessage.findMany({ orderBy: { idempotency_key: "asc" } });
    expect(rows.map((o) => [o.operation, o.idempotency_key, (o.payload as { recipients: unknown[] }).recipients.length])).toEqual([
      ["sendgrid.send_batch", `email_campaign:${r.campaign_id}:batch:1`, 1000],
      ["sendgrid.send_batch", `email_campaign:${r.campaign_id}:batch:2`, 1000],
      ["sendgrid.send_batch", `email_campaign:${r.campaign_id}:batch:3`, 345],
    ]);
    const perRow = await t.db.prisma.emailSend.groupBy({ by: ["outbox_id"], _count: { _all: true } });
    expect(new Map(perRow.map((g) => [g.outbox_id, g._count._all]))).toEqual(new Map(rows.map((o) => [o.id, (o.payload as { recipients: unknown[] }).recipients.length])));
    expect(await t.db.prisma.emailSend.count({ where: { campaign_id: r.campaign_id, status: "queued" } })).toBe(2345);

    // The same call again (no key: derived from the arguments): the recorded campaign, nothing new.
    const again = await call(p, "send_personalized_email", args);
    expect(again).toMatchObject({ replayed: true, campaign_id: r.campaign_id, sends_recorded: 2345 });
    expect(again.delivery.batches.map((b: { recipients: number; delivery: { outbox_id: string } }) => [b.recipients, b.delivery.outbox_id])).toEqual(rows.map((o) => [(o.payload as { recipients: unknown[] }).recipients.length, o.id]));
    expect(await counts()).toEqual({ campaigns: 1, sends: 2345, outbox: 3 });
    expect(await t.db.prisma.auditLog.count({ where: { action: "send_personalized_email" } })).toBe(1);
  });

  it("schedules: next_attempt_at is the send time, the campaign is scheduled; a client key makes retries no-ops", async () => {
    const id = await account([{ email: "s@a.test", primary: true }]);
    const when = "2026-06-20T09:00:00.000Z";
    const args = { ...base, target_client_ids: [id], scheduled_send_time: when, idempotency_key: "q3-check-in-2026" };
    const r = await call(p, "send_personalized_email", args);
    expect(r.status).toBe("scheduled");
    expect(r.delivery.batches[0].delivery.deliver_after).toBe(when);
    const row = await t.db.prisma.outboxMessage.findFirstOrThrow();
    expect(row.next_attempt_at.toISOString()).toBe(when);
    const c = await t.db.prisma.emailCampaign.findUniqueOrThrow({ where: { id: r.campaign_id } });
    expect(c).toMatchObject({ status: "scheduled", idempotency_key: "key:q3-check-in-2026" });
    expect(c.scheduled_at!.toISOString()).toBe(when);
    expect((await t.db.prisma.emailSend.findFirstOrThrow()).sent_at.toISOString()).toBe(when);
    // Same key, different wording: still the recorded campaign.
    const retry = await call(p, "send_personalized_email", { ...args, subject_line: "changed" });
    expect(retry.replayed).toBe(true);
    expect(await counts()).toEqual({ campaigns: 1, sends: 1, outbox: 1 });

    const past = await callError(p, "send_personalized_email", { ...base, target_client_ids: [id], scheduled_send_time: "2026-06-15T11:59:59Z" });
    expect(past.message).toBe("scheduled_send_time: must be in the future (now is 2026-06-15T12:00:00.000Z)");
    const both = await callError(p, "send_personalized_email", { ...base, target_client_ids: [id], scheduled_send_time: when, send_immediately: true });
    expect(both.message).toBe("send_immediately: true conflicts with scheduled_send_time; give one or the other");
  });

  it("without SendGrid credentials records the campaign and sends as not_sent, queues nothing, names the variables", async () => {
    const id = await account([{ email: "q@a.test", primary: true }]);
    const r = await call(bare, "send_personalized_email", { ...base, target_client_ids: [id] });
    expect(r.status).toBe("not_sent");
    expect(r.delivery).toMatchObject({ status: "not_configured", outbox_rows: 0, missing_variables: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"] });
    expect(await counts()).toEqual({ campaigns: 1, sends: 1, outbox: 0 });
    expect(await t.db.prisma.emailSend.findFirstOrThrow()).toMatchObject({ status: "not_sent", outbox_id: null });
    const report = await call(bare, "send_personalized_email", { campaign_id: r.campaign_id });
    expect(report.performance).toMatchObject({ recipients: 1, not_sent: 1, sent: 0 });
    expect(report.notes.join(" ")).toContain("SENDGRID_API_KEY");
  });

  it("a scheduled campaign honours an unsubscribe made after it was queued: that recipient is taken off the batch, the others get it", async () => {
    const a = await account([{ email: "stay@a.test", name: "Stay", primary: true }]);
    const b = await account([{ email: "leave@b.test", name: "Leave", primary: true }]);
    const r = await call(p, "send_personalized_email", { ...base, target_client_ids: [a, b], scheduled_send_time: "2026-06-20T09:00:00Z" });
    // Days later the contact unsubscribes (an event, or manage_subscriptions), then the send time comes.
    await t.db.prisma.contact.updateMany({ where: { email: "leave@b.test" }, data: { unsubscribed_at: new Date() } });
    await t.db.prisma.outboxMessage.updateMany({ data: { next_attempt_at: new Date(Date.now() - 1000) } });
    await drain();
    const mails = fake.received.filter((q) => q.path === "/v3/mail/send");
    expect(mails).toHaveLength(1);
    const to = (mails[0]!.body as { personalizations: Array<{ to: Array<{ email: string }> }> }).personalizations.map((x) => x.to[0]!.email);
    expect(to).toEqual(["stay@a.test"]);
    const sends = await t.db.prisma.emailSend.findMany({ where: { campaign_id: r.campaign_id }, orderBy: { email: "asc" } });
    expect(sends.map((x) => [x.email, x.status])).toEqual([["leave@b.test", "not_sent"], ["stay@a.test", "sent"]]);

    // When everyone left, nothing is sent and the row fails with the reason.
    const c = await account([{ email: "gone@c.test", name: "Gone", primary: true }]);
    await call(p, "send_personalized_email", { ...base, campaign_name: "later", target_client_ids: [c], scheduled_send_time: "2026-06-21T09:00:00Z" });
    await t.db.prisma.contact.updateMany({ where: { email: "gone@c.test" }, data: { unsubscribed_at: new Date() } });
    await t.db.prisma.outboxMessage.updateMany({ where: { status: "pending" }, data: { next_attempt_at: new Date(Date.now() - 1000) } });
    fake.received.length = 0;
    await drain();
    expect(fake.received.filter((q) => q.path === "/v3/mail/send")).toHaveLength(0);
    const failed = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "failed" } });
    expect(failed.last_error).toMatch(/every recipient unsubscribed after the message was queued \(1\)/);
  });

  it("delivers through SendGrid (fake): rendered, escaped personalizations; the delivered effect marks the sends; events fold in once", async () => {
    const a = await account([{ email: "ann@a.test", name: "<b>Ann</b>", primary: true }]);
    const b = await account([{ email: "bo@b.test", name: "Bo", primary: true }]);
    const r = await call(p, "send_personalized_email", { ...base, body_html: "<p>Hi {{first_name}}</p>", body_text: "Hi {{first_name}}", target_client_ids: [a, b], track_clicks: false });
    await drain();

    const mails = fake.received.filter((q) => q.path === "/v3/mail/send");
    expect(mails).toHaveLength(1);
    expect(fake.violations).toEqual([]);
    const body = mails[0]!.body as { subject: string; content: Array<{ type: string; value: string }>; personalizations: Array<{ to: Array<{ email: string; name?: string }>; substitutions: Record<string, string>; custom_args: Record<string, string> }> };
    expect(body.subject).toBe("{{subject_line}}");
    // The campaign's tracking choice travels with the mail (opens default on, clicks turned off here).
    expect((body as unknown as { tracking_settings: unknown }).tracking_settings).toEqual({ open_tracking: { enable: true }, click_tracking: { enable: false, enable_text: false } });
    expect(body.content).toEqual([
      { type: "text/plain", value: "{{text_body}}" },
      { type: "text/html", value: "{{html_body}}" },
    ]);
    const byEmail = new Map(body.personalizations.map((x) => [x.to[0]!.email, x]));
    expect(byEmail.get("ann@a.test")!.substitutions).toEqual({ "{{subject_line}}": "Company " + (n - 1) + ": checking in", "{{html_body}}": "<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p>", "{{text_body}}": "Hi <b>Ann</b>" });
    const sends = await t.db.prisma.emailSend.findMany({ where: { campaign_id: r.campaign_id }, orderBy: { email: "asc" } });
    expect(byEmail.get("ann@a.test")!.custom_args).toMatchObject({ email_send_id: sends[0]!.id, campaign_id: r.campaign_id });

    const row = await t.db.prisma.outboxMessage.findFirstOrThrow();
    expect(row.status).toBe("delivered");
    expect(row.external_id).toBeTruthy();
    for (const s of sends) expect(s).toMatchObject({ status: "sent", provider_message_id: row.external_id });
    expect((await t.db.prisma.emailCampaign.findUniqueOrThrow({ where: { id: r.campaign_id } })).status).toBe("sent");

    // SendGrid's events: delivered, two opens and a click for Ann (one open redelivered), a bounce for Bo matched by message id.
    const ts = Math.floor(NOW.getTime() / 1000) + 60;
    const ann = sends[0]!;
    const bo = sends[1]!;
    const events = [
      { email: "ann@a.test", timestamp: ts, event: "delivered", sg_event_id: "ev-1", sg_message_id: `${row.external_id}.filter0001`, email_send_id: ann.id },
      { email: "ann@a.test", timestamp: ts + 10, event: "open", sg_event_id: "ev-2", email_send_id: ann.id, useragent: "Mozilla" },
      { email: "ann@a.test", timestamp: ts + 20, event: "open", sg_event_id: "ev-3", email_send_id: ann.id },
      { email: "ann@a.test", timestamp: ts + 20, event: "open", sg_event_id: "ev-3", email_send_id: ann.id },
      { email: "ann@a.test", timestamp: ts + 30, event: "click", sg_event_id: "ev-4", email_send_id: ann.id, url: "https://x.test", category: ["email_campaign"] },
      { email: "bo@b.test", timestamp: ts + 5, event: "bounce", sg_event_id: "ev-5", sg_message_id: `${row.external_id}.filter0002.1.0`, reason: "550 no such user", type: "bounce" },
      { email: "stranger@z.test", timestamp: ts, event: "open", sg_event_id: "ev-6" },
    ];
    const svc = new EmailEventService(t.db.prisma, () => NOW);
    const first = await svc.ingest(events);
    expect(first).toMatchObject({ received: 7, stored: 5, duplicates: 1, unmatched: 1, sends_updated: 2, by_type: { delivered: 1, open: 2, click: 1, bounce: 1 } });
    const second = await svc.ingest(events);
    expect(second).toMatchObject({ stored: 0, duplicates: 6, unmatched: 1, sends_updated: 0 });
    const after = await t.db.prisma.emailSend.findMany({ where: { campaign_id: r.campaign_id }, orderBy: { email: "asc" } });
    expect(after[0]).toMatchObject({ status: "delivered", open_count: 2, click_count: 1 });
    expect(after[0]!.delivered_at!.toISOString()).toBe(new Date(ts * 1000).toISOString());
    expect(after[1]).toMatchObject({ status: "bounced", open_count: 0, click_count: 0 });
    expect(await t.db.prisma.emailEvent.count()).toBe(5);

    const report = await call(p, "send_personalized_email", { campaign_id: r.campaign_id });
    expect(report.performance).toMatchObject({ recipients: 2, sent: 2, delivered: 1, bounced: 1, opens: 2, unique_opens: 1, clicks: 1, unique_clicks: 1, unsubscribes: 0, events: 5 });
    expect(report.rates).toEqual({ delivery_rate: 0.5, bounce_rate: 0.5, open_rate: 1, click_rate: 1, click_to_open_rate: 1, unsubscribe_rate: 0 });
    const badField = await callError(p, "send_personalized_email", { campaign_id: r.campaign_id, campaign_name: "x" });
    expect(badField.message).toBe("campaign_id: reports an existing campaign and takes no other field (given: campaign_name)");
    void bo;
  });

  it("`cs-mcp import email_events` takes SendGrid's JSON array; an unsubscribe stops the next send to that contact", async () => {
    const id = await account([{ email: "keep@a.test", primary: true }, { email: "leave@a.test" }]);
    const first = await call(p, "send_personalized_email", { ...base, target_client_ids: [id], recipient_scope: "all" });
    const leave = await t.db.prisma.emailSend.findFirstOrThrow({ where: { campaign_id: first.campaign_id, email: "leave@a.test" } });
    const ts = Math.floor(NOW.getTime() / 1000);
    const file = join(tmp, `events-${backend}.json`);
    writeFileSync(
      file,
      JSON.stringify([
        { email: "leave@a.test", timestamp: ts, event: "delivered", sg_event_id: "imp-1", email_send_id: leave.id, category: ["email_campaign", "check_in"], pool: { name: "p", id: 1 } },
        { email: "LEAVE@a.test", timestamp: ts + 5, event: "unsubscribe", sg_event_id: "imp-2", email_send_id: leave.id },
        { email: "leave@a.test", timestamp: ts + 6, event: "bogus", sg_event_id: "imp-3" },
      ]),
    );
    const summary = (await runImport(t.db, t.config, { kind: "email_events", file, now: NOW })) as unknown as { created: number; rejected: number; errors: Array<{ line: number; column?: string; reason: string }>; email_events: { contacts_unsubscribed: number; stored: number } };
    expect(summary.created).toBe(2);
    expect(summary.rejected).toBe(1);
    expect(summary.errors[0]).toMatchObject({ line: 3, column: "event" });
    expect(summary.email_events).toMatchObject({ stored: 2, contacts_unsubscribed: 1 });
    const contact = await t.db.prisma.contact.findFirstOrThrow({ where: { email: "leave@a.test" } });
    expect(contact.unsubscribed_at!.toISOString()).toBe(new Date((ts + 5) * 1000).toISOString());
    const stored = await t.db.prisma.emailEvent.findFirstOrThrow({ where: { sg_event_id: "imp-1" } });
    expect(stored.data).toMatchObject({ category: '["email_campaign","check_in"]' });
    // Re-importing changes nothing.
    const again = (await runImport(t.db, t.config, { kind: "email_events", file, now: NOW })) as unknown as { created: number };
    expect(again.created).toBe(0);

    const next = await call(p, "send_personalized_email", { ...base, campaign_name: "Next", target_client_ids: [id], recipient_scope: "all" });
    expect(next.resolution.skipped.unsubscribed).toBe(1);
    expect((await t.db.prisma.emailSend.findMany({ where: { campaign_id: next.campaign_id } })).map((s) => s.email)).toEqual(["keep@a.test"]);
    const report = await call(p, "send_personalized_email", { campaign_id: first.campaign_id });
    expect(report.performance).toMatchObject({ delivered: 1, unsubscribes: 1 });
  });
});
