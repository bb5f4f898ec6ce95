// Per-action field rules for the support tools' action-style inputs: which fields an action needs, which
// it accepts at all, and (for changes) which of them must be given at least one. One message names every
// missing and every unused field, so a caller fixes the call in one go and nothing is written.
import { validationError } from "../../server/errors.ts";

export interface ActionRule<F extends string> {
  required: readonly F[];
  allowed: readonly F[];
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
    const accepted = rule.allowed.length ? ` (accepted: ${rule.allowed.join(", ")})` : "";
    throw validationError(problems.join("; "), `for '${action}' give ${rule.required.length ? rule.required.join(", ") : "no required fields"}${accepted}`, { missing, unused });
  }
}
