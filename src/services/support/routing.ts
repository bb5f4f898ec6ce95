// route_tickets: keeps the agent roster (upsert by email through the `agents` parameter; no agent is ever
// made up), then places open unassigned tickets (or one given ticket) on active agents with the rules of
// routing-plan.ts, in one transaction: the roster change, the assignments, the round-robin position,
// the timeline notes and the audit record commit together.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { SupportAgentRepository, type AgentInput } from "../../repositories/support-agents.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { isOpen, type Priority } from "./sla.ts";
import { planRouting, type RoutingAgent, type RoutingStrategy } from "./routing-plan.ts";

export interface RoutingInput {
  routing_strategy: RoutingStrategy;
  ticket_id?: string | undefined;
  team_filter?: string | undefined;
  priority_filter?: Priority | undefined;
  category_filter?: string | undefined;
  load_balance: boolean;
  max_tickets_per_agent?: number | undefined;
  agents?: AgentInput[] | undefined;
  limit: number;
}

export class RoutingService {
  private readonly repo = new SupportAgentRepository();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async route(input: RoutingInput) {
    if (input.ticket_id && (input.priority_filter || input.category_filter)) {
      throw validationError("ticket_id routes that one ticket; priority_filter and category_filter select tickets and cannot be combined with it", "give either ticket_id or the filters");
    }
    const emails = (input.agents ?? []).map((a) => a.email);
    const dup = emails.find((e, i) => emails.indexOf(e) !== i);
    if (dup) throw validationError(`agents: ${dup} is listed twice`, "give each agent once");
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      if (input.agents?.length) {
        // A new agent needs a name: checked before anything is written.
        const known = new Set((await tx.supportAgent.findMany({ where: { email: { in: emails } }, select: { email: true } })).map((a) => a.email));
        const unnamed = input.agents.filter((a) => !known.has(a.email) && !a.name).map((a) => a.email);
        if (unnamed.length) throw validationError(`agents: ${unnamed.join(", ")} ${unnamed.length > 1 ? "are new agents and need" : "is a new agent and needs"} a name`, "add name for new agents");
      }
      const roster = input.agents?.length ? await this.repo.upsert(tx, input.agents) : { created: [] as string[], updated: [] as string[], unchanged: [] as string[] };
      const agents = await this.repo.activeWithLoad(tx, input.team_filter);
      const capOf = (maxOpen: number) => (input.max_tickets_per_agent !== undefined ? Math.min(maxOpen, input.max_tickets_per_agent) : maxOpen);
      const routingAgents: RoutingAgent[] = agents.map((a) => ({ email: a.email, name: a.name, team: a.team, skills: a.skills, cap: capOf(a.max_open), open: Number(a.open) }));

      const tickets = await this.repo.candidates(tx, { ticket_id: input.ticket_id, team: input.team_filter, priority: input.priority_filter, category: input.category_filter, limit: input.limit });
      if (input.ticket_id) {
        const t = tickets[0];
        if (!t) throw notFound("ticket", input.ticket_id, "use handle_support_ticket with action 'list' to find the ticket_id");
        if (!isOpen(t.status)) throw conflict(`ticket ${t.id} is ${t.status}; only open tickets are routed`, "reopen it with handle_support_ticket first");
        if (t.assigned_agent) throw conflict(`ticket ${t.id} is already assigned to ${t.assigned_agent}`, "reassign it with handle_support_ticket action 'update' and assigned_agent");
      }

      const scope = input.team_filter ? `team:${input.team_filter.toLowerCase()}` : "*";
      const rotationLast = input.routing_strategy === "round_robin" ? await this.repo.rotation(tx, scope) : null;
      const plan = planRouting(
        tickets.map((t) => ({ id: t.id, priority: t.priority, category: t.category, tags: t.tags, created_at: t.created_at })),
        routingAgents,
        { strategy: input.routing_strategy, loadBalance: input.load_balance, rotationLast },
      );

      const byId = new Map(tickets.map((t) => [t.id, t]));
      // Set-based writes: one UPDATE for every assignment, one INSERT for their timeline notes.
      const applied = await this.repo.assignMany(tx, plan.assignments.map((a) => ({ ticket_id: a.ticket_id, agent_email: a.agent_email, team: a.agent_team })), now);
      // The candidate rows are locked, so every guarded update applies; the check is a safety net.
      if (applied !== plan.assignments.length) throw conflict("some tickets were assigned by someone else meanwhile; nothing was changed", "call route_tickets again");
      if (plan.assignments.length) {
        await tx.timelineEvent.createMany({
          data: plan.assignments.map((a) => {
            const t = byId.get(a.ticket_id)!;
            return { account_id: t.account_id, event_type: "note", summary: `${t.priority} ticket assigned to ${a.agent_name}`, data: { ticket_id: t.id, agent: a.agent_email, reason: a.reason }, occurred_at: now };
          }),
        });
      }
      if (input.routing_strategy === "round_robin" && plan.rotation_last && plan.rotation_last !== rotationLast) await this.repo.saveRotation(tx, scope, plan.rotation_last, now);

      const placed = new Map<string, number>();
      for (const a of plan.assignments) placed.set(a.agent_email, (placed.get(a.agent_email) ?? 0) + 1);
      if (plan.assignments.length || roster.created.length || roster.updated.length) {
        await writeAudit(tx, {
          action: "route_tickets",
          entity_type: "support_ticket",
          entity_id: input.ticket_id ?? null,
          changes: { strategy: input.routing_strategy, assignments: plan.assignments.map((a) => ({ ticket_id: a.ticket_id, agent: a.agent_email })), agents_created: roster.created, agents_updated: roster.updated },
        });
      }
      const counts = routingAgents.length ? null : await this.repo.counts(tx);
      return {
        routing_strategy: input.routing_strategy,
        load_balance: input.load_balance,
        considered: tickets.length,
        assignments: plan.assignments.map((a) => {
          const t = byId.get(a.ticket_id)!;
          return { ticket_id: a.ticket_id, client_id: t.account_id, priority: t.priority, category: t.category, agent_email: a.agent_email, agent_name: a.agent_name, team: a.agent_team ?? t.team, reason: a.reason };
        }),
        unassigned: plan.unassigned.map((u) => {
          const t = byId.get(u.ticket_id)!;
          return { ticket_id: u.ticket_id, client_id: t.account_id, priority: t.priority, category: t.category, reason: u.reason };
        }),
        agents: routingAgents.map((a) => ({ email: a.email, name: a.name, team: a.team, skills: a.skills, cap: a.cap, open_before: a.open, assigned_now: placed.get(a.email) ?? 0, open_after: a.open + (placed.get(a.email) ?? 0) })),
        roster_changes: roster,
        rotation: input.routing_strategy === "round_robin" ? { scope, previous_last_agent: rotationLast, last_agent: plan.rotation_last } : null,
        filters_applied: { ticket_id: input.ticket_id ?? null, team_filter: input.team_filter ?? null, priority_filter: input.priority_filter ?? null, category_filter: input.category_filter ?? null, max_tickets_per_agent: input.max_tickets_per_agent ?? null },
        missing_data: counts
          ? [
              counts.all === 0
                ? "no support agents are stored: add them with the agents parameter ({email, name, team, skills, max_open})"
                : input.team_filter
                  ? `no active agent in team '${input.team_filter}' (${counts.active} active agents in all)`
                  : "every stored agent is inactive: set is_active true through the agents parameter",
            ]
          : [],
      };
    });
  }
}
