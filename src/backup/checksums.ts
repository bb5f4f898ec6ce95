// Row counts and checksums per table: md5 of the table's rows cast to text, in a fixed (C collation)
// order, so a backup and its restore can be proven equal table by table without trusting the archive.
export type QueryFn = <T>(sql: string) => Promise<T[]>;

export interface TableSum {
  rows: number;
  md5: string;
}

export type TableSums = Record<string, TableSum>;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every table of the current schema (the application's, migrations included), by name. */
export async function tableChecksums(query: QueryFn): Promise<TableSums> {
  const tables = await query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename COLLATE \"C\"",
  );
  const out: TableSums = {};
  for (const { name } of tables) {
    const [row] = await query<{ rows: number | string; md5: string }>(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE "C"), '')) AS md5 FROM ${ident(name)} t`,
    );
    out[name] = { rows: Number(row!.rows), md5: row!.md5 };
  }
  return out;
}

export interface TableComparison {
  table: string;
  expected: TableSum | null;
  actual: TableSum | null;
  equal: boolean;
}

/** Table by table, the expected (source) sums against the actual (restored) ones. */
export function compareSums(expected: TableSums, actual: TableSums): TableComparison[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names.map((table) => {
    const e = expected[table] ?? null;
    const a = actual[table] ?? null;
    return { table, expected: e, actual: a, equal: Boolean(e && a && e.rows === a.rows && e.md5 === a.md5) };
  });
}

/** Whether any table of the current schema holds a row; the migrations table does not count (a migrated,
 * empty database holds no data). */
export async function hasRows(query: QueryFn): Promise<boolean> {
  const tables = await query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'",
  );
  for (const { name } of tables) {
    const r = await query<{ x: number }>(`SELECT 1 AS x FROM ${ident(name)} LIMIT 1`);
    if (r.length) return true;
  }
  return false;
}
