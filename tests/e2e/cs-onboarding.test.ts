// "Onboard Harbor: set up their plan and in-app reminders", over stdio against the built server:
// register_client → create_onboarding_plan (starting in two weeks) → activate_onboarding_automation with
// Intercom in-app messages. The server's dispatcher delivers the welcome, due now, to the contract-checking
// Intercom fake (contact found or created by email, then the message); each milestone reminder waits in the
// outbox until its send time (due date − reminder_days_before, at send_hour_utc), which the test computes
// from the plan's dates, and none of them reaches Intercom now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/databases.ts";
import { dataOf, startServer, type RunningServer } from "../helpers/server.ts";
import { DAY_MS, addDays, csBackend, utcDay, waitFor, ymd, type CsBackend } from "../helpers/cs-e2e.ts";
import { startIntercomFake, type IntercomFake } from "../contract/fakes/intercom.ts";

const INTERCOM = { INTERCOM_ACCESS_TOKEN: "ic-test-token", OUTBOX_POLL_MS: "100" }; // the token the fake accepts

interface Scheduled {
  kind: string;
  milestone_id: string | null;
  milestone_due_date: string | null;
  send_at: string;
  timing: string;
  operation: string;
  recipients: string[];
  delivery: { status: string; outbox_id: string; deliver_after?: string };
}
interface Delivery {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  external_id: string | null;
}

describe.each(BACKENDS)("onboarding plan with Intercom in-app automation over stdio on %s", (backend) => {
  let b: CsBackend;
  let fake: IntercomFake;
  let server: RunningServer;

  beforeAll(async () => {
    fake = await startIntercomFake();
    b = await csBackend(backend);
    server = await startServer({ ...b.env, ...INTERCOM, INTERCOM_BASE_URL: fake.url });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
    await b?.cleanup();
  });

  it("delivers the welcome in-app now; every milestone reminder waits for its own send time", async () => {
    const clientId = dataOf<{ client_id: string }>(
      await server.call("register_client", { client_name: "Olu Ade", company_name: "Harbor Logistics", primary_contact_email: "olu@harbor.example", primary_contact_name: "Olu Ade", tier: "standard" }),
    ).client_id;
    const start = addDays(utcDay(new Date()), 14);
    const plan = dataOf<{ plan: { plan_id: string; start_date: string; target_date: string }; milestones: Array<{ milestone_id: string; name: string; due_date: string }> }>(
      await server.call("create_onboarding_plan", { client_id: clientId, customer_goals: ["Automate invoice approval"], success_criteria: ["80% of invoices approved in-app"], team_size: 8, technical_complexity: "low", timeline_weeks: 4, start_date: ymd(start) }),
    );
    // The plan runs timeline_weeks from its start; its last milestone lands on the target date.
    expect(plan.plan).toMatchObject({ start_date: ymd(start), target_date: ymd(addDays(start, 28)) });
    expect(plan.milestones.at(-1)!.due_date).toBe(plan.plan.target_date);

    const act = dataOf<{ integration: string; recipients: string[]; scheduled: Scheduled[]; counts: { scheduled: number; queued: number } }>(
      await server.call("activate_onboarding_automation", {
        client_id: clientId,
        plan_id: plan.plan.plan_id,
        automation_triggers: ["welcome", "milestone_reminder"],
        notification_preferences: { channel: "in_app", reminder_days_before: 3, send_hour_utc: 9 },
      }),
    );
    expect(act.integration).toBe("intercom");
    expect(act.recipients).toEqual(["olu@harbor.example"]);
    const welcome = act.scheduled.filter((s) => s.kind === "welcome");
    const reminders = act.scheduled.filter((s) => s.kind === "milestone_reminder");
    expect(welcome).toHaveLength(1);
    expect(welcome[0]).toMatchObject({ timing: "now", operation: "intercom.send_message", delivery: { status: "queued" } });
    // One reminder per milestone, at due date − 3 days, 09:00 UTC: all of them after today.
    const expected = plan.milestones.map((m) => ({ milestone_id: m.milestone_id, send_at: new Date(Date.parse(`${m.due_date}T09:00:00Z`) - 3 * DAY_MS).toISOString() }));
    expect(reminders.map((r) => ({ milestone_id: r.milestone_id, send_at: r.send_at }))).toEqual(expected);
    for (const r of reminders) {
      expect(r).toMatchObject({ timing: "scheduled", delivery: { status: "queued", deliver_after: r.send_at } });
      expect(Date.parse(r.send_at)).toBeGreaterThan(Date.now());
    }
    expect(act.counts).toMatchObject({ scheduled: plan.milestones.length + 1, queued: plan.milestones.length + 1 });

    const delivered = await waitFor(async () => {
      const list = dataOf<{ deliveries: Delivery[] }>(await server.call("list_outbox_deliveries", { integration: "intercom", limit: 100 }));
      const w = list.deliveries.find((d) => d.id === welcome[0]!.delivery.outbox_id);
      return w?.status === "delivered" ? list.deliveries : undefined;
    }, "the welcome delivered");
    // A few more polls of the dispatcher: the reminders stay queued for their send time, never attempted.
    await new Promise((r) => setTimeout(r, 600));
    const after = dataOf<{ deliveries: Delivery[] }>(await server.call("list_outbox_deliveries", { integration: "intercom", limit: 100 })).deliveries;
    expect(after).toHaveLength(delivered.length);
    for (const r of reminders) {
      const row = after.find((d) => d.id === r.delivery.outbox_id)!;
      expect(row).toMatchObject({ status: "pending", attempts: 0, next_attempt_at: r.send_at });
    }

    // Intercom: one contact for the address, one in-app message — the welcome, with the plan's dates.
    expect(fake.violations).toEqual([]);
    expect(fake.answerViolations).toEqual([]);
    expect([...fake.contacts.values()].map((c) => c.email)).toEqual(["olu@harbor.example"]);
    const messages = fake.received.filter((r) => r.operationId === "createMessage");
    expect(messages).toHaveLength(1);
    const msg = messages[0]!.body as { message_type: string; to: { type: string; id: string }; body: string };
    expect(msg.message_type).toBe("in_app");
    expect(msg.to.id).toBe([...fake.contacts.keys()][0]);
    expect(msg.body).toContain(`Your onboarding plan runs from ${plan.plan.start_date} to ${plan.plan.target_date}.`);
    for (const m of plan.milestones) expect(msg.body).toContain(`- ${m.due_date}: `);
    expect(msg.body).toContain("Goals we work towards: Automate invoice approval.");
  });
});
