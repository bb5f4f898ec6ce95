// Output shapes shared by the communication tools.
import { z } from "zod";

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
