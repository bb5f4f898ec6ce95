// Delivery effects of the email half of the communication toolset (send_personalized_email,
// automate_newsletters).
//
// When SendGrid accepts an outbox row (sendgrid.send_batch or sendgrid.send), the email_sends rows it
// carried — found by their outbox_id — become `sent` with SendGrid's X-Message-Id (which event ingestion
// also matches on) and the acceptance time. A campaign (or newsletter issue) none of whose sends is still
// queued becomes `sent`, and so does its newsletter. Rows that carry no email_sends (another toolset's
// mail, e.g. a retention outreach) match nothing and pass through untouched.
//
// One effect per operation name exists in DELIVERY_EFFECTS: a toolset that needs its own write-back on
// sendgrid.send must extend this one (or record email_sends with the outbox_id, which this covers).
import type { Prisma as P } from "../../generated/prisma/client.ts";
import type { DeliveryResult } from "../types.ts";
import type { DeliveryEffects, EffectRow } from "./types.ts";

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

export const EMAIL_EFFECTS: DeliveryEffects = {
  "sendgrid.send_batch": { delivered: markSent },
  "sendgrid.send": { delivered: markSent },
};
