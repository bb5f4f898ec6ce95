import { z } from "zod";
import { campaignDelivery, campaignPerformance } from "./schemas.ts";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, text, tier } from "../../security/validation.ts";
import { RECIPIENT_SCOPES } from "../../services/communication/email-campaigns.ts";
import { STORED_TOKENS } from "../../services/communication/render.ts";

const counts = z.object({ unsubscribed: z.number().int(), duplicate_email: z.number().int(), no_contact: z.number().int(), churned_accounts_excluded: z.number().int() });
const resolution = z.object({ accounts: z.number().int(), contacts_matched: z.number().int(), recipients: z.number().int(), skipped: counts });
const targeting = z.object({
  mode: z.string(),
  value: z.union([z.string(), z.array(z.string())]),
  segment: z.object({ id: z.string(), name: z.string() }).nullable(),
  recipient_scope: z.string(),
  include_churned: z.boolean(),
});
const rate = z.number().nullable();

export const sendPersonalizedEmail = defineTool({
  name: "send_personalized_email",
  toolset: "communication",
  title: "Send a personalized email campaign",
  description:
    "Send a personalized email campaign via SendGrid to the contacts of target_client_ids, a " +
    "target_segment or a target_tier; templates use stored tokens ({{first_name}}, {{company_name}}…). " +
    "Unsubscribed addresses are skipped; retries send nothing twice; preview writes nothing; campaign_id " +
    "alone reports engagement. Example: {campaign_name: 'Q3', subject_line: 'Hi {{first_name}}', " +
    "body_text: '…', target_tier: 'enterprise'}.",
  input: z.strictObject({
    campaign_name: text(200).optional().describe("Required to send"),
    template_type: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a lowercase slug such as check_in, renewal_reminder, product_update")
      .optional()
      .describe("Slug, e.g. check_in"),
    subject_line: text(998).optional().describe("Template; required to send"),
    body_text: text(200_000).optional().describe("Template; this and/or body_html"),
    body_html: text(500_000).optional().describe("Template; values HTML-escaped"),
    sender_email: email().optional().describe("Default SENDGRID_FROM_EMAIL"),
    sender_name: text(200).optional().describe("From name"),
    target_client_ids: z.array(clientId()).min(1, "must list at least one client_id").max(10_000, "must list at most 10,000 client_ids").optional().describe("These accounts"),
    target_segment: text(200).optional().describe("Segment id or name"),
    target_tier: tier().optional().describe("This tier"),
    recipient_scope: z.enum(RECIPIENT_SCOPES, { error: "must be primary or all" }).optional().describe("Primary contact or all"),
    include_churned: z.boolean().optional().describe("Segment/tier: include churned"),
    personalization_tokens: z
      .record(z.string(), z.union([z.string().max(10_000, "must be at most 10,000 characters"), z.number(), z.boolean()]))
      .optional()
      .describe("Extra tokens, e.g. {webinar_date: '12 March'}"),
    send_immediately: z.boolean().optional().describe("false needs scheduled_send_time"),
    scheduled_send_time: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with offset, e.g. 2026-07-01T09:00:00Z" }).optional().describe("Future, within a year"),
    track_opens: z.boolean().optional().describe("Default true"),
    track_clicks: z.boolean().optional().describe("Default true"),
    idempotency_key: text(200).optional().describe("Default: from the arguments"),
    preview: z.boolean().optional().describe("Render only, write nothing"),
    campaign_id: z.uuid({ error: "must be a campaign_id (a UUID) returned by send_personalized_email" }).optional().describe("Alone: report, don't send"),
  }),
  output: z.object({
    mode: z.enum(["send", "preview", "report"]),
    campaign_id: z.string().optional(),
    campaign_name: z.string(),
    status: z.string().optional(),
    replayed: z.boolean().optional(),
    idempotency_key: z.string().optional(),
    targeting: targeting.optional(),
    resolution: resolution.optional(),
    skipped_sample: z.array(z.object({ client_id: z.string(), email: z.string().nullable(), reason: z.string() })).optional(),
    tokens_used: z.array(z.string()).optional(),
    tokens_missing_values: z.array(z.object({ token: z.string(), recipients: z.number().int() })).optional(),
    sends_recorded: z.number().int().optional(),
    delivery: campaignDelivery.optional(),
    scheduled_send_time: z.string().nullable().optional(),
    tracking: z.object({ track_opens: z.boolean(), track_clicks: z.boolean(), note: z.string() }).optional(),
    note: z.string().optional(),
    sample: z.array(z.object({ client_id: z.string(), email: z.string(), subject: z.string(), html: z.string().optional(), text: z.string().optional() })).optional(),
    integration: z.string().optional(),
    created_at: z.string().optional(),
    scheduled_at: z.string().nullable().optional(),
    sent_at: z.string().nullable().optional(),
    performance: campaignPerformance.optional(),
    rates: z.object({ delivery_rate: rate, bounce_rate: rate, open_rate: rate, click_rate: rate, click_to_open_rate: rate, unsubscribe_rate: rate }).optional(),
    notes: z.array(z.string()).optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: true },
  async handler(args, { services, progress, signal }) {
    const data = await services.email.campaigns.handle(args, progress, signal);
    if (data.mode === "report") {
      const p = data.performance;
      const pct = (v: number | null) => (v === null ? "n/a" : `${(v * 100).toFixed(1)}%`);
      return {
        data,
        text: `Campaign ${data.campaign_id} '${data.campaign_name}' (${data.status}): ${p.recipients} recipients, ${p.sent} sent, ${p.delivered} delivered (${pct(data.rates.delivery_rate)}), ${p.unique_opens} unique opens (${pct(data.rates.open_rate)}), ${p.unique_clicks} unique clicks (${pct(data.rates.click_rate)}), ${p.bounced} bounced, ${p.unsubscribes} unsubscribed.${data.notes.length ? ` ${data.notes.join(" ")}` : ""}`,
      };
    }
    const r = data.resolution;
    const skipped = Object.entries(r.skipped).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`);
    const skipText = skipped.length ? `; skipped ${skipped.join(", ")}` : "";
    if (data.mode === "preview") {
      return { data, text: `Preview of '${data.campaign_name}': ${r.recipients} recipients from ${r.accounts} accounts${skipText}; nothing was recorded or queued.` };
    }
    const d = data.delivery;
    const delivery =
      d.status === "queued"
        ? `${d.outbox_rows} SendGrid deliveries queued (${d.batches.map((b) => b.recipients).join("/") || "0"} recipients per batch${d.single_sends ? `, ${d.single_sends} sent singly` : ""})${data.scheduled_send_time ? ` for ${data.scheduled_send_time}` : ""}`
        : `not sent: SendGrid is not configured (set ${d.missing_variables.join(", ")}); sends recorded as not_sent`;
    return {
      data,
      text: `${data.replayed ? "Already recorded (nothing new queued): " : ""}campaign ${data.campaign_id} '${data.campaign_name}' (${data.status}): ${data.sends_recorded} sends to ${r.recipients} recipients${skipText}; ${delivery}.`,
    };
  },
});
