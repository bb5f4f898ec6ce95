import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { email, text } from "../../security/validation.ts";
import { ROUTING_STRATEGIES } from "../../services/support/routing-plan.ts";
import { PRIORITIES } from "../../services/support/sla.ts";

const skill = z.string().trim().min(1, "must not be empty").max(60, "must be at most 60 characters").transform((s) => s.toLowerCase());

const agentInput = z.strictObject({
  email: email(),
  name: text(200).optional(),
  team: text(100).optional(),
  skills: z.array(skill).max(50, "must have at most 50 skills").optional(),
  max_open: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").optional(),
  is_active: z.boolean().optional(),
});

const ticketRow = z.object({ ticket_id: z.string(), client_id: z.string(), priority: z.string(), category: z.string().nullable() });

export const routeTickets = defineTool({
  name: "route_tickets",
  toolset: "support",
  title: "Route open tickets to support agents",
  description:
    "Assign open unassigned tickets (P1 first) to active agents by strategy — auto, skill_based, " +
    "priority, round_robin — within each agent's cap, saying why; tickets nobody can take are listed. " +
    "agents upserts the roster first. Example: {routing_strategy: 'skill_based', agents: [{email: " +
    "'dana@vendor.com', name: 'Dana', skills: ['billing']}]}.",
  input: z.strictObject({
    routing_strategy: z.enum(ROUTING_STRATEGIES, { error: `must be one of ${ROUTING_STRATEGIES.join(", ")}` }).default("auto").describe("Strategy"),
    ticket_id: z.uuid({ error: "must be a ticket_id (a UUID)" }).optional().describe("Only this ticket"),
    team_filter: text(100).optional().describe("Only this team"),
    priority_filter: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("Only this priority"),
    category_filter: text(100).optional().describe("Case-insensitive"),
    load_balance: z.boolean().default(true).describe("Fewest open first; false: roster order"),
    max_tickets_per_agent: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").optional().describe("Cap per agent"),
    agents: z.array(agentInput).max(200, "must have at most 200 agents").optional().describe("Upsert by email"),
    limit: z.number().int().min(1).max(50).default(50).describe("Most tickets per call"),
  }),
  output: z.object({
    routing_strategy: z.enum(ROUTING_STRATEGIES),
    load_balance: z.boolean(),
    considered: z.number().int(),
    assignments: z.array(ticketRow.extend({ agent_email: z.string(), agent_name: z.string(), team: z.string().nullable(), reason: z.string() })),
    unassigned: z.array(ticketRow.extend({ reason: z.string() })),
    agents: z.array(
      z.object({ email: z.string(), name: z.string(), team: z.string().nullable(), skills: z.array(z.string()), cap: z.number().int(), open_before: z.number().int(), assigned_now: z.number().int(), open_after: z.number().int() }),
    ),
    roster_changes: z.object({ created: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()) }),
    rotation: z.object({ scope: z.string(), previous_last_agent: z.string().nullable(), last_agent: z.string().nullable() }).nullable(),
    filters_applied: z.object({ ticket_id: z.string().nullable(), team_filter: z.string().nullable(), priority_filter: z.string().nullable(), category_filter: z.string().nullable(), max_tickets_per_agent: z.number().int().nullable() }),
    missing_data: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.support.routing.route(args);
    const roster = data.roster_changes.created.length || data.roster_changes.updated.length ? ` Roster: ${data.roster_changes.created.length} added, ${data.roster_changes.updated.length} changed.` : "";
    const lines = [
      ...data.assignments.slice(0, 30).map((a) => `- ${a.ticket_id} (${a.priority}${a.category ? `, ${a.category}` : ""}) → ${a.agent_email}: ${a.reason}`),
      ...data.unassigned.slice(0, 30).map((u) => `- ${u.ticket_id} (${u.priority}) not assigned: ${u.reason}`),
    ];
    const missing = data.missing_data.length ? ` ${data.missing_data.join("; ")}.` : "";
    return {
      data,
      text: `${data.routing_strategy}: ${data.assignments.length} of ${data.considered} tickets assigned, ${data.unassigned.length} left unassigned.${roster}${missing}${lines.length ? `\n${lines.join("\n")}` : ""}`,
    };
  },
});
