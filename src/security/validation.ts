// Shared input rules for tool schemas: ids, dates, emails, money and bounded text. Each carries the
// message a caller sees, so a bad value is named with the rule it broke.
import { z } from "zod";

export const CLIENT_ID_PATTERN = /^cs_\d+_[a-z0-9_]+$/;

export const clientId = () =>
  z
    .string()
    .max(120, "must be at most 120 characters")
    .regex(CLIENT_ID_PATTERN, "must be a client_id of the form cs_<digits>_<lowercase slug>, e.g. cs_1700000000_acme_corp");

/** Free text with a length bound; trimmed; control characters (other than tab/newline) refused. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), "must not contain control characters");

export const email = () =>
  z
    .string()
    .trim()
    .max(254, "must be at most 254 characters")
    .pipe(z.email({ error: "must be an email address" }))
    .transform((s) => s.toLowerCase());

export const isoDate = () =>
  z.iso.date({ error: "must be a date in ISO 8601 form YYYY-MM-DD" }).refine((s) => {
    const y = Number(s.slice(0, 4));
    return y >= 1970 && y <= 2200;
  }, "must be a year between 1970 and 2200");

/** A date (YYYY-MM-DD) or a full ISO 8601 timestamp with offset. */
export const isoDateOrDateTime = () =>
  z.union([isoDate(), z.iso.datetime({ offset: true, error: "must be an ISO 8601 date or date-time" })], {
    error: "must be an ISO 8601 date (YYYY-MM-DD) or date-time (2025-01-31T12:00:00Z)",
  });

export const money = () =>
  z
    .number({ error: "must be a number" })
    .finite()
    .min(0, "must not be negative")
    .max(1e12, "must be at most 1,000,000,000,000")
    .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, "must have at most 2 decimal places");

export const TIERS = ["starter", "standard", "professional", "enterprise"] as const;
export const tier = () => z.enum(TIERS, { error: `must be one of ${TIERS.join(", ")}` });

export const LIFECYCLE_STAGES = ["onboarding", "adoption", "growth", "maturity", "renewal", "at_risk", "churned"] as const;
export const lifecycleStage = () => z.enum(LIFECYCLE_STAGES, { error: `must be one of ${LIFECYCLE_STAGES.join(", ")}` });

/** Day arithmetic on calendar dates stored as DATE (midnight UTC). */
export function dateOnly(s: string): Date {
  return new Date(`${s.slice(0, 10)}T00:00:00.000Z`);
}

export function toIsoDate(d: Date | null | undefined): string | null {
  return d ? d.toISOString().slice(0, 10) : null;
}

export function toIso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/** Decimal (Prisma) or number → number rounded to cents. */
export function toMoney(v: { toString(): string } | number | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return Math.round(Number(v.toString()) * 100) / 100;
}
