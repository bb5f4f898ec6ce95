// optimize_onboarding_process: where completed onboardings slipped. Over plans completed within
// analysis_period_days of now (at least min_completed_onboardings of them, else the answer says so with the
// count): per milestone name the delay (completed date − due date: mean, median, p90, share late), the
// bottleneck milestones ranked by mean delay, task delays per owner, plan duration against target, and the
// time-to-value distribution of those accounts (first_value / activation / full_value as defined by
// MilestoneService, days from account creation). include_in_progress adds today's overdue milestones of
// active plans.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { OnboardingAnalysisRepository } from "../../repositories/onboarding-analysis.ts";
import type { MilestoneSpec } from "../../repositories/usage.ts";
import { toIsoDate } from "../../security/validation.ts";
import { addDays, utcDay } from "./views.ts";

export interface ProcessInput {
  analysis_period_days: number;
  min_completed_onboardings: number;
  include_in_progress: boolean;
  activation_users: number;
  in_progress_limit: number;
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const share = (n: number, d: number) => (d ? Math.round((n / d) * 10_000) / 10_000 : null);

/** percentile_cont over a sorted list (the same interpolation PostgreSQL uses). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export class OnboardingProcessService {
  private readonly repo: OnboardingAnalysisRepository;

  constructor(
    prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.repo = new OnboardingAnalysisRepository(prisma);
  }

  private async timeToValue(accounts: string[], input: ProcessInput, now: Date) {
    const c = this.config;
    const defs: Array<{ name: string; spec: MilestoneSpec; target: number; target_source: string }> = [
      { name: "first_value", spec: { kind: "first_value", minUsers: 1 }, target: c.TTV_FIRST_VALUE_DAYS, target_source: "TTV_FIRST_VALUE_DAYS" },
      { name: "activation", spec: { kind: "any_event", minUsers: input.activation_users }, target: c.TTV_ACTIVATION_DAYS, target_source: "TTV_ACTIVATION_DAYS" },
      { name: "full_value", spec: { kind: "breadth", features: 3, usersPerFeature: 2 }, target: c.TTV_FULL_VALUE_DAYS, target_source: "TTV_FULL_VALUE_DAYS" },
    ];
    const rows = await this.repo.milestoneDays(accounts, defs.map((d) => d.spec), now);
    return defs.map((d, i) => {
      const days = rows.map((r) => r.days[i]!).filter((x): x is number => x !== null).sort((a, b) => a - b);
      return {
        name: d.name,
        target_days: d.target,
        target_source: d.target_source,
        accounts: rows.length,
        reached: days.length,
        mean_days: r1(days.length ? days.reduce((s, x) => s + x, 0) / days.length : null),
        median_days: r1(percentile(days, 0.5)),
        p90_days: r1(percentile(days, 0.9)),
        on_time: days.filter((x) => x <= d.target).length,
        share_on_time: share(days.filter((x) => x <= d.target).length, rows.length),
      };
    });
  }

  async analyse(input: ProcessInput) {
    const now = this.now();
    const today = utcDay(now);
    const since = addDays(now, -input.analysis_period_days);
    const { plans, accounts } = await this.repo.completedPlans(since, now);
    const enough = plans >= input.min_completed_onboardings;
    const period = { analysis_period_days: input.analysis_period_days, from: since.toISOString(), to: now.toISOString() };

    let analysis = null;
    if (enough) {
      const [delays, owners, d, ttv] = await Promise.all([this.repo.milestoneDelays(since, now), this.repo.ownerDelays(since, now), this.repo.durations(since, now), this.timeToValue(accounts, input, now)]);
      const milestones = delays.map((m) => ({
        name: m.name,
        occurrences: m.occurrences,
        completed: m.completed,
        skipped: m.skipped,
        not_completed: m.not_completed,
        mean_delay_days: r1(m.mean_delay),
        median_delay_days: r1(m.median_delay),
        p90_delay_days: r1(m.p90_delay),
        max_delay_days: m.max_delay,
        late: m.late,
        share_late: share(m.late, m.completed),
      }));
      const bottlenecks = milestones
        .filter((m) => m.mean_delay_days !== null && m.mean_delay_days > 0)
        .sort((a, b) => b.mean_delay_days! - a.mean_delay_days! || (b.share_late ?? 0) - (a.share_late ?? 0) || a.name.localeCompare(b.name))
        .map((m, i) => ({
          rank: i + 1,
          name: m.name,
          mean_delay_days: m.mean_delay_days!,
          share_late: m.share_late,
          p90_delay_days: m.p90_delay_days,
          why: `${m.late} of ${m.completed} completions late, ${m.mean_delay_days} days late on average (p90 ${m.p90_delay_days})`,
        }));
      analysis = {
        milestones,
        bottlenecks,
        task_delays_by_owner: owners.map((o) => ({ owner: o.owner, tasks: o.tasks, completed: o.completed, mean_delay_days: r1(o.mean_delay), median_delay_days: r1(o.median_delay), late: o.late, share_late: share(o.late, o.completed) })),
        plan_duration: {
          plans: d.plans,
          mean_actual_days: r1(d.mean_actual_days),
          median_actual_days: r1(d.median_actual_days),
          p90_actual_days: r1(d.p90_actual_days),
          mean_target_days: r1(d.mean_target_days),
          mean_overrun_days: r1(d.mean_overrun_days),
          late_plans: d.late_plans,
          share_late: share(d.late_plans, d.plans),
        },
        time_to_value: ttv,
      };
    }

    let inProgress = null;
    if (input.include_in_progress) {
      const rows = await this.repo.overdueInProgress(today, input.in_progress_limit);
      inProgress = {
        as_of_date: toIsoDate(today)!,
        total_overdue_milestones: rows[0]?.total ?? 0,
        overdue_milestones: rows.map((r) => ({ plan_id: r.plan_id, client_id: r.account_id, company_name: r.company_name, milestone_id: r.milestone_id, name: r.name, due_date: toIsoDate(r.due_date)!, status: r.status, days_overdue: r.days_overdue })),
        truncated: (rows[0]?.total ?? 0) > rows.length,
      };
    }

    return {
      period,
      completed_onboardings: plans,
      accounts: accounts.length,
      min_completed_onboardings: input.min_completed_onboardings,
      sufficient_data: enough,
      ...(enough
        ? {}
        : {
            note: `only ${plans} onboarding plan(s) were completed in the last ${input.analysis_period_days} days, fewer than min_completed_onboardings (${input.min_completed_onboardings}); widen analysis_period_days, lower min_completed_onboardings, or mark finished plans completed with track_onboarding_progress`,
          }),
      analysis,
      in_progress: inProgress,
      definitions: {
        delay_days: "UTC date of completed_at − due_date for completed milestones/tasks; positive = late",
        share_late: "completions with delay > 0 ÷ completions",
        p90: "90th percentile, linear interpolation between closest ranks (PostgreSQL percentile_cont)",
        bottlenecks: "milestones with a positive mean delay, ranked by mean delay (ties: share late)",
        plan_duration: "UTC date of the plan's completed_at − start_date, against target_date − start_date",
        time_to_value: "days from account creation to first_value / activation / full_value (MilestoneService definitions: first non-login feature event; activation_users distinct users; 3 features × 2 users), active accounts of the completed plans",
      },
    };
  }
}
