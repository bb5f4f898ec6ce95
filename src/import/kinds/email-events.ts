// email_events: SendGrid Event Webhook events — a .json file holding the array SendGrid posts, or JSON
// Lines (one event per line), or CSV with the columns below. event*, email*, timestamp* (UNIX seconds or
// ISO 8601), sg_event_id, sg_message_id, email_send_id (the custom arg every send of this server carries);
// any other field (url, reason, type, category…) is kept in email_events.data. Events are matched to their
// send, stored once per sg_event_id, and fold into the send's counters and status; unsubscribe and
// spamreport events mark the address unsubscribed (contacts and newsletter subscriptions) even when no
// send of this server matches. Events of mail this server did not send are skipped and counted.
import { eventSchema, normalizeEvent, EVENT_COLUMNS, type RawEvent } from "../../services/communication/email-events.ts";
import { ingestEmailEvents, type IngestResult } from "../../repositories/communication-email-events.ts";
import type { KindSpec } from "./types.ts";

export const emailEvents: KindSpec<RawEvent> = {
  kind: "email_events",
  columns: [...EVENT_COLUMNS, "url", "reason", "type", "status", "response", "attempt", "useragent", "ip", "category", "asm_group_id", "campaign_id", "newsletter_id", "idempotency_key", "batch_part", "smtp-id", "tls", "cert_err", "bounce_classification", "sg_machine_open", "marketing_campaign_id", "marketing_campaign_name", "pool"],
  required: ["event", "email", "timestamp"],
  resolvesAccount: false,
  nestedAsJson: true, // SendGrid's `category` may be an array and `pool` an object: kept as JSON text
  schema: eventSchema,
  batchSize: 5_000,
  key: (r) => normalizeEvent(r.row).sg_event_id,
  async open({ session, now }) {
    const totals: IngestResult = { received: 0, stored: 0, duplicates: 0, unmatched: 0, sends_updated: 0, contacts_unsubscribed: 0, subscriptions_unsubscribed: 0, by_type: {}, unmatched_sample: [] };
    return {
      async write(rows) {
        const r = await ingestEmailEvents((sql, params) => session.query(sql, params), rows.map((v) => normalizeEvent(v.row)), now.getTime());
        totals.received += r.received;
        totals.stored += r.stored;
        totals.duplicates += r.duplicates;
        totals.unmatched += r.unmatched;
        totals.sends_updated += r.sends_updated;
        totals.contacts_unsubscribed += r.contacts_unsubscribed;
        totals.subscriptions_unsubscribed += r.subscriptions_unsubscribed;
        for (const [k, n] of Object.entries(r.by_type)) totals.by_type[k] = (totals.by_type[k] ?? 0) + n;
        if (totals.unmatched_sample.length < 20) totals.unmatched_sample.push(...r.unmatched_sample.slice(0, 20 - totals.unmatched_sample.length));
        // Stored events are "created"; already-stored and unmatched events count as skipped.
        return { created: r.stored, updated: 0, errors: [] };
      },
      finish() {
        return { email_events: totals };
      },
    };
  },
};
