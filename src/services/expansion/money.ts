// Money arithmetic for the expansion tools: decimal.js (Prisma's Decimal) from the database's numeric text,
// rounded half-up to cents only when a figure is shown or stored. Ratios stay plain numbers.
import { Prisma } from "../../generated/prisma/client.ts";

export const Decimal = Prisma.Decimal;
export type Dec = Prisma.Decimal;

export const ZERO = new Decimal(0);

/** numeric text (or number) from SQL → Decimal; null/undefined → 0. */
export function dec(v: string | number | { toString(): string } | null | undefined): Dec {
  if (v === null || v === undefined) return ZERO;
  return new Decimal(typeof v === "number" ? v : v.toString());
}

/** Rounded to cents (half-up), as a Decimal. */
export const cents = (d: Dec): Dec => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/** For output: a number with at most 2 decimals. */
export const money = (d: Dec): number => Number(cents(d).toFixed(2));

/** For formulas shown to the user: 2 decimals, fixed. */
export const fmt = (d: Dec): string => cents(d).toFixed(2);

export const sum = (xs: Iterable<Dec>): Dec => {
  let s = ZERO;
  for (const x of xs) s = s.plus(x);
  return s;
};

/** Median of Decimals (mean of the two middle values for an even count); null when empty. */
export function median(xs: Dec[]): Dec | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a.comparedTo(b));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : s[mid - 1]!.plus(s[mid]!).div(2);
}

export const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
export const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
