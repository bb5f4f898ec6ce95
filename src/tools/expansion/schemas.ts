// Input fields and output shapes shared by the expansion tools.
import { z } from "zod";
import { clientId } from "../../security/validation.ts";
import { OPPORTUNITY_TYPES } from "../../services/expansion/rules.ts";

export const missingData = z
  .array(z.object({ what: z.string(), how_to_supply: z.string() }))
  .describe("What stored data is missing for a complete answer, and how to supply it");

const signal = z.union([z.number(), z.string()]).nullable();
const oppType = z.enum(OPPORTUNITY_TYPES);

export const opportunityView = z.object({
  opportunity_id: z.string(),
  client_id: z.string(),
  company_name: z.string(),
  type: oppType,
  product: z.string(),
  score: z.number().min(0).max(1),
  estimated_value: z.number(),
  outcome: z.enum(["created", "updated", "unchanged"]),
  previous_score: z.number().nullable(),
  previous_value: z.number().nullable(),
  rationale: z.string(),
  signals: z.record(z.string(), signal),
});

/** The part of every identify_* answer that reports what was stored and what was not. */
export const runOutput = {
  as_of: z.string(),
  opportunities: z.array(opportunityView),
  below_min_score: z.array(z.object({ client_id: z.string(), type: oppType, product: z.string(), score: z.number(), min_score: z.number(), estimated_value: z.number(), rationale: z.string() })),
  not_eligible: z.array(z.object({ client_id: z.string(), type: oppType.optional(), reasons: z.array(z.string()) })),
  not_eligible_by_reason: z.array(z.object({ reason: z.string(), accounts: z.number().int() })),
  skipped_missing_data: z.array(z.object({ client_id: z.string(), missing: missingData })),
  totals: z.object({
    accounts_evaluated: z.number().int(),
    opportunities: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    below_min_score: z.number().int(),
    not_eligible: z.number().int(),
    skipped_missing_data: z.number().int(),
    estimated_value: z.number(),
  }),
  limit: z.number().int(),
  truncated: z.boolean(),
  formulas: z.record(z.string(), z.string()),
};

export const commonInput = {
  client_id: clientId().optional().describe("Omit for every active account"),
  min_health_score: z.number().int().min(0).max(100).optional().describe("Default 75"),
  min_tenure_days: z.number().int().min(0).max(3650).optional().describe("Default 60"),
  min_similar_accounts: z.number().int().min(1).max(1000).default(3).describe("Fewest peers to judge (default 3)"),
  limit: z.number().int().min(1).max(15).default(15).describe("Rows per section"),
};

export const seatInput = {
  min_usage_threshold: z.number().min(0).max(1).optional().describe("Share of seats in use (default 0.7)"),
  target_utilization: z.number().min(0.05).max(1).optional().describe("Utilisation after upsell (default 0.6)"),
};

export const crossSellInput = {
  product_family: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters").optional().describe("'analytics' matches 'analytics-pro'"),
  include_add_ons: z.boolean().default(true).describe("Include add-ons"),
};

export const churnAge = {
  prediction_max_age_days: z.number().int().min(0).max(365).default(30).describe("Reuse stored churn predictions up to this age"),
};

export const churnView = z.object({ probability: z.number(), risk_level: z.enum(["high", "medium", "low", "minimal"]), source: z.enum(["stored_prediction", "computed_now"]), predicted_at: z.string(), model_version: z.string() });

export const renewalView = z.object({
  contract_id: z.string(),
  client_id: z.string(),
  company_name: z.string(),
  tier: z.string(),
  csm_name: z.string().nullable(),
  renewal_date: z.string(),
  renewal_date_source: z.enum(["renewal_date", "end_date"]),
  days_until_renewal: z.number().int(),
  arr: z.number(),
  currency: z.string(),
  billing_frequency: z.string(),
  seats: z.number().int().nullable(),
  health_score: z.number().int().nullable(),
  health_source: z.string().nullable(),
  churn: churnView,
  auto_renew: z.boolean(),
  notice_period_days: z.number().int(),
  notice_deadline: z.string(),
  days_until_notice_deadline: z.number().int(),
  notice_deadline_passed: z.boolean(),
  payment_status: z.string(),
  reminders: z.array(z.object({ days_before: z.number().int(), date: z.string(), status: z.enum(["past", "due_today", "upcoming"]) })),
  next_reminder: z.object({ days_before: z.number().int(), date: z.string(), status: z.enum(["past", "due_today", "upcoming"]) }).nullable(),
});

export const levelTotals = z.object({ renewals: z.number().int(), arr: z.number() });
