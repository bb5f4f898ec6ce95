// SQL of newsletters: the subscribed recipients of a newsletter with their token facts, subscription
// changes as set-based upserts, and subscription counts.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";
import { arrayLiteral, uuid7 } from "../import/sql.ts";
import type { RecipientRow } from "./communication-email.ts";

type Db = PrismaClient | P.TransactionClient;

export interface ContactRef {
  account_id: string;
  contact_id: string;
  email: string;
  unsubscribed: boolean;
  subscription_status: string | null;
}

export interface SubscriberCounts {
  subscribed: number;
  unsubscribed: number;
  /** Subscribed rows whose address unsubscribed as a contact: never sent to. */
  suppressed: number;
}

export class NewsletterRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Subscribed addresses with the account and contact facts tokens need; `unsubscribed` = the address unsubscribed as a contact. */
  async subscribedRecipients(newsletterId: string, today: string, db: Db = this.prisma): Promise<RecipientRow[]> {
    return db.$queryRawUnsafe<RecipientRow[]>(
      `WITH unsub AS (SELECT DISTINCT lower(email) AS email FROM contacts WHERE unsubscribed_at IS NOT NULL)
       SELECT n.account_id, a.status::text AS account_status, a.company_name, a.client_name, a.industry, a.tier::text AS tier,
              a.lifecycle_stage::text AS lifecycle_stage, a.health_score, a.arr::text AS arr, a.currency, a.seats, a.csm_name, a.csm_email,
              (SELECT to_char(min(k.renewal_date), 'YYYY-MM-DD') FROM contracts k
                WHERE k.account_id = a.id AND k.renewal_date >= $2::date AND k.status NOT IN ('cancelled', 'expired')) AS renewal_date,
              c.id AS contact_id, lower(n.email) AS email, c.name AS contact_name, c.role AS contact_role, c.is_primary,
              (u.email IS NOT NULL) AS unsubscribed
         FROM newsletter_subscriptions n
         JOIN accounts a ON a.id = n.account_id
         LEFT JOIN contacts c ON c.account_id = n.account_id AND lower(c.email) = lower(n.email)
         LEFT JOIN unsub u ON u.email = lower(n.email)
        WHERE n.newsletter_id = $1 AND n.status = 'subscribed'
        ORDER BY lower(n.email), n.account_id`,
      newsletterId,
      today,
    );
  }

  /** Stored contacts by address (lower-cased), with their subscription to the newsletter if any. */
  async contactsByEmail(newsletterId: string, emails: string[], db: Db = this.prisma): Promise<ContactRef[]> {
    return db.$queryRawUnsafe<ContactRef[]>(
      `SELECT DISTINCT ON (lower(c.email)) c.account_id, c.id AS contact_id, lower(c.email) AS email,
              EXISTS (SELECT 1 FROM contacts u WHERE lower(u.email) = lower(c.email) AND u.unsubscribed_at IS NOT NULL) AS unsubscribed,
              s.status AS subscription_status
         FROM contacts c
         LEFT JOIN newsletter_subscriptions s ON s.newsletter_id = $1 AND lower(s.email) = lower(c.email)
        WHERE lower(c.email) = ANY($2::text[])
        ORDER BY lower(c.email), c.is_primary DESC, c.account_id`,
      newsletterId,
      arrayLiteral(emails),
    );
  }

  /** Contacts of accounts (primary only, or all). */
  async contactsOfAccounts(newsletterId: string, accountIds: string[], scope: "primary" | "all", db: Db = this.prisma): Promise<ContactRef[]> {
    return db.$queryRawUnsafe<ContactRef[]>(
      `SELECT c.account_id, c.id AS contact_id, lower(c.email) AS email,
              EXISTS (SELECT 1 FROM contacts u WHERE lower(u.email) = lower(c.email) AND u.unsubscribed_at IS NOT NULL) AS unsubscribed,
              s.status AS subscription_status
         FROM contacts c
         LEFT JOIN newsletter_subscriptions s ON s.newsletter_id = $1 AND lower(s.email) = lower(c.email)
        WHERE c.account_id = ANY($2::text[]) AND ($3::boolean OR c.is_primary)
        ORDER BY c.account_id, c.is_primary DESC, lower(c.email)`,
      newsletterId,
      arrayLiteral(accountIds),
      scope === "all",
    );
  }

  async subscribe(tx: P.TransactionClient, newsletterId: string, rows: Array<{ account_id: string; email: string }>, at: Date): Promise<number> {
    if (!rows.length) return 0;
    const [r] = await tx.$queryRawUnsafe<Array<{ n: number }>>(
      `WITH ins AS (
         INSERT INTO newsletter_subscriptions (id, newsletter_id, account_id, email, status, subscribed_at)
         SELECT id, $1, account_id, email, 'subscribed', $2::timestamptz FROM unnest($3::text[], $4::text[], $5::text[]) AS t(id, account_id, email)
         ON CONFLICT (newsletter_id, email) DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      newsletterId,
      at.toISOString(),
      arrayLiteral(rows.map(() => uuid7(at.getTime()))),
      arrayLiteral(rows.map((r) => r.account_id)),
      arrayLiteral(rows.map((r) => r.email)),
    );
    return r?.n ?? 0;
  }

  async unsubscribe(tx: P.TransactionClient, newsletterId: string, emails: string[], at: Date): Promise<number> {
    if (!emails.length) return 0;
    const [r] = await tx.$queryRawUnsafe<Array<{ n: number }>>(
      `WITH upd AS (
         UPDATE newsletter_subscriptions SET status = 'unsubscribed', unsubscribed_at = $2::timestamptz
          WHERE newsletter_id = $1 AND lower(email) = ANY($3::text[]) AND status = 'subscribed' RETURNING 1)
       SELECT count(*)::int AS n FROM upd`,
      newsletterId,
      at.toISOString(),
      arrayLiteral(emails),
    );
    return r?.n ?? 0;
  }

  /** Per newsletter: subscribed and unsubscribed rows, and the subscribed addresses a send skips (unsubscribed as contacts). */
  async counts(newsletterIds: string[], db: Db = this.prisma): Promise<Map<string, SubscriberCounts>> {
    const rows = await db.$queryRawUnsafe<Array<{ newsletter_id: string } & SubscriberCounts>>(
      `WITH unsub AS (SELECT DISTINCT lower(email) AS email FROM contacts WHERE unsubscribed_at IS NOT NULL)
       SELECT n.newsletter_id, count(*) FILTER (WHERE n.status = 'subscribed')::int AS subscribed,
              count(*) FILTER (WHERE n.status = 'unsubscribed')::int AS unsubscribed,
              count(*) FILTER (WHERE n.status = 'subscribed' AND u.email IS NOT NULL)::int AS suppressed
         FROM newsletter_subscriptions n LEFT JOIN unsub u ON u.email = lower(n.email)
        WHERE n.newsletter_id = ANY($1::text[]) GROUP BY n.newsletter_id`,
      arrayLiteral(newsletterIds),
    );
    return new Map(rows.map((r) => [r.newsletter_id, { subscribed: r.subscribed, unsubscribed: r.unsubscribed, suppressed: r.suppressed }]));
  }
}
