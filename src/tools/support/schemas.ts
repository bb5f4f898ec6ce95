// Output shapes shared by the support tools.
import { z } from "zod";
import { customerText } from "../shared/customer-text.ts";
import { SLA_STATUSES } from "../../services/support/sla.ts";

export { deliveryReport } from "../shared/delivery.ts";

export const slaStateSchema = z.object({
  target_minutes: z.number(),
  due_at: z.string(),
  status: z.enum(SLA_STATUSES),
  achieved_at: z.string().nullable(),
  minutes_used: z.number().nullable(),
  minutes_remaining: z.number().nullable().describe("Negative: that many minutes over the target"),
  percent_used: z.number().nullable(),
});

export const ticketSchema = z.object({
  ticket_id: z.string(),
  client_id: z.string(),
  company_name: z.string().optional(),
  subject: customerText,
  description: customerText.nullable(),
  priority: z.string(),
  category: z.string().nullable(),
  status: z.string(),
  requester_email: z.string().nullable(),
  assigned_agent: z.string().nullable(),
  team: z.string().nullable(),
  tags: z.array(z.string()),
  satisfaction_rating: z.number().int().nullable(),
  escalated: z.boolean(),
  escalated_at: z.string().nullable(),
  zendesk_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  first_response_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  sla: z.object({ first_response: slaStateSchema, resolution: slaStateSchema }),
  escalation_rule: z.object({ should_escalate: z.boolean(), reasons: z.array(z.string()), already_escalated: z.boolean() }),
});

export const commentSchema = z.object({
  comment_id: z.string(),
  author: z.string(),
  author_type: z.string().nullable(),
  is_public: z.boolean(),
  created_at: z.string(),
  body: customerText,
});

export const ticketEscalationSchema = z.object({
  escalation_id: z.string(),
  severity: z.string(),
  reason: z.string(),
  owner: z.string().nullable(),
  status: z.string(),
  created_at: z.string(),
  triggered_by_rule: z.array(z.string()),
});
