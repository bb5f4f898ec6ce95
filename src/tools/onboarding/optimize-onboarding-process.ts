import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";

const num = z.number().nullable();

export const optimizeOnboardingProcess = defineTool({
  name: "optimize_onboarding_process",
  toolset: "onboarding",
  title: "Find where onboardings slip",
  description:
    "Analyses onboarding plans completed in the last analysis_period_days: per milestone the delay in days (completed date − due " +
    "date: mean, median, p90, share late), bottleneck milestones ranked by mean delay, task delays per owner (customer, csm, " +
    "support, engineering), plan duration against target, and the accounts' time-to-value distribution (days to first_value, " +
    "activation, full_value against TTV_* targets). With fewer than min_completed_onboardings completed plans it says so with the " +
    "count and gives no figures. include_in_progress adds today's overdue milestones of active plans. Per-account detail: " +
    "track_onboarding_progress. Example: {analysis_period_days: 180, min_completed_onboardings: 5, include_in_progress: true}.",
  input: z.strictObject({
    analysis_period_days: z.number().int().min(1, "must be 1–1095").max(1095, "must be 1–1095").default(180).describe("Plans completed within this many days before now, 1–1095 (default 180)"),
    min_completed_onboardings: z.number().int().min(1, "must be 1–10000").max(10_000, "must be 1–10000").default(5).describe("Fewest completed plans worth analysing (default 5)"),
    include_in_progress: z.boolean().default(false).describe("Also list the overdue milestones of active plans as of today (default false)"),
    in_progress_limit: z.number().int().min(1).max(100).default(50).describe("At most this many overdue milestones listed, 1–100 (default 50)"),
    activation_users: z.number().int().min(1).max(10_000).default(3).describe("Distinct users that make the activation milestone, as in track_adoption_milestones (default 3)"),
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
