import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDateOrDateTime } from "../../security/validation.ts";
import { ITEM_STATUSES } from "../../services/onboarding/progress.ts";
import { milestoneOut, planOut, taskOut } from "./schemas.ts";

const status = z.enum(ITEM_STATUSES, { error: `must be one of ${ITEM_STATUSES.join(", ")}` });

const milestoneUpdate = z
  .strictObject({
    milestone_id: z.uuid({ error: "must be a milestone_id (a UUID) of the plan" }).optional(),
    sequence: z.number().int().min(1).max(100).optional(),
    status: status,
    completed_at: isoDateOrDateTime().optional(),
  })
  .superRefine((u, ctx) => {
    if ((u.milestone_id === undefined) === (u.sequence === undefined)) ctx.addIssue({ code: "custom", path: ["milestone_id"], message: "give exactly one of milestone_id or sequence" });
  });

const taskUpdate = z.strictObject({
  task_id: z.uuid({ error: "must be a task_id (a UUID) of the plan" }),
  status: status,
  completed_at: isoDateOrDateTime().optional(),
});

const overdueMilestone = milestoneOut.omit({ tasks: true });

export const trackOnboardingProgress = defineTool({
  name: "track_onboarding_progress",
  toolset: "onboarding",
  title: "Track and update onboarding progress",
  description:
    "An onboarding plan's progress, applying milestone and task updates when given: percent complete, " +
    "overdue items, projected finish against the target. Default: the active plan. Portfolio view: " +
    "optimize_onboarding_process. Example: {client_id: 'cs_1700000000_acme_corp', milestone_updates: " +
    "[{sequence: 1, status: 'completed'}]}.",
  input: z.strictObject({
    client_id: clientId(),
    plan_id: z.uuid({ error: "must be a plan_id (a UUID)" }).optional().describe("Default: active plan"),
    include_risk_analysis: z.boolean().default(true).describe("Project the finish date"),
    milestone_updates: z.array(milestoneUpdate).max(100, "must list at most 100 updates").default([]).describe("milestone_id or sequence, status"),
    task_updates: z.array(taskUpdate).max(500, "must list at most 500 updates").default([]).describe("task_id, status"),
  }),
  output: z.object({
    plan: planOut,
    as_of: z.string(),
    today: z.string(),
    milestones_total: z.number().int(),
    milestones_completed: z.number().int(),
    milestones_in_progress: z.number().int(),
    milestones_pending: z.number().int(),
    milestones_skipped: z.number().int(),
    percent_complete: z.number(),
    complete_threshold_percent: z.number().int(),
    complete: z.boolean(),
    overdue_milestones: z.array(overdueMilestone),
    overdue_tasks: z.array(taskOut.extend({ milestone: z.string() })),
    milestones: z.array(milestoneOut),
    risk: z
      .object({
        level: z.enum(["none", "low", "medium", "high", "unknown"]),
        target_date: z.string(),
        projected_finish: z.string().nullable(),
        slip_days: z.number().int().nullable(),
        pace_days_per_milestone: z.number().nullable(),
        milestones_needed: z.number().int(),
        milestones_remaining: z.number().int(),
        days_elapsed: z.number().int(),
        days_to_target: z.number().int(),
        arithmetic: z.string(),
        reasons: z.array(z.string()),
      })
      .nullable(),
    updates: z.object({
      applied: z.array(z.object({ kind: z.enum(["milestone", "task"]), id: z.string(), name: z.string(), from: z.string(), to: z.string(), completed_at: z.string().nullable() })),
      superseded_messages: z.number().int(),
      plan_status_change: z.object({ from: z.string(), to: z.string(), completed_at: z.string().nullable() }).nullable(),
    }),
    definitions: z.record(z.string(), z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.onboarding.progress.track(args);
    const u = d.updates;
    return {
      data: d,
      text:
        `Plan ${d.plan.plan_id} (${d.plan.client_id}, ${d.plan.status}): ${d.milestones_completed}/${d.milestones_total} milestones completed (${d.percent_complete}%, complete at ${d.complete_threshold_percent}%), ` +
        `${d.overdue_milestones.length} milestone(s) and ${d.overdue_tasks.length} task(s) overdue as of ${d.today}.` +
        (d.risk ? ` Risk ${d.risk.level}: ${d.risk.arithmetic}.` : "") +
        (u.applied.length ? ` Applied ${u.applied.length} update(s)${u.superseded_messages ? `, superseded ${u.superseded_messages} pending reminder(s)` : ""}.` : "") +
        (u.plan_status_change ? ` Plan ${u.plan_status_change.from} → ${u.plan_status_change.to}.` : ""),
    };
  },
});
