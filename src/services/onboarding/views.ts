// How stored plans, milestones and tasks are shown by every onboarding tool, and the calendar-day arithmetic
// they share (dates are DATE columns at midnight UTC; "today" is the UTC date of the injected now()).
import type { PlanWithItems } from "../../repositories/onboarding-plans.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";

export const DAY_MS = 86_400_000;

/** Midnight UTC of the date of `d`. */
export const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
/** Whole calendar days from a to b (b − a), both taken as UTC dates. */
export const daysBetween = (a: Date, b: Date) => Math.round((utcDay(b).getTime() - utcDay(a).getTime()) / DAY_MS);
export const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);

export const DONE_STATUSES = ["completed", "skipped"] as const;
export const isOpen = (status: string) => status !== "completed" && status !== "skipped";

export function taskView(t: PlanWithItems["milestones"][number]["tasks"][number], today: Date) {
  const overdue = isOpen(t.status) && t.due_date.getTime() < today.getTime();
  return {
    task_id: t.id,
    title: t.title,
    owner: t.owner,
    due_date: toIsoDate(t.due_date)!,
    status: t.status,
    completed_at: toIso(t.completed_at),
    overdue,
    days_overdue: overdue ? daysBetween(t.due_date, today) : 0,
  };
}

export function milestoneView(m: PlanWithItems["milestones"][number], today: Date, withTasks = true) {
  const overdue = isOpen(m.status) && m.due_date.getTime() < today.getTime();
  return {
    milestone_id: m.id,
    sequence: m.sequence,
    name: m.name,
    description: m.description,
    due_date: toIsoDate(m.due_date)!,
    status: m.status,
    completed_at: toIso(m.completed_at),
    overdue,
    days_overdue: overdue ? daysBetween(m.due_date, today) : 0,
    ...(withTasks ? { tasks: m.tasks.map((t) => taskView(t, today)) } : {}),
  };
}

export function planHeader(p: PlanWithItems) {
  return {
    plan_id: p.id,
    client_id: p.account_id,
    status: p.status,
    product_tier: p.product_tier,
    team_size: p.team_size,
    technical_complexity: p.technical_complexity,
    timeline_weeks: p.timeline_weeks,
    customer_goals: p.customer_goals,
    success_criteria: p.success_criteria,
    start_date: toIsoDate(p.start_date)!,
    target_date: toIsoDate(p.target_date)!,
    completed_at: toIso(p.completed_at),
    created_at: toIso(p.created_at)!,
  };
}
