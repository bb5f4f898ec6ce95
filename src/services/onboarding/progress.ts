// track_onboarding_progress: applies milestone/task status updates (when given) and reports the plan's
// progress as of now().
// Definitions:
//   percent_complete = completed milestones ÷ all milestones of the plan × 100 (skipped ones are not completed;
//                      the same figure get_client_overview shows);
//   complete         = percent_complete ≥ ONBOARDING_COMPLETE_PERCENT; reaching it marks an active plan completed,
//                      with completed_at = the moment the threshold was reached: the completed_at of the k-th
//                      earliest completed milestone, k = ceil(ONBOARDING_COMPLETE_PERCENT × milestones ÷ 100).
//                      Reopening milestones below the threshold makes the plan active again;
//   overdue          = not completed/skipped and due_date before today (UTC date of now);
//   risk             = projected finish from the pace so far: pace = days elapsed since start_date ÷ milestones
//                      completed; projected = today + ceil(milestones still needed for completion × pace);
//                      slip = projected − target_date. high when slip > 7 days, medium when slip > 0 or a
//                      milestone is overdue, low otherwise; unknown when nothing is completed yet (high if
//                      something is already overdue).
// A completed or skipped milestone's pending reminders, and all of a completed plan's, are superseded in the
// same transaction (repositories/onboarding-outbox.ts).
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { OnboardingPlanRepository, type PlanWithItems } from "../../repositories/onboarding-plans.ts";
import { milestoneSlot, supersedePending } from "../../repositories/onboarding-outbox.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { dateOnly, toIsoDate } from "../../security/validation.ts";
import { addDays, daysBetween, isOpen, milestoneView, planHeader, taskView, utcDay } from "./views.ts";

export const ITEM_STATUSES = ["pending", "in_progress", "completed", "skipped"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface MilestoneUpdate {
  milestone_id?: string | undefined;
  sequence?: number | undefined;
  status: ItemStatus;
  completed_at?: string | undefined;
}
export interface TaskUpdate {
  task_id: string;
  status: ItemStatus;
  completed_at?: string | undefined;
}

export interface ProgressInput {
  client_id: string;
  plan_id?: string | undefined;
  include_risk_analysis: boolean;
  milestone_updates: MilestoneUpdate[];
  task_updates: TaskUpdate[];
}

interface UpdateResult {
  applied: Array<{ kind: "milestone" | "task"; id: string; name: string; from: string; to: string; completed_at: string | null }>;
  superseded_messages: number;
  plan_status_change: null | { from: string; to: string; completed_at: string | null };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const parseWhen = (s: string) => (s.length === 10 ? dateOnly(s) : new Date(s));

export class OnboardingProgressService {
  private readonly repo: OnboardingPlanRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.repo = new OnboardingPlanRepository(prisma);
  }

  private async planFor(db: PrismaClient | P.TransactionClient, clientId: string, planId: string | undefined): Promise<PlanWithItems> {
    const account = await db.account.findUnique({ where: { id: clientId }, select: { id: true } });
    if (!account) throw notFound("client", clientId, "use list_clients to find the client_id");
    const plan = planId ? await this.repo.find(planId, db) : await this.repo.currentPlan(clientId, db);
    if (!plan) throw notFound("onboarding plan", planId ?? `for ${clientId}`, "create one with create_onboarding_plan");
    if (plan.account_id !== clientId) throw validationError(`plan_id: plan ${plan.id} belongs to another account, not ${clientId}`);
    return plan;
  }

  async track(input: ProgressInput) {
    if (!input.milestone_updates.length && !input.task_updates.length) {
      const plan = await this.planFor(this.prisma, input.client_id, input.plan_id);
      return this.report(plan, input.include_risk_analysis, { applied: [], superseded_messages: 0, plan_status_change: null });
    }
    return this.prisma.$transaction(async (tx) => {
      const first = await this.planFor(tx, input.client_id, input.plan_id);
      await this.repo.lock(tx, first.id);
      const plan = (await this.repo.find(first.id, tx))!;
      const result = await this.apply(tx, plan, input);
      return this.report((await this.repo.find(plan.id, tx))!, input.include_risk_analysis, result);
    });
  }

  private async apply(tx: P.TransactionClient, plan: PlanWithItems, input: ProgressInput): Promise<UpdateResult> {
    const now = this.now();
    if (plan.status === "cancelled") throw conflict(`onboarding plan ${plan.id} is cancelled; its milestones can no longer be updated`, "track the account's active plan instead (omit plan_id)");
    const problems: string[] = [];
    const checkWhen = (field: string, status: ItemStatus, when: string | undefined) => {
      if (when === undefined) return;
      if (status !== "completed") problems.push(`${field}: completed_at is only accepted with status 'completed'`);
      const at = parseWhen(when);
      if (at.getTime() > now.getTime()) problems.push(`${field}: completed_at ${when} is in the future (now is ${now.toISOString()})`);
      if (at.getTime() < plan.start_date.getTime()) problems.push(`${field}: completed_at ${when} is before the plan's start_date ${toIsoDate(plan.start_date)}`);
    };
    const mUpdates = input.milestone_updates.map((u, i) => {
      const m = plan.milestones.find((x) => (u.milestone_id !== undefined ? x.id === u.milestone_id : x.sequence === u.sequence));
      if (!m) problems.push(`milestone_updates.${i}: ${u.milestone_id !== undefined ? `milestone_id ${u.milestone_id}` : `sequence ${u.sequence}`} is not a milestone of plan ${plan.id}`);
      checkWhen(`milestone_updates.${i}`, u.status, u.completed_at);
      return { u, m };
    });
    const ids = mUpdates.map((x) => x.m?.id).filter(Boolean);
    if (new Set(ids).size !== ids.length) problems.push("milestone_updates: names the same milestone twice");
    const tasks = plan.milestones.flatMap((m) => m.tasks);
    const tUpdates = input.task_updates.map((u, i) => {
      const t = tasks.find((x) => x.id === u.task_id);
      if (!t) problems.push(`task_updates.${i}: task_id ${u.task_id} is not a task of plan ${plan.id}`);
      checkWhen(`task_updates.${i}`, u.status, u.completed_at);
      return { u, t };
    });
    if (new Set(input.task_updates.map((u) => u.task_id)).size !== input.task_updates.length) problems.push("task_updates: names the same task twice");
    if (problems.length) throw validationError(problems.join("; "), "fix the named updates and call again; nothing was changed");

    const applied: UpdateResult["applied"] = [];
    let superseded = 0;
    for (const { u, m } of mUpdates) {
      const completedAt = u.status === "completed" ? (u.completed_at ? parseWhen(u.completed_at) : m!.status === "completed" && m!.completed_at ? m!.completed_at : now) : null;
      if (m!.status === u.status && (u.status !== "completed" || completedAt?.getTime() === m!.completed_at?.getTime())) continue;
      await tx.onboardingMilestone.update({ where: { id: m!.id }, data: { status: u.status, completed_at: completedAt } });
      applied.push({ kind: "milestone", id: m!.id, name: m!.name, from: m!.status, to: u.status, completed_at: completedAt?.toISOString() ?? null });
      if (!isOpen(u.status)) {
        const gone = await supersedePending(tx, plan.account_id, plan.id, `milestone ${m!.name} was marked ${u.status} at ${now.toISOString()}; its reminders are not needed`, { slot: milestoneSlot(m!.sequence) });
        superseded += gone.length;
      }
    }
    for (const { u, t } of tUpdates) {
      const completedAt = u.status === "completed" ? (u.completed_at ? parseWhen(u.completed_at) : t!.status === "completed" && t!.completed_at ? t!.completed_at : now) : null;
      if (t!.status === u.status && (u.status !== "completed" || completedAt?.getTime() === t!.completed_at?.getTime())) continue;
      await tx.onboardingTask.update({ where: { id: t!.id }, data: { status: u.status, completed_at: completedAt } });
      applied.push({ kind: "task", id: t!.id, name: t!.title, from: t!.status, to: u.status, completed_at: completedAt?.toISOString() ?? null });
    }

    // Completion against the threshold, from the milestones as they are now.
    const after = await tx.onboardingMilestone.findMany({ where: { plan_id: plan.id }, select: { status: true, completed_at: true } });
    const done = after.filter((m) => m.status === "completed").map((m) => m.completed_at!).sort((a, b) => a.getTime() - b.getTime());
    const threshold = this.config.ONBOARDING_COMPLETE_PERCENT;
    const reached = done.length * 100 >= threshold * after.length;
    let change: UpdateResult["plan_status_change"] = null;
    if (plan.status === "active" && reached) {
      const k = Math.ceil((threshold * after.length) / 100);
      const at = done[Math.max(0, k - 1)]!;
      await tx.onboardingPlan.update({ where: { id: plan.id }, data: { status: "completed", completed_at: at } });
      superseded += (await supersedePending(tx, plan.account_id, plan.id, `onboarding plan ${plan.id} was completed (${done.length}/${after.length} milestones, threshold ${threshold}%) at ${now.toISOString()}`)).length;
      await writeTimeline(tx, { account_id: plan.account_id, event_type: "note", summary: `Onboarding plan completed: ${done.length} of ${after.length} milestones`, data: { plan_id: plan.id }, occurred_at: at });
      change = { from: "active", to: "completed", completed_at: at.toISOString() };
    } else if (plan.status === "completed" && !reached) {
      await tx.onboardingPlan.update({ where: { id: plan.id }, data: { status: "active", completed_at: null } });
      change = { from: "completed", to: "active", completed_at: null };
    }
    if (applied.length || change) {
      await writeAudit(tx, { action: "update_onboarding_progress", entity_type: "onboarding_plan", entity_id: plan.id, changes: { applied, plan_status_change: change, superseded_messages: superseded } });
    }
    return { applied, superseded_messages: superseded, plan_status_change: change };
  }

  private report(plan: PlanWithItems, withRisk: boolean, updates: UpdateResult) {
    const now = this.now();
    const today = utcDay(now);
    const threshold = this.config.ONBOARDING_COMPLETE_PERCENT;
    const total = plan.milestones.length;
    const count = (s: string) => plan.milestones.filter((m) => m.status === s).length;
    const completed = count("completed");
    const milestones = plan.milestones.map((m) => milestoneView(m, today));
    const overdueMilestones = milestones.filter((m) => m.overdue).map(({ tasks: _t, ...m }) => m);
    const overdueTasks = plan.milestones.flatMap((m) => m.tasks.map((t) => ({ ...taskView(t, today), milestone: m.name }))).filter((t) => t.overdue);
    const complete = completed * 100 >= threshold * total && total > 0;
    return {
      plan: planHeader(plan),
      as_of: now.toISOString(),
      today: toIsoDate(today)!,
      milestones_total: total,
      milestones_completed: completed,
      milestones_in_progress: count("in_progress"),
      milestones_pending: count("pending"),
      milestones_skipped: count("skipped"),
      percent_complete: total ? round1((completed / total) * 100) : 0,
      complete_threshold_percent: threshold,
      complete,
      overdue_milestones: overdueMilestones,
      overdue_tasks: overdueTasks,
      milestones,
      risk: withRisk ? this.risk(plan, today, completed, total, overdueMilestones.length) : null,
      updates,
      definitions: {
        percent_complete: "completed milestones ÷ all milestones × 100 (skipped milestones count as not completed)",
        complete: `percent_complete ≥ ONBOARDING_COMPLETE_PERCENT (${threshold}); reaching it marks the plan completed at the moment the threshold was reached`,
        overdue: `not completed or skipped, due before today (${toIsoDate(today)}, UTC)`,
      },
    };
  }

  private risk(plan: PlanWithItems, today: Date, completed: number, total: number, overdue: number) {
    const threshold = this.config.ONBOARDING_COMPLETE_PERCENT;
    const needed = Math.ceil((threshold * total) / 100);
    const remaining = Math.max(0, needed - completed);
    const elapsed = daysBetween(plan.start_date, today);
    const target = toIsoDate(plan.target_date)!;
    const base = { target_date: target, milestones_needed: needed, milestones_remaining: remaining, days_elapsed: elapsed, days_to_target: daysBetween(today, plan.target_date) };
    if (plan.status === "completed" || remaining === 0) {
      return { ...base, level: "none" as const, projected_finish: toIsoDate(plan.completed_at) ?? null, slip_days: plan.completed_at ? daysBetween(plan.target_date, plan.completed_at) : null, pace_days_per_milestone: null, arithmetic: `${completed} of ${total} milestones completed; ${needed} needed for ${threshold}% — the plan is complete`, reasons: [] as string[] };
    }
    if (plan.status === "cancelled") {
      return { ...base, level: "unknown" as const, projected_finish: null, slip_days: null, pace_days_per_milestone: null, arithmetic: "the plan is cancelled", reasons: ["the plan is cancelled"] };
    }
    if (elapsed <= 0 || completed === 0) {
      const reasons = elapsed <= 0 ? [`the plan starts on ${toIsoDate(plan.start_date)}`] : [`no milestone completed in ${elapsed} days, so there is no pace to project from`];
      if (overdue) reasons.push(`${overdue} milestone(s) already overdue`);
      return {
        ...base,
        level: overdue ? ("high" as const) : ("unknown" as const),
        projected_finish: null,
        slip_days: null,
        pace_days_per_milestone: null,
        arithmetic: `${completed} of ${total} milestones completed after ${elapsed} days; ${needed} needed for ${threshold}% (ceil(${threshold}% × ${total}))`,
        reasons,
      };
    }
    const pace = elapsed / completed;
    const ahead = Math.ceil(remaining * pace);
    const projected = addDays(today, ahead);
    const slip = daysBetween(plan.target_date, projected);
    const reasons: string[] = [];
    if (slip > 0) reasons.push(`projected finish ${toIsoDate(projected)} is ${slip} days after the target ${target}`);
    if (overdue) reasons.push(`${overdue} milestone(s) overdue`);
    const level = slip > 7 ? ("high" as const) : slip > 0 || overdue ? ("medium" as const) : ("low" as const);
    return {
      ...base,
      level,
      projected_finish: toIsoDate(projected),
      slip_days: slip,
      pace_days_per_milestone: round1(pace),
      arithmetic:
        `${completed} of ${total} milestones completed in ${elapsed} days → ${round1(pace)} days per milestone; ` +
        `${needed} needed for ${threshold}% (ceil(${threshold}% × ${total})) → ${remaining} remaining × ${round1(pace)} = ${ahead} days (rounded up) → ` +
        `projected ${toIsoDate(projected)} vs target ${target}: ${slip > 0 ? `${slip} days late` : slip < 0 ? `${-slip} days early` : "on the target date"}`,
      reasons,
    };
  }
}
