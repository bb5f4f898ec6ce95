// Reads for the voice-of-customer program: the feedback loop by status with ages, the oldest unclosed
// feedback, response volume, closure timings, and NPS of the accounts whose feedback was closed vs not.
// Periods are (start, end] on created_at (or closed_at / acknowledged_at / responded_at, as named).
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface LoopStatusRow {
  status: string;
  n: number;
  mean_age_days: number | null;
  median_age_days: number | null;
  max_age_days: number | null;
}

const SCOPE = `f.created_at > $1 AND f.created_at <= $2 AND ($3::text IS NULL OR f.account_id = $3::text)`;
/** Age in days: to closed_at for a closed loop, to `now` ($4) otherwise. */
const AGE = `extract(epoch FROM (coalesce(f.closed_at, $4::timestamptz) - f.created_at)) / 86400`;

export class FeedbackVocRepository {
  constructor(private readonly prisma: PrismaClient) {}

  loopByStatus(accountId: string | null, start: Date, end: Date, now: Date) {
    return this.prisma.$queryRawUnsafe<LoopStatusRow[]>(
      `SELECT f.status, count(*)::int AS n, avg(${AGE})::float8 AS mean_age_days,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${AGE}))::float8 AS median_age_days, max(${AGE})::float8 AS max_age_days
         FROM feedback f WHERE ${SCOPE}
        GROUP BY f.status`,
      start,
      end,
      accountId,
      now,
    );
  }

  /** Unclosed feedback of the period, oldest first, with the total. */
  async oldestUnclosed(accountId: string | null, start: Date, end: Date, limit: number) {
    const where = { created_at: { gt: start, lte: end }, status: { not: "closed_loop" }, ...(accountId ? { account_id: accountId } : {}) };
    const [total, rows] = await Promise.all([
      this.prisma.feedback.count({ where }),
      this.prisma.feedback.findMany({ where, orderBy: [{ created_at: "asc" }, { id: "asc" }], take: limit, include: { account: { select: { company_name: true } } } }),
    ]);
    return { total, rows };
  }

  /** Feedback and survey answers of the period, the accounts giving them, and the active accounts in scope. */
  async volume(accountId: string | null, start: Date, end: Date) {
    const [r] = await this.prisma.$queryRawUnsafe<Array<{ feedback: number; feedback_accounts: number; survey_responses: number; survey_accounts: number; responding_accounts: number; active_accounts: number }>>(
      `WITH fb AS (SELECT f.account_id FROM feedback f WHERE ${SCOPE}),
            sr AS (SELECT r.account_id FROM survey_responses r WHERE r.responded_at > $1 AND r.responded_at <= $2 AND ($3::text IS NULL OR r.account_id = $3::text))
       SELECT (SELECT count(*) FROM fb)::int AS feedback, (SELECT count(DISTINCT account_id) FROM fb)::int AS feedback_accounts,
              (SELECT count(*) FROM sr)::int AS survey_responses, (SELECT count(DISTINCT account_id) FROM sr)::int AS survey_accounts,
              (SELECT count(*) FROM (SELECT account_id FROM fb UNION SELECT account_id FROM sr) x)::int AS responding_accounts,
              (SELECT count(*) FROM accounts a WHERE a.status = 'active' AND ($3::text IS NULL OR a.id = $3::text))::int AS active_accounts`,
      start,
      end,
      accountId,
    );
    return r!;
  }

  /**
   * Loops closed in the period (closed_at in it) and acknowledged in it: counts and the days from
   * created_at to closed_at / acknowledged_at (median and mean); and, of the feedback created in the
   * period, how many are closed now.
   */
  async closure(accountId: string | null, start: Date, end: Date) {
    const [r] = await this.prisma.$queryRawUnsafe<
      Array<{ closed: number; median_close_days: number | null; mean_close_days: number | null; acknowledged: number; median_ack_days: number | null; created: number; created_closed: number }>
    >(
      `WITH c AS (SELECT extract(epoch FROM (f.closed_at - f.created_at)) / 86400 AS d FROM feedback f
                   WHERE f.status = 'closed_loop' AND f.closed_at > $1 AND f.closed_at <= $2 AND ($3::text IS NULL OR f.account_id = $3::text)),
            k AS (SELECT extract(epoch FROM (f.acknowledged_at - f.created_at)) / 86400 AS d FROM feedback f
                   WHERE f.acknowledged_at > $1 AND f.acknowledged_at <= $2 AND ($3::text IS NULL OR f.account_id = $3::text)),
            n AS (SELECT count(*)::int AS created, (count(*) FILTER (WHERE f.status = 'closed_loop'))::int AS created_closed FROM feedback f WHERE ${SCOPE})
       SELECT (SELECT count(*) FROM c)::int AS closed,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM c)::float8 AS median_close_days,
              (SELECT avg(d) FROM c)::float8 AS mean_close_days,
              (SELECT count(*) FROM k)::int AS acknowledged,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM k)::float8 AS median_ack_days,
              n.created, n.created_closed
         FROM n`,
      start,
      end,
      accountId,
    );
    return r!;
  }

  /**
   * Accounts with feedback created in the period, split into those with at least one of it closed (closed
   * = true) and the others; their NPS answers in the period (cur) and in the previous one ($4, $1].
   */
  npsByClosure(accountId: string | null, start: Date, end: Date, prevStart: Date, high: number, low: number) {
    return this.prisma.$queryRawUnsafe<Array<{ closed: boolean; cur: boolean; n: number; high: number; low: number }>>(
      `WITH grp AS (SELECT f.account_id, bool_or(f.status = 'closed_loop') AS closed FROM feedback f WHERE ${SCOPE} GROUP BY f.account_id)
       SELECT g.closed, (r.responded_at > $1) AS cur, count(*)::int AS n,
              (count(*) FILTER (WHERE r.score >= $5::int))::int AS high, (count(*) FILTER (WHERE r.score <= $6::int))::int AS low
         FROM grp g JOIN survey_responses r ON r.account_id = g.account_id AND r.survey_type = 'nps' AND r.responded_at > $4 AND r.responded_at <= $2
        GROUP BY g.closed, (r.responded_at > $1)`,
      start,
      end,
      accountId,
      prevStart,
      high,
      low,
    );
  }

  /** Number of accounts in each closure group (closed = at least one feedback of the period closed). */
  closureGroups(accountId: string | null, start: Date, end: Date) {
    return this.prisma.$queryRawUnsafe<Array<{ closed: boolean; accounts: number }>>(
      `SELECT closed, count(*)::int AS accounts FROM (SELECT f.account_id, bool_or(f.status = 'closed_loop') AS closed FROM feedback f WHERE ${SCOPE} GROUP BY f.account_id) g GROUP BY closed`,
      start,
      end,
      accountId,
    );
  }

  /** The newest stored VOC report of a scope (one account, or the portfolio when null). */
  async latestReportId(accountId: string | null): Promise<string | null> {
    const [r] = await this.prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT id FROM voc_reports WHERE (content -> 'scope' ->> 'client_id') IS NOT DISTINCT FROM $1::text ORDER BY created_at DESC, id DESC LIMIT 1`,
      accountId,
    );
    return r?.id ?? null;
  }

  /** The report of the same scope whose period ended last, no later than `before` (the report compared with). */
  async previousReportId(accountId: string | null, exclude: string, before: Date): Promise<string | null> {
    const [r] = await this.prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT id FROM voc_reports
        WHERE (content -> 'scope' ->> 'client_id') IS NOT DISTINCT FROM $1::text AND id <> $2 AND period_end <= $3
        ORDER BY period_end DESC, created_at DESC, id DESC LIMIT 1`,
      accountId,
      exclude,
      before,
    );
    return r?.id ?? null;
  }
}
