// Support tickets and their comments: the row lock that serialises changes to one ticket, reads with the
// account's name, and the filtered, paginated list.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";
import type { TicketPriority, TicketStatus } from "../generated/prisma/enums.ts";

type Tx = P.TransactionClient;

export interface TicketListFilters {
  account_id?: string | undefined;
  status?: TicketStatus | undefined;
  priority?: TicketPriority | undefined;
  category?: string | undefined;
  assigned_agent?: string | undefined;
  team?: string | undefined;
  /** Only open, not yet escalated tickets the escalation rule calls for: created before one of these. */
  escalation_due?: { no_response_before: Date; no_resolution_before: Date } | undefined;
}

const withAccount = { account: { select: { company_name: true } } } as const;

export class SupportTicketRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Locks the ticket row for the rest of the transaction (changes to one ticket run one at a time). */
  async lock(tx: Tx, id: string) {
    await tx.$queryRawUnsafe(`SELECT id FROM support_tickets WHERE id = $1 FOR UPDATE`, id);
    return tx.supportTicket.findUnique({ where: { id }, include: withAccount });
  }

  find(id: string, tx: Tx | PrismaClient = this.prisma) {
    return tx.supportTicket.findUnique({ where: { id }, include: withAccount });
  }

  comments(ticketId: string, tx: Tx | PrismaClient = this.prisma) {
    return tx.ticketComment.findMany({ where: { ticket_id: ticketId }, orderBy: [{ created_at: "asc" }, { id: "asc" }] });
  }

  /** The open escalation linked to a ticket, if any. */
  openEscalation(tx: Tx, ticketId: string) {
    return tx.escalation.findFirst({ where: { ticket_id: ticketId, status: { in: ["open", "in_progress"] } }, orderBy: { created_at: "desc" } });
  }

  private where(f: TicketListFilters): P.SupportTicketWhereInput {
    const and: P.SupportTicketWhereInput[] = [];
    if (f.account_id) and.push({ account_id: f.account_id });
    if (f.status) and.push({ status: f.status });
    if (f.priority) and.push({ priority: f.priority });
    if (f.category) and.push({ category: { equals: f.category, mode: "insensitive" } });
    if (f.assigned_agent) and.push({ assigned_agent: { equals: f.assigned_agent, mode: "insensitive" } });
    if (f.team) and.push({ team: { equals: f.team, mode: "insensitive" } });
    if (f.escalation_due) {
      and.push({
        status: { in: ["open", "pending", "in_progress"] },
        escalated: false,
        OR: [{ first_response_at: null, created_at: { lt: f.escalation_due.no_response_before } }, { created_at: { lt: f.escalation_due.no_resolution_before } }],
      });
    }
    return { AND: and };
  }

  /** Highest priority first, then oldest: the order a queue is worked in. */
  async page(f: TicketListFilters, limit: number, offset: number) {
    const where = this.where(f);
    const [total, rows] = await Promise.all([
      this.prisma.supportTicket.count({ where }),
      this.prisma.supportTicket.findMany({ where, orderBy: [{ priority: "asc" }, { created_at: "asc" }, { id: "asc" }], take: limit, skip: offset, include: withAccount }),
    ]);
    return { total, rows };
  }
}
