// Prisma queries for the account aggregate: the account, its contacts and contracts.
import type { Prisma as P, PrismaClient, Tier, LifecycleStage } from "../generated/prisma/client.ts";

/**
 * Locks the account's row until the transaction ends: a read-check-write on the account (its current
 * values for an audit "from", a one-per-account rule) then sees every earlier writer's commit, and
 * concurrent ones queue up behind it instead of acting on the same stale read.
 */
export async function lockAccount(tx: P.TransactionClient, accountId: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, accountId);
}

export interface NewAccount {
  id: string;
  client_name: string;
  company_name: string;
  company_key: string;
  industry: string | null;
  tier: Tier;
  arr: number;
  seats: number | null;
  external_id: string | null;
  primary_contact_email: string;
  primary_contact_name: string | null;
  csm_name: string | null;
  csm_email: string | null;
  created_at: Date;
}

export interface NewContract {
  contract_value: number;
  billing_frequency: string;
  start_date: Date | null;
  end_date: Date | null;
  renewal_date: Date | null;
  auto_renew: boolean;
  seats: number | null;
}

export interface AccountFilters {
  tier?: Tier;
  lifecycle_stage?: LifecycleStage;
  health_min?: number;
  health_max?: number;
}

export class AccountRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(id: string) {
    return this.prisma.account.findUnique({ where: { id } });
  }

  findByCompanyAndContact(company_key: string, email: string) {
    return this.prisma.account.findUnique({
      where: { company_key_primary_contact_email: { company_key, primary_contact_email: email } },
      select: { id: true },
    });
  }

  /** Ids already taken with this prefix (cs_<seconds>_<slug>…), to pick a free suffix. */
  async idsWithPrefix(prefix: string): Promise<string[]> {
    const rows = await this.prisma.account.findMany({ where: { id: { startsWith: prefix } }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  async create(tx: P.TransactionClient, account: NewAccount, contract: NewContract | null): Promise<string | null> {
    await tx.account.create({
      data: {
        ...account,
        contacts: {
          create: { email: account.primary_contact_email, name: account.primary_contact_name, is_primary: true, role: "primary" },
        },
        lifecycle_transitions: { create: { from_stage: null, to_stage: "onboarding", reason: "registered", transitioned_at: account.created_at } },
      },
    });
    if (!contract) return null;
    const created = await tx.contract.create({ data: { account_id: account.id, ...contract } });
    return created.id;
  }

  /** The contract in force: active, most recently started. */
  currentContract(accountId: string, tx: P.TransactionClient | PrismaClient = this.prisma) {
    return tx.contract.findFirst({
      where: { account_id: accountId, status: "active" },
      orderBy: [{ start_date: { sort: "desc", nulls: "last" } }, { created_at: "desc" }],
    });
  }

  private where(filters: AccountFilters): P.AccountWhereInput {
    const health: P.IntNullableFilter = {};
    if (filters.health_min !== undefined) health.gte = filters.health_min;
    if (filters.health_max !== undefined) health.lte = filters.health_max;
    return {
      ...(filters.tier ? { tier: filters.tier } : {}),
      ...(filters.lifecycle_stage ? { lifecycle_stage: filters.lifecycle_stage } : {}),
      ...(Object.keys(health).length ? { health_score: health } : {}),
    };
  }

  count(filters: AccountFilters) {
    return this.prisma.account.count({ where: this.where(filters) });
  }

  /** A page ordered by company name then id; `after` is the last row of the previous page. */
  page(filters: AccountFilters, limit: number, offset: number, after?: { company_name: string; id: string }) {
    const where = this.where(filters);
    return this.prisma.account.findMany({
      where: after
        ? {
            AND: [
              where,
              { OR: [{ company_name: { gt: after.company_name } }, { company_name: after.company_name, id: { gt: after.id } }] },
            ],
          }
        : where,
      orderBy: [{ company_name: "asc" }, { id: "asc" }],
      take: limit,
      skip: after ? 0 : offset,
    });
  }
}
