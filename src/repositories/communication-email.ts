// SQL of email campaigns: the recipients of a targeting (accounts × contacts with everything a token
// needs, in one statement), the set-based insert of a campaign's sends, and the delivery/engagement
// figures of a campaign or a newsletter read from email_sends, email_events and the outbox.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";
import { arrayLiteral, uuid7 } from "../import/sql.ts";

type Db = PrismaClient | P.TransactionClient;

export type Targeting =
  | { mode: "client_ids"; client_ids: string[] }
  | { mode: "segment"; segment_id: string }
  | { mode: "tier"; tier: string };

export interface RecipientRow {
  account_id: string;
  account_status: string;
  company_name: string;
  client_name: string;
  industry: string | null;
  tier: string;
  lifecycle_stage: string;
  health_score: number | null;
  arr: string;
  currency: string;
  seats: number | null;
  csm_name: string | null;
  csm_email: string | null;
  renewal_date: string | null;
  contact_id: string | null;
  email: string | null;
  contact_name: string | null;
  contact_role: string | null;
  is_primary: boolean | null;
  unsubscribed: boolean;
}

export interface SendToInsert {
  id: string;
  account_id: string;
  contact_id: string | null;
  email: string;
  subject: string;
  status: string;
  outbox_id: string | null;
}

export interface Performance {
  recipients: number;
  queued: number;
  not_sent: number;
  failed: number;
  sent: number;
  delivered: number;
  bounced: number;
  dropped: number;
  opens: number;
  unique_opens: number;
  clicks: number;
  unique_clicks: number;
  unsubscribes: number;
  spam_reports: number;
  events: number;
  last_event_at: Date | null;
}

export class EmailCampaignRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Accounts of the targeting with their contacts (primary only, or all), one row per contact (an account
   * without a matching contact gives one row with a null email). `unsubscribed` is true when any contact
   * row with the same address has unsubscribed (an unsubscribe is per address, not per account).
   */
  async recipients(targeting: Targeting, scope: "primary" | "all", includeChurned: boolean, today: string, db: Db = this.prisma): Promise<RecipientRow[]> {
    const params: unknown[] = [scope === "all", today];
    let where: string;
    if (targeting.mode === "client_ids") {
      params.push(arrayLiteral(targeting.client_ids));
      where = `a.id = ANY($3::text[])`; // explicit ids: churned accounts included on purpose (win-back)
    } else if (targeting.mode === "segment") {
      params.push(targeting.segment_id, includeChurned);
      where = `a.id IN (SELECT account_id FROM segment_members WHERE segment_id = $3) AND ($4::boolean OR a.status::text <> 'churned')`;
    } else {
      params.push(targeting.tier, includeChurned);
      where = `a.tier::text = $3 AND ($4::boolean OR a.status::text <> 'churned')`;
    }
    return db.$queryRawUnsafe<RecipientRow[]>(
      `WITH unsub AS (SELECT DISTINCT lower(email) AS email FROM contacts WHERE unsubscribed_at IS NOT NULL)
       SELECT a.id AS account_id, a.status::text AS account_status, a.company_name, a.client_name, a.industry, a.tier::text AS tier,
              a.lifecycle_stage::text AS lifecycle_stage, a.health_score, a.arr::text AS arr, a.currency, a.seats, a.csm_name, a.csm_email,
              (SELECT to_char(min(k.renewal_date), 'YYYY-MM-DD') FROM contracts k
                WHERE k.account_id = a.id AND k.renewal_date >= $2::date AND k.status NOT IN ('cancelled', 'expired')) AS renewal_date,
              c.id AS contact_id, lower(c.email) AS email, c.name AS contact_name, c.role AS contact_role, c.is_primary,
              (u.email IS NOT NULL) AS unsubscribed
         FROM accounts a
         LEFT JOIN contacts c ON c.account_id = a.id AND ($1::boolean OR c.is_primary)
         LEFT JOIN unsub u ON u.email = lower(c.email)
        WHERE ${where}
        ORDER BY a.id, c.is_primary DESC NULLS LAST, lower(c.email)`,
      ...params,
    );
  }

  /** How many accounts of a targeting exist at all, churned ones counted apart (for the report). */
  async churnedExcluded(targeting: Targeting, includeChurned: boolean, db: Db = this.prisma): Promise<number> {
    if (targeting.mode === "client_ids" || includeChurned) return 0;
    const [row] = await db.$queryRawUnsafe<Array<{ n: number }>>(
      targeting.mode === "segment"
        ? `SELECT count(*)::int AS n FROM accounts WHERE status::text = 'churned' AND id IN (SELECT account_id FROM segment_members WHERE segment_id = $1)`
        : `SELECT count(*)::int AS n FROM accounts WHERE status::text = 'churned' AND tier::text = $1`,
      targeting.mode === "segment" ? targeting.segment_id : targeting.tier,
    );
    return row?.n ?? 0;
  }

  /** The segment named by id or, for a name, its newest snapshot (segment_customers stores one per run). */
  async findSegment(ref: string, db: Db = this.prisma): Promise<{ id: string; name: string; created_at: Date; members: number } | null> {
    const [row] = await db.$queryRawUnsafe<Array<{ id: string; name: string; created_at: Date; members: number }>>(
      `SELECT s.id, s.name, s.created_at, (SELECT count(*)::int FROM segment_members m WHERE m.segment_id = s.id) AS members
         FROM segments s WHERE s.id = $1 OR lower(s.name) = lower($1)
        ORDER BY (s.id = $1) DESC, s.created_at DESC, s.id DESC LIMIT 1`,
      ref,
    );
    return row ?? null;
  }

  /** One statement for all the sends of a campaign (thousands of rows). */
  async insertSends(tx: P.TransactionClient, campaignId: string, newsletterId: string | null, sentAt: Date, sends: SendToInsert[]): Promise<void> {
    if (!sends.length) return;
    await tx.$executeRawUnsafe(
      `INSERT INTO email_sends (id, campaign_id, newsletter_id, account_id, contact_id, email, subject, status, outbox_id, sent_at)
       SELECT id, $1, $2, account_id, contact_id, email, subject, status, outbox_id, $3::timestamptz
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
              AS t(id, account_id, contact_id, email, subject, status, outbox_id)`,
      campaignId,
      newsletterId,
      sentAt.toISOString(),
      arrayLiteral(sends.map((s) => s.id)),
      arrayLiteral(sends.map((s) => s.account_id)),
      arrayLiteral(sends.map((s) => s.contact_id)),
      arrayLiteral(sends.map((s) => s.email)),
      arrayLiteral(sends.map((s) => s.subject)),
      arrayLiteral(sends.map((s) => s.status)),
      arrayLiteral(sends.map((s) => s.outbox_id)),
    );
  }

  newId(ms: number): string {
    return uuid7(ms);
  }

  /**
   * Delivery and engagement of the sends matching `filter` (a campaign or a newsletter). A send whose
   * outbox row failed counts as failed; opens/clicks are totals of the stored counters, unique ones the
   * sends with at least one.
   */
  async performance(filter: { campaign_id: string } | { newsletter_id: string }, db: Db = this.prisma): Promise<Performance> {
    const [col, id] = "campaign_id" in filter ? ["campaign_id", filter.campaign_id] : ["newsletter_id", filter.newsletter_id];
    const [row] = await db.$queryRawUnsafe<Array<Record<string, number | Date | null>>>(
      `WITH s AS (
         SELECT s.*, o.status::text AS outbox_status FROM email_sends s LEFT JOIN outbox_messages o ON o.id = s.outbox_id WHERE s.${col} = $1
       ), ev AS (
         SELECT e.send_id, e.type, e.occurred_at FROM email_events e JOIN s ON s.id = e.send_id
       )
       SELECT count(*)::int AS recipients,
              count(*) FILTER (WHERE status = 'queued' AND COALESCE(outbox_status, '') <> 'failed')::int AS queued,
              count(*) FILTER (WHERE status = 'not_sent')::int AS not_sent,
              count(*) FILTER (WHERE status = 'failed' OR (status = 'queued' AND outbox_status = 'failed'))::int AS failed,
              count(*) FILTER (WHERE status NOT IN ('queued', 'not_sent', 'failed'))::int AS sent,
              count(*) FILTER (WHERE delivered_at IS NOT NULL OR status = 'delivered')::int AS delivered,
              count(*) FILTER (WHERE status = 'bounced')::int AS bounced,
              count(*) FILTER (WHERE status = 'dropped')::int AS dropped,
              COALESCE(sum(open_count), 0)::int AS opens,
              count(*) FILTER (WHERE open_count > 0)::int AS unique_opens,
              COALESCE(sum(click_count), 0)::int AS clicks,
              count(*) FILTER (WHERE click_count > 0)::int AS unique_clicks,
              (SELECT count(DISTINCT send_id)::int FROM ev WHERE type IN ('unsubscribe', 'group_unsubscribe')) AS unsubscribes,
              (SELECT count(DISTINCT send_id)::int FROM ev WHERE type = 'spamreport') AS spam_reports,
              (SELECT count(*)::int FROM ev) AS events,
              (SELECT max(occurred_at) FROM ev) AS last_event_at
         FROM s`,
      id,
    );
    return row as unknown as Performance;
  }
}

/** Rates of a performance: null when the base is zero (nothing to divide by), never a made-up 0. */
export function rates(p: Performance) {
  const r = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
  return {
    delivery_rate: r(p.delivered, p.sent),
    bounce_rate: r(p.bounced, p.sent),
    open_rate: r(p.unique_opens, p.delivered),
    click_rate: r(p.unique_clicks, p.delivered),
    click_to_open_rate: r(p.unique_clicks, p.unique_opens),
    unsubscribe_rate: r(p.unsubscribes, p.delivered),
  };
}
