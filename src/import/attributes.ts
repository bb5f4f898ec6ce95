// Account attributes from import columns the accounts kind does not know (plan, billing_cycle, region…).
// A value that reads as a plain decimal number is stored as a JSON number; anything else as text. A column
// is numeric when every non-empty value in the file is a number, else categorical (the import reports which).
export type AttributeType = "numeric" | "categorical";

/** Attribute columns kept per file; more are reported and ignored. */
export const ATTRIBUTE_LIMIT = 50;
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const NUMBER = /^[+-]?(\d+(\.\d+)?|\.\d+)$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export const validAttributeName = (name: string) => NAME.test(name);

/** The stored value of a non-empty cell, or null when it is not acceptable (too long, control characters). */
export function attributeValue(raw: string): string | number | null {
  if (raw.length > 200 || CONTROL.test(raw)) return null;
  if (NUMBER.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  return raw;
}
