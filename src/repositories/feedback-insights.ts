// Product insights and the feedback behind them: the accounts an insight affects with their ARR summed in
// numeric (exact), the forward-only move of feedback along its loop, and the insight list.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";
import { churnedArrSql, currentArrSql } from "./current-arr.ts";

type Db = PrismaClient | P.TransactionClient;

export const STATUS_ORDER = "ARRAY['open', 'acknowledged', 'in_roadmap', 'closed_loop']::text[]";

export interface AffectedAccountRow {
  id: string;
  company_name: string;
  arr: string;
  status: string;
}

/** The stored feedback among `ids` (id, account, status). */
export function feedbackByIds(db: Db, ids: string[]) {
  return db.$queryRawUnsafe<Array<{ id: string; account_id: string; status: string }>>(`SELECT id, account_id, status FROM feedback WHERE id = ANY($1::text[])`, ids);
}

/** The accounts among `ids` that exist. */
export function accountsByIds(db: Db, ids: string[]) {
  return db.$queryRawUnsafe<Array<{ id: string }>>(`SELECT id FROM accounts WHERE id = ANY($1::text[])`, ids);
}

/** The accounts, each once, with ARR as exact text; Σ current ARR and Σ churned accounts' ARR, in numeric. */
export async function affectedAccounts(db: Db, ids: string[]): Promise<{ accounts: AffectedAccountRow[]; total: string; churned: string }> {
  const accounts = await db.$queryRawUnsafe<AffectedAccountRow[]>(
    `SELECT id, company_name, arr::text AS arr, status::text AS status FROM accounts WHERE id = ANY($1::text[]) ORDER BY arr DESC, id`,
    ids,
  );
  const [sum] = await db.$queryRawUnsafe<Array<{ total: string; churned: string }>>(
    `SELECT coalesce(sum(${currentArrSql("a")}), 0)::text AS total, coalesce(sum(${churnedArrSql("a")}), 0)::text AS churned FROM accounts a WHERE a.id = ANY($1::text[])`,
    ids,
  );
  return { accounts, total: sum?.total ?? "0", churned: sum?.churned ?? "0" };
}

/**
 * Moves feedback forward to `to` (never back: a closed loop stays closed), stamping when each step was
 * first reached. Returns the ids that changed.
 */
export async function advanceFeedback(db: Db, ids: string[], to: "acknowledged" | "in_roadmap", now: Date): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
    `UPDATE feedback
        SET status = $2::text,
            acknowledged_at = coalesce(acknowledged_at, $3::timestamptz),
            in_roadmap_at = CASE WHEN $2::text = 'in_roadmap' THEN coalesce(in_roadmap_at, $3::timestamptz) ELSE in_roadmap_at END,
            updated_at = $3::timestamptz
      WHERE id = ANY($1::text[])
        AND array_position(${STATUS_ORDER}, status) < array_position(${STATUS_ORDER}, $2::text)
      RETURNING id`,
    ids,
    to,
    now,
  );
  return rows.map((r) => r.id).sort();
}

export interface InsightFilters {
  insight_type?: string | undefined;
  priority?: string | undefined;
  status?: string | undefined;
  client_id?: string | undefined;
}

export async function insightPage(db: PrismaClient, f: InsightFilters, limit: number, offset: number) {
  const where: P.ProductInsightWhereInput = {
    ...(f.insight_type ? { insight_type: f.insight_type } : {}),
    ...(f.priority ? { priority: f.priority } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.client_id ? { affected_account_ids: { has: f.client_id } } : {}),
  };
  const [total, rows] = await Promise.all([
    db.productInsight.count({ where }),
    db.productInsight.findMany({ where, orderBy: [{ affected_arr: "desc" }, { created_at: "desc" }, { id: "asc" }], take: limit, skip: offset }),
  ]);
  return { total, rows };
}
