// The read-side onboarding tools on both back ends, over rows inserted here: optimize_onboarding_process
// (delays, bottlenecks, durations and time to value recomputed in the test from the rows), optimize_time_to_value
// (days and statuses exactly at the target boundary, the delaying facts), map_customer_journey (stages from
// lifecycle transitions, touchpoints per stage, the next step from the plan).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { onboardingTools } from "../../src/tools/onboarding/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const d = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
const dayOf = (s: string) => Date.parse(`${s.slice(0, 10)}T00:00:00Z`);
const delay = (completed: string, due: string) => (dayOf(completed) - dayOf(due)) / DAY;
const r1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Linear interpolation between closest ranks (PostgreSQL percentile_cont), written out independently. */
function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

type M = { name: string; due: string; completed?: string; status?: string };
type T = { owner: string; due: string; completed: string };
interface PlanSpec { account: string; created: string; start: string; target: string; status: string; completed_at?: string; milestones: M[]; tasks?: T[] }

const PLANS: PlanSpec[] = [
  { account: "a", created: "2026-03-01", start: "2026-03-01", target: "2026-04-12", status: "completed", completed_at: "2026-04-20T10:00:00Z",
    milestones: [{ name: "kickoff", due: "2026-03-05", completed: "2026-03-05T15:00:00Z" }, { name: "technical_setup", due: "2026-03-20", completed: "2026-03-29T08:00:00Z" }, { name: "go_live", due: "2026-04-12", completed: "2026-04-20T10:00:00Z" }],
    tasks: [{ owner: "engineering", due: "2026-03-18", completed: "2026-03-28T12:00:00Z" }, { owner: "customer", due: "2026-03-19", completed: "2026-03-19T09:00:00Z" }] },
  { account: "b", created: "2026-04-01", start: "2026-04-01", target: "2026-05-13", status: "completed", completed_at: "2026-05-10T00:00:00Z",
    milestones: [{ name: "kickoff", due: "2026-04-03", completed: "2026-04-02T10:00:00Z" }, { name: "technical_setup", due: "2026-04-20", completed: "2026-04-24T10:00:00Z" }, { name: "go_live", due: "2026-05-13", completed: "2026-05-10T00:00:00Z" }],
    tasks: [{ owner: "engineering", due: "2026-04-18", completed: "2026-04-22T10:00:00Z" }] },
  { account: "c", created: "2026-04-15", start: "2026-04-15", target: "2026-05-27", status: "completed", completed_at: "2026-06-10T23:30:00Z",
    milestones: [{ name: "kickoff", due: "2026-04-17", completed: "2026-04-20T10:00:00Z" }, { name: "technical_setup", due: "2026-05-01", completed: "2026-05-20T23:59:59Z" }, { name: "data_migration", due: "2026-05-15", completed: "2026-05-16T01:00:00Z" }, { name: "go_live", due: "2026-05-27", status: "skipped" }],
    tasks: [{ owner: "csm", due: "2026-04-16", completed: "2026-04-16T10:00:00Z" }] },
  // Completed before the 90-day window: left out.
  { account: "d", created: "2025-11-01", start: "2025-11-01", target: "2025-12-13", status: "completed", completed_at: "2026-01-01T00:00:00Z", milestones: [{ name: "kickoff", due: "2025-11-03", completed: "2026-02-11T00:00:00Z" }] },
  // In progress: kickoff overdue by 12 days, technical_setup not due yet.
  { account: "e", created: "2026-06-01", start: "2026-06-01", target: "2026-07-13", status: "active", milestones: [{ name: "kickoff", due: "2026-06-03" }, { name: "technical_setup", due: "2026-06-20" }] },
];

describe.each(BACKENDS)("onboarding analysis tools on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const acc = (k: string) => `cs_1700000000_an_${k}_${backend}`;

  async function insertAccount(k: string, created: string, over: Record<string, unknown> = {}) {
    await t.db.prisma.account.create({ data: { id: acc(k), client_name: k, company_name: `Company ${k}`, company_key: `an_${k}_${backend}`, created_at: d(created), ...over } });
  }
  async function usage(k: string, rows: Array<[string, string, string | null, string]>) {
    await t.db.prisma.usageEvent.createMany({ data: rows.map(([user_id, event, feature, at]) => ({ account_id: acc(k), user_id, event, feature, occurred_at: d(at) })) });
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, onboardingTools, NOW);
    const prisma = t.db.prisma;
    for (const spec of PLANS) {
      await insertAccount(spec.account, spec.created);
      const plan = await prisma.onboardingPlan.create({ data: { account_id: acc(spec.account), timeline_weeks: 6, start_date: d(spec.start), target_date: d(spec.target), status: spec.status, completed_at: spec.completed_at ? d(spec.completed_at) : null } });
      const ids: string[] = [];
      for (const [i, m] of spec.milestones.entries()) {
        const row = await prisma.onboardingMilestone.create({ data: { plan_id: plan.id, name: m.name, sequence: i + 1, due_date: d(m.due), status: m.status ?? (m.completed ? "completed" : "pending"), completed_at: m.completed ? d(m.completed) : null } });
        ids.push(row.id);
      }
      for (const task of spec.tasks ?? []) {
        await prisma.onboardingTask.create({ data: { milestone_id: ids[0]!, title: `task for ${task.owner}`, owner: task.owner, due_date: d(task.due), status: "completed", completed_at: d(task.completed) } });
      }
    }
    // Time to value of the completed plans' accounts (created on their plan's start date).
    await usage("a", [
      ["u1", "login", null, "2026-03-02T09:00:00Z"],
      ["u1", "view", "reports", "2026-03-04T09:00:00Z"], // first value: day 3
      ["u2", "view", "reports", "2026-03-06T09:00:00Z"],
      ["u1", "view", "dashboards", "2026-03-07T09:00:00Z"],
      ["u3", "view", "dashboards", "2026-03-11T09:00:00Z"], // 3rd user: activation day 10
      ["u2", "export", "exports", "2026-03-13T09:00:00Z"],
      ["u3", "export", "exports", "2026-03-21T09:00:00Z"], // 3 features × 2 users: full value day 20
    ]);
    await usage("b", [["u1", "view", "reports", "2026-04-10T09:00:00Z"]]); // first value day 9, one user only
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("optimize_onboarding_process: delays, bottlenecks, owners, durations and time to value from the rows", async () => {
    const r = await call(p, "optimize_onboarding_process", { analysis_period_days: 90, min_completed_onboardings: 3, include_in_progress: true });
    const inWindow = PLANS.filter((x) => x.status === "completed" && Date.parse(x.completed_at!) > NOW.getTime() - 90 * DAY);
    expect(inWindow.map((x) => x.account)).toEqual(["a", "b", "c"]);
    expect([r.completed_onboardings, r.accounts, r.sufficient_data]).toEqual([3, 3, true]);

    const names = ["kickoff", "technical_setup", "data_migration", "go_live"];
    const expected = names.map((name) => {
      const all = inWindow.flatMap((x) => x.milestones.filter((m) => m.name === name));
      const delays = all.filter((m) => m.completed).map((m) => delay(m.completed!, m.due));
      const late = delays.filter((x) => x > 0).length;
      return { name, occurrences: all.length, completed: delays.length, skipped: all.filter((m) => m.status === "skipped").length, mean_delay_days: r1(mean(delays)), median_delay_days: r1(pct(delays, 0.5)), p90_delay_days: r1(pct(delays, 0.9)), max_delay_days: Math.max(...delays), late, share_late: Math.round((late / delays.length) * 10_000) / 10_000 };
    });
    const got = new Map(r.analysis.milestones.map((m: { name: string }) => [m.name, m]));
    for (const e of expected) expect(got.get(e.name)).toMatchObject(e);
    // Spelled out: technical_setup slipped 9, 4 and 19 days (completed 05-20 23:59 UTC counts as 05-20).
    expect(got.get("technical_setup")).toMatchObject({ mean_delay_days: 10.7, median_delay_days: 9, p90_delay_days: 17, share_late: 1 });
    expect(got.get("kickoff")).toMatchObject({ mean_delay_days: 0.7, median_delay_days: 0, p90_delay_days: 2.4, late: 1 });
    expect(got.get("go_live")).toMatchObject({ completed: 2, skipped: 1, mean_delay_days: 2.5, p90_delay_days: 6.9 });
    expect(r.analysis.bottlenecks.map((b: { rank: number; name: string }) => [b.rank, b.name])).toEqual([[1, "technical_setup"], [2, "go_live"], [3, "data_migration"], [4, "kickoff"]]);

    const eng = inWindow.flatMap((x) => x.tasks ?? []).filter((x) => x.owner === "engineering").map((x) => delay(x.completed, x.due));
    expect(r.analysis.task_delays_by_owner[0]).toMatchObject({ owner: "engineering", tasks: 2, completed: 2, mean_delay_days: r1(mean(eng)), late: 2 });
    expect(eng).toEqual([10, 4]);

    const actual = inWindow.map((x) => (dayOf(x.completed_at!) - dayOf(x.start)) / DAY);
    const target = inWindow.map((x) => (dayOf(x.target) - dayOf(x.start)) / DAY);
    expect(actual).toEqual([50, 39, 56]);
    expect(r.analysis.plan_duration).toMatchObject({ plans: 3, mean_actual_days: r1(mean(actual)), median_actual_days: 50, mean_target_days: r1(mean(target)), late_plans: 2, mean_overrun_days: r1(mean(actual.map((a, i) => a - target[i]!))) });

    // Time to value: a (3, 10, 20 days), b (9, –, –), c (no usage).
    expect(r.analysis.time_to_value).toEqual([
      { name: "first_value", target_days: 7, target_source: "TTV_FIRST_VALUE_DAYS", accounts: 3, reached: 2, mean_days: 6, median_days: 6, p90_days: r1(pct([3, 9], 0.9)), on_time: 1, share_on_time: 0.3333 },
      { name: "activation", target_days: 14, target_source: "TTV_ACTIVATION_DAYS", accounts: 3, reached: 1, mean_days: 10, median_days: 10, p90_days: 10, on_time: 1, share_on_time: 0.3333 },
      { name: "full_value", target_days: 30, target_source: "TTV_FULL_VALUE_DAYS", accounts: 3, reached: 1, mean_days: 20, median_days: 20, p90_days: 20, on_time: 1, share_on_time: 0.3333 },
    ]);

    expect(r.in_progress.overdue_milestones.map((m: { client_id: string; name: string; days_overdue: number }) => [m.client_id, m.name, m.days_overdue])).toEqual([[acc("e"), "kickoff", 12]]);

    const few = await call(p, "optimize_onboarding_process", { analysis_period_days: 90, min_completed_onboardings: 4 });
    expect(few).toMatchObject({ completed_onboardings: 3, sufficient_data: false, analysis: null, in_progress: null });
    expect(few.note).toContain("only 3 onboarding plan(s) were completed in the last 90 days, fewer than min_completed_onboardings (4)");
  });

  it("optimize_time_to_value: days and statuses at the target boundary, and the facts that delay it", async () => {
    // Created 2026-06-01 08:00: first value on day 7 (= target 7), the 3rd user on day 14 (= target 14) → on time.
    await insertAccount("ttv1", "2026-06-01T08:00:00Z");
    await usage("ttv1", [
      ["u1", "login", null, "2026-06-01T09:00:00Z"],
      ["u1", "view", "reports", "2026-06-08T23:00:00Z"],
      ["u2", "view", null, "2026-06-10T10:00:00Z"],
      ["u3", "integration_connected", null, "2026-06-15T11:00:00Z"],
    ]);
    const a = await call(p, "optimize_time_to_value", { client_id: acc("ttv1") });
    expect(a.milestones.map((m: { name: string; days_to_reach: number | null; status: string }) => [m.name, m.days_to_reach, m.status])).toEqual([
      ["first_value", 7, "on_time"],
      ["activation", 14, "on_time"],
      ["full_value", null, "pending"], // day 14 of 30
    ]);
    expect(a.overall_status).toBe("in_progress");

    // Created 2026-05-01: first value on day 8 (one day late), activation and full value past their targets.
    await insertAccount("ttv2", "2026-05-01T00:00:00Z", { seats: 25 });
    await usage("ttv2", [["u1", "view", "reports", "2026-05-09T10:00:00Z"]]);
    await t.db.prisma.supportTicket.create({ data: { account_id: acc("ttv2"), subject: "Cannot import", priority: "P2", status: "open", created_at: d("2026-06-01T10:00:00Z"), first_response_due_at: d("2026-06-01T10:15:00Z"), resolution_due_at: d("2026-06-01T18:00:00Z") } });
    const b = await call(p, "optimize_time_to_value", { client_id: acc("ttv2"), current_time_to_value_days: 10 });
    expect(b.milestones.map((m: { name: string; days_to_reach: number | null; status: string; days_past_target: number | null }) => [m.name, m.days_to_reach, m.status, m.days_past_target])).toEqual([
      ["first_value", 8, "late", 1],
      ["activation", null, "overdue", 45 - 14],
      ["full_value", null, "overdue", 45 - 30],
    ]);
    expect(b.overall_status).toBe("behind");
    expect(b.stated_time_to_value).toMatchObject({ stated_days: 10, measured_first_value_days: 8, difference_days: 2 });
    expect(b.delay_factors.map((f: { factor: string }) => f.factor)).toEqual(["no_onboarding_plan", "no_integration_event", "few_active_users", "open_tickets", "no_training"]);
    expect(b.delay_factors[2].facts).toEqual({ active_users_30d: 0, activation_users: 3, seats: 25 }); // the only event is older than 30 days
    expect(b.delay_factors[3].facts).toMatchObject({ open_tickets: 1, open_p1_p2: 1 });
    expect(b.recommendations.map((x: { tool: string | null }) => x.tool)).toEqual(["create_onboarding_plan", null, "deliver_training_session", "manage_escalations", "deliver_training_session"]);

    // A target given per call moves the boundary: with 8 days, day 8 is on time.
    const c = await call(p, "optimize_time_to_value", { client_id: acc("ttv2"), target_first_value_days: 8, target_time_to_value_days: 60 });
    expect(c.milestones.map((m: { status: string; target_days: number; target_source: string }) => [m.status, m.target_days, m.target_source])).toEqual([
      ["on_time", 8, "target_first_value_days"],
      ["overdue", 14, "TTV_ACTIVATION_DAYS"],
      ["pending", 60, "target_time_to_value_days"],
    ]);

    // Created 2020-01-01, long before any stored usage event: whether it was late cannot be judged — unknown.
    await insertAccount("ttv3", "2020-01-01T00:00:00Z");
    await usage("ttv3", [["u1", "view", "reports", "2026-06-01T10:00:00Z"]]);
    const old = await call(p, "optimize_time_to_value", { client_id: acc("ttv3") });
    expect(old.milestones.map((m: { name: string; reached_at: string | null; days_to_reach: number | null; status: string }) => [m.name, m.reached_at, m.days_to_reach, m.status])).toEqual([
      ["first_value", "2026-06-01T10:00:00.000Z", null, "unknown"],
      ["activation", null, null, "unknown"],
      ["full_value", null, null, "unknown"],
    ]);
    expect(old.overall_status).toBe("unknown");
    expect(old.missing_data.map((m: { what: string }) => m.what).join(" ")).toContain("created before the first stored usage event");
  });

  it("map_customer_journey: stages from transitions, touchpoints per stage, the next step from the active plan", async () => {
    const prisma = t.db.prisma;
    await insertAccount("journey", "2026-01-10T00:00:00Z", { lifecycle_stage: "growth" });
    const id = acc("journey");
    await prisma.lifecycleTransition.createMany({
      data: [
        { account_id: id, from_stage: "onboarding", to_stage: "adoption", reason: "onboarding done", transitioned_at: d("2026-03-01T00:00:00Z") },
        { account_id: id, from_stage: "adoption", to_stage: "growth", reason: "expanded seats", transitioned_at: d("2026-05-01T00:00:00Z") },
      ],
    });
    await prisma.supportTicket.create({ data: { account_id: id, subject: "Setup question", priority: "P3", status: "open", created_at: d("2026-02-01T10:00:00Z"), first_response_due_at: d("2026-02-01T10:15:00Z"), resolution_due_at: d("2026-02-02T10:00:00Z") } });
    const mod = await prisma.trainingModule.create({ data: { code: `J-${backend}`, name: "Journey module" } });
    await prisma.trainingSession.create({ data: { account_id: id, module_id: mod.id, session_format: "live", session_date: d("2026-03-15T10:00:00Z"), duration_minutes: 60 } });
    const plan = await prisma.onboardingPlan.create({ data: { account_id: id, timeline_weeks: 8, start_date: d("2026-05-01"), target_date: d("2026-06-26"), status: "active" } });
    await prisma.onboardingMilestone.create({ data: { plan_id: plan.id, name: "kickoff", sequence: 1, due_date: d("2026-05-05"), status: "completed", completed_at: d("2026-05-06T10:00:00Z") } });
    await prisma.onboardingMilestone.create({ data: { plan_id: plan.id, name: "technical_setup", sequence: 2, due_date: d("2026-06-10"), status: "pending" } });

    const j = await call(p, "map_customer_journey", { client_id: id });
    expect(j.stages.map((s: { stage: string; entered_at: string; exited_at: string | null; days_in_stage: number; touchpoints: number }) => [s.stage, s.entered_at.slice(0, 10), s.exited_at?.slice(0, 10) ?? null, s.days_in_stage, s.touchpoints])).toEqual([
      ["onboarding", "2026-01-10", "2026-03-01", 50, 1], // the ticket
      ["adoption", "2026-03-01", "2026-05-01", 61, 1], // the training session
      ["growth", "2026-05-01", null, 45, 1], // the milestone completion
    ]);
    expect(j.current_stage).toEqual({ stage: "growth", entered_at: "2026-05-01T00:00:00.000Z", days_in_stage: 45 });
    expect(j.touchpoints.map((x: { event_type: string; category: string }) => [x.event_type, x.category])).toEqual([["ticket_opened", "support"], ["training_session", "training"], ["milestone_completed", "onboarding"]]);
    expect(j.next_expected_step).toMatchObject({ step: "complete onboarding milestone technical_setup", due_date: "2026-06-10", overdue: true, tool: "track_onboarding_progress" });
    expect(j.milestones.onboarding_plan.milestones.map((m: { name: string; status: string }) => [m.name, m.status])).toEqual([["kickoff", "completed"], ["technical_setup", "pending"]]);

    const adoption = await call(p, "map_customer_journey", { client_id: id, journey_stage: "adoption", include_milestones: false });
    expect(adoption.stages.map((s: { stage: string }) => s.stage)).toEqual(["adoption"]);
    expect(adoption.touchpoints.map((x: { event_type: string }) => x.event_type)).toEqual(["training_session"]);
    expect(adoption.milestones).toBeNull();
  });

  it("map_customer_journey on a long history: the touchpoints are the newest ones and per-stage counts are complete", async () => {
    const prisma = t.db.prisma;
    await insertAccount("journey_long", "2025-01-01T00:00:00Z", { lifecycle_stage: "adoption" });
    const id = acc("journey_long");
    await prisma.lifecycleTransition.create({ data: { account_id: id, from_stage: "onboarding", to_stage: "adoption", reason: "live", transitioned_at: d("2025-03-01T00:00:00Z") } });
    // 2,100 notes one hour apart from 2025-01-02 (past the 2,000 the journey reads), the last ones in adoption.
    const start = d("2025-01-02T00:00:00Z").getTime();
    await prisma.timelineEvent.createMany({
      data: Array.from({ length: 2_100 }, (_, i) => ({ account_id: id, event_type: "note", summary: `note ${i}`, occurred_at: new Date(start + i * 3_600_000) })),
    });
    const transition = d("2025-03-01T00:00:00Z").getTime();
    const before = Array.from({ length: 2_100 }, (_, i) => start + i * 3_600_000).filter((ms) => ms < transition).length;
    const j = await call(p, "map_customer_journey", { client_id: id, include_milestones: false, touchpoint_limit: 3 });
    expect(j.touchpoints.map((x: { summary: string }) => x.summary)).toEqual(["note 2097", "note 2098", "note 2099"]);
    expect(j.stages.map((s: { stage: string; touchpoints: number }) => [s.stage, s.touchpoints])).toEqual([
      ["onboarding", before],
      ["adoption", 2_100 - before],
    ]);
    expect(j.missing_data.map((m: { what: string }) => m.what).join(" ")).toContain("come from the newest 2000");
  });
});
