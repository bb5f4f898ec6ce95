// automate_newsletters on both back ends: subscriptions from stored contacts (unsubscribes never
// overridden), issues sent only to subscribed addresses (contact-level unsubscribes honoured too) through
// the outbox in batches with a scheduled time, one email_sends row per recipient linked to the newsletter,
// performance from stored sends and SendGrid events, and per-action validation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { communicationTools } from "../../src/tools/communication/index.ts";
import { EmailEventService } from "../../src/services/communication/email-events.ts";
import { EMAIL_EFFECTS } from "../../src/integrations/effects/email.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");

describe.each(BACKENDS)("automate_newsletters on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let bare: ToolPipeline;
  let n = 0;

  beforeAll(async () => {
    t = await openTestDb(backend, { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@vendor.test" });
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
    await db.newsletter.deleteMany({});
    await db.account.deleteMany({});
  });

  async function account(contacts: Array<{ email: string; name?: string; primary?: boolean; unsubscribed?: boolean }>): Promise<string> {
    const slug = `news_${backend}_${String(++n).padStart(3, "0")}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({
      data: {
        id,
        client_name: slug,
        company_name: `News Co ${n}`,
        company_key: slug,
        contacts: { create: contacts.map((c) => ({ email: c.email, name: c.name ?? null, is_primary: c.primary ?? false, unsubscribed_at: c.unsubscribed ? new Date("2026-01-01T00:00:00Z") : null })) },
      },
    });
    return id;
  }

  const create = (over: Record<string, unknown> = {}) =>
    call(p, "automate_newsletters", { action: "create_newsletter", name: "Product news", subject: "News for {{company_name}}", content: "<h1>Hello {{first_name}}</h1>", content_text: "Hello {{first_name}}", ...over });

  it("subscribes contacts, never overrides an unsubscribe, and sends an issue only to subscribed addresses", async () => {
    const a = await account([{ email: "ann@a.test", name: "Ann <A>", primary: true }, { email: "al@a.test", name: "Al" }, { email: "gone@a.test", unsubscribed: true }]);
    const b = await account([{ email: "bo@b.test", name: "Bo", primary: true }, { email: "bea@b.test", name: "Bea" }]);
    const nl = (await create()).newsletter;
    expect(nl).toMatchObject({ status: "draft", subscribers: { subscribed: 0, unsubscribed: 0, suppressed: 0 } });

    const sub = await call(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe", client_ids: [a], recipient_scope: "all", emails: ["bo@b.test", "BEA@b.test"] });
    expect(sub).toMatchObject({ requested: 5, changed: 4, unchanged: 1 });
    expect(sub.skipped).toEqual([{ email: "gone@a.test", reason: "unsubscribed: the address unsubscribed (contacts.unsubscribed_at); an unsubscribe is not overridden" }]);
    // Bea leaves this newsletter; subscribing her again does not override that.
    const unsub = await call(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "unsubscribe", emails: ["bea@b.test"] });
    expect(unsub).toMatchObject({ requested: 1, changed: 1 });
    const resub = await call(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe", emails: ["bea@b.test"] });
    expect(resub).toMatchObject({ changed: 0, skipped: [{ email: "bea@b.test", reason: "unsubscribed from this newsletter; an unsubscribe is not overridden" }] });
    // Al unsubscribes as a contact (e.g. a SendGrid unsubscribe on another email) after subscribing.
    await t.db.prisma.contact.updateMany({ where: { email: "al@a.test" }, data: { unsubscribed_at: new Date("2026-06-01T00:00:00Z") } });

    const list = await call(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "list" });
    expect(list.subscriptions.map((s: { email: string; status: string }) => [s.email, s.status])).toEqual([
      ["al@a.test", "subscribed"],
      ["ann@a.test", "subscribed"],
      ["bea@b.test", "unsubscribed"],
      ["bo@b.test", "subscribed"],
    ]);

    const when = "2026-06-16T08:00:00.000Z";
    const issue = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, scheduled_time: when });
    expect(issue).toMatchObject({ status: "scheduled", sends_recorded: 2, resolution: { subscribed: 3, recipients: 2, skipped: { unsubscribed: 1, duplicate_email: 0 } } });
    const rows = await t.db.prisma.outboxMessage.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.next_attempt_at.toISOString()).toBe(when);
    expect(rows[0]!.idempotency_key).toBe(`newsletter_issue:${issue.issue_id}:batch:1`);
    const payload = rows[0]!.payload as { recipients: Array<{ email: string; substitutions: Record<string, string> }> };
    expect(payload.recipients.map((r) => r.email).sort()).toEqual(["ann@a.test", "bo@b.test"]);
    const ann = payload.recipients.find((r) => r.email === "ann@a.test")!;
    expect(ann.substitutions).toEqual({ subject_line: `News for News Co ${n - 1}`, html_body: "<h1>Hello Ann</h1>", text_body: "Hello Ann" });
    const sends = await t.db.prisma.emailSend.findMany({ where: { newsletter_id: nl.newsletter_id } });
    expect(sends.map((s) => s.email).sort()).toEqual(["ann@a.test", "bo@b.test"]);
    expect(sends.every((s) => s.campaign_id === issue.issue_id && s.status === "queued" && s.outbox_id === rows[0]!.id)).toBe(true);
    expect(await t.db.prisma.newsletter.findUniqueOrThrow({ where: { id: nl.newsletter_id } })).toMatchObject({ status: "scheduled" });

    // The same issue again: nothing new.
    const again = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, scheduled_time: when });
    expect(again).toMatchObject({ replayed: true, issue_id: issue.issue_id, sends_recorded: 2 });
    expect(await t.db.prisma.outboxMessage.count()).toBe(1);

    // Delivery write-back (the effect the dispatcher runs) and SendGrid events → performance.
    await t.db.prisma.$transaction((tx) => EMAIL_EFFECTS["sendgrid.send_batch"]!.delivered!(tx, { id: rows[0]!.id, operation: "sendgrid.send_batch", payload: rows[0]!.payload as Record<string, unknown>, idempotency_key: rows[0]!.idempotency_key }, { external_id: "msg-1", result: { message_ids: ["msg-1"] } }));
    expect(await t.db.prisma.newsletter.findUniqueOrThrow({ where: { id: nl.newsletter_id } })).toMatchObject({ status: "sent" });
    const annSend = sends.find((s) => s.email === "ann@a.test")!;
    const ts = Math.floor(new Date(when).getTime() / 1000) + 30;
    const r = await new EmailEventService(t.db.prisma, () => NOW).ingest([
      { email: "ann@a.test", event: "delivered", timestamp: ts, sg_event_id: "n1", email_send_id: annSend.id },
      { email: "bo@b.test", event: "delivered", timestamp: ts, sg_event_id: "n2", sg_message_id: "msg-1.filter0001" },
      { email: "ann@a.test", event: "open", timestamp: ts + 9, sg_event_id: "n3", email_send_id: annSend.id },
      { email: "bo@b.test", event: "group_unsubscribe", timestamp: ts + 20, sg_event_id: "n4", sg_message_id: "msg-1.filter0001", asm_group_id: 42 },
    ]);
    expect(r).toMatchObject({ stored: 4, subscriptions_unsubscribed: 1, contacts_unsubscribed: 0 });
    const perf = await call(p, "automate_newsletters", { action: "track_performance", newsletter_id: nl.newsletter_id });
    expect(perf.subscribers).toEqual({ subscribed: 2, unsubscribed: 2, suppressed: 1 }); // Al: subscribed, but unsubscribed as a contact
    expect(perf.performance).toMatchObject({ recipients: 2, sent: 2, delivered: 2, opens: 1, unique_opens: 1, unsubscribes: 1 });
    expect(perf.rates).toMatchObject({ delivery_rate: 1, open_rate: 0.5, unsubscribe_rate: 0.5 });
    expect(perf.per_issue).toHaveLength(1);
    // The group unsubscribe left this newsletter only: Bo stays a contact who can receive other email.
    expect((await t.db.prisma.contact.findFirstOrThrow({ where: { email: "bo@b.test" } })).unsubscribed_at).toBeNull();

    const next = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, idempotency_key: "issue-2" });
    expect(next).toMatchObject({ status: "sending", sends_recorded: 1, resolution: { subscribed: 2, recipients: 1 } });
  });

  it("sends a second issue with new content; a replay names the values that made it one", async () => {
    await account([{ email: "cy@c.test", name: "Cy", primary: true }]);
    const nl = (await create()).newsletter;
    await call(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe", emails: ["cy@c.test"] });
    const first = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id });
    expect(first.replayed).toBe(false);

    const replay = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id });
    expect(replay).toMatchObject({ replayed: true, issue_id: first.issue_id, replay_of: { issue_id: first.issue_id, matched_on: ["newsletter_id", "subject", "content", "content_text", "scheduled_time"] } });
    expect(replay.note).toContain("the same newsletter_id, subject, content, content_text and scheduled_time (none: send now)");

    // July's issue: new content is a new issue, queued, and becomes the newsletter's current content.
    const july = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, subject: "July for {{company_name}}", content: "<p>July, {{first_name}}</p>", content_text: "July, {{first_name}}" });
    expect(july).toMatchObject({ replayed: false, status: "sending", sends_recorded: 1 });
    expect(july.issue_id).not.toBe(first.issue_id);
    const row = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { idempotency_key: `newsletter_issue:${july.issue_id}:batch:1` } });
    const sub = (row.payload as { recipients: Array<{ substitutions: Record<string, string> }> }).recipients[0]!.substitutions;
    expect(sub).toEqual({ subject_line: `July for News Co ${n}`, html_body: "<p>July, Cy</p>", text_body: "July, Cy" });
    expect(await t.db.prisma.newsletter.findUniqueOrThrow({ where: { id: nl.newsletter_id } })).toMatchObject({ subject: "July for {{company_name}}", content: "<p>July, {{first_name}}</p>" });
    expect(await t.db.prisma.emailCampaign.count({ where: { newsletter_id: nl.newsletter_id } })).toBe(2);

    // An idempotency_key names one issue: the same key again is a replay naming the key; with other content, a conflict.
    const keyed = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, idempotency_key: "aug-2026", content: "<p>August</p>" });
    const keyedAgain = await call(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, idempotency_key: "aug-2026", content: "<p>August</p>" });
    expect(keyedAgain).toMatchObject({ replayed: true, issue_id: keyed.issue_id, replay_of: { matched_on: ["idempotency_key"] } });
    expect(keyedAgain.note).toContain("the same idempotency_key ('aug-2026')");
    const clash = await callError(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, idempotency_key: "aug-2026", content: "<p>September</p>" });
    expect(clash.code).toBe("conflict");
    expect(clash.message).toContain(`idempotency_key: 'aug-2026' was already used for issue ${keyed.issue_id}`);
    expect(await t.db.prisma.emailCampaign.count({ where: { newsletter_id: nl.newsletter_id } })).toBe(3);
  });

  it("records the issue as not_sent without credentials; validates per action", async () => {
    const a = await account([{ email: "x@a.test", primary: true }]);
    const nl = (await create()).newsletter;
    const none = await callError(p, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id });
    expect(none.message).toBe(`newsletter_id: newsletter ${nl.newsletter_id} has no subscribed address to send to (0 subscribed, 0 of them unsubscribed as contacts)`);
    await call(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe", client_ids: [a] });
    const r = await call(bare, "automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id });
    expect(r).toMatchObject({ status: "not_sent", sends_recorded: 1, delivery: { status: "not_configured", outbox_rows: 0, missing_variables: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"] } });
    expect(await t.db.prisma.outboxMessage.count()).toBe(0);
    expect(await t.db.prisma.newsletter.findUniqueOrThrow({ where: { id: nl.newsletter_id } })).toMatchObject({ status: "draft" });

    const missing = await callError(p, "automate_newsletters", { action: "create_newsletter", name: "X" });
    expect(missing.message).toBe("action 'create_newsletter' needs subject, content (missing)");
    const token = await callError(p, "automate_newsletters", { action: "create_newsletter", name: "X", subject: "Hi", content: "<p>{{nickname}}</p>" });
    expect(token.message).toBe("content: unknown token {{nickname}}");
    const notContact = await callError(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe", emails: ["nobody@z.test"] });
    expect(notContact.message).toBe("emails: nobody@z.test is not a stored contact; subscribers are contacts of accounts");
    const noTargets = await callError(p, "automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe" });
    expect(noTargets.message).toBe("subscription_action 'subscribe' needs emails and/or client_ids");
    expect(await t.db.prisma.newsletter.count()).toBe(1);
  });
});
