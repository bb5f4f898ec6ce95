import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, fenceCustomerText } from "../shared/customer-text.ts";
import { AUTHOR_TYPES, SEVERITIES, TICKET_ACTIONS } from "../../services/support/tickets.ts";
import { PRIORITIES, TICKET_STATUSES } from "../../services/support/sla.ts";
import { commentSchema, deliveryReport, ticketEscalationSchema, ticketSchema } from "./schemas.ts";
import type { TicketView } from "../../services/support/ticket-view.ts";

const tag = z.string().trim().min(1, "must not be empty").max(60, "must be at most 60 characters").regex(/^[A-Za-z0-9_\-:.]+$/, "must be letters, digits, _ - : . (no spaces)");

function slaLine(t: TicketView): string {
  const s = (x: TicketView["sla"]["first_response"]) => `${x.status}${x.minutes_remaining !== null && (x.status === "on_track" || x.status === "at_risk") ? `, ${x.minutes_remaining} min left` : ""}`;
  return `SLA first response ${s(t.sla.first_response)}; resolution ${s(t.sla.resolution)}`;
}

function zendeskLine(reports: Array<{ status: string; missing_variables?: string[]; reason?: string; operation?: string }>): string {
  if (!reports.length) return "";
  const queued = reports.filter((r) => r.status === "queued").length;
  const off = reports.find((r) => r.status === "not_configured");
  if (off) return ` Zendesk not configured (set ${off.missing_variables!.join(", ")}); stored here only.`;
  const skipped = reports.find((r) => r.status === "skipped");
  return queued ? ` Zendesk: ${queued} change${queued > 1 ? "s" : ""} queued.` : skipped ? ` Zendesk: ${skipped.reason}.` : "";
}

export const handleSupportTicket = defineTool({
  name: "handle_support_ticket",
  toolset: "support",
  title: "Create and work support tickets",
  description:
    "Support tickets with SLA tracking. Actions: create (client_id, subject, description; priority P1–P4, default P3; " +
    "category, requester_email, assigned_agent, team, tags), update (ticket_id and fields to change; status open|pending|" +
    "in_progress; a resolved ticket set back to a working status is reopened), comment (ticket_id, notes = the comment; " +
    "author_type agent|requester, default agent; is_public default true; a public agent comment is the first response), get " +
    "(ticket_id, with comments), list (filters client_id, status, priority, category, assigned_agent, team, " +
    "escalation_due_only), resolve (ticket_id; optional notes, satisfaction_rating 1–5), close (only a resolved ticket), " +
    "escalate (ticket_id; notes = reason, needed unless the escalation rule applies; severity defaults from priority " +
    "P1 critical … P4 low; writes an escalations row). escalate: true on create/update escalates in the same call. SLA " +
    "targets: first response 15 min; resolution P1 240, P2 480, P3 1440, P4 2880 min (settings SLA_*). Each target's " +
    "status: met, breached, at_risk (≥ SLA_AT_RISK_PERCENT of the target used, still open) or on_track, with minutes " +
    "used/left. escalation_rule says when DOMAIN's rule (no first response in 2 h, no resolution in 3 days) calls for " +
    "escalation. Changes are mirrored to Zendesk through the outbox when it is configured; otherwise zendesk reports " +
    "not_configured with the variables to set. Closed tickets take no changes. " +
    CUSTOMER_TEXT_NOTE +
    " Example: {action: 'create', client_id: 'cs_1700000000_acme_corp', subject: 'SSO login fails', description: 'Users get " +
    "a 500 after the IdP redirect', priority: 'P2', category: 'technical'}.",
  input: z.strictObject({
    action: z.enum(TICKET_ACTIONS, { error: `must be one of ${TICKET_ACTIONS.join(", ")}` }).describe("create, update, comment, get, list, resolve, close or escalate"),
    ticket_id: z.uuid({ error: "must be a ticket_id (a UUID) from create or list" }).optional().describe("The ticket (every action except create and list)"),
    client_id: clientId().optional().describe("Account the ticket belongs to (create); filter (list)"),
    subject: text(500).optional().describe("One-line summary (create, update)"),
    description: text(20_000).optional().describe("What the customer reported (create, update)"),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("P1 (urgent) … P4 (low); default P3 on create. Changing it re-targets the resolution due time"),
    category: text(100).optional().describe("Topic such as billing, technical, integration (create, update; filter for list). Routing matches it against agent skills"),
    requester_email: email().optional().describe("Who asked (create, update)"),
    assigned_agent: text(200).optional().describe("Agent handling it, by email (create, update; filter for list); route_tickets assigns automatically"),
    team: text(100).optional().describe("Support team (create, update; filter for list)"),
    status: z.enum(TICKET_STATUSES, { error: `must be one of ${TICKET_STATUSES.join(", ")}` }).optional().describe("update: open, pending or in_progress (resolve/close have their own actions); list: filter by any status"),
    notes: text(20_000).optional().describe("comment: the comment text; resolve/close: a closing comment; escalate (or escalate: true): the reason"),
    satisfaction_rating: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be between 1 and 5").max(5, "must be between 1 and 5").optional().describe("CSAT answer 1–5, once the ticket is resolved (resolve, close, update of a resolved ticket)"),
    escalate: z.boolean().optional().describe("create/update: also escalate the ticket in the same call (notes = reason)"),
    tags: z.array(tag).max(30, "must have at most 30 tags").optional().describe("Labels (create, update: replaces the list)"),
    author: text(200).optional().describe("Comment author's name or email (comment, resolve, close); default the assigned agent or the requester"),
    author_type: z.enum(AUTHOR_TYPES, { error: `must be one of ${AUTHOR_TYPES.join(", ")}` }).optional().describe("comment: agent (default) or requester. A public agent comment sets the first response; a requester comment reopens a resolved ticket"),
    is_public: z.boolean().optional().describe("comment/resolve/close: visible to the customer (default true) or an internal note"),
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }).optional().describe("escalate: low, medium, high or critical (default from priority: P1 critical, P2 high, P3 medium, P4 low)"),
    owner: text(200).optional().describe("escalate: who owns the escalation"),
    escalation_due_only: z.boolean().optional().describe("list: only open, not yet escalated tickets the escalation rule calls for"),
    include_comments: z.boolean().default(true).describe("get: include the newest 20 comments (default true)"),
    limit: z.number().int().min(1).max(20).default(20).describe("list: page size 1–20 (default 20); descriptions cut at 200 characters (get shows all)"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("list: rows to skip (default 0)"),
  }),
  output: z.object({
    action: z.enum(TICKET_ACTIONS),
    ticket: ticketSchema.optional(),
    comment: commentSchema.optional(),
    comments: z.array(commentSchema).optional().describe("get: the newest 20, bodies cut at 1,000 characters"),
    comments_total: z.number().int().optional(),
    escalation: ticketEscalationSchema.optional(),
    changed: z.array(z.string()).optional(),
    reopened: z.boolean().optional(),
    first_response_recorded: z.boolean().optional(),
    tickets: z.array(ticketSchema).optional(),
    total: z.number().int().optional(),
    count: z.number().int().optional(),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
    zendesk: z.array(deliveryReport).optional().describe("The Zendesk mirror: queued outbox rows, not_configured with the variables to set, or skipped with the reason"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.support.tickets.handle(args);
    if (data.action === "list") {
      const lines = data.tickets.slice(0, 20).map((t) => `- ${t.ticket_id} ${t.priority} ${t.status} ${t.client_id}${t.assigned_agent ? ` → ${t.assigned_agent}` : " (unassigned)"}; ${slaLine(t)}${t.escalation_rule.should_escalate ? "; ESCALATE" : ""}`);
      return { data, text: `${data.total} tickets match; showing ${data.count}.${lines.length ? `\n${lines.join("\n")}` : ""}${data.next_offset !== null ? `\nMore: offset ${data.next_offset}.` : ""}` };
    }
    const t = data.ticket;
    const head = `Ticket ${t.ticket_id} (${t.priority}, ${t.status}, ${t.client_id}${t.assigned_agent ? `, ${t.assigned_agent}` : ""}). ${slaLine(t)}.`;
    const rule = t.escalation_rule.should_escalate ? ` Escalation rule applies: ${t.escalation_rule.reasons.join("; ")}.` : "";
    const zd = "zendesk" in data && data.zendesk ? zendeskLine(data.zendesk) : "";
    const subject = fenceCustomerText(t.subject.customer_text, t.subject.source);
    switch (data.action) {
      case "get": {
        const desc = t.description ? `\n${fenceCustomerText(t.description.customer_text, t.description.source)}` : "";
        const comments = (data.comments ?? []).map((c) => `\n${c.created_at} ${c.author} (${c.author_type ?? "?"}, ${c.is_public ? "public" : "internal"}):\n${fenceCustomerText(c.body.customer_text, c.body.source)}`).join("");
        return { data, text: `${head}${rule}\n${subject}${desc}${comments}` };
      }
      case "create":
        return { data, text: `Created ${head}${data.escalation ? ` Escalated: ${data.escalation.escalation_id} (${data.escalation.severity}).` : ""}${zd}\n${subject}` };
      case "update":
        return { data, text: `${data.changed.length ? `Updated ${data.changed.join(", ")}${data.reopened ? " (reopened)" : ""} on` : "Nothing changed on"} ${head}${rule}${zd}` };
      case "comment":
        return { data, text: `Comment ${data.comment.comment_id} added${data.first_response_recorded ? " (first response recorded)" : ""}${data.reopened ? "; ticket reopened" : ""}. ${head}${zd}\n${fenceCustomerText(data.comment.body.customer_text, data.comment.body.source)}` };
      case "resolve":
        return { data, text: `Resolved ${head}${zd}` };
      case "close":
        return { data, text: `Closed ${head}${zd}` };
      case "escalate":
        return { data, text: `Escalated ${head} Escalation ${data.escalation.escalation_id} (${data.escalation.severity}): ${data.escalation.reason}${zd}` };
    }
  },
});
