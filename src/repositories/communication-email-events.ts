// Ingestion of SendGrid Event Webhook events, set-based, on any SQL executor (a Prisma transaction for the
// service, the import's raw session for `cs-mcp import email_events`): match each event to its send (the
// email_send_id custom arg, else SendGrid's message id + address), store it once (sg_event_id unique), add
// the new opens/clicks to the send's counters and move its status, and apply unsubscribes and spam
// reports to contacts and newsletter subscriptions. Re-ingesting the same events changes nothing.
import { arrayLiteral, uuid7 } from "../import/sql.ts";

export type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

export const EMAIL_EVENT_TYPES = ["processed", "delivered", "deferred", "open", "click", "bounce", "dropped", "unsubscribe", "group_unsubscribe", "spamreport"] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export interface NormalizedEvent {
  sg_event_id: string;
  event: EmailEventType;
  email: string;
  occurred_at: Date;
  email_send_id: string | null;
  sg_message_id: string | null;
  data: Record<string, unknown>;
}

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
  unmatched: number;
  sends_updated: number;
  contacts_unsubscribed: number;
  subscriptions_unsubscribed: number;
  by_type: Record<string, number>;
  unmatched_sample: Array<{ sg_event_id: string; event: string; email: string }>;
}

const UNMATCHED_SAMPLE = 20;

export async function ingestEmailEvents(q: Query, events: NormalizedEvent[], ms: number = Date.now()): Promise<IngestResult> {
  const result: IngestResult = { received: events.length, stored: 0, duplicates: 0, unmatched: 0, sends_updated: 0, contacts_unsubscribed: 0, subscriptions_unsubscribed: 0, by_type: {}, unmatched_sample: [] };
  if (!events.length) return result;

  // 1. Which send each event belongs to. SendGrid's sg_message_id is "<X-Message-Id>.<filter suffix>".
  const matches = await q<{ idx: number; send_id: string | null; newsletter_id: string | null }>(
    `SELECT e.idx::int AS idx, COALESCE(s1.id, s2.id) AS send_id, COALESCE(s1.newsletter_id, s2.newsletter_id) AS newsletter_id
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(send_ref, msg_id, email, idx)
       LEFT JOIN email_sends s1 ON s1.id = e.send_ref
       LEFT JOIN LATERAL (
         SELECT s.id, s.newsletter_id FROM email_sends s
          WHERE s1.id IS NULL AND e.msg_id IS NOT NULL AND s.provider_message_id = split_part(e.msg_id, '.', 1) AND s.email = lower(e.email)
          LIMIT 1) s2 ON true`,
    [arrayLiteral(events.map((e) => e.email_send_id)), arrayLiteral(events.map((e) => e.sg_message_id)), arrayLiteral(events.map((e) => e.email))],
  );
  const sendOf = new Map<number, { send_id: string | null; newsletter_id: string | null }>();
  for (const m of matches) sendOf.set(m.idx - 1, m);
  const matched: Array<NormalizedEvent & { send_id: string; newsletter_id: string | null }> = [];
  const unmatched: NormalizedEvent[] = [];
  events.forEach((e, i) => {
    const m = sendOf.get(i);
    if (m?.send_id) matched.push({ ...e, send_id: m.send_id, newsletter_id: m.newsletter_id });
    else unmatched.push(e);
  });
  result.unmatched = unmatched.length;
  result.unmatched_sample = unmatched.slice(0, UNMATCHED_SAMPLE).map((e) => ({ sg_event_id: e.sg_event_id, event: e.event, email: e.email }));

  // 2. Store the matched events once and fold the new ones into their sends.
  let inserted: Array<{ sg_event_id: string; type: string }> = [];
  if (matched.length) {
    const rows = await q<{ kind: string; sg_event_id: string | null; type: string | null; n: number }>(
      `WITH e AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, send_id, type, occurred_at, data, sg_event_id)
       ), ins AS (
         INSERT INTO email_events (id, send_id, type, occurred_at, data, sg_event_id)
         SELECT id, send_id, type, occurred_at::timestamptz, data::jsonb, sg_event_id FROM e
         ON CONFLICT (sg_event_id) DO NOTHING
         RETURNING send_id, type, occurred_at, sg_event_id
       ), agg AS (
         SELECT send_id,
                count(*) FILTER (WHERE type = 'open') AS opens,
                count(*) FILTER (WHERE type = 'click') AS clicks,
                min(occurred_at) FILTER (WHERE type = 'delivered') AS delivered_at,
                bool_or(type IN ('delivered', 'open', 'click')) AS reached,
                bool_or(type = 'bounce') AS bounced,
                bool_or(type = 'dropped') AS dropped
           FROM ins GROUP BY send_id
       ), upd AS (
         UPDATE email_sends s
            SET open_count = s.open_count + agg.opens,
                click_count = s.click_count + agg.clicks,
                delivered_at = COALESCE(s.delivered_at, agg.delivered_at),
                status = CASE WHEN agg.bounced THEN 'bounced'
                              WHEN agg.dropped THEN 'dropped'
                              WHEN agg.reached AND s.status IN ('queued', 'sent') THEN 'delivered'
                              ELSE s.status END
           FROM agg WHERE s.id = agg.send_id
         RETURNING s.id
       )
       SELECT 'event' AS kind, sg_event_id, type, 1 AS n FROM ins
       UNION ALL SELECT 'updated', NULL, NULL, count(*)::int FROM upd`,
      [
        arrayLiteral(matched.map((e) => uuid7(ms))),
        arrayLiteral(matched.map((e) => e.send_id)),
        arrayLiteral(matched.map((e) => e.event)),
        arrayLiteral(matched.map((e) => e.occurred_at.toISOString())),
        arrayLiteral(matched.map((e) => JSON.stringify(e.data))),
        arrayLiteral(matched.map((e) => e.sg_event_id)),
      ],
    );
    inserted = rows.filter((r) => r.kind === "event").map((r) => ({ sg_event_id: r.sg_event_id!, type: r.type! }));
    result.sends_updated = Number(rows.find((r) => r.kind === "updated")?.n ?? 0);
  }
  result.stored = inserted.length;
  result.duplicates = matched.length - inserted.length;
  for (const r of inserted) result.by_type[r.type] = (result.by_type[r.type] ?? 0) + 1;

  // 3. Unsubscribes and spam reports, from new events and from events of mail this server did not send.
  // A group unsubscribe of a newsletter issue leaves that newsletter only; any other one is global.
  const isNew = new Set(inserted.map((r) => r.sg_event_id));
  const global: Array<{ email: string; at: Date }> = [];
  const perNewsletter: Array<{ email: string; at: Date; newsletter_id: string }> = [];
  for (const e of matched) {
    if (!isNew.has(e.sg_event_id)) continue;
    if (e.event === "group_unsubscribe" && e.newsletter_id) perNewsletter.push({ email: e.email, at: e.occurred_at, newsletter_id: e.newsletter_id });
    else if (e.event === "unsubscribe" || e.event === "spamreport" || e.event === "group_unsubscribe") global.push({ email: e.email, at: e.occurred_at });
  }
  for (const e of unmatched) if (e.event === "unsubscribe" || e.event === "spamreport" || e.event === "group_unsubscribe") global.push({ email: e.email, at: e.occurred_at });

  if (global.length) {
    const params = [arrayLiteral(global.map((g) => g.email)), arrayLiteral(global.map((g) => g.at.toISOString()))];
    const [c] = await q<{ n: number }>(
      `WITH t AS (SELECT lower(email) AS email, min(at::timestamptz) AS at FROM unnest($1::text[], $2::text[]) AS u(email, at) GROUP BY 1),
            upd AS (UPDATE contacts c SET unsubscribed_at = t.at FROM t WHERE lower(c.email) = t.email AND c.unsubscribed_at IS NULL RETURNING c.id)
       SELECT count(*)::int AS n FROM upd`,
      params,
    );
    const [s] = await q<{ n: number }>(
      `WITH t AS (SELECT lower(email) AS email, min(at::timestamptz) AS at FROM unnest($1::text[], $2::text[]) AS u(email, at) GROUP BY 1),
            upd AS (UPDATE newsletter_subscriptions n SET status = 'unsubscribed', unsubscribed_at = t.at FROM t
                     WHERE lower(n.email) = t.email AND n.status = 'subscribed' RETURNING n.id)
       SELECT count(*)::int AS n FROM upd`,
      params,
    );
    result.contacts_unsubscribed += Number(c?.n ?? 0);
    result.subscriptions_unsubscribed += Number(s?.n ?? 0);
  }
  if (perNewsletter.length) {
    const [s] = await q<{ n: number }>(
      `WITH t AS (SELECT lower(email) AS email, newsletter_id, min(at::timestamptz) AS at FROM unnest($1::text[], $2::text[], $3::text[]) AS u(email, at, newsletter_id) GROUP BY 1, 2),
            upd AS (UPDATE newsletter_subscriptions n SET status = 'unsubscribed', unsubscribed_at = t.at FROM t
                     WHERE lower(n.email) = t.email AND n.newsletter_id = t.newsletter_id AND n.status = 'subscribed' RETURNING n.id)
       SELECT count(*)::int AS n FROM upd`,
      [arrayLiteral(perNewsletter.map((g) => g.email)), arrayLiteral(perNewsletter.map((g) => g.at.toISOString())), arrayLiteral(perNewsletter.map((g) => g.newsletter_id))],
    );
    result.subscriptions_unsubscribed += Number(s?.n ?? 0);
  }
  return result;
}
