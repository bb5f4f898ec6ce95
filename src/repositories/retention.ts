// Prisma queries for retention campaigns: the per-account lock that serialises the frequency rule, the
// campaign rows, and the one set-based query that finds the accounts matching an automation trigger.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;

export const TRIGGER_TYPES = ["health_below", "usage_drop", "nps_detractor", "renewal_risk"] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export interface TriggerMatch {
  account_id: string;
  company_name: string;
  trigger_value: number | null;
  health_score: number | null;
  last_campaign_id: string | null;
  last_campaign_at: Date | null;
  /** A campaign (any type or status) started within the frequency window: no new one may start. */
  covered: boolean;
  /** Every account matching the trigger, and those of them already covered. */
  total: number;
  covered_total: number;
}

export class RetentionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Locks the account row for the rest of the transaction: two campaign starts for one account queue up. */
  async lockAccount(tx: Tx, accountId: string) {
    const rows = await tx.$queryRawUnsafe<Array<{ id: string; company_name: string; status: string; primary_contact_email: string | null; primary_contact_name: string | null; csm_name: string | null; csm_email: string | null; health_score: number | null }>>(
      `SELECT id, company_name, status::text AS status, primary_contact_email, primary_contact_name, csm_name, csm_email, health_score
         FROM accounts WHERE id = $1 FOR UPDATE`,
      accountId,
    );
    return rows[0] ?? null;
  }

  /** The most recent active campaign of this type (any type when null) started after `since`. */
  /** The account's latest campaign of any type or status started after `since` (the one-per-window rule). */
  recentCampaign(tx: Tx, accountId: string, since: Date) {
    return tx.retentionCampaign.findFirst({
      where: { account_id: accountId, started_at: { gt: since } },
      orderBy: { started_at: "desc" },
    });
  }

  createCampaign(tx: Tx, data: P.RetentionCampaignUncheckedCreateInput) {
    return tx.retentionCampaign.create({ data });
  }

  updateSteps(tx: Tx, id: string, steps: unknown[]) {
    return tx.retentionCampaign.update({ where: { id }, data: { steps: steps as P.InputJsonValue } });
  }

  cancelActive(tx: Tx, accountId: string, at: Date) {
    return tx.retentionCampaign.updateMany({ where: { account_id: accountId, status: "active" }, data: { status: "cancelled", completed_at: at } });
  }

  /**
   * Active accounts matching the trigger, most severe first, in one statement: up to `limit` accounts still open
   * for a campaign, plus up to `coveredLimit` of those already covered (a campaign of any type started after
   * `since`), so that covered accounts never use up the limit and repeated calls progress through all matches.
   *   health_below   health_score < threshold
   *   usage_drop     distinct active users of the last 30 days fell by ≥ threshold (0–1) against days 30–60
   *   nps_detractor  latest NPS answer of the last 90 days ≤ threshold
   *   renewal_risk   renewal date within threshold days and health_score < healthBelow
   */
  async triggerMatches(trigger: TriggerType, threshold: number, now: Date, limit: number, healthBelow: number, since: Date, coveredLimit: number): Promise<TriggerMatch[]> {
    const byTrigger: Record<TriggerType, { cte: string; where: string; order: string }> = {
      health_below: {
        cte: `SELECT a.id AS account_id, a.health_score::float8 AS trigger_value FROM accounts a
               WHERE a.status = 'active' AND a.health_score IS NOT NULL AND a.health_score < $2::float8`,
        where: "WHERE true",
        order: "trigger_value ASC",
      },
      usage_drop: {
        cte: `SELECT u.account_id, (1 - u.recent::float8 / u.previous::float8) AS trigger_value FROM (
                SELECT e.account_id,
                       count(DISTINCT e.user_id) FILTER (WHERE e.occurred_at > $1::timestamptz - interval '30 days') AS recent,
                       count(DISTINCT e.user_id) FILTER (WHERE e.occurred_at <= $1::timestamptz - interval '30 days') AS previous
                  FROM usage_events e JOIN accounts a ON a.id = e.account_id AND a.status = 'active'
                 WHERE e.occurred_at > $1::timestamptz - interval '60 days' AND e.occurred_at <= $1::timestamptz
                 GROUP BY e.account_id) u
               WHERE u.previous > 0 AND (1 - u.recent::float8 / u.previous::float8) >= $2::float8`,
        where: "WHERE true",
        order: "trigger_value DESC",
      },
      nps_detractor: {
        cte: `SELECT DISTINCT ON (s.account_id) s.account_id, s.score::float8 AS trigger_value
                FROM survey_responses s JOIN accounts a ON a.id = s.account_id AND a.status = 'active'
               WHERE s.survey_type = 'nps' AND s.responded_at > $1::timestamptz - interval '90 days' AND s.responded_at <= $1::timestamptz
               ORDER BY s.account_id, s.responded_at DESC`,
        where: "WHERE m.trigger_value <= $2::float8",
        order: "trigger_value ASC",
      },
      renewal_risk: {
        cte: `SELECT DISTINCT ON (c.account_id) c.account_id,
                     (COALESCE(c.renewal_date, c.end_date) - ($1::timestamptz AT TIME ZONE 'UTC')::date)::float8 AS trigger_value
                FROM contracts c JOIN accounts a ON a.id = c.account_id AND a.status = 'active'
               WHERE c.status = 'active' AND COALESCE(c.renewal_date, c.end_date) IS NOT NULL
                 AND a.health_score IS NOT NULL AND a.health_score < $4::int
               ORDER BY c.account_id, c.start_date DESC NULLS LAST, c.created_at DESC`,
        where: "WHERE m.trigger_value >= 0 AND m.trigger_value <= $2::float8",
        order: "trigger_value ASC",
      },
    };
    const q = byTrigger[trigger];
    const rows = await this.prisma.$queryRawUnsafe<Array<Omit<TriggerMatch, "total" | "covered_total"> & { total: bigint; covered_total: bigint }>>(
      `WITH m AS (${q.cte}),
       r AS (SELECT m.account_id, a.company_name, m.trigger_value, a.health_score, lc.id AS last_campaign_id, lc.started_at AS last_campaign_at,
                    coalesce(lc.started_at > $5::timestamptz, false) AS covered
               FROM m JOIN accounts a ON a.id = m.account_id
               LEFT JOIN LATERAL (SELECT id, started_at FROM retention_campaigns rc WHERE rc.account_id = m.account_id
                                   ORDER BY started_at DESC LIMIT 1) lc ON true
               ${q.where} AND $1::timestamptz IS NOT NULL AND $4::int >= 0), -- every parameter is referenced on every branch
       k AS (SELECT r.*, row_number() OVER (PARTITION BY covered ORDER BY ${q.order}, account_id) AS rank_in_group,
                    count(*) OVER () AS total, count(*) FILTER (WHERE covered) OVER () AS covered_total
               FROM r)
       SELECT account_id, company_name, trigger_value, health_score, last_campaign_id, last_campaign_at, covered, total, covered_total
         FROM k WHERE rank_in_group <= CASE WHEN covered THEN $6::int ELSE $3::int END
        ORDER BY ${q.order}, account_id`,
      now,
      threshold,
      limit,
      healthBelow,
      since,
      coveredLimit,
    );
    return rows.map((r) => ({
      ...r,
      trigger_value: r.trigger_value === null ? null : Number(r.trigger_value),
      last_campaign_at: r.last_campaign_at ? new Date(r.last_campaign_at) : null,
      covered: Boolean(r.covered),
      total: Number(r.total),
      covered_total: Number(r.covered_total),
    }));
  }
}
