// How a stored ticket and its comments are shown: the ticket's fields, both SLA states, the escalation rule's
// verdict, and every customer-written text (subject, description, comment bodies) as delimited data.
import type { Config } from "../../config/load.ts";
import { asCustomerText } from "../../tools/shared/customer-text.ts";
import { escalationReasons, ticketSla, type Priority, type TicketStatus } from "./sla.ts";

export interface StoredTicket {
  id: string;
  account_id: string;
  zendesk_id: string | null;
  subject: string;
  description: string | null;
  priority: Priority;
  category: string | null;
  status: TicketStatus;
  requester_email: string | null;
  assigned_agent: string | null;
  team: string | null;
  tags: string[];
  satisfaction_rating: number | null;
  escalated: boolean;
  escalated_at: Date | null;
  first_response_due_at: Date;
  resolution_due_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  account?: { company_name: string };
}

export interface StoredComment {
  id: string;
  ticket_id: string;
  author: string;
  author_type: string | null;
  body: string;
  is_public: boolean;
  created_at: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function ticketView(t: StoredTicket, now: Date, config: Config) {
  const reasons = escalationReasons(t, now, config);
  return {
    ticket_id: t.id,
    client_id: t.account_id,
    ...(t.account ? { company_name: t.account.company_name } : {}),
    subject: asCustomerText(t.subject, `ticket ${t.id} subject`),
    description: t.description === null ? null : asCustomerText(t.description, `ticket ${t.id} description`),
    priority: t.priority,
    category: t.category,
    status: t.status,
    requester_email: t.requester_email,
    assigned_agent: t.assigned_agent,
    team: t.team,
    tags: t.tags,
    satisfaction_rating: t.satisfaction_rating,
    escalated: t.escalated,
    escalated_at: iso(t.escalated_at),
    zendesk_id: t.zendesk_id,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
    first_response_at: iso(t.first_response_at),
    resolved_at: iso(t.resolved_at),
    closed_at: iso(t.closed_at),
    sla: ticketSla(t, now, config.SLA_AT_RISK_PERCENT),
    escalation_rule: { should_escalate: reasons.length > 0 && !t.escalated, reasons, already_escalated: t.escalated },
  };
}
export type TicketView = ReturnType<typeof ticketView>;

export function commentView(c: StoredComment) {
  return {
    comment_id: c.id,
    author: c.author,
    author_type: c.author_type,
    is_public: c.is_public,
    created_at: c.created_at.toISOString(),
    body: asCustomerText(c.body, `ticket ${c.ticket_id} comment ${c.id} (${c.author_type ?? "author type not recorded"})`),
  };
}
export type CommentView = ReturnType<typeof commentView>;
