import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { churnAge, missingData, renewalView } from "./schemas.ts";

const level = z.object({ renewals: z.number().int(), arr: z.number(), forecast_arr: z.number() });

export const forecastRenewals = defineTool({
  name: "forecast_renewals",
  toolset: "expansion",
  title: "Forecast renewals",
  description:
    "Forecast each renewal due in the next forecast_period_days (default 180; active contracts, renewal_date else " +
    "end_date) and store the forecasts (renewal_forecasts). Renewal probability = 1 − churn probability (churn model: a " +
    "stored identify_churn_risk prediction at most prediction_max_age_days old, else computed now), + " +
    "RENEWAL_AUTO_RENEW_UPLIFT (0.05) for auto-renewing contracts, capped at 1; payment status is not counted twice (the " +
    "churn model already weighs it). Forecast ARR = ARR × probability. Renewal risk level = the churn levels applied to " +
    "1 − probability. Totals: due = Σ ARR; expected = Σ forecast ARR; at_risk = Σ ARR of renewals at high or medium risk " +
    "(1 − probability ≥ CHURN_MEDIUM_FROM 0.40); expected_loss = due − expected; each sum written out. " +
    "include_risk_analysis adds per-renewal adjustments and churn factors, and the factors ranked by the expected loss " +
    "attributed to them. Example: {forecast_period_days: 90, include_risk_analysis: true}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("One account's renewals; leave out for every active account"),
    forecast_period_days: z.number().int().min(1).max(730).default(180).describe("Window in days from today, 1–730 (default 180)"),
    include_risk_analysis: z.boolean().default(false).describe("Add the churn factors and probability adjustments per renewal, and the portfolio's risk factors"),
    ...churnAge,
    limit: z.number().int().min(1).max(8).default(8).describe("Renewals listed, soonest first, 1–8 (default 8); totals and stored forecasts cover all"),
  }),
  output: z.object({
    as_of: z.string(),
    window: z.object({ from: z.string(), to: z.string(), forecast_period_days: z.number().int() }),
    definitions: z.record(z.string(), z.string()),
    renewals: z.array(
      renewalView.extend({
        forecast_id: z.string().nullable(),
        renewal_probability: z.number().min(0).max(1),
        forecast_arr: z.number(),
        renewal_risk_level: z.enum(["high", "medium", "low", "minimal"]),
        probability_formula: z.string(),
        adjustments: z.array(z.object({ rule: z.string(), effect: z.number() })).optional(),
        risk_factors: z.array(z.object({ factor: z.string(), contribution: z.number(), detail: z.string() })).optional(),
      }),
    ),
    totals: z.object({
      renewals: z.number().int(),
      due: z.number(),
      expected: z.number(),
      at_risk: z.number(),
      at_risk_renewals: z.number().int(),
      expected_loss: z.number(),
      by_risk_level: z.record(z.string(), level),
      formulas: z.object({ due: z.string(), expected: z.string(), at_risk: z.string() }),
    }),
    stored_forecasts: z.number().int(),
    risk_analysis: z
      .object({
        definition: z.string(),
        factors: z.array(z.object({ factor: z.string(), renewals: z.number().int(), arr: z.number(), expected_loss_attributed: z.number() })),
        payment_issues: z.array(z.object({ client_id: z.string(), payment_status: z.string(), arr: z.number() })),
        notice_deadline_passed_without_auto_renew: z.array(z.string()),
      })
      .optional(),
    missing_data: missingData,
    limit: z.number().int(),
    truncated: z.boolean(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  readOnlyCompute: true,
  async handler(args, { services, readOnly }) {
    const data = await services.expansion.renewals.forecast(args, !readOnly);
    const t = data.totals;
    return {
      data,
      text:
        `${t.renewals} renewals ${data.window.from}..${data.window.to}: due ${t.due}, expected ${t.expected}, at risk ${t.at_risk} (${t.at_risk_renewals} renewals), ` +
        `expected loss ${t.expected_loss}; ${readOnly ? "read-only server: not stored" : `${data.stored_forecasts} forecasts stored`}.`,
    };
  },
});
