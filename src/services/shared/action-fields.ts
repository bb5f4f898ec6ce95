// Per-action field rules of the action-style tools (manage_*, handle_support_ticket, …): which fields an action
// needs, which it accepts at all, and which of them must be given at least (or exactly) one. One message names
// every missing and every unused field, so a caller fixes the call in one go, and nothing is written.
import { validationError } from "../../server/errors.ts";

export interface ActionRule<F extends string> {
  required: readonly F[];
  allowed: readonly F[];
  /** At least one of these must be given (e.g. something to change). */
  atLeastOne?: readonly F[];
  /** Exactly one of these must be given (alternative ways to name the same thing). */
  oneOf?: readonly F[];
}

export interface FieldCheck<F extends string> {
  problems: string[];
  missing: F[];
  unused: F[];
}

/** What is wrong with `input` for `action`, without throwing: callers add checks of their own. */
export function fieldProblems<F extends string>(action: string, input: Partial<Record<F, unknown>>, fields: readonly F[], rule: ActionRule<F>): FieldCheck<F> {
  const given = (f: F) => input[f] !== undefined;
  const missing = rule.required.filter((f) => !given(f));
  const unused = fields.filter((f) => given(f) && !rule.allowed.includes(f));
  const problems: string[] = [];
  if (missing.length) problems.push(`action '${action}' needs ${missing.join(", ")} (missing)`);
  if (unused.length) problems.push(`action '${action}' does not use ${unused.join(", ")}`);
  if (rule.atLeastOne && !rule.atLeastOne.some(given)) problems.push(`action '${action}' needs at least one of ${rule.atLeastOne.join(", ")}`);
  if (rule.oneOf && rule.oneOf.filter(given).length !== 1) problems.push(`action '${action}' needs exactly one of ${rule.oneOf.join(", ")}`);
  return { problems, missing, unused };
}

/** The hint every refused action call carries: what to give, and what the action accepts. */
export function actionHint<F extends string>(action: string, rule: ActionRule<F>): string {
  const accepted = rule.allowed.length ? ` (accepted: ${rule.allowed.join(", ")})` : "";
  return `for '${action}' give ${rule.required.length ? rule.required.join(", ") : "no required fields"}${accepted}; nothing was changed`;
}

/** Throws one validation error naming every problem (plus `extra` ones the caller found), or returns. */
export function checkActionFields<A extends string, F extends string>(
  action: A,
  input: Partial<Record<F, unknown>>,
  fields: readonly F[],
  rules: Record<A, ActionRule<F>>,
  extra: readonly string[] = [],
): void {
  const rule = rules[action];
  const { problems, missing, unused } = fieldProblems(action, input, fields, rule);
  problems.push(...extra);
  if (problems.length) throw validationError(problems.join("; "), actionHint(action, rule), { missing, unused });
}
