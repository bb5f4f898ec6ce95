import { z } from "zod";
import { campaignDelivery, campaignPerformance } from "./schemas.ts";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, text } from "../../security/validation.ts";
import { NEWSLETTER_ACTIONS, SUBSCRIPTION_ACTIONS } from "../../services/communication/newsletters.ts";
import { STORED_TOKENS } from "../../services/communication/render.ts";

const rate = z.number().nullable();
const performance = campaignPerformance;
const rates = z.object({ delivery_rate: rate, bounce_rate: rate, open_rate: rate, click_rate: rate, click_to_open_rate: rate, unsubscribe_rate: rate });
const counts = z.object({
  subscribed: z.number().int(),
  unsubscribed: z.number().int(),
  suppressed: z.number().int().describe("Subscribed addresses that unsubscribed as contacts: skipped by every send"),
});
const newsletterView = z.object({
  newsletter_id: z.string(),
  name: z.string(),
  subject: z.string(),
  content: z.string(),
  content_text: z.string().nullable(),
  status: z.string(),
  scheduled_at: z.string().nullable(),
  sent_at: z.string().nullable(),
  created_at: z.string(),
  subscribers: counts,
});

export const automateNewsletters = defineTool({
  name: "automate_newsletters",
  toolset: "communication",
  title: "Newsletters: content, subscribers, sending and performance",
  description:
    "Newsletters via SendGrid: create_newsletter (templates over stored tokens), manage_subscriptions, " +
    "schedule_newsletter (one issue to subscribers, never twice), get_newsletter, track_performance " +
    "(opens, clicks, bounces), list_newsletters. Unsubscribed addresses are never re-added. Example: " +
    "{action: 'schedule_newsletter', newsletter_id: '0197…'}.",
  input: z.strictObject({
    action: z.enum(NEWSLETTER_ACTIONS, { error: `must be one of ${NEWSLETTER_ACTIONS.join(", ")}` }),
    newsletter_id: z.uuid({ error: "must be a newsletter_id (a UUID) from create_newsletter or list_newsletters" }).optional().describe("All but create/list"),
    name: text(200).optional().describe("create_newsletter"),
    subject: text(998).optional().describe("Template"),
    content: text(500_000).optional().describe("HTML template"),
    content_text: text(200_000).optional().describe("Plain-text template"),
    scheduled_time: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with offset, e.g. 2026-07-01T09:00:00Z" }).optional().describe("Default now"),
    idempotency_key: text(200).optional().describe("Retry key"),
    sender_email: email().optional().describe("Default SENDGRID_FROM_EMAIL"),
    sender_name: text(200).optional().describe("From name"),
    subscription_action: z.enum(SUBSCRIPTION_ACTIONS, { error: `must be one of ${SUBSCRIPTION_ACTIONS.join(", ")}` }).optional().describe("manage_subscriptions"),
    emails: z.array(email()).min(1, "must list at least one email").max(10_000, "must list at most 10,000 emails").optional().describe("Stored contacts"),
    client_ids: z.array(clientId()).min(1, "must list at least one client_id").max(10_000, "must list at most 10,000 client_ids").optional().describe("Accounts' contacts"),
    recipient_scope: z.enum(["primary", "all"], { error: "must be primary or all" }).optional().describe("Primary or all"),
    limit: z.number().int().min(1).max(100).default(50),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  }),
  output: z.object({
    action: z.enum(NEWSLETTER_ACTIONS),
    newsletter: newsletterView.optional(),
    newsletters: z.array(newsletterView).optional(),
    tokens_used: z.array(z.string()).optional(),
    newsletter_id: z.string().optional(),
    name: z.string().optional(),
    issue_id: z.string().optional(),
    status: z.string().optional(),
    replayed: z.boolean().optional(),
    idempotency_key: z.string().optional(),
    resolution: z.object({ subscribed: z.number().int(), recipients: z.number().int(), skipped: z.object({ unsubscribed: z.number().int(), duplicate_email: z.number().int() }) }).optional(),
    skipped_sample: z.array(z.object({ client_id: z.string(), email: z.string().nullable(), reason: z.string() })).optional(),
    sends_recorded: z.number().int().optional(),
    delivery: campaignDelivery.optional(),
    scheduled_time: z.string().nullable().optional(),
    replay_of: z.object({ issue_id: z.string(), matched_on: z.array(z.string()).describe("The arguments whose values made this call a replay") }).optional(),
    note: z.string().optional(),
    issues: z.array(z.object({ issue_id: z.string(), status: z.string(), scheduled_at: z.string().nullable(), sent_at: z.string().nullable(), created_at: z.string(), recipients: z.number().int() })).optional(),
    subscribers: counts.optional(),
    issues_sent: z.number().int().optional(),
    performance: performance.optional(),
    rates: rates.optional(),
    per_issue: z.array(z.object({ issue_id: z.string(), status: z.string(), scheduled_at: z.string().nullable(), sent_at: z.string().nullable(), performance, rates })).optional(),
    notes: z.array(z.string()).optional(),
    subscription_action: z.enum(SUBSCRIPTION_ACTIONS).optional(),
    subscriptions: z.array(z.object({ email: z.string(), client_id: z.string().nullable(), status: z.string(), subscribed_at: z.string(), unsubscribed_at: z.string().nullable() })).optional(),
    requested: z.number().int().optional(),
    changed: z.number().int().optional(),
    unchanged: z.number().int().optional(),
    skipped: z.array(z.object({ email: z.string(), reason: z.string() })).optional(),
    total: z.number().int().optional(),
    count: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: false },
  async handler(args, { services, progress, signal }) {
    const data = await services.newsletters.handle(args, progress, signal);
    switch (data.action) {
      case "create_newsletter":
        return { data, text: `Created newsletter '${data.newsletter.name}' (${data.newsletter.newsletter_id}); add subscribers with manage_subscriptions, then schedule_newsletter.` };
      case "schedule_newsletter": {
        const d = data.delivery;
        const delivery = d.status === "queued" ? `${d.outbox_rows} SendGrid deliveries queued${data.scheduled_time ? ` for ${data.scheduled_time}` : ""}` : `not sent: SendGrid is not configured (set ${d.missing_variables.join(", ")}); sends recorded as not_sent`;
        return { data, text: `${data.replayed ? "Already recorded (nothing new queued): " : ""}issue ${data.issue_id} of newsletter ${data.newsletter_id} (${data.status}): ${data.sends_recorded} sends to ${data.resolution.recipients} of ${data.resolution.subscribed} subscribed addresses (${data.resolution.skipped.unsubscribed} unsubscribed skipped); ${delivery}.` };
      }
      case "get_newsletter":
        return { data, text: `Newsletter '${data.newsletter.name}' (${data.newsletter.status}): ${data.newsletter.subscribers.subscribed} subscribed, ${data.newsletter.subscribers.unsubscribed} unsubscribed; ${data.issues.length} issue(s).` };
      case "track_performance": {
        const p = data.performance;
        const pct = (v: number | null) => (v === null ? "n/a" : `${(v * 100).toFixed(1)}%`);
        return { data, text: `Newsletter '${data.name}': ${data.issues_sent} issue(s), ${p.recipients} sends, ${p.delivered} delivered (${pct(data.rates.delivery_rate)}), ${p.unique_opens} unique opens (${pct(data.rates.open_rate)}), ${p.unique_clicks} unique clicks (${pct(data.rates.click_rate)}), ${p.bounced} bounced, ${p.unsubscribes} unsubscribed; ${data.subscribers.subscribed} subscribed now.${data.notes.length ? ` ${data.notes.join(" ")}` : ""}` };
      }
      case "list_newsletters":
        return { data, text: `${data.total} newsletters${data.newsletters.length ? `: ${data.newsletters.map((n) => `${n.name} (${n.newsletter_id}, ${n.status}, ${n.subscribers.subscribed} subscribed)`).join("; ")}` : ""}.` };
      case "manage_subscriptions":
        if (data.subscription_action === "list") return { data, text: `${data.total} subscriptions; showing ${data.count}.` };
        return { data, text: `${data.subscription_action === "subscribe" ? "Subscribed" : "Unsubscribed"} ${data.changed} of ${data.requested} addresses${data.skipped.length ? `; skipped ${data.skipped.length} (${[...new Set(data.skipped.map((s) => s.reason.split(":")[0]))].join(", ")})` : ""}.` };
    }
  },
});
