// Helpers shared by the three program tools (community, advocacy, executive reviews): the review period and
// the rounding of the figures they report.
import { validationError } from "../../server/errors.ts";

/** A period [start, end] from optional ISO dates/date-times, defaulting to the `days` before `now`. */
export function resolvePeriod(now: Date, days: number, start?: string, end?: string): { start: Date; end: Date; days: number } {
  const parse = (s: string, endOfDay: boolean) => (s.length === 10 ? new Date(`${s}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z`) : new Date(s));
  const e = end ? parse(end, true) : now;
  const s = start ? parse(start, false) : new Date(e.getTime() - days * 86_400_000);
  if (s.getTime() >= e.getTime()) throw validationError(`start_date: must be before end_date (${s.toISOString()} is not before ${e.toISOString()})`);
  return { start: s, end: e, days: Math.round(((e.getTime() - s.getTime()) / 86_400_000) * 10) / 10 };
}

export const round1 = (v: number) => Math.round(v * 10) / 10;
export const round2 = (v: number) => Math.round(v * 100) / 100;
/** part ÷ whole × 100 to one decimal; null when there is no whole. */
export const percent = (part: number, whole: number) => (whole > 0 ? round1((part / whole) * 100) : null);
