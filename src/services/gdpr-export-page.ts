// The shape of a GDPR export answer: every table's count first, then rows table by table until the answer's
// size budget (or max_rows_per_table) is reached; next_cursor continues exactly there, so repeated calls
// hand over every row once. A busy client's export is megabytes: one answer must still fit an agent.
import { validationError } from "../server/errors.ts";

/** Row JSON characters per answer (the answer carries it twice: as text and as structured content). */
export const EXPORT_PAGE_CHARS = 24_000;
/** Longer text values are cut (a campaign's HTML body may be 500,000 characters). */
export const EXPORT_VALUE_CHARS = 4_000;

export interface ExportCursor {
  table: string;
  offset: number;
}

export function encodeExportCursor(subjectHash: string, c: ExportCursor): string {
  return Buffer.from(JSON.stringify([subjectHash, c.table, c.offset])).toString("base64url");
}

export function decodeExportCursor(cursor: string, subjectHash: string): ExportCursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parts = null;
  }
  const [hash, table, offset] = Array.isArray(parts) ? parts : [];
  if (typeof table !== "string" || !Number.isInteger(offset) || (offset as number) < 0) {
    throw validationError("cursor: is not a cursor this server issued", "pass next_cursor from the previous export_personal_data answer unchanged");
  }
  if (hash !== subjectHash) throw validationError("cursor: belongs to another data subject's export", "pass the same client_id or email as the call that returned it");
  return { table, offset: offset as number };
}

/** The row with every string longer than EXPORT_VALUE_CHARS cut (nested JSON too), and how many were cut. */
export function clipRow(row: Record<string, unknown>): { row: Record<string, unknown>; cut: number } {
  let cut = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string" && v.length > EXPORT_VALUE_CHARS) {
      cut++;
      return `${v.slice(0, EXPORT_VALUE_CHARS)}…[cut: ${v.length} characters in all]`;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { row: walk(row) as Record<string, unknown>, cut };
}
