// Retention campaigns on both back ends: steps from type and level, the outreach email through the outbox
// (queued with its idempotency key, or not_configured with the variables and no row), the frequency rule
// at exactly RETENTION_FREQUENCY_DAYS, and the automation over every trigger type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimelineRepository } from "../../src/repositories/timeline.ts";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { RetentionService } from "../../src/services/retention/index.ts";
import { planSteps } from "../../src/services/retention/campaigns.ts";
import { enqueue } from "../../src/integrations/outbox.ts";
import { ToolError } from "../../src/server/errors.ts";
import type { Config } from "../../src/config/load.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
const SENDGRID = { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@vendor.test" };

describe.each(BACKENDS)("retention campaigns on %s", (backend) => {
  let t: TestDb;
  let svc: RetentionService; // SendGrid configured
  let bare: RetentionService; // SendGrid not configured
  let n = 0;

  async function account(over: Record<string, unknown> = {}) {
    const slug = `camp_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({
      data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, primary_contact_email: `${slug}@cust.test`, primary_contact_name: "Pat Contact", csm_name: "Casey CSM", csm_email: "casey@vendor.test", created_at: daysAgo(400), ...over },
    });
    return id;
  }
  const err = (p: Promise<unknown>) => p.then(() => expect.unreachable("expected an error"), (e: unknown) => e as ToolError);

  beforeAll(async () => {
    t = await openTestDb(backend, SENDGRID);
    svc = new RetentionService(t.db.prisma, t.config, () => NOW);
    const unconfigured: Config = { ...t.config, SENDGRID_API_KEY: undefined, SENDGRID_FROM_EMAIL: undefined };
    bare = new RetentionService(t.db.prisma, unconfigured, () => NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("records the campaign with dated steps, timeline and audit, and queues the outreach with its idempotency key", async () => {
    const id = await account();
    const c = await svc.campaigns.execute({ client_id: id, campaign_type: "value_review", intervention_level: "high" });
    // value_review at high pace (×0.5) plus the manager review: days 0, 1, round(2.5)=3, 5, 10.
    const due = (d: number) => new Date(NOW.getTime() + d * DAY).toISOString().slice(0, 10);
    expect(c.steps.map((s) => [s.step, s.action, s.due_date])).toEqual([
      [1, "outreach_email", due(0)],
      [2, "manager_review", due(1)],
      [3, "roi_report", due(3)],
      [4, "value_review_meeting", due(5)],
      [5, "follow_up", due(10)],
    ]);
    expect(c.steps[0]!.status).toBe("queued");
    const key = `retention_campaign:${c.campaign_id}:step:1`;
    expect(c.outreach).toMatchObject({ integration: "sendgrid", status: "queued", idempotency_key: key });

    const p = t.db.prisma;
    const rows = await p.outboxMessage.findMany({ where: { account_id: id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ integration: "sendgrid", operation: "sendgrid.send", idempotency_key: key, status: "pending" });
    const payload = rows[0]!.payload as { to: Array<{ email: string }>; from: { email: string }; reply_to: { email: string } };
    expect(payload.to[0]!.email).toBe(`camp_${backend}_${n}@cust.test`);
    expect(payload.from.email).toBe("cs@vendor.test");
    expect(payload.reply_to.email).toBe("casey@vendor.test");

    const stored = await p.retentionCampaign.findUniqueOrThrow({ where: { id: c.campaign_id } });
    expect(stored).toMatchObject({ account_id: id, campaign_type: "value_review", intervention_level: "high", status: "active" });
    expect((stored.steps as Array<{ status: string }>)[0]!.status).toBe("queued");
    const timeline = await new TimelineRepository(p).events(id, new Date(0), new Date(8.64e15), ["retention_campaign"], 10);
    expect(timeline.total).toBe(1);
    expect(await p.auditLog.count({ where: { entity_id: c.campaign_id, action: "start_retention_campaign" } })).toBe(1);

    // Calling again does not duplicate the email: the same type is refused, and re-queuing the same key is a no-op.
    const e = await err(svc.campaigns.execute({ client_id: id, campaign_type: "value_review", intervention_level: "high" }));
    expect(e.code).toBe("conflict");
    expect(e.message).toContain(c.campaign_id);
    const again = await p.$transaction((tx) => enqueue(tx, t.config, { integration: "sendgrid", operation: "sendgrid.send", payload: {}, idempotency_key: key, account_id: id }));
    expect(again).toMatchObject({ status: "queued", outbox_id: rows[0]!.id });
    expect(await p.outboxMessage.count({ where: { account_id: id } })).toBe(1);
    expect(await p.retentionCampaign.count({ where: { account_id: id } })).toBe(1);
  });

  it("without SendGrid settings reports not_configured with the variables, and writes no outbox row", async () => {
    const id = await account();
    const c = await bare.campaigns.execute({ client_id: id, campaign_type: "re_engagement", intervention_level: "medium" });
    expect(c.outreach).toEqual({ integration: "sendgrid", status: "not_configured", missing_variables: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"] });
    expect(c.steps[0]).toMatchObject({ action: "outreach_email", status: "not_sent" });
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: id } })).toBe(0);
    expect(await t.db.prisma.retentionCampaign.count({ where: { account_id: id } })).toBe(1);
  });

  it("skips the email when the account has no primary contact email", async () => {
    const id = await account({ primary_contact_email: null });
    const c = await svc.campaigns.execute({ client_id: id, campaign_type: "training_offer", intervention_level: "low" });
    expect(c.outreach).toMatchObject({ status: "skipped" });
    expect(c.steps.map((s) => s.due_date)).toEqual(planSteps("training_offer", "low", NOW).map((s) => s.due_date));
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: id } })).toBe(0);
  });

  it("applies the frequency rule at exactly RETENTION_FREQUENCY_DAYS: 7 days ago is allowed, a minute later is not", async () => {
    expect(t.config.RETENTION_FREQUENCY_DAYS).toBe(7);
    const p = t.db.prisma;
    const atSeven = await account();
    await p.retentionCampaign.create({ data: { account_id: atSeven, campaign_type: "re_engagement", intervention_level: "medium", started_at: daysAgo(7) } });
    const ok = await svc.campaigns.execute({ client_id: atSeven, campaign_type: "re_engagement", intervention_level: "medium" });
    expect(ok.campaign_id).toBeTruthy();

    const inside = await account();
    const existing = await p.retentionCampaign.create({ data: { account_id: inside, campaign_type: "re_engagement", intervention_level: "medium", started_at: new Date(daysAgo(7).getTime() + 60_000) } });
    const e = await err(svc.campaigns.execute({ client_id: inside, campaign_type: "re_engagement", intervention_level: "critical" }));
    expect(e.code).toBe("conflict");
    expect(e.message).toContain(existing.id);
    expect(e.details).toMatchObject({ campaign_id: existing.id });
    expect(e.message).toContain("at most one campaign of any type per account within RETENTION_FREQUENCY_DAYS (7 days)");
    // One campaign per account per window, as documented: another type is refused too, and so is one after a
    // cancelled campaign (its outreach already reached the customer). Nothing is written.
    const other = await err(svc.campaigns.execute({ client_id: inside, campaign_type: "executive_outreach", intervention_level: "high" }));
    expect(other.code).toBe("conflict");
    expect(other.details).toMatchObject({ campaign_id: existing.id });
    const cancelled = await account();
    const gone = await p.retentionCampaign.create({ data: { account_id: cancelled, campaign_type: "discount_offer", intervention_level: "low", status: "cancelled", started_at: daysAgo(1) } });
    const again = await err(svc.campaigns.execute({ client_id: cancelled, campaign_type: "value_review", intervention_level: "low" }));
    expect(again.details).toMatchObject({ campaign_id: gone.id });
    expect(await p.retentionCampaign.count({ where: { account_id: { in: [inside, cancelled] } } })).toBe(2);
  });

  it("refuses unknown and churned accounts", async () => {
    expect((await err(svc.campaigns.execute({ client_id: "cs_1_nobody", campaign_type: "re_engagement", intervention_level: "low" }))).code).toBe("not_found");
    const churned = await account({ status: "churned", lifecycle_stage: "churned" });
    expect((await err(svc.campaigns.execute({ client_id: churned, campaign_type: "re_engagement", intervention_level: "low" }))).code).toBe("validation_error");
  });

  it("automates health_below: matches under the threshold, skips accounts with a recent campaign, dry run changes nothing", async () => {
    const p = t.db.prisma;
    const h30 = await account({ health_score: 30 });
    const h55 = await account({ health_score: 55 });
    const h59 = await account({ health_score: 59 });
    await account({ health_score: 60 });
    await account({ health_score: 80 });
    await account({ health_score: 20, status: "churned" });
    const recent = await p.retentionCampaign.create({ data: { account_id: h55, campaign_type: "value_review", intervention_level: "low", started_at: daysAgo(3) } });
    await p.retentionCampaign.create({ data: { account_id: h59, campaign_type: "re_engagement", intervention_level: "low", started_at: daysAgo(7) } });
    const template = { campaign_type: "re_engagement" as const, intervention_level: "high" as const };

    const dry = await svc.campaigns.automate({ trigger_type: "health_below", campaign_template: template, dry_run: true, max_accounts: 100 });
    expect(dry.threshold).toBe(60);
    expect(dry.matched).toBe(3);
    expect(dry.started.map((s) => [s.client_id, s.trigger_value, s.campaign_id])).toEqual([
      [h30, 30, null],
      [h59, 59, null],
    ]);
    expect(dry.skipped).toEqual([expect.objectContaining({ client_id: h55, existing_campaign_id: recent.id })]);
    expect(dry.skipped[0]!.reason).toContain("RETENTION_FREQUENCY_DAYS");
    expect(await p.retentionCampaign.count({ where: { account_id: { in: [h30, h59] }, started_at: NOW } })).toBe(0);

    const progress: Array<[number, number]> = [];
    const run = await svc.campaigns.automate({ trigger_type: "health_below", campaign_template: template, dry_run: false, max_accounts: 100 }, async (d, total) => {
      progress.push([d, total]);
    });
    expect(run.started.map((s) => s.client_id)).toEqual([h30, h59]);
    expect(run.started.every((s) => s.campaign_id && s.outreach_status === "queued")).toBe(true);
    expect(progress).toEqual([[1, 3], [2, 3], [3, 3]]);
    const made = await p.retentionCampaign.findMany({ where: { account_id: { in: [h30, h59] }, started_at: NOW } });
    expect(made.map((m) => [m.trigger_type, Number(m.trigger_value), m.intervention_level]).sort()).toEqual([
      ["health_below", 30, "high"],
      ["health_below", 59, "high"],
    ]);
    expect(await p.outboxMessage.count({ where: { account_id: { in: [h30, h59] } } })).toBe(2);

    const second = await svc.campaigns.automate({ trigger_type: "health_below", campaign_template: template, dry_run: false, max_accounts: 100 });
    expect(second.started).toEqual([]);
    expect(second.skipped.map((s) => s.client_id).sort()).toEqual([h30, h55, h59].sort());
    expect(await p.outboxMessage.count({ where: { account_id: { in: [h30, h59] } } })).toBe(2);

    // Both matches under 56 are covered: they are listed as skipped and do not use up max_accounts.
    const bounded = await svc.campaigns.automate({ trigger_type: "health_below", threshold: 56, campaign_template: template, dry_run: true, max_accounts: 1 });
    expect(bounded).toMatchObject({ matched: 2, already_covered: 2, evaluated: 2, remaining: 0, truncated: false, started: [] });
  });

  it("progresses through all matches: covered accounts do not use up max_accounts, and the rule holds across tools and types", async () => {
    const p = t.db.prisma;
    // Health 1–5 (below every other account of this file): the two most severe already have a campaign.
    const ids = [];
    for (const h of [1, 2, 3, 4, 5]) ids.push(await account({ health_score: h }));
    for (const id of ids.slice(0, 2)) await p.retentionCampaign.create({ data: { account_id: id, campaign_type: "value_review", intervention_level: "low", started_at: daysAgo(2) } });
    const template = { campaign_type: "re_engagement" as const, intervention_level: "medium" as const };
    const run = (max: number) => svc.campaigns.automate({ trigger_type: "health_below", threshold: 6, campaign_template: template, dry_run: false, max_accounts: max });

    const first = await run(2);
    expect(first.started.map((s) => s.client_id)).toEqual([ids[2], ids[3]]);
    expect(first.skipped.map((s) => s.client_id)).toEqual([ids[0], ids[1]]);
    expect(first).toMatchObject({ matched: 5, already_covered: 2, remaining: 1, truncated: true });
    const second = await run(2);
    expect(second.started.map((s) => s.client_id)).toEqual([ids[4]]);
    expect(second).toMatchObject({ matched: 5, already_covered: 4, remaining: 0, truncated: false });
    const third = await run(2);
    expect(third).toMatchObject({ started: [], already_covered: 5, remaining: 0 });
    expect(await p.retentionCampaign.count({ where: { account_id: { in: ids } } })).toBe(5);

    // execute_retention_campaign keeps the same rule: another type within the window is refused.
    const e = await err(svc.campaigns.execute({ client_id: ids[4]!, campaign_type: "value_review", intervention_level: "high" }));
    expect(e.code).toBe("conflict");
    // …and an account started by execute is skipped by the automation, whatever the template's type.
    const solo = await account({ health_score: 0 });
    const manual = await svc.campaigns.execute({ client_id: solo, campaign_type: "success_plan", intervention_level: "low" });
    const after = await run(5);
    expect(after.started).toEqual([]);
    expect(after.skipped.find((s) => s.client_id === solo)).toMatchObject({ existing_campaign_id: manual.campaign_id });
  });

  it("automates usage_drop, nps_detractor and renewal_risk from stored rows", async () => {
    const p = t.db.prisma;
    const users = (id: string, count: number, ago: number) =>
      Array.from({ length: count }, (_, i) => ({ account_id: id, user_id: `u${i}`, event: "login", occurred_at: daysAgo(ago) }));
    const dropping = await account();
    const steady = await account();
    await p.usageEvent.createMany({ data: [...users(dropping, 10, 45), ...users(dropping, 4, 10), ...users(steady, 10, 45), ...users(steady, 8, 10)] });
    const usage = await bare.campaigns.automate({ trigger_type: "usage_drop", campaign_template: { campaign_type: "training_offer", intervention_level: "medium" }, dry_run: false, max_accounts: 500 });
    expect(usage.threshold).toBe(0.3);
    expect(usage.started.map((s) => [s.client_id, s.trigger_value, s.outreach_status])).toEqual([[dropping, 0.6, "not_configured"]]);
    expect(usage.integration_note).toContain("SENDGRID_API_KEY");

    const detractor = await account();
    const recovered = await account();
    await p.surveyResponse.createMany({
      data: [
        { account_id: detractor, survey_type: "nps", respondent_email: "a@x.test", score: 9, responded_at: daysAgo(40) },
        { account_id: detractor, survey_type: "nps", respondent_email: "b@x.test", score: 6, responded_at: daysAgo(5) },
        { account_id: recovered, survey_type: "nps", respondent_email: "c@x.test", score: 2, responded_at: daysAgo(40) },
        { account_id: recovered, survey_type: "nps", respondent_email: "d@x.test", score: 7, responded_at: daysAgo(5) },
      ],
    });
    const nps = await svc.campaigns.automate({ trigger_type: "nps_detractor", campaign_template: { campaign_type: "executive_outreach", intervention_level: "high" }, dry_run: true, max_accounts: 500 });
    expect(nps.started.map((s) => [s.client_id, s.trigger_value])).toEqual([[detractor, 6]]);

    const renewing = await account({ health_score: 45 });
    const healthyRenewing = await account({ health_score: 85 });
    const later = await account({ health_score: 40 });
    const renewal = (id: string, days: number) => ({ account_id: id, contract_value: 1000, start_date: daysAgo(300), renewal_date: new Date(Date.UTC(2026, 5, 15) + days * DAY) });
    await p.contract.createMany({ data: [renewal(renewing, 30), renewal(healthyRenewing, 30), renewal(later, 120)] });
    const ren = await svc.campaigns.automate({ trigger_type: "renewal_risk", campaign_template: { campaign_type: "value_review", intervention_level: "critical" }, dry_run: true, max_accounts: 500 });
    expect(ren.threshold).toBe(90);
    expect(ren.started.map((s) => [s.client_id, s.trigger_value])).toEqual([[renewing, 30]]);

    const bad = await err(svc.campaigns.automate({ trigger_type: "usage_drop", threshold: 30, campaign_template: { campaign_type: "re_engagement", intervention_level: "low" }, dry_run: true, max_accounts: 10 }));
    expect(bad.code).toBe("validation_error");
    expect(bad.message).toMatch(/^threshold:/);
  });
});
