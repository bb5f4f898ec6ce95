// Long calls beyond scoring and churn (issue 11 §3): forecast_renewals over the portfolio, a
// send_personalized_email campaign and a newsletter issue to thousands of recipients report progress when the caller asked for it
// (only going up, ending at the total), and a cancel that arrives in the middle of their write — after
// rows were already inserted inside the transaction — leaves nothing behind: no forecast, no campaign, no
// send, no outbox message, no audit entry. On both back ends, through the real tool pipeline.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { loadDemo } from "../../src/services/demo/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const CONTACTS_PER_ACCOUNT = 100;

interface Step { progress: number; total: number | undefined; message: string | undefined }

describe.each(BACKENDS)("progress and cancel of forecasts and campaigns (%s)", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let accounts: string[];

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 5, accounts: 30, now: NOW });
    p = pipelineFor(t, ALL_TOOLS, NOW);
    accounts = (await t.db.prisma.account.findMany({ where: { status: { not: "churned" } }, select: { id: true }, orderBy: { id: "asc" } })).map((a) => a.id);
    // Thousands of recipients: CONTACTS_PER_ACCOUNT extra contacts on every account.
    await t.db.prisma.contact.createMany({
      data: accounts.flatMap((id, a) => Array.from({ length: CONTACTS_PER_ACCOUNT }, (_, i) => ({ account_id: id, email: `user${i}.acct${a}@bulk.example`, name: `User ${i}` }))),
    });
  }, 240_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  const count = async (sql: string) => Number((await t.db.query<{ n: number | string }>(sql))[0]!.n);
  const written = async () => ({
    forecasts: await count(`SELECT count(*) AS n FROM renewal_forecasts`),
    campaigns: await count(`SELECT count(*) AS n FROM email_campaigns`),
    sends: await count(`SELECT count(*) AS n FROM email_sends`),
    outbox: await count(`SELECT count(*) AS n FROM outbox_messages`),
    audit: await count(`SELECT count(*) AS n FROM audit_log WHERE action IN ('forecast_renewals', 'send_personalized_email', 'schedule_newsletter')`),
  });

  /** Runs a call that records its progress; `stopWhen` aborts it (synchronously, from inside the notification). */
  async function run(name: string, args: Record<string, unknown>, stopWhen?: (s: Step) => boolean) {
    const steps: Step[] = [];
    const cancel = new AbortController();
    const result = await p.call(name, args, {
      signal: cancel.signal,
      sendProgress: async (progress, total, message) => {
        steps.push({ progress, total, message });
        if (stopWhen?.(steps.at(-1)!)) cancel.abort("cancelled by the client");
      },
    });
    return { result, steps };
  }

  function expectCancelled(result: { content: unknown[] }) {
    const error = JSON.parse((result.content[0] as { text: string }).text).error as { code: string; message: string };
    expect(error.code).toBe("timeout");
    expect(error.message).toMatch(/cancelled.*nothing was changed/);
  }

  function expectRising(steps: Step[], total: number) {
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps[0]!.progress).toBe(0);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.progress).toBeGreaterThanOrEqual(steps[i - 1]!.progress);
    for (const s of steps) expect(s.total).toBe(total);
    expect(steps.at(-1)!.progress).toBe(total);
  }

  const campaign = (name: string) => ({
    campaign_name: name, subject_line: "Hello {{first_name}}", body_text: "Your renewal with {{company_name}} is coming up.",
    target_client_ids: accounts, recipient_scope: "all",
  });

  it("forecast_renewals: a cancel after the forecasts were inserted rolls them back; then progress runs through its steps", async () => {
    const before = await written();
    const stopped = await run("forecast_renewals", { forecast_period_days: 365 }, (s) => s.message?.startsWith("stored") === true);
    expect(stopped.result.isError).toBe(true);
    expectCancelled(stopped.result);
    // It was stopped mid-write: the insert had run (its step was reported), nothing of it stayed.
    expect(stopped.steps.some((s) => s.message?.startsWith("stored"))).toBe(true);
    expect(await written()).toEqual(before);

    const done = await run("forecast_renewals", { forecast_period_days: 365 });
    expect(done.result.isError).toBeFalsy();
    const data = done.result.structuredContent as { totals: { renewals: number }; stored_forecasts: number };
    expect(data.totals.renewals).toBeGreaterThan(5);
    expect(data.stored_forecasts).toBe(data.totals.renewals);
    // Four steps (reading, forecast, stored, done) whose messages name the renewals.
    expectRising(done.steps, 3);
    expect(done.steps.map((s) => s.progress)).toEqual([0, 1, 2, 3]);
    expect(done.steps.at(-1)!.message).toBe(`${data.totals.renewals} renewals forecast`);
    expect((await written()).forecasts).toBe(before.forecasts + data.totals.renewals);
  }, 120_000);

  it("a campaign to thousands: a cancel after the first batch was queued leaves no campaign, send or outbox row; then progress counts the recipients", async () => {
    const preview = await call(p, "send_personalized_email", { ...campaign("Bulk"), preview: true });
    const recipients = preview.resolution.recipients as number;
    expect(recipients).toBeGreaterThanOrEqual(accounts.length * CONTACTS_PER_ACCOUNT);
    expect(recipients).toBeGreaterThan(2000);

    const before = await written();
    const stopped = await run("send_personalized_email", campaign("Bulk"), (s) => s.progress > 0 && s.progress < recipients);
    expect(stopped.result.isError).toBe(true);
    expectCancelled(stopped.result);
    expect(stopped.steps.some((s) => s.progress > 0 && s.progress < recipients)).toBe(true);
    expect(await written()).toEqual(before);

    const done = await run("send_personalized_email", campaign("Bulk"));
    expect(done.result.isError).toBeFalsy();
    const data = done.result.structuredContent as { sends_recorded: number; replayed: boolean };
    expect([data.sends_recorded, data.replayed]).toEqual([recipients, false]);
    expectRising(done.steps, recipients);
    // Progress went through the batches (at most 1,000 recipients each), not only start and end.
    expect(done.steps.filter((s) => s.progress > 0 && s.progress < recipients).length).toBeGreaterThanOrEqual(2);
    const after = await written();
    expect([after.campaigns, after.sends]).toEqual([before.campaigns + 1, before.sends + recipients]);
  }, 120_000);

  it("a newsletter issue to thousands: a cancel after the first batch was queued leaves no issue, send or outbox row; then progress counts the recipients", async () => {
    const created = await call(p, "automate_newsletters", { action: "create_newsletter", name: "Bulk letter", subject: "News for {{company_name}}", content: "<p>Hello {{first_name}}</p>" });
    const newsletterId = (created.newsletter as { newsletter_id: string }).newsletter_id;
    const contacts = await t.db.prisma.contact.findMany({ where: { email: { endsWith: "@bulk.example" } }, select: { account_id: true, email: true } });
    await t.db.prisma.newsletterSubscription.createMany({ data: contacts.map((c) => ({ newsletter_id: newsletterId, account_id: c.account_id, email: c.email })) });
    const recipients = contacts.length;
    expect(recipients).toBeGreaterThan(2000);
    const letter = { action: "schedule_newsletter", newsletter_id: newsletterId };

    const before = await written();
    const stopped = await run("automate_newsletters", letter, (s) => s.progress > 0 && s.progress < recipients);
    expect(stopped.result.isError).toBe(true);
    expectCancelled(stopped.result);
    expect(stopped.steps.some((s) => s.progress > 0 && s.progress < recipients)).toBe(true);
    expect(await written()).toEqual(before);
    expect((await t.db.prisma.newsletter.findUniqueOrThrow({ where: { id: newsletterId } })).status).toBe("draft");

    const done = await run("automate_newsletters", letter);
    expect(done.result.isError).toBeFalsy();
    const data = done.result.structuredContent as { sends_recorded: number; replayed: boolean };
    expect([data.sends_recorded, data.replayed]).toEqual([recipients, false]);
    expectRising(done.steps, recipients);
    expect(done.steps.filter((s) => s.progress > 0 && s.progress < recipients).length).toBeGreaterThanOrEqual(2);
    const after = await written();
    expect([after.campaigns, after.sends, after.audit]).toEqual([before.campaigns + 1, before.sends + recipients, before.audit + 1]);
  }, 120_000);

  it.runIf(backend === "postgres")("PostgreSQL: a cancel stops the statement a forecast and a campaign are blocked in, and stores nothing", async () => {
    const url = t.config.DATABASE_URL;
    if (!url) throw new Error("the PostgreSQL back end has no DATABASE_URL");
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const db = new URL(url).pathname.slice(1);
      const blocked = async () =>
        Number((await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'customer-success-mcp' AND wait_event_type = 'Lock'`, [db])).rows[0].n);
      for (const [name, args] of [["forecast_renewals", { forecast_period_days: 365 }], ["send_personalized_email", campaign("Blocked")]] as const) {
        const before = await written();
        // Every account locked: the inserts' foreign-key checks wait for this transaction; only the cancel ends the wait.
        await holder.query("BEGIN");
        await holder.query("SELECT id FROM accounts FOR UPDATE");
        const cancel = new AbortController();
        const answer = p.call(name, args, { signal: cancel.signal });
        await expect.poll(blocked, { timeout: 60_000, interval: 50 }).toBe(1);
        cancel.abort("cancelled by the client");
        expectCancelled(await answer);
        // The statement was cancelled while the lock is still held.
        expect(await blocked()).toBe(0);
        await holder.query("ROLLBACK");
        expect(await written(), name).toEqual(before);
      }
    } finally {
      await holder.end();
    }
  }, 180_000);
});
