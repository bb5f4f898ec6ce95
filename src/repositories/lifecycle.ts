// Lifecycle stages: transitions history and set-based portfolio figures per stage.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { customerSinceSql } from "./customer-since.ts";

export interface StageFacts {
  account_id: string;
  company_name: string;
  lifecycle_stage: string;
  status: string;
  arr: number;
  health_score: number | null;
  /** When the relationship began (customer-since.ts). */
  customer_since: Date;
  stage_since: Date;
  last_usage_at: Date | null;
  renewal_date: string | null;
}

/** Per-account facts the intervention rules read; $1 = account id or null, $2 = stage filter, $4 = now. */
const FACTS = `
  facts AS (
    SELECT a.id AS account_id, a.company_name, a.lifecycle_stage::text AS lifecycle_stage, a.status::text AS status, a.arr::float8 AS arr,
           a.health_score, ${customerSinceSql("a")} AS customer_since,
           coalesce((SELECT max(t.transitioned_at) FROM lifecycle_transitions t WHERE t.account_id = a.id AND t.to_stage = a.lifecycle_stage), a.created_at) AS stage_since,
           (SELECT max(u.occurred_at) FROM usage_events u WHERE u.account_id = a.id) AS last_usage_at,
           (SELECT to_char(min(c.renewal_date), 'YYYY-MM-DD') FROM contracts c WHERE c.account_id = a.id AND c.status = 'active' AND c.renewal_date >= ($4::timestamptz AT TIME ZONE 'UTC')::date) AS renewal_date
      FROM accounts a
     WHERE ($1::text IS NULL OR a.id = $1::text) AND ($2::text IS NULL OR a.lifecycle_stage::text = $2::text))`;

export class LifecycleRepository {
  constructor(private readonly prisma: PrismaClient) {}

  transitions(accountId: string | null, limit: number, since: Date | null) {
    return this.prisma.lifecycleTransition.findMany({
      where: { ...(accountId ? { account_id: accountId } : {}), ...(since ? { transitioned_at: { gte: since } } : {}) },
      orderBy: [{ transitioned_at: "desc" }, { id: "desc" }],
      take: limit,
    });
  }

  async facts(accountId: string | null, stage: string | null, limit: number, offset: number, now: Date): Promise<Array<StageFacts & { total: number }>> {
    return this.prisma.$queryRawUnsafe(
      `WITH ${FACTS}
       SELECT *, (count(*) OVER ())::int AS total FROM facts ORDER BY stage_since, account_id LIMIT $3 OFFSET $5`,
      accountId,
      stage,
      limit,
      now,
      offset,
    );
  }

  /** One row per stage: accounts, ARR, mean health, mean days in stage, and the counts the intervention rules use. */
  perStage(now: Date, rule: { onboardingDays: number; atRiskBelow: number; healthyFrom: number; idleDays: number; renewalWindowDays: number }) {
    return this.prisma.$queryRawUnsafe<
      Array<{
        stage: string;
        accounts: number;
        arr: number;
        mean_health: number | null;
        mean_days_in_stage: number | null;
        overdue_onboarding: number;
        below_at_risk: number;
        no_recent_usage: number;
        renewal_soon_not_healthy: number;
        unscored: number;
      }>
    >(
      `WITH ${FACTS},
       stages AS (SELECT unnest(enum_range(NULL::"LifecycleStage"))::text AS stage)
       SELECT s.stage, count(f.account_id)::int AS accounts, coalesce(sum(f.arr), 0)::float8 AS arr,
              round(avg(f.health_score), 2)::float8 AS mean_health,
              round(avg(extract(epoch FROM $4::timestamptz - f.stage_since) / 86400), 1)::float8 AS mean_days_in_stage,
              (count(*) FILTER (WHERE f.lifecycle_stage = 'onboarding' AND extract(epoch FROM $4::timestamptz - f.stage_since) / 86400 > $3::int))::int AS overdue_onboarding,
              (count(*) FILTER (WHERE f.health_score < $5))::int AS below_at_risk,
              (count(*) FILTER (WHERE f.account_id IS NOT NULL AND f.status = 'active' AND (f.last_usage_at IS NULL OR f.last_usage_at < $4::timestamptz - make_interval(days => $7::int))))::int AS no_recent_usage,
              (count(*) FILTER (WHERE f.renewal_date IS NOT NULL AND f.renewal_date::date <= (($4::timestamptz AT TIME ZONE 'UTC') + make_interval(days => $8::int))::date
                                 AND (f.health_score IS NULL OR f.health_score < $6)))::int AS renewal_soon_not_healthy,
              (count(*) FILTER (WHERE f.account_id IS NOT NULL AND f.health_score IS NULL))::int AS unscored
         FROM stages s LEFT JOIN facts f ON f.lifecycle_stage = s.stage
        GROUP BY s.stage ORDER BY array_position(enum_range(NULL::"LifecycleStage")::text[], s.stage)`,
      null,
      null,
      rule.onboardingDays,
      now,
      rule.atRiskBelow,
      rule.healthyFrom,
      rule.idleDays,
      rule.renewalWindowDays,
    );
  }

  transitionCounts(since: Date) {
    return this.prisma.$queryRawUnsafe<Array<{ from_stage: string | null; to_stage: string; transitions: number }>>(
      `SELECT from_stage::text AS from_stage, to_stage::text AS to_stage, count(*)::int AS transitions
         FROM lifecycle_transitions WHERE transitioned_at >= $1::timestamptz
        GROUP BY 1, 2 ORDER BY transitions DESC, 1, 2`,
      since,
    );
  }
}
