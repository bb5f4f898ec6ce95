// activate_onboarding_automation on both back ends: outbox rows whose next_attempt_at is the send time the
// documented rule gives (recomputed here from the plan's due dates), an idempotent second call, superseding on
// milestone completion and on re-activation with other preferences, not_configured without credentials (the
// schedule still stored), and delivery through the dispatcher to the SendGrid and Intercom fakes: the due
// messages arrive, the future ones do not yet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { onboardingTools } from "../../src/tools/onboarding/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";
import { OutboxDispatcher } from "../../src/integrations/outbox-dispatcher.ts";
import { createOperationRegistry } from "../../src/integrations/registry.ts";
import { createResilience } from "../../src/integrations/resilience/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import { startIntercomFake, type IntercomFake } from "../contract/fakes/intercom.ts";
import type { FakeServer } from "../contract/fakes/contract-server.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const HOUR = 3_600_000;
const CREDS = { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@vendor.test", INTERCOM_ACCESS_TOKEN: "ic-test-token" };

/** The rule, written out: reminder at due − before days (hour h), caught up to now if passed while the due date
 * has not; nudge at due + after days (hour h), or now once passed. */
function expectedSchedule(dues: string[], now: Date, before: number, after: number, hour: number) {
  const at = (due: string, days: number) => new Date(Date.parse(`${due}T00:00:00Z`) + days * DAY + hour * HOUR);
  const out: Array<[string, string]> = [["plan:welcome", now.toISOString()]];
  dues.forEach((due, i) => {
    const r = at(due, -before);
    if (r >= now) out.push([`m${i + 1}:milestone_reminder`, r.toISOString()]);
    else if (Date.parse(`${due}T00:00:00Z`) + DAY > now.getTime()) out.push([`m${i + 1}:milestone_reminder`, now.toISOString()]);
    const n = at(due, after);
    out.push([`m${i + 1}:overdue_nudge`, (n >= now ? n : now).toISOString()]);
  });
  return out;
}

const slotKind = (key: string) => key.split(":").slice(2, 4).join(":");

describe.each(BACKENDS)("activate_onboarding_automation on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let bare: ToolPipeline;
  let n = 0;

  async function planFor(over: Record<string, unknown> = {}) {
    const slug = `auto_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, primary_contact_email: `${slug}@cust.test`, primary_contact_name: "Pat", csm_email: "casey@vendor.test", csm_name: "Casey", ...over } });
    const plan = await call(p, "create_onboarding_plan", { client_id: id, customer_goals: ["Go live"], success_criteria: ["Live"], team_size: 5, technical_complexity: "low", timeline_weeks: 2, start_date: "2026-06-15" });
    return { id, plan };
  }

  beforeAll(async () => {
    t = await openTestDb(backend, CREDS);
    p = pipelineFor(t, onboardingTools, NOW);
    bare = pipelineFor({ ...t, config: { ...t.config, SENDGRID_API_KEY: undefined, SENDGRID_FROM_EMAIL: undefined, INTERCOM_ACCESS_TOKEN: undefined } }, onboardingTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("queues welcome, reminders and nudges with next_attempt_at = the rule's send times; a second call queues nothing new", async () => {
    const { id, plan } = await planFor();
    const dues = plan.milestones.map((m: { due_date: string }) => m.due_date);
    expect(dues).toEqual(["2026-06-17", "2026-06-20", "2026-06-22", "2026-06-24", "2026-06-27", "2026-06-29"]);
    const r = await call(p, "activate_onboarding_automation", { client_id: id, plan_id: plan.plan.plan_id });
    const expected = expectedSchedule(dues, NOW, 3, 1, 9);
    // m1's reminder (06-14 09:00) has passed while its due date has not: caught up to now.
    expect(expected.slice(0, 4)).toEqual([["plan:welcome", NOW.toISOString()], ["m1:milestone_reminder", NOW.toISOString()], ["m1:overdue_nudge", "2026-06-18T09:00:00.000Z"], ["m2:milestone_reminder", "2026-06-17T09:00:00.000Z"]]);
    expect(r.scheduled.map((s: { idempotency_key: string; send_at: string }) => [slotKind(s.idempotency_key), s.send_at])).toEqual(expected);
    expect(r.counts).toMatchObject({ scheduled: 13, queued: 13, not_configured: 0, skipped: 0, superseded: 0 });

    const rows = await t.db.prisma.outboxMessage.findMany({ where: { account_id: id } });
    expect(rows).toHaveLength(13);
    const byKey = new Map(rows.map((row) => [row.idempotency_key, row]));
    for (const s of r.scheduled) {
      const row = byKey.get(s.idempotency_key)!;
      expect(row.next_attempt_at.toISOString()).toBe(s.send_at);
      expect(s.delivery).toEqual({ integration: "sendgrid", status: "queued", outbox_id: row.id, idempotency_key: row.idempotency_key, deliver_after: s.send_at });
      expect(row).toMatchObject({ integration: "sendgrid", operation: "sendgrid.send", status: "pending" });
      expect((row.payload as { to: Array<{ email: string }> }).to).toEqual([{ email: `auto_${backend}_${n}@cust.test`, name: "Pat" }]);
    }
    const reminder = byKey.get(r.scheduled[3].idempotency_key)!.payload as { subject: string; text: string; reply_to: { email: string } };
    expect(reminder.subject).toBe("Reminder: Technical setup is due on 2026-06-20");
    expect(reminder.reply_to.email).toBe("casey@vendor.test");
    const stored = await t.db.prisma.onboardingPlan.findUniqueOrThrow({ where: { id: plan.plan.plan_id } });
    expect((stored.automation as { schedule: unknown[]; triggers: string[] }).schedule).toHaveLength(13);

    const again = await call(p, "activate_onboarding_automation", { client_id: id, plan_id: plan.plan.plan_id });
    expect(again.scheduled.map((s: { delivery: { outbox_id: string } }) => s.delivery.outbox_id)).toEqual(r.scheduled.map((s: { delivery: { outbox_id: string } }) => s.delivery.outbox_id));
    expect(again.counts.superseded).toBe(0);
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: id } })).toBe(13);
  });

  it("supersedes on completion and on re-activation with other preferences; never re-sends a delivered message", async () => {
    const { id, plan } = await planFor();
    const planId = plan.plan.plan_id;
    const first = await call(p, "activate_onboarding_automation", { client_id: id, plan_id: planId });
    const done = await call(p, "track_onboarding_progress", { client_id: id, milestone_updates: [{ sequence: 2, status: "completed" }] });
    expect(done.updates.superseded_messages).toBe(2); // m2's reminder and nudge

    // Other preferences: the 11 still-pending rows are superseded and a new schedule is queued without m2.
    const re = await call(p, "activate_onboarding_automation", { client_id: id, plan_id: planId, automation_triggers: ["welcome", "milestone_reminder", "overdue_nudge"], notification_preferences: { reminder_days_before: 2 } });
    expect(re.superseded).toHaveLength(11);
    expect(re.superseded[0].reason).toMatch(/^superseded: automation re-activated at 2026-06-15T12:00:00.000Z with other notification preferences/);
    expect(re.not_scheduled).toEqual([
      { kind: "milestone_reminder", milestone_id: plan.milestones[1].milestone_id, milestone_name: "technical_setup", reason: "milestone Technical setup is completed" },
      { kind: "overdue_nudge", milestone_id: plan.milestones[1].milestone_id, milestone_name: "technical_setup", reason: "milestone Technical setup is completed" },
    ]);
    expect(re.counts).toMatchObject({ scheduled: 11, queued: 11 });
    const pending = await t.db.prisma.outboxMessage.findMany({ where: { account_id: id, status: "pending" } });
    expect(pending.map((x) => x.idempotency_key).sort()).toEqual(re.scheduled.map((s: { idempotency_key: string }) => s.idempotency_key).sort());
    const failed = await t.db.prisma.outboxMessage.findMany({ where: { account_id: id, status: "failed" } });
    expect(failed).toHaveLength(13);
    expect(failed.every((f) => f.last_error?.startsWith("superseded: "))).toBe(true);

    // The new welcome went out; going back to the first preferences does not send a welcome again and brings
    // the first schedule's superseded rows back (same keys, same ids).
    const welcome = re.scheduled.find((s: { kind: string }) => s.kind === "welcome");
    await t.db.prisma.outboxMessage.update({ where: { id: welcome.delivery.outbox_id }, data: { status: "delivered", delivered_at: NOW } });
    const back = await call(p, "activate_onboarding_automation", { client_id: id, plan_id: planId });
    const w = back.scheduled.find((s: { kind: string }) => s.kind === "welcome");
    expect(w.delivery).toEqual({ integration: "sendgrid", status: "skipped", reason: `already delivered at ${NOW.toISOString()} (outbox ${welcome.delivery.outbox_id})` });
    const firstIds = new Map(first.scheduled.map((s: { idempotency_key: string; delivery: { outbox_id: string } }) => [s.idempotency_key, s.delivery.outbox_id]));
    for (const s of back.scheduled.filter((x: { kind: string }) => x.kind !== "welcome")) {
      expect(s.delivery.status).toBe("queued");
      expect(s.delivery.outbox_id).toBe(firstIds.get(s.idempotency_key));
    }
    expect(back.superseded).toHaveLength(10); // the second schedule's pending rows (its welcome was delivered)
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: id, status: "pending" } })).toBe(10);
  });

  it("without credentials reports not_configured with the variables for each message, stores the schedule, queues nothing", async () => {
    const { id, plan } = await planFor();
    const r = await call(bare, "activate_onboarding_automation", { client_id: id, plan_id: plan.plan.plan_id, automation_triggers: ["welcome", "milestone_reminder"] });
    expect(r.scheduled).toHaveLength(7);
    for (const s of r.scheduled) expect(s.delivery).toEqual({ integration: "sendgrid", status: "not_configured", missing_variables: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"] });
    const inApp = await call(bare, "activate_onboarding_automation", { client_id: id, plan_id: plan.plan.plan_id, automation_triggers: ["welcome"], notification_preferences: { channel: "in_app" } });
    expect(inApp.scheduled[0].delivery).toEqual({ integration: "intercom", status: "not_configured", missing_variables: ["INTERCOM_ACCESS_TOKEN"] });
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: id } })).toBe(0);
    const stored = await t.db.prisma.onboardingPlan.findUniqueOrThrow({ where: { id: plan.plan.plan_id } });
    expect(stored.automation).toMatchObject({ integration: "intercom", triggers: ["welcome"], schedule: [{ kind: "welcome", status: "not_configured", send_at: NOW.toISOString() }] });
  });

  it("sends to every contact with all_contacts (one personalization each), leaving unsubscribed contacts out", async () => {
    const { id, plan } = await planFor();
    await t.db.prisma.contact.createMany({ data: [{ account_id: id, email: "b@cust.test" }, { account_id: id, email: "gone@cust.test", unsubscribed_at: NOW }] });
    const r = await call(p, "activate_onboarding_automation", { client_id: id, plan_id: plan.plan.plan_id, automation_triggers: ["welcome"], notification_preferences: { recipients: "all_contacts" } });
    expect(r.recipients).toEqual([`auto_${backend}_${n}@cust.test`, "b@cust.test"]);
    const row = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: r.scheduled[0].delivery.outbox_id } });
    expect(row.operation).toBe("sendgrid.send_batch");
    expect((row.payload as { recipients: Array<{ email: string }> }).recipients.map((x) => x.email)).toEqual([`auto_${backend}_${n}@cust.test`, "b@cust.test"]);
  });

  it("in-app to several contacts: one recipient's delivered welcome does not supersede another's still pending on re-activation", async () => {
    const { id, plan } = await planFor();
    await t.db.prisma.contact.create({ data: { account_id: id, email: "second@cust.test" } });
    const args = { client_id: id, plan_id: plan.plan.plan_id, automation_triggers: ["welcome"], notification_preferences: { channel: "in_app", recipients: "all_contacts" } };
    const first = await call(p, "activate_onboarding_automation", args);
    const ids = first.scheduled.map((x: { delivery: { outbox_id: string } }) => x.delivery.outbox_id);
    expect(ids).toHaveLength(2); // one in-app row per recipient
    // The first recipient's message went out; the second's waits (Intercom rate-limited it).
    await t.db.prisma.outboxMessage.update({ where: { id: ids[0] }, data: { status: "delivered", delivered_at: NOW } });
    const again = await call(p, "activate_onboarding_automation", args);
    expect(again.superseded).toEqual([]);
    const second = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: ids[1] } });
    expect(second.status).toBe("pending");
    expect(again.scheduled.map((x: { delivery: { status: string } }) => x.delivery.status).sort()).toEqual(["queued", "skipped"]);
  });
});

describe.each(BACKENDS)("onboarding messages delivered through the dispatcher (%s)", (backend) => {
  // The dispatcher claims rows whose next_attempt_at has passed by the database clock, so this test's NOW is
  // the real time (a minute ago), pinned once; which messages are due follows from the plan's dates.
  const REAL_NOW = new Date(Date.now() - 60_000);
  const today = new Date(Math.floor(REAL_NOW.getTime() / DAY) * DAY).toISOString().slice(0, 10);
  let t: TestDb;
  let p: ToolPipeline;
  let sendgrid: FakeServer;
  let intercom: IntercomFake;

  beforeAll(async () => {
    sendgrid = await startSendGridFake();
    intercom = await startIntercomFake();
    t = await openTestDb(backend, { ...CREDS, SENDGRID_BASE_URL: sendgrid.url, INTERCOM_BASE_URL: intercom.url });
    p = pipelineFor(t, onboardingTools, REAL_NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
    await sendgrid?.stop();
    await intercom?.stop();
  });

  async function drain() {
    const resilience = createResilience(t.config, createLogger("silent"));
    // One delivery at a time: two in-app messages to a contact Intercom does not know yet, delivered side by
    // side, would each find-or-create the contact (the registry's intercom.send_message has no lock for that).
    const d = new OutboxDispatcher({ prisma: t.db.prisma, registry: createOperationRegistry(t.config, resilience, createLogger("silent")), resilience, logger: createLogger("silent"), config: t.config, options: { concurrency: 1 } });
    try {
      for (let i = 0; i < 20 && (await d.runOnce()).length > 0; i++);
    } finally {
      await resilience.close();
    }
  }

  it("delivers the welcome and the caught-up reminder now, by email and in-app; the later reminders wait", async () => {
    const accounts = [
      { id: `cs_1700000000_deliver_mail_${backend}`, channel: "email", email: "mail@cust.test" },
      { id: `cs_1700000000_deliver_app_${backend}`, channel: "in_app", email: "app@cust.test" },
    ];
    const plans: Record<string, { scheduled: Array<{ kind: string; idempotency_key: string; send_at: string; milestone_sequence: number | null; delivery: { outbox_id: string } }> }> = {};
    for (const a of accounts) {
      await t.db.prisma.account.create({ data: { id: a.id, client_name: a.id, company_name: `Co ${a.channel}`, company_key: a.id, primary_contact_email: a.email } });
      // Milestone 1 is due in 2 days: its reminder (3 days before) is caught up to now; milestone 2 (day 5) is in the future.
      const plan = await call(p, "create_onboarding_plan", { client_id: a.id, customer_goals: ["Go live"], success_criteria: ["Live"], team_size: 5, technical_complexity: "low", timeline_weeks: 2, start_date: today });
      plans[a.channel] = await call(p, "activate_onboarding_automation", { client_id: a.id, plan_id: plan.plan.plan_id, notification_preferences: { channel: a.channel } });
    }
    await drain();

    for (const a of accounts) {
      const r = plans[a.channel]!;
      const due = r.scheduled.filter((s) => Date.parse(s.send_at) <= Date.now());
      expect(due.map((s) => [s.kind, s.milestone_sequence])).toEqual([["welcome", null], ["milestone_reminder", 1]]);
      const rows = await t.db.prisma.outboxMessage.findMany({ where: { account_id: a.id } });
      const statusOf = new Map(rows.map((x) => [x.id, x.status]));
      for (const s of r.scheduled) expect([s.kind, s.milestone_sequence, statusOf.get(s.delivery.outbox_id)]).toEqual([s.kind, s.milestone_sequence, due.includes(s) ? "delivered" : "pending"]);
    }

    const mails = sendgrid.received.filter((x) => x.path === "/v3/mail/send");
    expect(mails).toHaveLength(2);
    expect(sendgrid.violations).toEqual([]);
    const bodies = mails.map((m) => m.body as { subject?: string; personalizations: Array<{ to: Array<{ email: string }> }> });
    expect(bodies.every((b) => b.personalizations[0]!.to[0]!.email === "mail@cust.test")).toBe(true);
    const m1Due = new Date(Date.parse(`${today}T00:00:00Z`) + 2 * DAY).toISOString().slice(0, 10);
    expect(bodies.map((b) => b.subject).sort()).toEqual([`Reminder: Kickoff is due on ${m1Due}`, "Welcome to your onboarding, Co email"]);
    expect(JSON.stringify(mails.map((m) => m.body))).toContain("Welcome to your onboarding, Co email");

    const messages = intercom.received.filter((x) => x.operationId === "createMessage");
    expect(messages).toHaveLength(2);
    expect(intercom.violations).toEqual([]);
    expect(messages.map((m) => (m.body as { body: string }).body.split("\n")[2])).toEqual(
      expect.arrayContaining([expect.stringContaining("Your onboarding plan runs from"), expect.stringContaining('The onboarding milestone "Kickoff" for Co in_app is due on')]),
    );
    expect([...intercom.contacts.values()].map((c) => c.email)).toEqual(["app@cust.test"]);
  });
});
