// Per-action field rules shared by the three program tools (community, advocacy, executive reviews):
// each action names the fields it requires and the ones it accepts; one message names every missing
// field and every field the action does not use, before anything is read or written.
import { validationError } from "../../server/errors.ts";

export interface ActionRule<F extends string> {
  required: readonly F[];
  allowed: readonly F[];
  /** At least one of these must be given (e.g. something to change). */
  atLeastOne?: readonly F[];
}

export function checkActionFields<A extends string, F extends string>(
  action: A,
  input: Partial<Record<F, unknown>>,
  fields: readonly F[],
  rules: Record<A, ActionRule<F>>,
): void {
  const rule = rules[action];
  const given = fields.filter((f) => input[f] !== undefined);
  const missing = rule.required.filter((f) => input[f] === undefined);
  const unused = given.filter((f) => !rule.allowed.includes(f));
  const problems: string[] = [];
  if (missing.length) problems.push(`action '${action}' needs ${missing.join(", ")} (missing)`);
  if (unused.length) problems.push(`action '${action}' does not use ${unused.join(", ")}`);
  if (rule.atLeastOne && !rule.atLeastOne.some((f) => input[f] !== undefined)) problems.push(`action '${action}' needs at least one of ${rule.atLeastOne.join(", ")}`);
  if (problems.length) {
    throw validationError(
      problems.join("; "),
      `for '${action}' give ${rule.required.length ? rule.required.join(", ") : "no required fields"}${rule.allowed.length ? ` (accepted: ${rule.allowed.join(", ")})` : ""}; nothing was changed`,
      { missing, unused },
    );
  }
}

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
