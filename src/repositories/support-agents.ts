// Support agents and ticket routing: the roster (upsert by email), each agent's open tickets, the open
// unassigned tickets to place (locked for the routing transaction), and the round-robin position.
//
// Tickets name their agent in assigned_agent. route_tickets writes the agent's email; tickets assigned by
// name (imports, the demo data) count for the active agent with exactly that name.
import type { Prisma as P } from "../generated/prisma/client.ts";
import type { Priority } from "../services/support/sla.ts";
import { OPEN_SQL } from "../services/support/sla.ts";

type Tx = P.TransactionClient;

export interface AgentInput {
  email: string;
  name?: string | undefined;
  team?: string | undefined;
  skills?: string[] | undefined;
  max_open?: number | undefined;
  is_active?: boolean | undefined;
}

export interface TicketSelection {
  ticket_id?: string | undefined;
  team?: string | undefined;
  priority?: Priority | undefined;
  category?: string | undefined;
  limit: number;
}

export interface CandidateTicket {
  id: string;
  account_id: string;
  priority: Priority;
  category: string | null;
  tags: string[];
  team: string | null;
  status: string;
  assigned_agent: string | null;
  created_at: Date;
}

export class SupportAgentRepository {
  /** Creates or changes agents by email; returns which were created, changed or already as given. */
  async upsert(tx: Tx, agents: AgentInput[]) {
    const created: string[] = [];
    const updated: string[] = [];
    const unchanged: string[] = [];
    for (const a of agents) {
      const existing = await tx.supportAgent.findUnique({ where: { email: a.email } });
      if (!existing) {
        await tx.supportAgent.create({
          data: { email: a.email, name: a.name!, team: a.team ?? null, skills: a.skills ?? [], ...(a.max_open !== undefined ? { max_open: a.max_open } : {}), is_active: a.is_active ?? true },
        });
        created.push(a.email);
        continue;
      }
      const data: P.SupportAgentUpdateInput = {};
      if (a.name !== undefined && a.name !== existing.name) data.name = a.name;
      if (a.team !== undefined && a.team !== existing.team) data.team = a.team;
      if (a.skills !== undefined && JSON.stringify(a.skills) !== JSON.stringify(existing.skills)) data.skills = a.skills;
      if (a.max_open !== undefined && a.max_open !== existing.max_open) data.max_open = a.max_open;
      if (a.is_active !== undefined && a.is_active !== existing.is_active) data.is_active = a.is_active;
      if (Object.keys(data).length) {
        await tx.supportAgent.update({ where: { email: a.email }, data });
        updated.push(a.email);
      } else unchanged.push(a.email);
    }
    return { created, updated, unchanged };
  }

  /** Active agents (of one team when given), with their open tickets now. */
  async activeWithLoad(tx: Tx, team: string | undefined) {
    return tx.$queryRawUnsafe<Array<{ email: string; name: string; team: string | null; skills: string[]; max_open: number; open: bigint | number }>>(
      `SELECT a.email, a.name, a.team, a.skills, a.max_open,
              (SELECT count(*) FROM support_tickets t
                WHERE t.status IN ${OPEN_SQL} AND (lower(t.assigned_agent) = lower(a.email) OR t.assigned_agent = a.name)) AS open
         FROM support_agents a
        WHERE a.is_active AND ($1::text IS NULL OR lower(a.team) = lower($1::text))
        ORDER BY a.email`,
      team ?? null,
    );
  }

  /** Active agents' count, with and without the team filter (to explain an empty roster). */
  async counts(tx: Tx) {
    const [active, all] = await Promise.all([tx.supportAgent.count({ where: { is_active: true } }), tx.supportAgent.count()]);
    return { active, all };
  }

  /**
   * Open, unassigned tickets to place (or the one asked for), highest priority first, then oldest;
   * locked for this transaction so that two routing calls never hand out the same ticket.
   */
  async candidates(tx: Tx, s: TicketSelection): Promise<CandidateTicket[]> {
    return tx.$queryRawUnsafe<CandidateTicket[]>(
      `SELECT id, account_id, priority::text AS priority, category, tags, team, status::text AS status, assigned_agent, created_at
         FROM support_tickets
        WHERE ($1::text IS NOT NULL AND id = $1::text)
           OR ($1::text IS NULL AND status IN ${OPEN_SQL} AND (assigned_agent IS NULL OR assigned_agent = '')
               AND ($2::text IS NULL OR team IS NULL OR lower(team) = lower($2::text))
               AND ($3::text IS NULL OR priority::text = $3::text)
               AND ($4::text IS NULL OR lower(category) = lower($4::text)))
        ORDER BY priority, created_at, id
        LIMIT $5
        FOR UPDATE`,
      s.ticket_id ?? null,
      s.team ?? null,
      s.priority ?? null,
      s.category ?? null,
      s.limit,
    );
  }

  /** Assigns tickets in one statement; a ticket someone else assigned meanwhile is left alone (not counted). */
  async assignMany(tx: Tx, rows: Array<{ ticket_id: string; agent_email: string; team: string | null }>, now: Date): Promise<number> {
    if (!rows.length) return 0;
    return tx.$executeRawUnsafe(
      `UPDATE support_tickets t SET assigned_agent = v.agent, team = COALESCE(v.team, t.team), updated_at = $4
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, agent, team)
        WHERE t.id = v.id AND (t.assigned_agent IS NULL OR t.assigned_agent = '')`,
      rows.map((r) => r.ticket_id),
      rows.map((r) => r.agent_email),
      rows.map((r) => r.team),
      now,
    );
  }

  async rotation(tx: Tx, scope: string): Promise<string | null> {
    const row = await tx.supportRoutingState.findUnique({ where: { scope } });
    return row?.last_agent_email ?? null;
  }

  async saveRotation(tx: Tx, scope: string, email: string, now: Date): Promise<void> {
    await tx.supportRoutingState.upsert({ where: { scope }, create: { scope, last_agent_email: email, updated_at: now }, update: { last_agent_email: email, updated_at: now } });
  }
}
