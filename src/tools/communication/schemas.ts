// Output shapes shared by the communication tools.
import { z } from "zod";
import { deliveryReport, queuedDelivery } from "../shared/delivery.ts";

/** A campaign's (or newsletter issue's) sends by status and their events, from email_sends and email_events. */
export const campaignPerformance = z.object({
  recipients: z.number().int(),
  queued: z.number().int(),
  not_sent: z.number().int(),
  failed: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  bounced: z.number().int(),
  dropped: z.number().int(),
  opens: z.number().int(),
  unique_opens: z.number().int(),
  clicks: z.number().int(),
  unique_clicks: z.number().int(),
  unsubscribes: z.number().int(),
  spam_reports: z.number().int(),
  events: z.number().int(),
  last_event_at: z.string().nullable(),
});

/** How a campaign's sends were queued: SendGrid batches of up to 1,000, and single sends for oversized ones. */
export const campaignDelivery = z.object({
  integration: z.string(),
  status: z.enum(["queued", "not_configured"]),
  outbox_rows: z.number().int(),
  missing_variables: z.array(z.string()),
  batches: z.array(z.object({ batch: z.number().int(), recipients: z.number().int(), delivery: z.union([deliveryReport, queuedDelivery]) })),
  single_sends: z.number().int(),
  single_deliveries: z.array(deliveryReport),
});
