// Set-based figures over completed onboarding plans: per-milestone delays, per-owner task delays, plan
// durations against their targets, the overdue milestones of active plans, and the accounts' time-to-value
// days (the adoption-milestone population of repositories/usage.ts, restricted to the plans' accounts).
//
// delay (days) = the UTC date of completed_at − due_date, for milestones/tasks completed; positive = late.
// Percentiles are PostgreSQL percentile_cont (linear interpolation between the closest ranks).
import type { PrismaClient } from "../generated/prisma/client.ts";
import { UsageRepository, type MilestoneSpec } from "./usage.ts";

export interface MilestoneDelayRow {
  name: string;
  position: number;
  occurrences: number;
  completed: number;
  skipped: number;
  not_completed: number;
  mean_delay: number | null;
  median_delay: number | null;
  p90_delay: number | null;
  max_delay: number | null;
  late: number;
}

export interface OwnerDelayRow {
  owner: string;
  tasks: number;
  completed: number;
  mean_delay: number | null;
  median_delay: number | null;
  late: number;
}

export interface DurationRow {
  plans: number;
  mean_actual_days: number | null;
  median_actual_days: number | null;
  p90_actual_days: number | null;
  mean_target_days: number | null;
  mean_overrun_days: number | null;
  late_plans: number;
}

export interface OverdueRow {
  plan_id: string;
  account_id: string;
  company_name: string;
  milestone_id: string;
  name: string;
  due_date: Date;
  status: string;
  days_overdue: number;
  total: number;
}

/** $1 = period start (exclusive), $2 = now: plans completed in (start, now]. */
const PLANS = `plans AS (SELECT p.id, p.account_id, p.start_date, p.target_date, p.completed_at FROM onboarding_plans p
                   WHERE p.status = 'completed' AND p.completed_at > $1 AND p.completed_at <= $2)`;
const DAY = (ts: string) => `(${ts} AT TIME ZONE 'UTC')::date`;

export class OnboardingAnalysisRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async completedPlans(since: Date, now: Date): Promise<{ plans: number; accounts: string[] }> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ account_id: string; n: number }>>(
      `WITH ${PLANS} SELECT account_id, count(*)::int AS n FROM plans GROUP BY account_id ORDER BY account_id`,
      since,
      now,
    );
    return { plans: rows.reduce((s, r) => s + r.n, 0), accounts: rows.map((r) => r.account_id) };
  }

  milestoneDelays(since: Date, now: Date): Promise<MilestoneDelayRow[]> {
    return this.prisma.$queryRawUnsafe<MilestoneDelayRow[]>(
      `WITH ${PLANS},
       ms AS (SELECT m.name, m.sequence, m.status,
                     CASE WHEN m.status = 'completed' AND m.completed_at IS NOT NULL THEN ${DAY("m.completed_at")} - m.due_date END AS delay
                FROM onboarding_milestones m JOIN plans p ON p.id = m.plan_id)
       SELECT name, avg(sequence)::float8 AS position, count(*)::int AS occurrences, count(delay)::int AS completed,
              (count(*) FILTER (WHERE status = 'skipped'))::int AS skipped,
              (count(*) FILTER (WHERE delay IS NULL AND status <> 'skipped'))::int AS not_completed,
              avg(delay)::float8 AS mean_delay,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY delay))::float8 AS median_delay,
              (percentile_cont(0.9) WITHIN GROUP (ORDER BY delay))::float8 AS p90_delay,
              max(delay)::int AS max_delay,
              (count(*) FILTER (WHERE delay > 0))::int AS late
         FROM ms GROUP BY name ORDER BY position, name`,
      since,
      now,
    );
  }

  ownerDelays(since: Date, now: Date): Promise<OwnerDelayRow[]> {
    return this.prisma.$queryRawUnsafe<OwnerDelayRow[]>(
      `WITH ${PLANS},
       ts AS (SELECT coalesce(t.owner, 'unassigned') AS owner,
                     CASE WHEN t.status = 'completed' AND t.completed_at IS NOT NULL THEN ${DAY("t.completed_at")} - t.due_date END AS delay
                FROM onboarding_tasks t JOIN onboarding_milestones m ON m.id = t.milestone_id JOIN plans p ON p.id = m.plan_id)
       SELECT owner, count(*)::int AS tasks, count(delay)::int AS completed, avg(delay)::float8 AS mean_delay,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY delay))::float8 AS median_delay,
              (count(*) FILTER (WHERE delay > 0))::int AS late
         FROM ts GROUP BY owner ORDER BY avg(delay) DESC NULLS LAST, owner`,
      since,
      now,
    );
  }

  async durations(since: Date, now: Date): Promise<DurationRow> {
    const [row] = await this.prisma.$queryRawUnsafe<DurationRow[]>(
      `WITH ${PLANS},
       d AS (SELECT ${DAY("completed_at")} - start_date AS actual, target_date - start_date AS target FROM plans)
       SELECT count(*)::int AS plans, avg(actual)::float8 AS mean_actual_days,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY actual))::float8 AS median_actual_days,
              (percentile_cont(0.9) WITHIN GROUP (ORDER BY actual))::float8 AS p90_actual_days,
              avg(target)::float8 AS mean_target_days, avg(actual - target)::float8 AS mean_overrun_days,
              (count(*) FILTER (WHERE actual > target))::int AS late_plans
         FROM d`,
      since,
      now,
    );
    return row!;
  }

  /** Open milestones of active plans due before `today`, most overdue first. */
  overdueInProgress(today: Date, limit: number): Promise<OverdueRow[]> {
    return this.prisma.$queryRawUnsafe<OverdueRow[]>(
      `SELECT p.id AS plan_id, p.account_id, a.company_name, m.id AS milestone_id, m.name, m.due_date, m.status,
              ($1::date - m.due_date)::int AS days_overdue, count(*) OVER ()::int AS total
         FROM onboarding_plans p JOIN accounts a ON a.id = p.account_id JOIN onboarding_milestones m ON m.plan_id = p.id
        WHERE p.status = 'active' AND m.status NOT IN ('completed', 'skipped') AND m.due_date < $1::date
        ORDER BY days_overdue DESC, a.company_name, m.sequence
        LIMIT $2::int`,
      today,
      limit,
    );
  }

  /**
   * Days to each milestone spec for the given accounts, from the usage-milestone population (the same SQL as
   * track_adoption_milestones); the population covers active accounts.
   */
  async milestoneDays(accountIds: string[], specs: MilestoneSpec[], now: Date): Promise<Array<{ account_id: string; days: Array<number | null>; age_days: number }>> {
    if (!accountIds.length) return [];
    const pop = new UsageRepository(this.prisma).milestonePopulation({ accountId: null, specs, now });
    const params = [...pop.params, accountIds];
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `WITH ${pop.sql} SELECT * FROM ms WHERE account_id = ANY($${params.length}::text[]) ORDER BY account_id`,
      ...params,
    );
    return rows.map((r) => ({ account_id: r.account_id as string, age_days: Number(r.age_days), days: specs.map((_, i) => (r[`d${i}`] === null ? null : Number(r[`d${i}`]))) }));
  }
}
