import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { email, text } from "../../security/validation.ts";
import { ROUTING_STRATEGIES } from "../../services/support/routing-plan.ts";
import { PRIORITIES } from "../../services/support/sla.ts";

const skill = z.string().trim().min(1, "must not be empty").max(60, "must be at most 60 characters").transform((s) => s.toLowerCase());

const agentInput = z.strictObject({
  email: email().describe("The agent's email: the key of the roster and what tickets' assigned_agent holds"),
  name: text(200).optional().describe("Display name (needed for a new agent)"),
  team: text(100).optional().describe("Team the agent belongs to"),
  skills: z.array(skill).max(50, "must have at most 50 skills").optional().describe("Skills matched against ticket category and tags (case-insensitive); replaces the list"),
  max_open: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").optional().describe("Most open tickets the agent should hold (default 20 for a new agent)"),
  is_active: z.boolean().optional().describe("false takes the agent out of routing"),
});

const ticketRow = z.object({ ticket_id: z.string(), client_id: z.string(), priority: z.string(), category: z.string().nullable() });

export const routeTickets = defineTool({
  name: "route_tickets",
  toolset: "support",
  title: "Route open tickets to support agents",
  description:
    "Assigns open, unassigned tickets (or the one ticket_id) to active support agents and says why each went where, e.g. " +
    "\"skill 'billing' matches; 2 open of cap 5; fewest open among 2 candidates\". Tickets are placed P1 first, then " +
    "oldest. Strategies: auto (agents whose skills match the ticket's category or tags when one has room, else anyone), " +
    "skill_based (only matching skills), priority (most headroom: lowest open ÷ cap), round_robin (fixed rotation by email " +
    "that continues across calls). load_balance (default true) picks the candidate with the fewest open tickets; false " +
    "fills agents in roster order. Cap per agent = min(agent's max_open, max_tickets_per_agent), counted over the agent's " +
    "open tickets including those assigned in this call. Tickets nobody can take are listed with the reason. The roster " +
    "comes from stored agents: add or change them with agents: [{email, name, team, skills, max_open, is_active}] (upsert " +
    "by email, applied before routing). Example: {routing_strategy: 'skill_based', priority_filter: 'P1', agents: " +
    "[{email: 'dana@vendor.com', name: 'Dana', team: 'Billing', skills: ['billing'], max_open: 5}]}.",
  input: z.strictObject({
    routing_strategy: z.enum(ROUTING_STRATEGIES, { error: `must be one of ${ROUTING_STRATEGIES.join(", ")}` }).default("auto").describe("auto (default), round_robin, skill_based or priority"),
    ticket_id: z.uuid({ error: "must be a ticket_id (a UUID)" }).optional().describe("Route only this open, unassigned ticket"),
    team_filter: text(100).optional().describe("Only agents of this team, and tickets of this team or with no team"),
    priority_filter: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("Only tickets of this priority"),
    category_filter: text(100).optional().describe("Only tickets of this category (case-insensitive)"),
    load_balance: z.boolean().default(true).describe("Pick the candidate with the fewest open tickets (default true); false = first in roster order with room"),
    max_tickets_per_agent: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").optional().describe("Cap on open tickets per agent for this call (the lower of this and the agent's max_open applies)"),
    agents: z.array(agentInput).max(200, "must have at most 200 agents").optional().describe("Agents to add or change before routing (upsert by email)"),
    limit: z.number().int().min(1).max(50).default(50).describe("Most tickets to place in one call, 1–50 (default 50)"),
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
