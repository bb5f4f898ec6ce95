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
    "Send one email campaign to stored contacts, personalized per recipient, through SendGrid via the durable outbox. " +
    "Target exactly one of: target_client_ids (those accounts), target_segment (a segment id or name stored by " +
    "segment_customers; a name means its newest snapshot) or target_tier. recipient_scope 'primary' (default) takes " +
    "each account's primary contact, 'all' every contact. Unsubscribed addresses are always skipped, duplicate " +
    "addresses sent once; the answer counts every skip and why. subject_line, body_html and body_text are Handlebars " +
    `templates: {{token}} with stored tokens (${STORED_TOKENS.join(", ")}) or your personalization_tokens; ` +
    "{{#if token}}…{{else}}…{{/if}} and {{#unless}} work; values are HTML-escaped in body_html, not in body_text or " +
    "the subject. An unknown token is refused before anything is written. Sends are queued in batches of at most " +
    "1,000 recipients (scheduled_send_time delays delivery); every recipient gets an email_sends row for tracking. " +
    "Without SendGrid credentials the campaign and sends are recorded as not_sent and the variables to set are named. " +
    "Retrying the same call (same idempotency_key, or the same arguments) returns the recorded campaign and queues " +
    "nothing. preview: true renders the first recipients without writing. campaign_id alone returns that campaign's " +
    "delivery and engagement report (sent, delivered, opens, unique opens, clicks, bounces, unsubscribes, rates) " +
    "from stored sends and the SendGrid events imported with `cs-mcp import email_events`. Example: {campaign_name: " +
    "'Q3 check-in', subject_line: '{{company_name}}: your Q3 review', body_html: '<p>Hi {{first_name}},</p><p>{{csm_name}} " +
    "here…</p>', body_text: 'Hi {{first_name}}, …', target_tier: 'enterprise'}.",
  input: z.strictObject({
    campaign_name: text(200).optional().describe("Name of the campaign (required to send)"),
    template_type: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a lowercase slug such as check_in, renewal_reminder, product_update")
      .optional()
      .describe("Kind of email, a lowercase slug (check_in, renewal_reminder, product_update…); sent to SendGrid as a category"),
    subject_line: text(998).optional().describe("Subject template, e.g. '{{company_name}}: your quarterly review' (required to send)"),
    body_text: text(200_000).optional().describe("Plain-text body template (not HTML-escaped); give it and/or body_html"),
    body_html: text(500_000).optional().describe("HTML body template; every {{token}} is HTML-escaped ({{{token}}} is refused)"),
    sender_email: email().optional().describe("From address (a sender verified in SendGrid); default SENDGRID_FROM_EMAIL"),
    sender_name: text(200).optional().describe("From name shown with sender_email"),
    target_client_ids: z.array(clientId()).min(1, "must list at least one client_id").max(10_000, "must list at most 10,000 client_ids").optional().describe("Send to these accounts' contacts"),
    target_segment: text(200).optional().describe("Send to the accounts of this segment: its id, or its name (newest snapshot) from segment_customers"),
    target_tier: tier().optional().describe("Send to the accounts of this tier: starter, standard, professional or enterprise"),
    recipient_scope: z.enum(RECIPIENT_SCOPES, { error: "must be primary or all" }).optional().describe("primary (default): each account's primary contact; all: every stored contact of the accounts"),
    include_churned: z.boolean().optional().describe("With target_segment or target_tier: include churned accounts (default false; explicit target_client_ids are always used)"),
    personalization_tokens: z
      .record(z.string(), z.union([z.string().max(10_000, "must be at most 10,000 characters"), z.number(), z.boolean()]))
      .optional()
      .describe("Extra tokens with one value for every recipient, e.g. {webinar_date: '12 March'}; names must not shadow stored tokens"),
    send_immediately: z.boolean().optional().describe("true (default when no scheduled_send_time): deliver now; false requires scheduled_send_time"),
    scheduled_send_time: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with offset, e.g. 2026-07-01T09:00:00Z" }).optional().describe("Deliver no earlier than this time (future, within a year)"),
    track_opens: z.boolean().optional().describe("Track opens (default true): sent to SendGrid as the mail's open-tracking setting"),
    track_clicks: z.boolean().optional().describe("Track clicks (default true): sent to SendGrid as the mail's click-tracking setting"),
    idempotency_key: text(200).optional().describe("Your key for this send: a retry with the same key returns the recorded campaign; default: derived from the arguments"),
    preview: z.boolean().optional().describe("true: resolve and render (first 3 recipients shown, bodies cut at 1,500 characters) without recording or queuing anything"),
    campaign_id: z.uuid({ error: "must be a campaign_id (a UUID) returned by send_personalized_email" }).optional().describe("Alone: report this campaign's delivery and engagement instead of sending"),
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
  async handler(args, { services }) {
    const data = await services.email.campaigns.handle(args);
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
