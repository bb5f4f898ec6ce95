// The stored history before a churn date, for the post-mortem: health scores, ticket volumes, NPS answers,
// usage by week and by month, invoices and escalations. Each read is bounded.
import type { PrismaClient } from "../generated/prisma/client.ts";

const DAY = 86_400_000;

export class RetentionHistoryRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Rated scores only: a run with insufficient data stored no overall score. */
  async healthScores(accountId: string, churn: Date) {
    const rows = await this.prisma.healthScore.findMany({
      where: { account_id: accountId, overall_score: { not: null }, calculated_at: { lte: churn, gt: new Date(churn.getTime() - 365 * DAY) } },
      orderBy: { calculated_at: "asc" },
      select: { overall_score: true, calculated_at: true },
      take: 1000,
    });
    return rows.map((r) => ({ overall_score: r.overall_score!, calculated_at: r.calculated_at }));
  }

  async tickets(accountId: string, churn: Date) {
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT
         count(*) FILTER (WHERE created_at > $2::timestamptz - interval '90 days') AS recent,
         count(*) FILTER (WHERE created_at <= $2::timestamptz - interval '90 days') AS previous,
         count(*) FILTER (WHERE created_at > $2::timestamptz - interval '90 days' AND priority IN ('P1', 'P2')) AS recent_p1p2,
         count(*) FILTER (WHERE created_at <= $2::timestamptz - interval '90 days' AND priority IN ('P1', 'P2')) AS previous_p1p2,
         min(created_at) FILTER (WHERE created_at > $2::timestamptz - interval '90 days' AND priority IN ('P1', 'P2')) AS first_recent_p1p2,
         min(created_at) FILTER (WHERE created_at > $2::timestamptz - interval '90 days') AS first_recent,
         count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at > $2::timestamptz) AS open_at_churn,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1) AS ever
       FROM support_tickets
      WHERE account_id = $1 AND created_at > $2::timestamptz - interval '180 days' AND created_at <= $2::timestamptz`,
      accountId,
      churn,
    );
    const r = rows[0] ?? {};
    const n = (k: string) => Number(r[k] ?? 0);
    const d = (k: string) => (r[k] ? new Date(r[k] as string) : null);
    return {
      recent: n("recent"),
      previous: n("previous"),
      recent_p1p2: n("recent_p1p2"),
      previous_p1p2: n("previous_p1p2"),
      first_recent_p1p2: d("first_recent_p1p2"),
      first_recent: d("first_recent"),
      open_at_churn: n("open_at_churn"),
      ever: n("ever"),
    };
  }

  npsAnswers(accountId: string, churn: Date) {
    return this.prisma.surveyResponse.findMany({
      where: { account_id: accountId, survey_type: "nps", responded_at: { lte: churn, gt: new Date(churn.getTime() - 365 * DAY) } },
      orderBy: { responded_at: "asc" },
      select: { score: true, responded_at: true, reason: true, respondent_email: true },
      take: 100,
    });
  }

  /** Distinct active users in the 12 weeks before the churn date: week k covers (C − 7(k+1) d, C − 7k d]. */
  async usage(accountId: string, churn: Date) {
    const [weeks, months] = await Promise.all([
      this.prisma.$queryRawUnsafe<Array<{ k: number; users: bigint }>>(
        `SELECT floor(extract(epoch FROM ($2::timestamptz - occurred_at)) / 604800)::int AS k, count(DISTINCT user_id) AS users
           FROM usage_events
          WHERE account_id = $1 AND occurred_at > $2::timestamptz - interval '84 days' AND occurred_at <= $2::timestamptz
          GROUP BY 1`,
        accountId,
        churn,
      ),
      this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
        `SELECT
           count(DISTINCT user_id) FILTER (WHERE occurred_at > $2::timestamptz - interval '30 days') AS m1,
           count(DISTINCT user_id) FILTER (WHERE occurred_at > $2::timestamptz - interval '60 days' AND occurred_at <= $2::timestamptz - interval '30 days') AS m2,
           count(DISTINCT user_id) FILTER (WHERE occurred_at <= $2::timestamptz - interval '60 days') AS m3,
           (SELECT max(occurred_at) FROM usage_events WHERE account_id = $1 AND occurred_at <= $2::timestamptz) AS last_activity,
           (SELECT count(*) FROM usage_events WHERE account_id = $1) AS ever
         FROM usage_events
        WHERE account_id = $1 AND occurred_at > $2::timestamptz - interval '90 days' AND occurred_at <= $2::timestamptz`,
        accountId,
        churn,
      ),
    ]);
    const m = months[0] ?? {};
    const weekly = Array.from({ length: 12 }, (_, k) => Number(weeks.find((w) => Number(w.k) === k)?.users ?? 0));
    return {
      weekly, // index 0 = the last week before churn
      last_30: Number(m.m1 ?? 0),
      days_30_60: Number(m.m2 ?? 0),
      days_60_90: Number(m.m3 ?? 0),
      last_activity: m.last_activity ? new Date(m.last_activity as string) : null,
      ever: Number(m.ever ?? 0),
    };
  }

  invoices(accountId: string, churn: Date) {
    return this.prisma.invoice.findMany({
      where: { account_id: accountId, due_date: { lt: churn, gt: new Date(churn.getTime() - 365 * DAY) } },
      orderBy: { due_date: "asc" },
      select: { external_id: true, amount: true, currency: true, due_date: true, paid_at: true },
      take: 200,
    });
  }

  escalations(accountId: string, churn: Date) {
    return this.prisma.escalation.findMany({
      where: { account_id: accountId, created_at: { lte: churn, gt: new Date(churn.getTime() - 180 * DAY) } },
      orderBy: { created_at: "asc" },
      select: { id: true, severity: true, reason: true, status: true, created_at: true, resolved_at: true },
      take: 50,
    });
  }

  campaigns(accountId: string, churn: Date) {
    return this.prisma.retentionCampaign.findMany({
      where: { account_id: accountId, started_at: { lte: churn, gt: new Date(churn.getTime() - 180 * DAY) } },
      orderBy: { started_at: "asc" },
      select: { id: true, campaign_type: true, intervention_level: true, status: true, started_at: true },
      take: 50,
    });
  }
}
