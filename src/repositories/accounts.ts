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

  /**
   * A page ordered by `sort` (then id, for a stable order among ties); accounts without the sort value
   * (no health score, no churn prediction, no active contract) come last in either direction. `after` is
   * the last row of the previous page (its sort value and id): the page starts right after it.
   */
  async page(filters: AccountFilters, sort: AccountSort, limit: number, offset: number, after?: { key: string | null; id: string }): Promise<AccountPageRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];
    if (filters.tier) where.push(`a.tier::text = ${p(filters.tier)}`);
    if (filters.lifecycle_stage) where.push(`a.lifecycle_stage::text = ${p(filters.lifecycle_stage)}`);
    if (filters.health_min !== undefined) where.push(`a.health_score >= ${p(filters.health_min)}`);
    if (filters.health_max !== undefined) where.push(`a.health_score <= ${p(filters.health_max)}`);
    const { expr, cast } = SORT_KEYS[sort.by];
    const dir = sort.order === "desc" ? "DESC" : "ASC";
    const keyset: string[] = [];
    if (after) {
      if (after.key === null) keyset.push(`(x.k IS NULL AND x.id > ${p(after.id)})`);
      else {
        const k = `${p(after.key)}::${cast}`;
        keyset.push(`(x.k IS NULL OR x.k ${sort.order === "desc" ? "<" : ">"} ${k} OR (x.k = ${k} AND x.id > ${p(after.id)}))`);
      }
    }
    return this.prisma.$queryRawUnsafe<AccountPageRow[]>(
      `SELECT x.* FROM (
         SELECT a.id, a.client_name, a.company_name, a.industry, a.tier::text AS tier, a.lifecycle_stage::text AS lifecycle_stage,
                a.status::text AS status, a.arr::text AS arr, a.health_score, a.created_at, cp.probability::float8 AS churn_probability,
                ct.renewal_date::text AS renewal_date, (${expr})::text AS key, ${expr} AS k
           FROM accounts a
           LEFT JOIN LATERAL (SELECT probability FROM churn_predictions p WHERE p.account_id = a.id ORDER BY predicted_at DESC, id DESC LIMIT 1) cp ON true
           LEFT JOIN LATERAL (SELECT COALESCE(c.renewal_date, c.end_date) AS renewal_date FROM contracts c WHERE c.account_id = a.id AND c.status = 'active'
                               ORDER BY c.start_date DESC NULLS LAST, c.created_at DESC LIMIT 1) ct ON true
          ${where.length ? `WHERE ${where.join(" AND ")}` : ""}) x
        ${keyset.length ? `WHERE ${keyset.join(" AND ")}` : ""}
        ORDER BY (x.k IS NULL), x.k ${dir}, x.id ASC
        LIMIT ${Number(limit)} OFFSET ${after ? 0 : Number(offset)}`,
      ...params,
    );
  }
}

export const ACCOUNT_SORT_FIELDS = ["company_name", "arr", "health_score", "churn_risk", "renewal_date"] as const;
export type AccountSortField = (typeof ACCOUNT_SORT_FIELDS)[number];
export interface AccountSort {
  by: AccountSortField;
  order: "asc" | "desc";
}

// The sort value of each field (an expression over the page query's columns) and its SQL type, for the keyset.
const SORT_KEYS: Record<AccountSortField, { expr: string; cast: string }> = {
  company_name: { expr: "a.company_name", cast: "text" },
  arr: { expr: "a.arr", cast: "numeric" },
  health_score: { expr: "a.health_score", cast: "int" },
  churn_risk: { expr: "cp.probability", cast: "numeric" },
  renewal_date: { expr: "ct.renewal_date", cast: "date" },
};

export interface AccountPageRow {
  id: string;
  client_name: string;
  company_name: string;
  industry: string | null;
  tier: string;
  lifecycle_stage: string;
  status: string;
  arr: string;
  health_score: number | null;
  created_at: Date;
  churn_probability: number | null;
  /** YYYY-MM-DD */
  renewal_date: string | null;
  /** The sort value as text (null when the account has none), for the next page's cursor. */
  key: string | null;
}