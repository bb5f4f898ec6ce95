// Segments: set-based assignment of accounts to segment keys (one SQL expression over accounts and their
// recent usage), aggregation per key (GROUP BY), and storage of segments + members in one transaction.
import { randomUUID } from "node:crypto";
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

export interface PopulationFilter {
  tiers?: string[] | undefined;
  industries?: string[] | undefined;
  stages?: string[] | undefined;
  arr_min?: number | undefined;
  arr_max?: number | undefined;
  health_min?: number | undefined;
  health_max?: number | undefined;
  include_churned?: boolean | undefined;
  /** Account attributes (import columns): `in` compares as text; min/max only on numeric attributes. */
  attributes?: AttributeFilter[] | undefined;
}

export interface AttributeFilter {
  name: string;
  in?: Array<string | number> | undefined;
  min?: number | undefined;
  max?: number | undefined;
}

/** Per attribute name: whether every stored value is a number, and how many accounts have it. */
export async function attributeTypes(prisma: PrismaClient, names: string[]): Promise<Map<string, { numeric: boolean; accounts: number }>> {
  const rows = await prisma.$queryRawUnsafe<Array<{ name: string; numeric: boolean; accounts: number }>>(
    `SELECT k AS name, bool_and(jsonb_typeof(a.attributes->k) = 'number') AS numeric, count(*)::int AS accounts
       FROM unnest($1::text[]) AS k JOIN accounts a ON a.attributes ? k GROUP BY k`,
    names,
  );
  return new Map(rows.map((r) => [r.name, { numeric: Boolean(r.numeric), accounts: Number(r.accounts) }]));
}

/** SQL builder with positional parameters. */
export class Sql {
  readonly params: unknown[] = [];
  p(v: unknown, cast?: string): string {
    this.params.push(v);
    return `$${this.params.length}${cast ? `::${cast}` : ""}`;
  }
}

export interface SegmentAggregate {
  /** null: the account matched no segment (value tiers without a catch-all tier). */
  seg_key: string | null;
  accounts: number;
  total_arr: string;
  arr: number;
  mean_health: number | null;
  scored: number;
  mean_active_days: number;
}

export interface SegmentToStore {
  key: string;
  name: string;
  criteria: Record<string, unknown>;
  accounts: number;
  total_arr: string;
  mean_health: number | null;
  recommendations: unknown[];
}

/**
 * The population CTE: accounts passing the filter, their active days in the usage window, and seg_key
 * from `keyExpr` (an expression over a.* and u.active_days built with the same Sql's parameters).
 */
export function population(sql: Sql, f: PopulationFilter, usageFrom: Date, usageTo: Date, keyExpr: (sql: Sql) => string): string {
  const where: string[] = [];
  if (!f.include_churned) where.push(`a.status = 'active'`);
  if (f.tiers?.length) where.push(`a.tier::text = ANY(${sql.p(f.tiers, "text[]")})`);
  if (f.stages?.length) where.push(`a.lifecycle_stage::text = ANY(${sql.p(f.stages, "text[]")})`);
  if (f.industries?.length) where.push(`lower(a.industry) = ANY(${sql.p(f.industries.map((s) => s.toLowerCase()), "text[]")})`);
  if (f.arr_min !== undefined) where.push(`a.arr >= ${sql.p(f.arr_min, "numeric")}`);
  if (f.arr_max !== undefined) where.push(`a.arr <= ${sql.p(f.arr_max, "numeric")}`);
  if (f.health_min !== undefined) where.push(`a.health_score >= ${sql.p(f.health_min, "int")}`);
  if (f.health_max !== undefined) where.push(`a.health_score <= ${sql.p(f.health_max, "int")}`);
  for (const at of f.attributes ?? []) {
    const name = sql.p(at.name, "text");
    if (at.in?.length) where.push(`a.attributes->>${name} = ANY(${sql.p(at.in.map(String), "text[]")})`);
    if (at.min !== undefined || at.max !== undefined) where.push(`jsonb_typeof(a.attributes->${name}) = 'number'`);
    if (at.min !== undefined) where.push(`(a.attributes->>${name})::numeric >= ${sql.p(at.min, "numeric")}`);
    if (at.max !== undefined) where.push(`(a.attributes->>${name})::numeric <= ${sql.p(at.max, "numeric")}`);
  }
  const from = sql.p(usageFrom, "timestamptz");
  const to = sql.p(usageTo, "timestamptz");
  return `
    usage_window AS (SELECT account_id, count(DISTINCT date_trunc('day', occurred_at AT TIME ZONE 'UTC'))::int AS active_days
                       FROM usage_events WHERE occurred_at >= ${from} AND occurred_at < ${to} GROUP BY account_id),
    pop AS (SELECT a.id, a.company_name, a.arr, a.health_score, coalesce(u.active_days, 0) AS active_days, (${keyExpr(sql)}) AS seg_key
              FROM accounts a LEFT JOIN usage_window u ON u.account_id = a.id
             ${where.length ? `WHERE ${where.join(" AND ")}` : ""})`;
}

export class SegmentRepository {
  constructor(private readonly prisma: PrismaClient) {}

  aggregate(sql: Sql, pop: string, tx: P.TransactionClient | PrismaClient = this.prisma) {
    return tx.$queryRawUnsafe<SegmentAggregate[]>(
      `WITH ${pop}
       SELECT seg_key, count(*)::int AS accounts, coalesce(sum(arr), 0)::text AS total_arr, coalesce(sum(arr), 0)::float8 AS arr,
              round(avg(health_score), 2)::float8 AS mean_health, count(health_score)::int AS scored, avg(active_days)::float8 AS mean_active_days
         FROM pop GROUP BY seg_key ORDER BY seg_key NULLS LAST`,
      ...sql.params,
    );
  }

  /** Accounts of one segment key, by ARR, bounded. */
  topMembers(sql: Sql, pop: string, key: string, limit: number, tx: P.TransactionClient | PrismaClient = this.prisma) {
    const k = sql.params.length + 1;
    return tx.$queryRawUnsafe<Array<{ id: string; company_name: string; arr: number; health_score: number | null }>>(
      `WITH ${pop}
       SELECT id, company_name, arr::float8 AS arr, health_score FROM pop WHERE seg_key = $${k}::text ORDER BY arr DESC, id LIMIT $${k + 1}::int`,
      ...sql.params,
      key,
      limit,
    );
  }

  /** Stores the segments and, set-based, their members (the population re-evaluated in the same transaction). */
  async store(tx: P.TransactionClient, type: string, sql: Sql, pop: string, segments: SegmentToStore[], createdAt: Date): Promise<Map<string, string>> {
    const ids = new Map(segments.map((s) => [s.key, randomUUID()]));
    if (!segments.length) return ids;
    await tx.segment.createMany({
      data: segments.map((s) => ({
        id: ids.get(s.key)!,
        name: s.name,
        segmentation_type: type,
        criteria: s.criteria as P.InputJsonValue,
        account_count: s.accounts,
        total_arr: s.total_arr,
        mean_health: s.mean_health,
        recommendations: s.recommendations as P.InputJsonValue,
        created_at: createdAt,
      })),
    });
    const k = sql.params.length + 1;
    await tx.$executeRawUnsafe(
      `WITH ${pop}
       INSERT INTO segment_members (segment_id, account_id)
       SELECT m.segment_id, pop.id FROM pop JOIN unnest($${k}::text[], $${k + 1}::text[]) AS m(seg_key, segment_id) ON m.seg_key = pop.seg_key`,
      ...sql.params,
      [...ids.keys()],
      [...ids.values()],
    );
    return ids;
  }
}
