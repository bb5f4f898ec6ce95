import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { ESCALATION_ACTIONS, ESCALATION_STATUSES, SEVERITIES } from "../../services/retention/escalations.ts";

const escalationView = z.object({
  escalation_id: z.string(),
  client_id: z.string(),
  company_name: z.string().optional(),
  ticket_id: z.string().nullable(),
  severity: z.string(),
  reason: z.string(),
  status: z.string(),
  owner: z.string().nullable(),
  resolution: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  age_days: z.number().int(),
});

export const manageEscalations = defineTool({
  name: "manage_escalations",
  toolset: "retention",
  title: "Manage account escalations",
  description:
    "Create, list, update and resolve account escalations; a linked ticket is marked escalated; writes go" +
    " to the timeline and audit log. Ticket-level escalation: handle_support_ticket. Example: {action: " +
    "'create', client_id: 'cs_1700000000_acme_corp', severity: 'high', reason: 'Outage hit month-end " +
    "close'}.",
  input: z.strictObject({
    action: z.enum(ESCALATION_ACTIONS, { error: `must be one of ${ESCALATION_ACTIONS.join(", ")}` }),
    escalation_id: z.uuid({ error: "must be an escalation_id (a UUID) from create or list" }).optional().describe("update, resolve"),
    client_id: clientId().optional().describe("create; list filter"),
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }).optional().describe("create, update; list filter"),
    reason: text(2000).optional().describe("create, update"),
    owner: text(200).optional().describe("Name or email"),
    status: z.enum(ESCALATION_STATUSES, { error: `must be one of ${ESCALATION_STATUSES.join(", ")}` }).optional().describe("update; list filter"),
    resolution: text(4000).optional().describe("resolve"),
    ticket_id: z.uuid({ error: "must be a ticket id (a UUID)" }).optional().describe("Same account's ticket"),
    limit: z.number().int().min(1).max(30).default(20).describe("list: page size"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("list: rows to skip"),
  }),
  output: z.object({
    action: z.enum(ESCALATION_ACTIONS),
    escalation: escalationView.optional(),
    changed: z.array(z.string()).optional(),
    escalations: z.array(escalationView).optional(),
    total: z.number().int().optional(),
    count: z.number().int().optional(),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
    filters_applied: z.object({ client_id: z.string().nullable(), severity: z.string().nullable(), status: z.string().nullable(), owner: z.string().nullable() }).optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.retention.escalations.handle(args);
    if (data.action === "list") {
      return {
        data,
        text: `${data.total} escalations match; showing ${data.count}${data.escalations.length ? `: ${data.escalations.slice(0, 10).map((e) => `${e.escalation_id} (${e.severity}, ${e.status}, ${e.client_id})`).join("; ")}` : ""}.${data.next_offset !== null ? ` More: offset ${data.next_offset}.` : ""}`,
      };
    }
    const e = data.escalation;
    const verb = data.action === "create" ? "Created" : data.action === "resolve" ? "Resolved" : data.changed.length ? "Updated" : "Nothing changed on";
    return { data, text: `${verb} escalation ${e.escalation_id} for ${e.client_id} (${e.severity}, ${e.status}${e.owner ? `, owner ${e.owner}` : ""})${data.action === "update" && data.changed.length ? `: ${data.changed.join(", ")}` : ""}.` };
  },
});
