// create_onboarding_plan on both back ends: milestone and task dates exactly as the documented rule gives them
// (recomputed here from the rule's table, not from the generator), goals and criteria attached as tasks,
// bad input refused with the field named and nothing written, one active plan per account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { onboardingTools } from "../../src/tools/onboarding/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const date = (start: string, offset: number) => new Date(Date.parse(`${start}T00:00:00Z`) + offset * DAY).toISOString().slice(0, 10);

/** The rule's table, written out by hand: [milestone, weight] for the given inputs. */
function expectedWeights(complexity: "low" | "medium" | "high", team: number, tier: string): Array<[string, number]> {
  const rows: Array<[string, number | null]> = [
    ["kickoff", 1],
    ["technical_setup", { low: 1, medium: 2, high: 3 }[complexity]],
    ["integration", complexity === "low" ? null : complexity === "medium" ? 2 : 3],
    ["data_migration", complexity === "high" ? (team >= 250 ? 4 : 3) : null],
    ["admin_training", 1],
    ["end_user_training", team <= 10 ? null : team <= 50 ? 1 : team <= 250 ? 2 : 3],
    ["first_value", 1],
    ["go_live", tier === "enterprise" ? 2 : 1],
    ["success_review", 1],
  ];
  return rows.filter((r): r is [string, number] => r[1] !== null);
}

function expectedOffsets(weights: Array<[string, number]>, weeks: number): number[] {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let c = 0;
  return weights.map(([, w]) => Math.round((7 * weeks * (c += w)) / total));
}

describe.each(BACKENDS)("create_onboarding_plan on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(over: Record<string, unknown> = {}) {
    const slug = `plan_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, tier: "standard", primary_contact_email: `${slug}@cust.test`, created_at: new Date(NOW.getTime() - 10 * DAY), ...over } });
    return id;
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, onboardingTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("high complexity, 300 people, enterprise, 10 weeks: every milestone and task on the rule's date", async () => {
    const id = await account({ tier: "enterprise" });
    const goals = ["Automate invoice approval", "Cut month-end close to 3 days"];
    const criteria = ["80% of invoices approved in-app", "Close in 3 days twice in a row"];
    const d = await call(p, "create_onboarding_plan", { client_id: id, customer_goals: goals, success_criteria: criteria, team_size: 300, technical_complexity: "high", timeline_weeks: 10, start_date: "2026-06-01" });

    const weights = expectedWeights("high", 300, "enterprise");
    const offsets = expectedOffsets(weights, 10);
    // 1+3+3+4+1+3+1+2+1 = 19 weight units over 70 days.
    expect(offsets).toEqual([4, 15, 26, 41, 44, 55, 59, 66, 70]);
    expect(d.milestones.map((m: { name: string; due_date: string; sequence: number }) => [m.sequence, m.name, m.due_date])).toEqual(
      weights.map(([name], i) => [i + 1, name, date("2026-06-01", offsets[i]!)]),
    );
    expect(d.plan).toMatchObject({ start_date: "2026-06-01", target_date: "2026-08-10", status: "active", product_tier: "enterprise", timeline_weeks: 10, customer_goals: goals, success_criteria: criteria });
    expect(d.generator).toMatchObject({ total_days: 70, total_weight: 19, minimum_timeline_weeks: 8 });

    // Tasks: i-th of n in the window P→M is due at P + round((M − P) × i ÷ n).
    for (const [k, m] of (d.milestones as Array<{ tasks: Array<{ due_date: string; owner: string }> }>).entries()) {
      const P = k === 0 ? 0 : offsets[k - 1]!;
      const M = offsets[k]!;
      expect(m.tasks.map((x) => x.due_date)).toEqual(m.tasks.map((_, i) => date("2026-06-01", P + Math.round(((M - P) * (i + 1)) / m.tasks.length))));
      for (const x of m.tasks) expect(["customer", "csm", "support", "engineering"]).toContain(x.owner);
    }
    // Goals become first_value tasks; criteria success_review tasks (plus the executive review for enterprise).
    const fv = d.milestones.find((m: { name: string }) => m.name === "first_value");
    expect(fv.tasks.map((x: { title: string }) => x.title)).toEqual([...goals.map((g) => `Show first progress on goal: ${g}`), "Confirm first value with the customer"]);
    // first_value spans days 55 → 59 with 3 tasks: 55+round(4/3)=56, 55+round(8/3)=58, 59.
    expect(fv.tasks.map((x: { due_date: string }) => x.due_date)).toEqual(["2026-07-27", "2026-07-29", "2026-07-30"]);
    const sr = d.milestones.find((m: { name: string }) => m.name === "success_review");
    expect(sr.tasks.map((x: { title: string }) => x.title)).toEqual([...criteria.map((c) => `Verify success criterion: ${c}`), "Executive review of the onboarding outcomes", "Hand over to the ongoing customer success plan"]);

    // Stored as returned, with an audit record and a timeline note.
    const prisma = t.db.prisma;
    const stored = await prisma.onboardingPlan.findUniqueOrThrow({ where: { id: d.plan.plan_id }, include: { milestones: { include: { tasks: true }, orderBy: { sequence: "asc" } } } });
    expect(stored.milestones.map((m) => m.due_date.toISOString().slice(0, 10))).toEqual(d.milestones.map((m: { due_date: string }) => m.due_date));
    expect(stored.milestones.reduce((s, m) => s + m.tasks.length, 0)).toBe(d.task_count);
    expect(await prisma.auditLog.count({ where: { entity_id: d.plan.plan_id, action: "create_onboarding_plan" } })).toBe(1);
    expect(await prisma.timelineEvent.count({ where: { account_id: id, summary: { startsWith: "Onboarding plan created" } } })).toBe(1);
  });

  it("low complexity, small team, starter: six milestones over the minimum two weeks, starting today by default", async () => {
    const id = await account({ tier: "starter" });
    const d = await call(p, "create_onboarding_plan", { client_id: id, customer_goals: ["Send the first campaign"], success_criteria: ["A campaign sent"], team_size: 5, technical_complexity: "low", timeline_weeks: 2 });
    const weights = expectedWeights("low", 5, "starter");
    const offsets = expectedOffsets(weights, 2);
    expect(weights.map(([n]) => n)).toEqual(["kickoff", "technical_setup", "admin_training", "first_value", "go_live", "success_review"]);
    // 14 days × (1..6)/6 = 2.33, 4.67, 7, 9.33, 11.67, 14.
    expect(offsets).toEqual([2, 5, 7, 9, 12, 14]);
    expect(d.milestones.map((m: { due_date: string }) => m.due_date)).toEqual(offsets.map((o) => date("2026-06-15", o)));
    expect(d.plan.product_tier).toBe("starter"); // the account's tier when product_tier is not given
    expect(d.plan.target_date).toBe("2026-06-29");
  });

  it("refuses a timeline too short for the complexity, naming timeline_weeks and the minimum, and writes nothing", async () => {
    const id = await account();
    const e = await callError(p, "create_onboarding_plan", { client_id: id, customer_goals: ["g"], success_criteria: ["c"], team_size: 20, technical_complexity: "high", timeline_weeks: 7 });
    expect(e.code).toBe("validation_error");
    expect(e.message).toBe("timeline_weeks: 7 is too short for technical_complexity 'high'; the minimum is 8 weeks (low 2, medium 4, high 8)");
    const e2 = await callError(p, "create_onboarding_plan", { client_id: id, customer_goals: ["g"], success_criteria: ["c"], team_size: 20, technical_complexity: "medium", timeline_weeks: 3, start_date: "2024-01-01" });
    expect(e2.message).toBe("timeline_weeks: 3 is too short for technical_complexity 'medium'; the minimum is 4 weeks (low 2, medium 4, high 8); start_date: 2024-01-01 must be within 365 days of today (2026-06-15)");
    const e3 = await callError(p, "create_onboarding_plan", { client_id: id, customer_goals: [], success_criteria: ["c"], team_size: 0, technical_complexity: "extreme", timeline_weeks: 4 });
    expect(e3.message).toBe("invalid arguments: customer_goals: must list at least one goal; team_size: must be at least 1; technical_complexity: must be one of low, medium, high");
    const e4 = await callError(p, "create_onboarding_plan", { client_id: "cs_1700000000_nobody", customer_goals: ["g"], success_criteria: ["c"], team_size: 3, technical_complexity: "low", timeline_weeks: 4 });
    expect(e4).toMatchObject({ code: "not_found", message: "client cs_1700000000_nobody was not found" });
    expect(await t.db.prisma.onboardingPlan.count({ where: { account_id: id } })).toBe(0);
    expect(await t.db.prisma.onboardingMilestone.count({ where: { plan: { account_id: id } } })).toBe(0);
  });

  it("keeps one active plan per account: a second is a conflict, replace_active_plan cancels the first", async () => {
    const id = await account();
    const args = { client_id: id, customer_goals: ["g"], success_criteria: ["c"], team_size: 12, technical_complexity: "medium", timeline_weeks: 6 };
    const first = await call(p, "create_onboarding_plan", args);
    const e = await callError(p, "create_onboarding_plan", args);
    expect(e.code).toBe("conflict");
    expect(e.message).toContain(first.plan.plan_id);
    expect(await t.db.prisma.onboardingPlan.count({ where: { account_id: id } })).toBe(1);
    const second = await call(p, "create_onboarding_plan", { ...args, replace_active_plan: true });
    expect(second.replaced_plans).toEqual([{ plan_id: first.plan.plan_id, superseded_messages: 0 }]);
    const rows = await t.db.prisma.onboardingPlan.findMany({ where: { account_id: id }, orderBy: { created_at: "asc" } });
    expect(rows.map((r) => r.status).sort()).toEqual(["active", "cancelled"]);
  });
});
