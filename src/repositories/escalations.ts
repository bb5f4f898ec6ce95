// Prisma queries for escalations: create, read, change, and a filtered, paginated list.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;

export interface EscalationFilters {
  account_id?: string | undefined;
  severity?: string | undefined;
  status?: string | undefined;
  owner?: string | undefined;
}

export class EscalationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  find(id: string, tx: Tx | PrismaClient = this.prisma) {
    return tx.escalation.findUnique({ where: { id } });
  }

  create(tx: Tx, data: P.EscalationUncheckedCreateInput) {
    return tx.escalation.create({ data });
  }

  update(tx: Tx, id: string, data: P.EscalationUncheckedUpdateInput) {
    return tx.escalation.update({ where: { id }, data });
  }

  private where(f: EscalationFilters): P.EscalationWhereInput {
    return {
      ...(f.account_id ? { account_id: f.account_id } : {}),
      ...(f.severity ? { severity: f.severity } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.owner ? { owner: f.owner } : {}),
    };
  }

  async page(f: EscalationFilters, limit: number, offset: number) {
    const where = this.where(f);
    const [total, rows] = await Promise.all([
      this.prisma.escalation.count({ where }),
      this.prisma.escalation.findMany({
        where,
        orderBy: [{ created_at: "desc" }, { id: "desc" }],
        take: limit,
        skip: offset,
        include: { account: { select: { company_name: true } } },
      }),
    ]);
    return { total, rows };
  }
}
