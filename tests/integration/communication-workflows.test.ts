// automate_communications on both back ends: workflows stored with validated triggers and actions (errors
// name the field and nothing is stored), listed, toggled, and evaluated against stored rows.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { communicationTools } from "../../src/tools/communication/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;

describe.each(BACKENDS)("automate_communications on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, communicationTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  beforeEach(async () => {
    await t.db.prisma.communicationWorkflow.deleteMany({});
    await t.db.prisma.account.deleteMany({});
  });

  async function account(over: Record<string, unknown> = {}): Promise<string> {
    const slug = `flow_${backend}_${String(++n).padStart(3, "0")}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Flow ${n}`, company_key: slug, ...over } });
    return id;
  }

  const valid = {
    workflow_name: "Low health outreach",
    trigger_type: "health_below",
    trigger_conditions: { threshold: 50 },
    actions: [
      { type: "notify_csm", message: "Health fell below 50" },
      { type: "send_email", subject_line: "Checking in, {{first_name}}", body_text: "Hi {{first_name}}, {{csm_name}} here." },
      { type: "create_task", title: "Call the sponsor" },
    ],
    delay_minutes: 60,
  };

  it("validates the trigger conditions and every action, naming the field; nothing is stored", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ trigger_conditions: {} }, "trigger_conditions.threshold: is required (trigger_type health_below)"],
      [{ trigger_conditions: { threshold: 150 } }, "trigger_conditions.threshold: must be at most 100 (trigger_type health_below)"],
      [{ trigger_conditions: { threshold: 50, days: 3 } }, "trigger_conditions: unknown field 'days' (trigger_type health_below)"],
      [{ trigger_type: "renewal_within_days", trigger_conditions: { days: 0 } }, "trigger_conditions.days: must be at least 1 (trigger_type renewal_within_days)"],
      [{ trigger_type: "full_moon" }, "trigger_type: must be one of health_below, renewal_within_days, onboarding_milestone_overdue, nps_detractor, ticket_escalated, usage_drop, lifecycle_change"],
      [{ actions: [{ type: "notify_csm", message: "x" }, { type: "create_task" }] }, "actions[1].title: is required (create_task)"],
      [{ actions: [{ type: "teleport" }] }, "actions[0].type: must be one of send_email, create_task, notify_csm, start_retention_campaign"],
      [{ actions: [{ type: "send_email", subject_line: "Hi", body_text: "{{nickname}}" }] }, "actions[0].body_text: unknown token {{nickname}}"],
      [{ actions: [{ type: "start_retention_campaign", campaign_type: "bribe" }] }, "actions[0].campaign_type: must be one of re_engagement, executive_outreach, value_review, training_offer, discount_offer, success_plan (start_retention_campaign)"],
      [{ actions: [] }, "actions: must list 1 to 10 actions"],
    ];
    for (const [over, message] of cases) {
      const e = await callError(p, "automate_communications", { ...valid, ...over });
      expect(e.code, message).toBe("validation_error");
      expect(e.message).toBe(message);
    }
    const missing = await callError(p, "automate_communications", { workflow_name: "x" });
    expect(missing.message).toBe("action 'create' needs trigger_type, actions (missing)");
    expect(await t.db.prisma.communicationWorkflow.count()).toBe(0);
  });

  it("stores, lists, toggles and evaluates a workflow against stored data", async () => {
    const created = await call(p, "automate_communications", valid);
    expect(created.workflow).toMatchObject({ workflow_name: "Low health outreach", trigger_type: "health_below", trigger_conditions: { threshold: 50 }, delay_minutes: 60, is_active: true });
    expect(created.workflow.actions[2]).toEqual({ type: "create_task", title: "Call the sponsor", due_in_days: 3 });
    expect(created.workflow.actions[1]).toMatchObject({ recipient_scope: "primary" });
    const dup = await callError(p, "automate_communications", valid);
    expect(dup.code).toBe("conflict");

    await call(p, "automate_communications", { workflow_name: "Renewals", trigger_type: "renewal_within_days", trigger_conditions: { days: 30, tiers: ["enterprise"] }, actions: [{ type: "notify_csm", message: "Renewal soon" }], is_active: false });
    const list = await call(p, "automate_communications", { action: "list" });
    expect(list.workflows.map((w: { workflow_name: string }) => w.workflow_name)).toEqual(["Low health outreach", "Renewals"]);
    const inactive = await call(p, "automate_communications", { action: "list", is_active: false });
    expect(inactive.total).toBe(1);
    const on = await call(p, "automate_communications", { action: "activate", workflow_name: "Renewals" });
    expect(on).toMatchObject({ changed: true, workflow: { is_active: true } });
    const off = await call(p, "automate_communications", { action: "deactivate", workflow_id: created.workflow.workflow_id });
    expect(off).toMatchObject({ changed: true, workflow: { is_active: false } });
    const bad = await callError(p, "automate_communications", { action: "get", workflow_id: created.workflow.workflow_id, workflow_name: "Renewals" });
    expect(bad.message).toBe("action 'get' needs exactly one of workflow_id, workflow_name");

    // Health 49 matches, 50 does not (below), a churned 10 never matches.
    const low = await account({ health_score: 49 });
    await account({ health_score: 50 });
    await account({ health_score: 10, status: "churned" });
    const ev = await call(p, "automate_communications", { action: "evaluate", workflow_name: "Low health outreach" });
    expect(ev).toMatchObject({ matched: 1, truncated: false, actions_would_run: ["notify_csm", "send_email", "create_task"] });
    expect(ev.matches).toEqual([{ client_id: low, company_name: `Flow ${n - 2}`, tier: "standard", value: 49, detail: "health score 49 < 50" }]);
    expect(ev.execution_note).toMatch(/^the workflow is inactive; this server stores workflows/);

    // Renewals within 30 days, enterprise only: day 30 is in, day 31 out, a standard account out.
    const ent = await account({ tier: "enterprise" });
    await t.db.prisma.contract.create({ data: { account_id: ent, contract_value: "100", renewal_date: new Date(Date.parse("2026-06-15T00:00:00Z") + 30 * DAY) } });
    const late = await account({ tier: "enterprise" });
    await t.db.prisma.contract.create({ data: { account_id: late, contract_value: "100", renewal_date: new Date(Date.parse("2026-06-15T00:00:00Z") + 31 * DAY) } });
    const std = await account({ tier: "standard" });
    await t.db.prisma.contract.create({ data: { account_id: std, contract_value: "100", renewal_date: new Date(Date.parse("2026-06-15T00:00:00Z") + 5 * DAY) } });
    const ren = await call(p, "automate_communications", { action: "evaluate", workflow_name: "Renewals" });
    expect(ren.matches.map((m: { client_id: string; value: number; detail: string }) => [m.client_id, m.value, m.detail])).toEqual([[ent, 30, "renewal on 2026-07-15"]]);

    // usage_drop: 10 events in the previous 30 days, 4 in the last 30 → a 60 % drop.
    const drop = await account();
    const ev0 = (i: number, daysAgo: number) => ({ account_id: drop, user_id: `u${i}`, event: "login", occurred_at: new Date(NOW.getTime() - daysAgo * DAY) });
    await t.db.prisma.usageEvent.createMany({ data: [...Array.from({ length: 10 }, (_, i) => ev0(i, 40)), ...Array.from({ length: 4 }, (_, i) => ev0(100 + i, 5))] });
    await call(p, "automate_communications", { workflow_name: "Usage drop", trigger_type: "usage_drop", trigger_conditions: { drop_percent: 60 }, actions: [{ type: "notify_csm", message: "Usage fell" }] });
    const u = await call(p, "automate_communications", { action: "evaluate", workflow_name: "Usage drop" });
    expect(u.matches.map((m: { client_id: string; value: number }) => [m.client_id, m.value])).toEqual([[drop, 60]]);
  });
});
