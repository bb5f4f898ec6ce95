import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";

const num = z.number().nullable();

export const optimizeOnboardingProcess = defineTool({
  name: "optimize_onboarding_process",
  toolset: "onboarding",
  title: "Find where onboardings slip",
  description:
    "Where onboarding is slow across the portfolio: completed plans' delay per milestone (mean, median, " +
    "p90), bottlenecks, delay per owner, duration against target, time-to-value spread. One account: " +
    "track_onboarding_progress. Example: {analysis_period_days: 180, include_in_progress: true}.",
  input: z.strictObject({
    analysis_period_days: z.number().int().min(1, "must be 1–1095").max(1095, "must be 1–1095").default(180).describe("Days back from now"),
    min_completed_onboardings: z.number().int().min(1, "must be 1–10000").max(10_000, "must be 1–10000").default(5).describe("Fewest plans worth analysing"),
    include_in_progress: z.boolean().default(false).describe("Overdue milestones of active plans"),
    in_progress_limit: z.number().int().min(1).max(100).default(50).describe("Most listed"),
    activation_users: z.number().int().min(1).max(10_000).default(3).describe("Users for activation"),
  }),
  output: z.object({
    period: z.object({ analysis_period_days: z.number().int(), from: z.string(), to: z.string() }),
    completed_onboardings: z.number().int(),
    accounts: z.number().int(),
    min_completed_onboardings: z.number().int(),
    sufficient_data: z.boolean(),
    note: z.string().optional(),
    analysis: z
      .object({
        milestones: z.array(
          z.object({
            name: z.string(),
            occurrences: z.number().int(),
            completed: z.number().int(),
            skipped: z.number().int(),
            not_completed: z.number().int(),
            mean_delay_days: num,
            median_delay_days: num,
            p90_delay_days: num,
            max_delay_days: z.number().int().nullable(),
            late: z.number().int(),
            share_late: num,
          }),
        ),
        bottlenecks: z.array(z.object({ rank: z.number().int(), name: z.string(), mean_delay_days: z.number(), share_late: num, p90_delay_days: num, why: z.string() })),
        task_delays_by_owner: z.array(z.object({ owner: z.string(), tasks: z.number().int(), completed: z.number().int(), mean_delay_days: num, median_delay_days: num, late: z.number().int(), share_late: num })),
        plan_duration: z.object({
          plans: z.number().int(),
          mean_actual_days: num,
          median_actual_days: num,
          p90_actual_days: num,
          mean_target_days: num,
          mean_overrun_days: num,
          late_plans: z.number().int(),
          share_late: num,
        }),
        time_to_value: z.array(
          z.object({
            name: z.string(),
            target_days: z.number().int(),
            target_source: z.string(),
            accounts: z.number().int(),
            reached: z.number().int(),
            mean_days: num,
            median_days: num,
            p90_days: num,
            on_time: z.number().int(),
            share_on_time: num,
          }),
        ),
      })
      .nullable(),
    in_progress: z
      .object({
        as_of_date: z.string(),
        total_overdue_milestones: z.number().int(),
        overdue_milestones: z.array(z.object({ plan_id: z.string(), client_id: z.string(), company_name: z.string(), milestone_id: z.string(), name: z.string(), due_date: z.string(), status: z.string(), days_overdue: z.number().int() })),
        truncated: z.boolean(),
      })
      .nullable(),
    definitions: z.record(z.string(), z.string()),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.onboarding.process.analyse(args);
    const a = d.analysis;
    const head = `${d.completed_onboardings} onboarding(s) completed in the last ${d.period.analysis_period_days} days.`;
    const body = a
      ? ` Bottlenecks: ${a.bottlenecks.length ? a.bottlenecks.slice(0, 5).map((b) => `${b.rank}. ${b.name} (+${b.mean_delay_days} d mean, ${b.share_late === null ? "n/a" : `${Math.round(b.share_late * 100)}%`} late)`).join(", ") : "none (no milestone late on average)"}. ` +
        `Plans took ${a.plan_duration.mean_actual_days} days on average vs ${a.plan_duration.mean_target_days} planned; ${a.plan_duration.late_plans} finished late.`
      : ` ${d.note}`;
    const ip = d.in_progress ? ` ${d.in_progress.total_overdue_milestones} milestone(s) of active plans overdue today.` : "";
    return { data: d, text: head + body + ip };
  },
});
