// Set-based writing for the importers: PostgreSQL array literals for `unnest($1::text[], ...)` parameters,
// built here rather than by the driver so PGlite and pg receive the same text (PGlite cannot serialise
// arrays of enum types), and time-ordered ids for the tables whose id Prisma (not the database) defaults.
import { randomFillSync } from "node:crypto";

export type Cell = string | number | boolean | null | undefined;

const NEEDS_ESCAPE = /["\\]/;

/** `{"a","b",NULL}`: every element quoted, so any text is safe; null and undefined are NULL. */
export function arrayLiteral(values: readonly Cell[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      parts[i] = "NULL";
      continue;
    }
    const s = typeof v === "boolean" ? (v ? "t" : "f") : String(v);
    parts[i] = NEEDS_ESCAPE.test(s) ? `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : `"${s}"`;
  }
  return `{${parts.join(",")}}`;
}

/** The literals of each column of `rows`, in `columns` order. */
export function columnLiterals<T>(rows: readonly T[], columns: ReadonlyArray<(row: T) => Cell>): string[] {
  return columns.map((get) => arrayLiteral(rows.map(get)));
}

const pool = Buffer.alloc(16 * 1024);
let poolAt = pool.length;

/** A UUID version 7 (RFC 9562): 48-bit millisecond time, then random bits. */
export function uuid7(ms: number = Date.now()): string {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.alloc(16);
  b.writeUIntBE(ms, 0, 6);
  pool.copy(b, 6, poolAt, poolAt + 10);
  poolAt += 10;
  b[6] = ((b[6] as number) & 0x0f) | 0x70;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
