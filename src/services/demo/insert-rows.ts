// Set-based inserts for the demo load: each table is filled by `INSERT ... SELECT FROM unnest($1::text[],
// ...)` statements of at most CHUNK_ROWS rows, on the load's raw session (inside its transaction).
import type { SqlSession } from "../../db/sql-session.ts";

const CHUNK_ROWS = 10_000;

type Scalar = string | number | boolean | Date | null;
export type ColumnType = "text" | "int" | "bool" | "numeric" | "date" | "timestamptz" | "jsonb" | "text_list" | `"${string}"`;
export interface Column {
  name: string;
  type: ColumnType;
  /** Value of row i. */
  value(i: number): Scalar | readonly string[];
}

/** One element of a PostgreSQL array literal: always quoted, so any text is safe. */
function element(v: Scalar | readonly string[], type: ColumnType): string {
  if (v === null) return "NULL";
  let s: string;
  if (v instanceof Date) s = type === "date" ? v.toISOString().slice(0, 10) : v.toISOString();
  else if (typeof v === "boolean") s = v ? "t" : "f";
  else if (Array.isArray(v)) s = v.join("\u001f"); // text_list: split again in SQL
  else s = String(v);
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * Inserts `rows` rows into `table` with one statement per chunk. Array literals are built here rather
 * than by the driver: PGlite cannot serialise arrays of enum types, and this way both back ends
 * receive the same text.
 */
export async function insertRows(session: SqlSession, table: string, columns: readonly Column[], rows: number): Promise<void> {
  const casts = columns.map((c, n) => `$${n + 1}::${c.type === "text_list" || c.type === "jsonb" ? "text" : c.type}[]`);
  const aliases = columns.map((_, n) => `c${n}`);
  const selects = columns.map((c, n) =>
    c.type === "text_list" ? `coalesce(string_to_array(c${n}, E'\\x1f'), '{}')` : c.type === "jsonb" ? `c${n}::jsonb` : `c${n}`,
  );
  const sql =
    `INSERT INTO "${table}" (${columns.map((c) => `"${c.name}"`).join(", ")}) ` +
    `SELECT ${selects.join(", ")} FROM unnest(${casts.join(", ")}) AS u(${aliases.join(", ")})`;
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const end = Math.min(rows, start + CHUNK_ROWS);
    const params = columns.map((c) => {
      const parts: string[] = new Array(end - start);
      for (let i = start; i < end; i++) parts[i - start] = element(c.value(i), c.type);
      return `{${parts.join(",")}}`;
    });
    await session.query(sql, params);
  }
}

/** Column list of a table of objects. */
export function cols<T>(rows: readonly T[], spec: readonly [keyof T & string, ColumnType][]): Column[] {
  return spec.map(([name, type]) => ({
    name,
    type,
    value: (i: number) => (rows[i] as T)[name] as Scalar | readonly string[],
  }));
}
