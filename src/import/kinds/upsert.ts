// The shared shape of the upserting kinds: one `INSERT ... SELECT FROM unnest(...) ON CONFLICT (key) DO
// UPDATE ... WHERE (stored) IS DISTINCT FROM (new)` per batch. Unchanged rows are not touched (their
// updated_at stays); `xmax = 0` tells inserted rows from updated ones.
import type { SqlSession } from "../../db/sql-session.ts";

export interface UpsertSpec {
  table: string;
  /** Target columns with the array type of their parameter, e.g. ["priority", '"TicketPriority"']. */
  columns: ReadonlyArray<readonly [string, string]>;
  conflict: readonly string[];
  /** Columns overwritten on conflict (and compared to decide whether the row changed). */
  update: readonly string[];
  /** Extra assignments when a row changes, e.g. "updated_at = now()". */
  touch?: string;
}

export function upsertSql(spec: UpsertSpec): string {
  const names = spec.columns.map(([n]) => `"${n}"`).join(", ");
  const params = spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const aliases = spec.columns.map((_, i) => `c${i}`);
  const sets = spec.update.map((c) => `"${c}" = EXCLUDED."${c}"`);
  if (spec.touch) sets.push(spec.touch);
  const stored = spec.update.map((c) => `t."${c}"`).join(", ");
  const incoming = spec.update.map((c) => `EXCLUDED."${c}"`).join(", ");
  return (
    `WITH up AS (INSERT INTO "${spec.table}" AS t (${names}) ` +
    `SELECT ${aliases.join(", ")} FROM unnest(${params}) AS u(${aliases.join(", ")}) ` +
    `ON CONFLICT (${spec.conflict.map((c) => `"${c}"`).join(", ")}) DO UPDATE SET ${sets.join(", ")} ` +
    `WHERE (${stored}) IS DISTINCT FROM (${incoming}) RETURNING (xmax = 0) AS inserted) ` +
    `SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM up`
  );
}

export async function runUpsert(session: SqlSession, sql: string, params: string[]): Promise<{ created: number; updated: number }> {
  const [res] = await session.query<{ created: number; updated: number }>(sql, params);
  return { created: res?.created ?? 0, updated: res?.updated ?? 0 };
}
