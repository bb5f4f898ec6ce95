// Delivery effects of the email half of the communication toolset (send_personalized_email,
// automate_newsletters).
//
// When SendGrid accepts an outbox row (sendgrid.send_batch or sendgrid.send), the email_sends rows it
// carried — found by their outbox_id — become `sent` with SendGrid's X-Message-Id (which event ingestion
// also matches on) and the acceptance time. A campaign (or newsletter issue) none of whose sends is still
// queued becomes `sent`, and so does its newsletter. Rows that carry no email_sends (another toolset's
// mail, e.g. a retention outreach) match nothing and pass through untouched.
//
// Before a campaign or newsletter row goes out (it may have waited days for its scheduled time, or for
// SendGrid to come back), recipients who unsubscribed since it was queued are taken off it and their sends
// become `not_sent`: every send honours unsubscribes, not only the moment of queuing.
//
// One effect per operation name exists in DELIVERY_EFFECTS: a toolset that needs its own write-back on
// sendgrid.send must extend this one (or record email_sends with the outbox_id, which this covers).
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import type { DeliveryResult } from "../types.ts";
import { DependencyFailed, type DeliveryEffects, type EffectRow } from "./types.ts";

function messageId(result: DeliveryResult): string | null {
  if (result.external_id) return result.external_id;
  const ids = (result.result as { message_ids?: unknown } | undefined)?.message_ids;
  if (Array.isArray(ids)) return (ids.find((x) => typeof x === "string") as string | undefined) ?? null;
  const one = (result.result as { message_id?: unknown } | undefined)?.message_id;
  return typeof one === "string" ? one : null;
}

async function markSent(tx: P.TransactionClient, row: EffectRow, result: DeliveryResult): Promise<void> {
  // Raw SQL: one statement for up to 1,000 sends; a send an early event already moved past `queued`
  // (delivered, bounced…) keeps its status but still gets the message id.
  const campaigns = await tx.$queryRawUnsafe<Array<{ campaign_id: string | null }>>(
    `WITH upd AS (
       UPDATE email_sends
          SET provider_message_id = COALESCE(provider_message_id, $2),
              accepted_at = COALESCE(accepted_at, now()),
              status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END
        WHERE outbox_id = $1
       RETURNING campaign_id)
     SELECT DISTINCT campaign_id FROM upd`,
    row.id,
    messageId(result),
  );
  const ids = campaigns.map((c) => c.campaign_id).filter((x): x is string => !!x);
  if (!ids.length) return;
  await tx.$executeRawUnsafe(
    `UPDATE email_campaigns c SET status = 'sent', sent_at = now()
      WHERE c.id = ANY($1::text[]) AND c.status IN ('scheduled', 'sending')
        AND NOT EXISTS (SELECT 1 FROM email_sends s WHERE s.campaign_id = c.id AND s.status = 'queued')`,
    `{${ids.map((i) => `"${i}"`).join(",")}}`,
  );
  await tx.$executeRawUnsafe(
    `UPDATE newsletters n SET status = 'sent', sent_at = c.sent_at
       FROM email_campaigns c
      WHERE c.id = ANY($1::text[]) AND c.newsletter_id = n.id AND c.status = 'sent' AND n.status = 'scheduled'
        AND NOT EXISTS (SELECT 1 FROM email_campaigns o WHERE o.newsletter_id = n.id AND o.status IN ('scheduled', 'sending'))`,
    `{${ids.map((i) => `"${i}"`).join(",")}}`,
  );
}

type Entry = { email?: unknown; custom_args?: Record<string, unknown> };

/** The sends a payload carries: batch recipients, or the single mail's recipient, each with its email_sends id. */
function carriedSends(row: EffectRow): Array<{ email: string; send_id: string }> {
  const p = row.payload;
  const args = (p.custom_args ?? {}) as Record<string, unknown>;
  if (Array.isArray(p.recipients)) {
    return (p.recipients as Entry[])
      .filter((r) => typeof r?.email === "string" && typeof r.custom_args?.email_send_id === "string")
      .map((r) => ({ email: r.email as string, send_id: r.custom_args!.email_send_id as string }));
  }
  const to = (Array.isArray(p.to) ? p.to : [p.to]) as Array<Entry | string>;
  if (typeof args.email_send_id !== "string") return [];
  return to.map((r) => (typeof r === "string" ? r : r?.email)).filter((e): e is string => typeof e === "string").map((email) => ({ email, send_id: args.email_send_id as string }));
}

async function dropUnsubscribed(prisma: PrismaClient, row: EffectRow): Promise<Record<string, unknown>> {
  const sends = carriedSends(row);
  if (!sends.length) return row.payload; // not a campaign or newsletter send: nothing of ours to check
  const newsletterId = ((row.payload.custom_args ?? {}) as Record<string, unknown>).newsletter_id;
  const emails = [...new Set(sends.map((x) => x.email.toLowerCase()))];
  const gone = await prisma.$queryRawUnsafe<Array<{ email: string }>>(
    `SELECT lower(email) AS email FROM contacts WHERE lower(email) = ANY($1::text[]) AND unsubscribed_at IS NOT NULL
     UNION
     SELECT lower(email) FROM newsletter_subscriptions WHERE $2::text IS NOT NULL AND newsletter_id = $2 AND lower(email) = ANY($1::text[]) AND status <> 'subscribed'`,
    emails,
    typeof newsletterId === "string" ? newsletterId : null,
  );
  if (!gone.length) return row.payload;
  const out = new Set(gone.map((g) => g.email));
  const dropped = sends.filter((x) => out.has(x.email.toLowerCase())).map((x) => x.send_id);
  await prisma.$executeRawUnsafe(`UPDATE email_sends SET status = 'not_sent' WHERE id = ANY($1::text[]) AND status = 'queued'`, dropped);
  const kept = sends.filter((x) => !out.has(x.email.toLowerCase()));
  if (!kept.length) throw new DependencyFailed(`every recipient unsubscribed after the message was queued (${dropped.length}); nothing was sent`);
  if (Array.isArray(row.payload.recipients)) {
    return { ...row.payload, recipients: (row.payload.recipients as Entry[]).filter((r) => !(typeof r?.email === "string" && out.has(r.email.toLowerCase()))) };
  }
  return row.payload; // a single mail has one recipient: kept means unchanged
}

export const EMAIL_EFFECTS: DeliveryEffects = {
  "sendgrid.send_batch": { prepare: dropUnsubscribed, delivered: markSent },
  "sendgrid.send": { prepare: dropUnsubscribed, delivered: markSent },
};
