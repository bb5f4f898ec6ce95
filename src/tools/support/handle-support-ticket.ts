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
    `Support tickets with SLA tracking: create, update, comment, get, list, resolve, close, escalate. Each SLA target reports met, breached, at_risk or on_track with minutes left; changes mirror to Zendesk when configured. Portfolio figures: analyze_support_performance. ${CUSTOMER_TEXT_NOTE} Example: {action: 'create', client_id: 'cs_1700000000_acme_corp', subject: 'SSO fails', description: 'Users get a 500', priority: 'P2'}.`,
  input: z.strictObject({
    action: z.enum(TICKET_ACTIONS, { error: `must be one of ${TICKET_ACTIONS.join(", ")}` }),
    ticket_id: z.uuid({ error: "must be a ticket_id (a UUID) from create or list" }).optional().describe("All but create, list"),
    client_id: clientId().optional().describe("create; list filter"),
    subject: text(500).optional().describe("One line"),
    description: text(20_000).optional().describe("What the customer reported"),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("P1 urgent … P4 low; default P3"),
    category: text(100).optional().describe("e.g. billing; matched to agent skills"),
    requester_email: email().optional().describe("Who asked"),
    assigned_agent: text(200).optional().describe("Agent email"),
    team: text(100).optional().describe("Support team"),
    status: z.enum(TICKET_STATUSES, { error: `must be one of ${TICKET_STATUSES.join(", ")}` }).optional().describe("update: working status; list filter"),
    notes: text(20_000).optional().describe("Comment, closing note or escalation reason"),
    satisfaction_rating: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be between 1 and 5").max(5, "must be between 1 and 5").optional().describe("CSAT 1–5 once resolved"),
    escalate: z.boolean().optional().describe("Also escalate (notes = reason)"),
    tags: z.array(tag).max(30, "must have at most 30 tags").optional().describe("Replaces the list"),
    author: text(200).optional().describe("Name or email"),
    author_type: z.enum(AUTHOR_TYPES, { error: `must be one of ${AUTHOR_TYPES.join(", ")}` }).optional().describe("Default agent"),
    is_public: z.boolean().optional().describe("false: internal note"),
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }).optional().describe("escalate; default from priority"),
    owner: text(200).optional().describe("escalate"),
    escalation_due_only: z.boolean().optional().describe("list: due for escalation"),
    include_comments: z.boolean().default(true).describe("get: newest 20 comments"),
    limit: z.number().int().min(1).max(20).default(20).describe("list: page size"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("list: rows to skip"),
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
