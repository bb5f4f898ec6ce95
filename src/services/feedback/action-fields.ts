// The per-action field check of the feedback toolset's action-style tools: every missing required field and
// every field the action does not use are named in one message, before anything is read or written.
import { validationError } from "../../server/errors.ts";

export interface ActionRule<F extends string> {
  required: F[];
  allowed: F[];
  /** At least one of these must be given (an update with nothing to change is refused). */
  atLeastOne?: F[];
}

export function checkActionFields<F extends string>(action: string, input: Partial<Record<F, unknown>>, fields: readonly F[], rule: ActionRule<F>): void {
  const missing = rule.required.filter((f) => input[f] === undefined);
  const unused = fields.filter((f) => input[f] !== undefined && !rule.allowed.includes(f));
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
