// track_onboarding_progress on both back ends, over a plan inserted row by row: percent complete, overdue
// milestones and tasks as of NOW, the projected finish and its risk (recomputed here from the rows), updates
// with their validation, completion at ONBOARDING_COMPLETE_PERCENT (completed_at = the moment the threshold
// was reached) and the superseding of pending reminders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { onboardingTools } from "../../src/tools/onboarding/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const TODAY = Date.parse("2026-06-15T00:00:00Z");
const DAY = 86_400_000;
const d = (s: string) => new Date(`${s}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(BACKENDS)("track_onboarding_progress on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const id = `cs_1700000000_progress_${backend}`;
  let planId = "";
  const ms: Array<{ id: string; sequence: number; due: string }> = [];
  let overdueTaskId = "";

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, onboardingTools, NOW);
    const prisma = t.db.prisma;
    await prisma.account.create({ data: { id, client_name: "Prog", company_name: "Progress Co", company_key: `progress_${backend}` } });
    // 10 milestones due weekly from 2026-05-08 to the target 2026-07-10; the first three completed.
    const plan = await prisma.onboardingPlan.create({ data: { account_id: id, timeline_weeks: 10, start_date: d("2026-05-01"), target_date: d("2026-07-10"), status: "active", created_at: d("2026-05-01") } });
    planId = plan.id;
    for (let i = 1; i <= 10; i++) {
      const due = iso(Date.parse("2026-05-01T00:00:00Z") + 7 * i * DAY);
      const status = i <= 3 ? "completed" : i === 4 ? "in_progress" : "pending";
      const m = await prisma.onboardingMilestone.create({ data: { plan_id: plan.id, name: `step_${i}`, sequence: i, due_date: d(due), status, completed_at: i <= 3 ? new Date(Date.parse(`${due}T00:00:00Z`) + 2 * DAY) : null } });
      ms.push({ id: m.id, sequence: i, due });
    }
    // Tasks of milestone 7: one due yesterday (overdue), one due today (not overdue), one done.
    const m7 = ms[6]!.id;
    overdueTaskId = (await prisma.onboardingTask.create({ data: { milestone_id: m7, title: "Yesterday's task", owner: "customer", due_date: d("2026-06-14") } })).id;
    await prisma.onboardingTask.create({ data: { milestone_id: m7, title: "Today's task", owner: "csm", due_date: d("2026-06-15") } });
    await prisma.onboardingTask.create({ data: { milestone_id: m7, title: "Done task", owner: "support", due_date: d("2026-06-01"), status: "completed", completed_at: d("2026-06-01") } });
    // Pending reminders the automation would have queued.
    await prisma.outboxMessage.createMany({
      data: [
        { integration: "sendgrid", operation: "sendgrid.send", payload: {}, idempotency_key: `onboarding:${plan.id}:m4:overdue_nudge:abc`, account_id: id, next_attempt_at: d("2026-06-20") },
        { integration: "sendgrid", operation: "sendgrid.send", payload: {}, idempotency_key: `onboarding:${plan.id}:m9:milestone_reminder:abc`, account_id: id, next_attempt_at: d("2026-06-30") },
      ],
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("reports percent, overdue items as of now and the projected finish with its arithmetic", async () => {
    const r = await call(p, "track_onboarding_progress", { client_id: id });
    expect(r.plan.plan_id).toBe(planId);
    expect([r.milestones_total, r.milestones_completed, r.milestones_in_progress, r.milestones_pending, r.percent_complete, r.complete]).toEqual([10, 3, 1, 6, 30, false]);
    // Open and due before 2026-06-15: milestones 4 (05-29), 5 (06-05), 6 (06-12).
    const overdue = ms.filter((m) => m.sequence > 3 && Date.parse(`${m.due}T00:00:00Z`) < TODAY);
    expect(r.overdue_milestones.map((m: { sequence: number; days_overdue: number }) => [m.sequence, m.days_overdue])).toEqual(overdue.map((m) => [m.sequence, (TODAY - Date.parse(`${m.due}T00:00:00Z`)) / DAY]));
    expect(r.overdue_milestones.map((m: { days_overdue: number }) => m.days_overdue)).toEqual([17, 10, 3]);
    expect(r.overdue_tasks.map((x: { task_id: string; days_overdue: number }) => [x.task_id, x.days_overdue])).toEqual([[overdueTaskId, 1]]);

    // Pace: 45 days since 2026-05-01 ÷ 3 completed = 15 d per milestone; ceil(80% × 10) = 8 needed → 5 × 15 = 75 days.
    const elapsed = (TODAY - Date.parse("2026-05-01T00:00:00Z")) / DAY;
    const needed = Math.ceil(0.8 * 10);
    const ahead = Math.ceil((needed - 3) * (elapsed / 3));
    const projected = iso(TODAY + ahead * DAY);
    expect(r.risk).toMatchObject({
      level: "high",
      days_elapsed: elapsed,
      pace_days_per_milestone: 15,
      milestones_needed: needed,
      milestones_remaining: 5,
      projected_finish: projected,
      slip_days: (Date.parse(`${projected}T00:00:00Z`) - Date.parse("2026-07-10T00:00:00Z")) / DAY,
    });
    expect(r.risk.projected_finish).toBe("2026-08-29");
    expect(r.risk.slip_days).toBe(50);
    expect(r.risk.arithmetic).toContain("5 remaining × 15 = 75 days");
    expect(r.updates).toEqual({ applied: [], superseded_messages: 0, plan_status_change: null });
  });

  it("refuses bad updates naming each one, and changes nothing", async () => {
    const before = await t.db.prisma.onboardingMilestone.findMany({ where: { plan_id: planId }, orderBy: { sequence: "asc" } });
    const e = await callError(p, "track_onboarding_progress", {
      client_id: id,
      milestone_updates: [{ sequence: 4, status: "completed", completed_at: "2026-06-16" }, { sequence: 11, status: "completed" }, { sequence: 5, status: "pending", completed_at: "2026-06-01" }],
      task_updates: [{ task_id: "0197a000-0000-7000-8000-000000000000", status: "completed" }],
    });
    expect(e.code).toBe("validation_error");
    expect(e.message).toBe(
      "milestone_updates.0: completed_at 2026-06-16 is in the future (now is 2026-06-15T12:00:00.000Z); " +
        `milestone_updates.1: sequence 11 is not a milestone of plan ${planId}; ` +
        "milestone_updates.2: completed_at is only accepted with status 'completed'; " +
        `task_updates.0: task_id 0197a000-0000-7000-8000-000000000000 is not a task of plan ${planId}`,
    );
    const both = await callError(p, "track_onboarding_progress", { client_id: id, milestone_updates: [{ milestone_id: ms[0]!.id, sequence: 1, status: "completed" }] });
    expect(both.message).toBe("invalid arguments: milestone_updates.0.milestone_id: give exactly one of milestone_id or sequence");
    expect(await t.db.prisma.onboardingMilestone.findMany({ where: { plan_id: planId }, orderBy: { sequence: "asc" } })).toEqual(before);
  });

  it("applies updates, supersedes the completed milestone's reminders, and recomputes the risk", async () => {
    const r = await call(p, "track_onboarding_progress", {
      client_id: id,
      plan_id: planId,
      milestone_updates: [{ sequence: 4, status: "completed", completed_at: "2026-06-10" }, { milestone_id: ms[4]!.id, status: "completed", completed_at: "2026-06-12T09:30:00Z" }],
      task_updates: [{ task_id: overdueTaskId, status: "completed" }],
    });
    expect(r.updates.applied.map((a: { kind: string; from: string; to: string; completed_at: string }) => [a.kind, a.from, a.to, a.completed_at])).toEqual([
      ["milestone", "in_progress", "completed", "2026-06-10T00:00:00.000Z"],
      ["milestone", "pending", "completed", "2026-06-12T09:30:00.000Z"],
      ["task", "pending", "completed", NOW.toISOString()],
    ]);
    expect(r.updates.superseded_messages).toBe(1);
    const m4 = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: `onboarding:${planId}:m4:overdue_nudge:abc` } });
    expect(m4.status).toBe("failed");
    expect(m4.last_error).toBe("superseded: milestone step_4 was marked completed at 2026-06-15T12:00:00.000Z; its reminders are not needed");
    expect((await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: `onboarding:${planId}:m9:milestone_reminder:abc` } })).status).toBe("pending");

    // 5 completed in 45 days → 9 d each; 3 more needed → 27 days → 2026-07-12, 2 days after the target.
    expect([r.milestones_completed, r.percent_complete]).toEqual([5, 50]);
    expect(r.risk).toMatchObject({ level: "medium", pace_days_per_milestone: 9, milestones_remaining: 3, projected_finish: "2026-07-12", slip_days: 2 });
    expect(r.overdue_milestones.map((m: { sequence: number }) => m.sequence)).toEqual([6]);
    expect(r.overdue_tasks).toEqual([]);
    expect(await t.db.prisma.auditLog.count({ where: { entity_id: planId, action: "update_onboarding_progress" } })).toBe(1);
  });

  it("marks the plan completed at the moment 80 % was reached and supersedes its remaining reminders", async () => {
    const r = await call(p, "track_onboarding_progress", {
      client_id: id,
      milestone_updates: [
        { sequence: 6, status: "completed", completed_at: "2026-06-13" },
        { sequence: 7, status: "completed", completed_at: "2026-06-14T10:00:00Z" },
        { sequence: 8, status: "completed", completed_at: "2026-06-11" },
      ],
    });
    // 8 of 10 completed = 80 % (the threshold). Sorted completion times: three in May, 06-10, 06-11, 06-12, 06-13,
    // 06-14T10:00 — the 8th (ceil(80% × 10)) is when the threshold was reached.
    expect([r.milestones_completed, r.percent_complete, r.complete]).toEqual([8, 80, true]);
    expect(r.updates.plan_status_change).toEqual({ from: "active", to: "completed", completed_at: "2026-06-14T10:00:00.000Z" });
    expect(r.plan).toMatchObject({ status: "completed", completed_at: "2026-06-14T10:00:00.000Z" });
    expect(r.risk.level).toBe("none");
    const m9 = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: `onboarding:${planId}:m9:milestone_reminder:abc` } });
    expect(m9.status).toBe("failed");
    expect(m9.last_error).toMatch(/^superseded: onboarding plan .* was completed \(8\/10 milestones, threshold 80%\)/);
    expect(await t.db.prisma.timelineEvent.count({ where: { account_id: id, summary: "Onboarding plan completed: 8 of 10 milestones" } })).toBe(1);

    // Reopening one milestone drops below the threshold: the plan is active again.
    const back = await call(p, "track_onboarding_progress", { client_id: id, plan_id: planId, milestone_updates: [{ sequence: 8, status: "in_progress" }] });
    expect(back.updates.plan_status_change).toEqual({ from: "completed", to: "active", completed_at: null });
    expect(back.percent_complete).toBe(70);
  });
});
