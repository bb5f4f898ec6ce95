// Executive business reviews: the stored facts an EBR is prepared from, for one account over a period
// (start, end] — health history, usage against the previous period of the same length, support, onboarding
// outcomes, renewal and expansion — plus the upcoming reviews and the accounts with no recent review.
import type { PrismaClient } from "../generated/prisma/client.ts";

const OPEN_TICKET = "('open','pending','in_progress')";

export class ExecutiveReviewRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The latest completed review of the account before `before` (the default start of the next period). */
  previousCompleted(accountId: string, before: Date, excludeId: string) {
    return this.prisma.executiveReview.findFirst({
      where: { account_id: accountId, status: "completed", completed_at: { lte: before }, id: { not: excludeId } },
      orderBy: [{ completed_at: "desc" }, { id: "desc" }],
    });
  }

  async healthSummary(accountId: string, start: Date, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ n: number; start_score: number | null; end_score: number | null; min_score: number | null; max_score: number | null }>>(
      `SELECT count(*)::int AS n,
              (array_agg(overall_score ORDER BY calculated_at ASC, id ASC))[1] AS start_score,
              (array_agg(overall_score ORDER BY calculated_at DESC, id DESC))[1] AS end_score,
              min(overall_score) AS min_score, max(overall_score) AS max_score
         FROM health_scores WHERE account_id = $1 AND overall_score IS NOT NULL AND calculated_at > $2 AND calculated_at <= $3`,
      accountId,
      start,
      end,
    );
    return row!;
  }

  // Rated scores only: a run with insufficient data stored no overall score (and no trend).
  async healthSeries(accountId: string, start: Date, end: Date, limit: number) {
    const rows = await this.prisma.healthScore.findMany({
      where: { account_id: accountId, overall_score: { not: null }, calculated_at: { gt: start, lte: end } },
      orderBy: [{ calculated_at: "asc" }, { id: "asc" }],
      take: limit,
      select: { calculated_at: true, overall_score: true, band: true },
    });
    return rows.map((r) => ({ ...r, overall_score: r.overall_score! }));
  }

  async latestHealth(accountId: string, end: Date) {
    const row = await this.prisma.healthScore.findFirst({ where: { account_id: accountId, overall_score: { not: null }, calculated_at: { lte: end } }, orderBy: [{ calculated_at: "desc" }, { id: "desc" }] });
    return row ? { ...row, overall_score: row.overall_score!, trend: row.trend ?? "stable" } : null;
  }

  /** Usage of (start, end] and of the previous period (prevStart, start]. */
  async usage(accountId: string, prevStart: Date, start: Date, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<
      Array<{ cur_users: number; cur_logins: number; cur_sessions: number; cur_events: number; cur_days: number; prev_users: number; prev_logins: number; prev_sessions: number; prev_events: number; last_event_at: Date | null }>
    >(
      `SELECT count(DISTINCT user_id) FILTER (WHERE occurred_at > $3)::int AS cur_users,
              count(*) FILTER (WHERE occurred_at > $3 AND event = 'login')::int AS cur_logins,
              count(*) FILTER (WHERE occurred_at > $3 AND event = 'session_start')::int AS cur_sessions,
              count(*) FILTER (WHERE occurred_at > $3)::int AS cur_events,
              count(DISTINCT date_trunc('day', occurred_at AT TIME ZONE 'UTC')) FILTER (WHERE occurred_at > $3)::int AS cur_days,
              count(DISTINCT user_id) FILTER (WHERE occurred_at <= $3)::int AS prev_users,
              count(*) FILTER (WHERE occurred_at <= $3 AND event = 'login')::int AS prev_logins,
              count(*) FILTER (WHERE occurred_at <= $3 AND event = 'session_start')::int AS prev_sessions,
              count(*) FILTER (WHERE occurred_at <= $3)::int AS prev_events,
              (SELECT max(occurred_at) FROM usage_events WHERE account_id = $1 AND occurred_at <= $4) AS last_event_at
         FROM usage_events WHERE account_id = $1 AND occurred_at > $2 AND occurred_at <= $4`,
      accountId,
      prevStart,
      start,
      end,
    );
    return row!;
  }

  topFeatures(accountId: string, start: Date, end: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ feature: string; events: number; users: number }>>(
      `SELECT feature, count(*)::int AS events, count(DISTINCT user_id)::int AS users
         FROM usage_events WHERE account_id = $1 AND feature IS NOT NULL AND occurred_at > $2 AND occurred_at <= $3
        GROUP BY feature ORDER BY events DESC, feature LIMIT $4`,
      accountId,
      start,
      end,
      limit,
    );
  }

  /**
   * Tickets of the period: opened, resolved, opened per priority, SLA breaches among the tickets opened
   * (first response or resolution later than its due time, or still missing past it at `end`), ticket
   * CSAT of the tickets resolved in the period, open tickets now; escalations opened and still open.
   */
  async support(accountId: string, start: Date, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<
      Array<{ ever: number; opened: number; resolved: number; p1: number; p2: number; p3: number; p4: number; breaches: number; first_response_breaches: number; resolution_breaches: number; csat_n: number; csat_satisfied: number; open_now: number; escalations_ever: number; escalations_opened: number }>
    >(
      `SELECT (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND created_at <= $3)::int AS ever,
              count(*) FILTER (WHERE created_at > $2)::int AS opened,
              (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND resolved_at > $2 AND resolved_at <= $3)::int AS resolved,
              count(*) FILTER (WHERE created_at > $2 AND priority = 'P1')::int AS p1,
              count(*) FILTER (WHERE created_at > $2 AND priority = 'P2')::int AS p2,
              count(*) FILTER (WHERE created_at > $2 AND priority = 'P3')::int AS p3,
              count(*) FILTER (WHERE created_at > $2 AND priority = 'P4')::int AS p4,
              count(*) FILTER (WHERE created_at > $2 AND (
                  first_response_at > first_response_due_at OR (first_response_at IS NULL AND status IN ${OPEN_TICKET} AND first_response_due_at < $3)
               OR resolved_at > resolution_due_at OR (resolved_at IS NULL AND status IN ${OPEN_TICKET} AND resolution_due_at < $3)))::int AS breaches,
              count(*) FILTER (WHERE created_at > $2 AND (first_response_at > first_response_due_at OR (first_response_at IS NULL AND status IN ${OPEN_TICKET} AND first_response_due_at < $3)))::int AS first_response_breaches,
              count(*) FILTER (WHERE created_at > $2 AND (resolved_at > resolution_due_at OR (resolved_at IS NULL AND status IN ${OPEN_TICKET} AND resolution_due_at < $3)))::int AS resolution_breaches,
              (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND resolved_at > $2 AND resolved_at <= $3 AND satisfaction_rating IS NOT NULL)::int AS csat_n,
              (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND resolved_at > $2 AND resolved_at <= $3 AND satisfaction_rating >= 4)::int AS csat_satisfied,
              (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND created_at <= $3 AND status IN ${OPEN_TICKET})::int AS open_now,
              (SELECT count(*) FROM escalations WHERE account_id = $1 AND created_at <= $3)::int AS escalations_ever,
              (SELECT count(*) FROM escalations WHERE account_id = $1 AND created_at > $2 AND created_at <= $3)::int AS escalations_opened
         FROM support_tickets WHERE account_id = $1 AND created_at <= $3`,
      accountId,
      start,
      end,
    );
    return row!;
  }

  openEscalations(accountId: string, end: Date) {
    return this.prisma.escalation.findMany({
      where: { account_id: accountId, status: { not: "resolved" }, created_at: { lte: end } },
      orderBy: [{ created_at: "asc" }, { id: "asc" }],
      select: { id: true, severity: true, reason: true, status: true, created_at: true },
      take: 20,
    });
  }

  npsVerbatims(accountId: string, start: Date, end: Date, limit: number) {
    return this.prisma.surveyResponse.findMany({
      where: { account_id: accountId, survey_type: "nps", responded_at: { gt: start, lte: end }, reason: { not: null } },
      orderBy: [{ responded_at: "desc" }, { id: "desc" }],
      take: limit,
      select: { id: true, score: true, reason: true, responded_at: true, respondent_email: true },
    });
  }

  async milestoneTotals(accountId: string, start: Date, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ total: number; completed: number; completed_in_period: number; plans: number }>>(
      `SELECT count(m.id)::int AS total,
              count(m.id) FILTER (WHERE m.completed_at IS NOT NULL AND m.completed_at <= $3)::int AS completed,
              count(m.id) FILTER (WHERE m.completed_at > $2 AND m.completed_at <= $3)::int AS completed_in_period,
              count(DISTINCT p.id)::int AS plans
         FROM onboarding_plans p LEFT JOIN onboarding_milestones m ON m.plan_id = p.id
        WHERE p.account_id = $1`,
      accountId,
      start,
      end,
    );
    return row!;
  }

  milestonesCompleted(accountId: string, start: Date, end: Date, limit: number) {
    return this.prisma.onboardingMilestone.findMany({
      where: { plan: { account_id: accountId }, completed_at: { gt: start, lte: end } },
      orderBy: [{ completed_at: "asc" }, { id: "asc" }],
      take: limit,
      select: { id: true, name: true, plan_id: true, completed_at: true, due_date: true },
    });
  }

  latestPlan(accountId: string) {
    return this.prisma.onboardingPlan.findFirst({ where: { account_id: accountId }, orderBy: [{ created_at: "desc" }, { id: "desc" }] });
  }

  certificationsIssued(accountId: string, start: Date, end: Date) {
    return this.prisma.certification.findMany({
      where: { account_id: accountId, issued_at: { gt: start, lte: end } },
      orderBy: [{ issued_at: "asc" }, { id: "asc" }],
      select: { user_email: true, level: true, issued_at: true },
      take: 50,
    });
  }

  trainingCompleted(accountId: string, start: Date, end: Date) {
    return this.prisma.trainingCompletion.count({ where: { account_id: accountId, completed_at: { gt: start, lte: end }, status: { in: ["completed", "passed"] } } });
  }

  /** The contract to renew: the active one with the nearest renewal date from `end`, else the latest. */
  async currentContract(accountId: string, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<
      Array<{ id: string; contract_value: string; currency: string; billing_frequency: string; start_date: Date | null; end_date: Date | null; renewal_date: Date | null; auto_renew: boolean; notice_period_days: number; payment_status: string; status: string }>
    >(
      `SELECT id, contract_value::text AS contract_value, currency, billing_frequency, start_date, end_date, renewal_date, auto_renew, notice_period_days, payment_status, status
         FROM contracts WHERE account_id = $1
        ORDER BY (status = 'active') DESC,
                 (COALESCE(renewal_date, end_date) >= ($2::timestamptz AT TIME ZONE 'UTC')::date) DESC NULLS LAST,
                 CASE WHEN COALESCE(renewal_date, end_date) >= ($2::timestamptz AT TIME ZONE 'UTC')::date THEN COALESCE(renewal_date, end_date) END ASC,
                 COALESCE(renewal_date, end_date) DESC NULLS LAST, created_at DESC
        LIMIT 1`,
      accountId,
      end,
    );
    return row ?? null;
  }

  latestForecast(accountId: string, end: Date) {
    return this.prisma.renewalForecast.findFirst({ where: { account_id: accountId, forecast_at: { lte: end } }, orderBy: [{ forecast_at: "desc" }, { id: "desc" }] });
  }

  latestChurnPrediction(accountId: string, end: Date) {
    return this.prisma.churnPrediction.findFirst({ where: { account_id: accountId, predicted_at: { lte: end } }, orderBy: [{ predicted_at: "desc" }, { id: "desc" }] });
  }

  async openOpportunities(accountId: string) {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ id: string; type: string; product: string; score: string; estimated_value: string; rationale: string; created_at: Date; total_value: string; total: number; ever: number }>>(
      `SELECT o.id, o.type, o.product, o.score::text AS score, o.estimated_value::text AS estimated_value, o.rationale, o.created_at,
              (sum(o.estimated_value) OVER ())::text AS total_value, (count(*) OVER ())::int AS total,
              (SELECT count(*) FROM expansion_opportunities e WHERE e.account_id = $1)::int AS ever
         FROM expansion_opportunities o WHERE o.account_id = $1 AND o.status = 'open'
        ORDER BY o.estimated_value DESC, o.id LIMIT 20`,
      accountId,
    );
    if (rows.length) return { rows, total: Number(rows[0]!.total), total_value: rows[0]!.total_value, ever: Number(rows[0]!.ever) };
    const ever = await this.prisma.expansionOpportunity.count({ where: { account_id: accountId } });
    return { rows, total: 0, total_value: "0", ever };
  }

  /** Scheduled or prepared reviews from `from` to `to`, soonest first. */
  upcoming(from: Date, to: Date, accountId: string | null, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ id: string; account_id: string; company_name: string; tier: string; arr: string; title: string | null; scheduled_at: Date; status: string; attendees: string[] }>>(
      `SELECT r.id, r.account_id, a.company_name, a.tier::text AS tier, a.arr::text AS arr, r.title, r.scheduled_at, r.status, r.attendees
         FROM executive_reviews r JOIN accounts a ON a.id = r.account_id
        WHERE r.status IN ('scheduled', 'prepared') AND r.scheduled_at >= $1 AND r.scheduled_at <= $2 AND ($3::text IS NULL OR r.account_id = $3)
        ORDER BY r.scheduled_at ASC, r.id LIMIT $4`,
      from,
      to,
      accountId,
      limit,
    );
  }

  /** Open reviews whose date has passed without being completed or cancelled. */
  overdue(now: Date, accountId: string | null, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ id: string; account_id: string; company_name: string; scheduled_at: Date; status: string }>>(
      `SELECT r.id, r.account_id, a.company_name, r.scheduled_at, r.status
         FROM executive_reviews r JOIN accounts a ON a.id = r.account_id
        WHERE r.status IN ('scheduled', 'prepared') AND r.scheduled_at < $1 AND ($2::text IS NULL OR r.account_id = $2)
        ORDER BY r.scheduled_at ASC, r.id LIMIT $3`,
      now,
      accountId,
      limit,
    );
  }

  /**
   * Active accounts of the given tiers with no completed review since `since`: the gap list, the longest
   * without a review first (never reviewed first of all), then by ARR.
   */
  gaps(tiers: readonly string[], since: Date, now: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ account_id: string; company_name: string; tier: string; arr: string; csm_name: string | null; last_completed_at: Date | null; next_scheduled_at: Date | null; next_ebr_id: string | null; total: number }>>(
      `SELECT a.id AS account_id, a.company_name, a.tier::text AS tier, a.arr::text AS arr, a.csm_name,
              last.completed_at AS last_completed_at, nxt.scheduled_at AS next_scheduled_at, nxt.id AS next_ebr_id,
              (count(*) OVER ())::int AS total
         FROM accounts a
         LEFT JOIN LATERAL (SELECT max(completed_at) AS completed_at FROM executive_reviews WHERE account_id = a.id AND status = 'completed' AND completed_at <= $3) last ON true
         LEFT JOIN LATERAL (SELECT id, scheduled_at FROM executive_reviews WHERE account_id = a.id AND status IN ('scheduled', 'prepared') AND scheduled_at >= $3
                             ORDER BY scheduled_at, id LIMIT 1) nxt ON true
        WHERE a.status = 'active' AND a.tier::text = ANY($1::text[]) AND (last.completed_at IS NULL OR last.completed_at < $2)
        ORDER BY last.completed_at ASC NULLS FIRST, a.arr DESC, a.id LIMIT $4`,
      tiers,
      since,
      now,
      limit,
    );
  }
}
