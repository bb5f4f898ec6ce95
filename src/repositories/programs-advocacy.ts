// Advocates, their contributions and manual point awards: the eligibility signals of an account, point
// totals summed from the stored rows (never from the running total alone), lists, and the program analytics.
import type { PrismaClient, Prisma as P } from "../generated/prisma/client.ts";
import { standardHealthRun } from "./health-signals.ts";

type Db = PrismaClient | P.TransactionClient;

export interface EligibilitySignals {
  account_status: string;
  company_name: string;
  health_score: number | null;
  health_band: string | null;
  health_calculated_at: Date | null;
  health_source: "health_scores" | "accounts" | null;
  nps_score: number | null;
  nps_responded_at: Date | null;
  nps_respondent: string | null;
  nps_source: "advocate" | "account" | null;
}

export interface AdvocateRow {
  id: string;
  account_id: string;
  company_name: string;
  tier: string;
  arr: string;
  email: string;
  name: string | null;
  status: string;
  status_reason: string | null;
  points: number;
  contribution_points: number;
  award_points: number;
  contributions: number;
  last_contribution_at: Date | null;
  enrolled_at: Date;
  total: number;
}

/** Point totals come from the contribution and award rows; `points` is the stored running total. */
const ADVOCATE_SELECT = `
  SELECT v.id, v.account_id, a.company_name, a.tier::text AS tier, a.arr::text AS arr, v.email, v.name, v.status, v.status_reason, v.points,
         COALESCE(c.points, 0)::int AS contribution_points, COALESCE(w.points, 0)::int AS award_points,
         COALESCE(c.n, 0)::int AS contributions, c.last_at AS last_contribution_at, v.enrolled_at,
         (count(*) OVER ())::int AS total
    FROM advocates v
    JOIN accounts a ON a.id = v.account_id
    LEFT JOIN (SELECT advocate_id, sum(points) AS points, count(*) AS n, max(occurred_at) AS last_at FROM advocate_contributions GROUP BY advocate_id) c ON c.advocate_id = v.id
    LEFT JOIN (SELECT advocate_id, sum(points) AS points FROM advocate_point_awards GROUP BY advocate_id) w ON w.advocate_id = v.id`;

export class AdvocacyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Latest stored health score and latest NPS answer (the person's own first, else the account's). */
  async eligibilitySignals(accountId: string, email: string, db: Db = this.prisma): Promise<EligibilitySignals | null> {
    const rows = await db.$queryRawUnsafe<EligibilitySignals[]>(
      `SELECT a.status::text AS account_status, a.company_name,
              COALESCE(h.overall_score, a.health_score) AS health_score, h.band AS health_band, h.calculated_at AS health_calculated_at,
              CASE WHEN h.overall_score IS NOT NULL THEN 'health_scores' WHEN a.health_score IS NOT NULL THEN 'accounts' END AS health_source,
              COALESCE(own.score, acct.score) AS nps_score, COALESCE(own.responded_at, acct.responded_at) AS nps_responded_at,
              COALESCE(own.respondent_email, acct.respondent_email) AS nps_respondent,
              CASE WHEN own.score IS NOT NULL THEN 'advocate' WHEN acct.score IS NOT NULL THEN 'account' END AS nps_source
         FROM accounts a
         LEFT JOIN LATERAL (SELECT overall_score, band, calculated_at FROM health_scores hs WHERE hs.account_id = a.id AND ${standardHealthRun("hs")} ORDER BY calculated_at DESC, id DESC LIMIT 1) h ON true
         LEFT JOIN LATERAL (SELECT score, responded_at, respondent_email FROM survey_responses
                             WHERE account_id = a.id AND survey_type = 'nps' AND lower(respondent_email) = lower($2)
                             ORDER BY responded_at DESC, id DESC LIMIT 1) own ON true
         LEFT JOIN LATERAL (SELECT score, responded_at, respondent_email FROM survey_responses
                             WHERE account_id = a.id AND survey_type = 'nps' ORDER BY responded_at DESC, id DESC LIMIT 1) acct ON true
        WHERE a.id = $1`,
      accountId,
      email,
    );
    return rows[0] ?? null;
  }

  async advocate(id: string, db: Db = this.prisma): Promise<AdvocateRow | null> {
    const rows = await db.$queryRawUnsafe<AdvocateRow[]>(`${ADVOCATE_SELECT} WHERE v.id = $1`, id);
    return rows[0] ?? null;
  }

  async advocateByEmail(accountId: string, email: string): Promise<AdvocateRow | null> {
    const rows = await this.prisma.$queryRawUnsafe<AdvocateRow[]>(`${ADVOCATE_SELECT} WHERE v.account_id = $1 AND v.email = lower($2)`, accountId, email);
    return rows[0] ?? null;
  }

  /** Advocates by total points (contributions + awards), highest first. */
  list(f: { status?: string | undefined; account_id?: string | undefined }, limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<AdvocateRow[]>(
      `SELECT * FROM (${ADVOCATE_SELECT}
                      WHERE ($1::text IS NULL OR v.status = $1) AND ($2::text IS NULL OR v.account_id = $2)) x
        ORDER BY (contribution_points + award_points) DESC, email, id LIMIT $3 OFFSET $4`,
      f.status ?? null,
      f.account_id ?? null,
      limit,
      offset,
    );
  }

  recentContributions(advocateId: string, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ id: string; type: string; description: string | null; points: number; occurred_at: Date; referred_account_id: string | null; referred_company: string | null }>>(
      `SELECT c.id, c.type, c.description, c.points, c.occurred_at, c.referred_account_id, a.company_name AS referred_company
         FROM advocate_contributions c LEFT JOIN accounts a ON a.id = c.referred_account_id
        WHERE c.advocate_id = $1 ORDER BY c.occurred_at DESC, c.id DESC LIMIT $2`,
      advocateId,
      limit,
    );
  }

  recentAwards(advocateId: string, limit: number) {
    return this.prisma.advocatePointAward.findMany({ where: { advocate_id: advocateId }, orderBy: [{ awarded_at: "desc" }, { id: "desc" }], take: limit });
  }

  statusCounts() {
    return this.prisma.$queryRawUnsafe<Array<{ status: string; advocates: number }>>(`SELECT status, count(*)::int AS advocates FROM advocates GROUP BY status ORDER BY status`);
  }

  enrolledBetween(start: Date, end: Date) {
    return this.prisma.advocate.count({ where: { enrolled_at: { gt: start, lte: end } } });
  }

  contributionsByType(start: Date, end: Date) {
    return this.prisma.$queryRawUnsafe<Array<{ type: string; contributions: number; points: number; advocates: number }>>(
      `SELECT type, count(*)::int AS contributions, COALESCE(sum(points), 0)::int AS points, count(DISTINCT advocate_id)::int AS advocates
         FROM advocate_contributions WHERE occurred_at > $1 AND occurred_at <= $2 GROUP BY type ORDER BY type`,
      start,
      end,
    );
  }

  async awardsBetween(start: Date, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ awards: number; points: number }>>(
      `SELECT count(*)::int AS awards, COALESCE(sum(points), 0)::int AS points FROM advocate_point_awards WHERE awarded_at > $1 AND awarded_at <= $2`,
      start,
      end,
    );
    return row ?? { awards: 0, points: 0 };
  }

  /** Total points (all stored rows) and points earned in (start, end], highest total first. */
  leaderboard(start: Date, end: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ advocate_id: string; email: string; name: string | null; status: string; account_id: string; company_name: string; total_points: number; period_points: number; contributions: number }>>(
      `WITH c AS (SELECT advocate_id, sum(points) AS points, sum(points) FILTER (WHERE occurred_at > $1 AND occurred_at <= $2) AS period_points, count(*) AS n
                    FROM advocate_contributions GROUP BY advocate_id),
            w AS (SELECT advocate_id, sum(points) AS points, sum(points) FILTER (WHERE awarded_at > $1 AND awarded_at <= $2) AS period_points
                    FROM advocate_point_awards GROUP BY advocate_id)
       SELECT v.id AS advocate_id, v.email, v.name, v.status, v.account_id, a.company_name,
              (COALESCE(c.points, 0) + COALESCE(w.points, 0))::int AS total_points,
              (COALESCE(c.period_points, 0) + COALESCE(w.period_points, 0))::int AS period_points,
              COALESCE(c.n, 0)::int AS contributions
         FROM advocates v JOIN accounts a ON a.id = v.account_id
         LEFT JOIN c ON c.advocate_id = v.id LEFT JOIN w ON w.advocate_id = v.id
        ORDER BY total_points DESC, v.email, v.id LIMIT $3`,
      start,
      end,
      limit,
    );
  }

  /**
   * The renewal outcome of every account with an active advocate, from its contracts as of `now`:
   * churned (account churned) › the latest contract whose renewal date has passed: renewed (status
   * renewed), not_renewed (cancelled or expired), unrecorded (still active) › upcoming (a renewal date
   * ahead) › no_contract.
   */
  advocateAccounts(now: Date) {
    return this.prisma.$queryRawUnsafe<Array<{ account_id: string; company_name: string; tier: string; arr: string; advocates: number; outcome: string; renewal_date: Date | null }>>(
      `WITH acc AS (SELECT account_id, count(*)::int AS advocates FROM advocates WHERE status = 'active' GROUP BY account_id)
       SELECT a.id AS account_id, a.company_name, a.tier::text AS tier, a.arr::text AS arr, acc.advocates,
              CASE WHEN a.status = 'churned' THEN 'churned'
                   WHEN past.status = 'renewed' THEN 'renewed'
                   WHEN past.status IN ('cancelled', 'expired') THEN 'not_renewed'
                   WHEN past.status IS NOT NULL THEN 'unrecorded'
                   WHEN ahead.renewal_date IS NOT NULL THEN 'upcoming'
                   ELSE 'no_contract' END AS outcome,
              COALESCE(past.renewal_date, ahead.renewal_date) AS renewal_date
         FROM acc JOIN accounts a ON a.id = acc.account_id
         LEFT JOIN LATERAL (SELECT status, renewal_date FROM contracts WHERE account_id = a.id AND renewal_date <= ($1::timestamptz AT TIME ZONE 'UTC')::date
                             ORDER BY renewal_date DESC, created_at DESC LIMIT 1) past ON true
         LEFT JOIN LATERAL (SELECT renewal_date FROM contracts WHERE account_id = a.id AND renewal_date > ($1::timestamptz AT TIME ZONE 'UTC')::date
                             ORDER BY renewal_date ASC LIMIT 1) ahead ON true
        ORDER BY a.arr DESC, a.id`,
      now,
    );
  }

  referrals(start: Date, end: Date) {
    return this.prisma.$queryRawUnsafe<Array<{ contribution_id: string; advocate_id: string; advocate_email: string; account_id: string; occurred_at: Date; points: number; referred_account_id: string | null; referred_company: string | null; referred_arr: string | null }>>(
      `SELECT c.id AS contribution_id, v.id AS advocate_id, v.email AS advocate_email, v.account_id, c.occurred_at, c.points,
              c.referred_account_id, r.company_name AS referred_company, r.arr::text AS referred_arr
         FROM advocate_contributions c JOIN advocates v ON v.id = c.advocate_id LEFT JOIN accounts r ON r.id = c.referred_account_id
        WHERE c.type = 'referral' AND c.occurred_at > $1 AND c.occurred_at <= $2
        ORDER BY c.occurred_at DESC, c.id`,
      start,
      end,
    );
  }
}
