// Column rules of the import files. Every value arrives as trimmed text (CSV fields, and JSON Lines values
// turned into text by formats.ts) or undefined when the cell is empty, so one zod schema serves both
// formats and both give the same result. Each rule's message names the rule; the runner prefixes the column.
import { z } from "zod";
import { email as emailRule, isoDate, LIFECYCLE_STAGES, TIERS } from "../security/validation.ts";

/** A column that must have a value: an empty cell or a missing key is "is required". */
export const required = <T extends z.ZodType<unknown, string>>(inner: T) => z.string({ error: "is required" }).pipe(inner);

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Free text up to `max` characters; tabs and newlines are allowed (quoted CSV fields may hold them). */
export const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), "must not contain control characters");

export const email = () => emailRule();

export const date = () => isoDate();

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * An ISO 8601 date (midnight UTC) or date-time, T or space between them, Z or ±HH:MM offset (none means
 * UTC). Returns the instant in canonical ISO form (millisecond precision, as stored), or null.
 */
export function parseTimestamp(s: string): string | null {
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  const hh = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const ss = Number(m[6] ?? 0);
  if (hh > 23 || mi > 59 || ss > 59) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, "0").slice(0, 3)) : 0;
  let offsetMin = 0;
  const off = m[8];
  if (off && off !== "Z" && off !== "z") {
    const digits = off.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || 0);
    if (oh > 18 || om > 59) return null;
    offsetMin = (off[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const t = Date.UTC(y, mo - 1, d, hh, mi, ss, ms) - offsetMin * 60_000;
  return new Date(t).toISOString();
}

export const timestamp = () =>
  z.string().transform((s, ctx) => {
    const iso = parseTimestamp(s);
    if (iso === null) {
      ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z)" });
      return z.NEVER;
    }
    return iso;
  });

const MONEY = /^\d{1,12}(\.\d{1,2})?$/;
/** A non-negative amount with at most 2 decimals; kept as text ("1200.5") for the numeric column. */
export const money = () =>
  z
    .string()
    .transform((s) => s.replace(/^\$/, "").replace(/,(?=\d{3}(\D|$))/g, ""))
    .refine((s) => MONEY.test(s), "must be a non-negative amount with at most 2 decimal places, e.g. 1200.50");

export const int = (min: number, max: number) =>
  z.string().transform((s, ctx) => {
    const n = /^[+-]?\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

/** One of `values`, case-insensitive; `aliases` maps other spellings (lower-case) to a value. */
export function oneOf<const T extends string>(values: readonly T[], aliases: Record<string, T> = {}) {
  const byLower = new Map<string, T>(values.map((v) => [v.toLowerCase(), v]));
  for (const [k, v] of Object.entries(aliases)) byLower.set(k, v);
  return z.string().transform((s, ctx) => {
    const v = byLower.get(s.toLowerCase());
    if (v === undefined) {
      ctx.addIssue({ code: "custom", message: `must be one of ${values.join(", ")}` });
      return z.NEVER;
    }
    return v;
  });
}

export const tier = () => oneOf(TIERS);
export const lifecycleStage = () => oneOf(LIFECYCLE_STAGES);

/** The `account` column: a client_id or an account's external_id. */
export const accountRef = () => text(200);
