// Ticket routing as a pure function: given the tickets to place, the eligible agents (with their open
// tickets and caps) and a strategy, decide who gets what and say why. No database here, so every rule can
// be read (and tested) in one place.
//
// - Tickets are placed highest priority first (P1 … P4), then oldest, then by id: when capacity runs out it
//   is the lower-priority tickets that wait. This holds for every strategy.
// - An agent has room while open < cap, where open counts the agent's open tickets including the ones
//   placed earlier in this same call, and cap = min(agent's max_open, max_tickets_per_agent when given).
// - skill_based: only agents with a skill equal (case-insensitive) to the ticket's category or one of its
//   tags; a ticket nobody with that skill can take is left unassigned with the reason.
// - auto: agents with a matching skill when any of them has room, otherwise any agent with room.
// - priority: any agent with room; the one with the most headroom (lowest open ÷ cap) takes it.
// - round_robin: agents in a fixed order (email), starting after the agent who got the previous
//   round-robin ticket (persisted between calls by the caller), skipping agents without room.
// - Ties and load_balance: with load_balance (default) the candidate with the fewest open tickets wins
//   (ties by email); without it, the first candidate in roster order (by email) with room.
import type { Priority } from "./sla.ts";

export const ROUTING_STRATEGIES = ["auto", "round_robin", "skill_based", "priority"] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export interface RoutingAgent {
  email: string;
  name: string;
  team: string | null;
  skills: string[];
  cap: number;
  open: number;
}

export interface RoutingTicket {
  id: string;
  priority: Priority;
  category: string | null;
  tags: string[];
  created_at: Date;
}

export interface Assignment {
  ticket_id: string;
  agent_email: string;
  agent_name: string;
  agent_team: string | null;
  reason: string;
}

export interface Unassigned {
  ticket_id: string;
  reason: string;
}

export interface RoutingPlan {
  assignments: Assignment[];
  unassigned: Unassigned[];
  /** The agent who got the last round-robin ticket (unchanged when none was placed). */
  rotation_last: string | null;
}

const PRIORITY_RANK: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/** What a ticket can be matched on: its category and tags, lower-cased, without duplicates. */
export function ticketKeys(t: Pick<RoutingTicket, "category" | "tags">): string[] {
  return [...new Set([t.category, ...t.tags].filter((k): k is string => !!k && k.trim() !== "").map((k) => k.trim().toLowerCase()))];
}

function matchedSkill(agent: RoutingAgent, keys: string[]): string | undefined {
  const skills = new Set(agent.skills.map((s) => s.toLowerCase()));
  return keys.find((k) => skills.has(k));
}

const load = (a: RoutingAgent) => `${a.open} open of cap ${a.cap}`;

export function planRouting(tickets: RoutingTicket[], roster: RoutingAgent[], opts: { strategy: RoutingStrategy; loadBalance: boolean; rotationLast: string | null }): RoutingPlan {
  const agents = [...roster].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)).map((a) => ({ ...a }));
  const queue = [...tickets].sort(
    (a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const plan: RoutingPlan = { assignments: [], unassigned: [], rotation_last: opts.rotationLast };

  const pick = (pool: RoutingAgent[]): { agent: RoutingAgent; why: string } => {
    if (!opts.loadBalance) return { agent: pool[0]!, why: "first in roster order with room (load_balance off)" };
    const best = pool.reduce((m, a) => (a.open < m.open ? a : m));
    return { agent: best, why: pool.length > 1 ? `fewest open among ${pool.length} candidates` : "only candidate with room" };
  };

  for (const t of queue) {
    const keys = ticketKeys(t);
    if (!agents.length) {
      plan.unassigned.push({ ticket_id: t.id, reason: "no active support agents to route to; add them with route_tickets' agents parameter" });
      continue;
    }
    const withRoom = agents.filter((a) => a.open < a.cap);
    const skilled = withRoom.filter((a) => matchedSkill(a, keys));
    let chosen: RoutingAgent | undefined;
    let reason = "";

    if (opts.strategy === "skill_based") {
      if (!keys.length) {
        plan.unassigned.push({ ticket_id: t.id, reason: "the ticket has no category or tags to match against agent skills (set category with handle_support_ticket update)" });
        continue;
      }
      if (!skilled.length) {
        const anySkilled = agents.filter((a) => matchedSkill(a, keys));
        plan.unassigned.push({
          ticket_id: t.id,
          reason: anySkilled.length
            ? `every agent with a matching skill is at cap (${anySkilled.map((a) => `${a.email} ${a.open}/${a.cap}`).join(", ")})`
            : `no active agent has a skill matching ${keys.map((k) => `'${k}'`).join(" or ")}`,
        });
        continue;
      }
      const p = pick(skilled);
      chosen = p.agent;
      reason = `skill '${matchedSkill(chosen, keys)}' matches; ${load(chosen)}; ${p.why}`;
    } else if (!withRoom.length) {
      plan.unassigned.push({ ticket_id: t.id, reason: `every eligible agent is at cap (${agents.map((a) => `${a.email} ${a.open}/${a.cap}`).join(", ")})` });
      continue;
    } else if (opts.strategy === "auto") {
      const p = pick(skilled.length ? skilled : withRoom);
      chosen = p.agent;
      const skill = skilled.length ? `skill '${matchedSkill(chosen, keys)}' matches` : keys.length ? `no agent with a skill matching ${keys.map((k) => `'${k}'`).join(" or ")} has room; any agent` : "no category or tags to match; any agent";
      reason = `${skill}; ${load(chosen)}; ${p.why}`;
    } else if (opts.strategy === "priority") {
      chosen = withRoom.reduce((m, a) => (a.open * m.cap < m.open * a.cap || (a.open * m.cap === m.open * a.cap && a.open < m.open) ? a : m));
      reason = `${t.priority} placed in priority order; most headroom: ${load(chosen)}`;
    } else {
      // round_robin: the rotation continues after the last agent served, in email order.
      const start = plan.rotation_last === null ? 0 : agents.findIndex((a) => a.email > plan.rotation_last!);
      const from = start < 0 ? 0 : start;
      const order = [...agents.slice(from), ...agents.slice(0, from)];
      chosen = order.find((a) => a.open < a.cap)!;
      const skipped = order.indexOf(chosen);
      reason = `round robin: next in rotation${plan.rotation_last ? ` after ${plan.rotation_last}` : ""}${skipped ? ` (skipped ${skipped} at cap)` : ""}; ${load(chosen)}`;
      plan.rotation_last = chosen.email;
    }

    plan.assignments.push({ ticket_id: t.id, agent_email: chosen.email, agent_name: chosen.name, agent_team: chosen.team, reason });
    chosen.open += 1;
  }
  return plan;
}
