// The facts the expansion tools judge an account by, for a list of accounts or every active account, in one
// set-based statement: tier, industry, tenure, the contract in force (value, seats, products, add-ons), the
// latest stored health score, and distinct active users in the last two windows of `windowDays`.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { standardHealthRun } from "./health-signals.ts";
import { customerSinceSql } from "./customer-since.ts";

export interface AccountFacts {
  account_id: string;
  company_name: string;
  tier: string;
  industry: string | null;
  status: string;
  lifecycle_stage: string;
  /** When the relationship began (customer-since.ts). */
  customer_since: Date;
  churned_at: Date | null;
  /** accounts.arr (numeric text). */
  account_arr: string;
  account_seats: number | null;
  /** The active contract (status 'active', latest start); null fields when there is none. */
  contract_id: string | null;
  contract_value: string | null;
  contract_seats: number | null;
  products: string[];
  add_ons: string[];
  /** Latest stored health score at or before now (health_scores), else the accounts.health_score column. */
  health: number | null;
  /** computed_now is set by the service (computed-health.ts), never by this query. */
  health_source: "health_scores" | "accounts.health_score" | "computed_now" | null;
  health_at: Date | null;
  /** Distinct users with an event in [now − window, now) and in [now − 2·window, now − window). */
  users_cur: number;
  users_prev: number;
  /** Whether the account has any stored usage event before now. */
  has_usage: boolean;
}

export class ExpansionAccountsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** ids null = every active account. */
  async facts(ids: string[] | null, now: Date, windowDays: number): Promise<AccountFacts[]> {
    const cur = new Date(now.getTime() - windowDays * 86_400_000);
    const prev = new Date(now.getTime() - 2 * windowDays * 86_400_000);
    const filter = ids ? "a.id = ANY($1::text[])" : "($1::text[] IS NULL AND a.status = 'active')";
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT a.id AS account_id, a.company_name, a.tier::text AS tier, a.industry, a.status::text AS status,
              a.lifecycle_stage::text AS lifecycle_stage, ${customerSinceSql("a")} AS customer_since, a.churned_at,
              a.arr::text AS account_arr, a.seats AS account_seats,
              c.id AS contract_id, c.contract_value::text AS contract_value, c.seats AS contract_seats,
              COALESCE(c.products, ARRAY[]::text[]) AS products, COALESCE(c.add_ons, ARRAY[]::text[]) AS add_ons,
              COALESCE(h.overall_score, a.health_score) AS health,
              CASE WHEN h.overall_score IS NOT NULL THEN 'health_scores' WHEN a.health_score IS NOT NULL THEN 'accounts.health_score' END AS health_source,
              h.calculated_at AS health_at,
              COALESCE(u.users_cur, 0)::int AS users_cur, COALESCE(u.users_prev, 0)::int AS users_prev,
              EXISTS (SELECT 1 FROM usage_events e WHERE e.account_id = a.id AND e.occurred_at < $2::timestamptz) AS has_usage
         FROM accounts a
         LEFT JOIN LATERAL (
           SELECT k.id, k.contract_value, k.seats, k.products, k.add_ons FROM contracts k
            WHERE k.account_id = a.id AND k.status = 'active'
            ORDER BY k.start_date DESC NULLS LAST, k.created_at DESC LIMIT 1) c ON true
         LEFT JOIN LATERAL (
           SELECT s.overall_score, s.calculated_at FROM health_scores s
            WHERE s.account_id = a.id AND s.calculated_at <= $2::timestamptz AND ${standardHealthRun("s")}
            ORDER BY s.calculated_at DESC, s.id DESC LIMIT 1) h ON true
         LEFT JOIN (
           SELECT x.account_id,
                  count(DISTINCT x.user_id) FILTER (WHERE x.occurred_at >= $3::timestamptz) AS users_cur,
                  count(DISTINCT x.user_id) FILTER (WHERE x.occurred_at < $3::timestamptz) AS users_prev
             FROM usage_events x
            WHERE x.occurred_at >= $4::timestamptz AND x.occurred_at < $2::timestamptz
            GROUP BY x.account_id) u ON u.account_id = a.id
        WHERE ${filter}
        ORDER BY a.id`,
      ids,
      now,
      cur,
      prev,
    );
    return rows.map((r) => ({
      account_id: r.account_id as string,
      company_name: r.company_name as string,
      tier: r.tier as string,
      industry: (r.industry as string | null) ?? null,
      status: r.status as string,
      lifecycle_stage: r.lifecycle_stage as string,
      customer_since: new Date(r.customer_since as string),
      churned_at: r.churned_at ? new Date(r.churned_at as string) : null,
      account_arr: String(r.account_arr ?? "0"),
      account_seats: r.account_seats === null || r.account_seats === undefined ? null : Number(r.account_seats),
      contract_id: (r.contract_id as string | null) ?? null,
      contract_value: (r.contract_value as string | null) ?? null,
      contract_seats: r.contract_seats === null || r.contract_seats === undefined ? null : Number(r.contract_seats),
      products: (r.products as string[] | null) ?? [],
      add_ons: (r.add_ons as string[] | null) ?? [],
      health: r.health === null || r.health === undefined ? null : Number(r.health),
      health_source: (r.health_source as AccountFacts["health_source"]) ?? null,
      health_at: r.health_at ? new Date(r.health_at as string) : null,
      users_cur: Number(r.users_cur ?? 0),
      users_prev: Number(r.users_prev ?? 0),
      has_usage: Boolean(r.has_usage),
    }));
  }

  /** Ids of the given accounts that exist (to tell a wrong client_id from an account with no data). */
  async existing(ids: string[]): Promise<Set<string>> {
    const rows = await this.prisma.account.findMany({ where: { id: { in: ids } }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }
}
