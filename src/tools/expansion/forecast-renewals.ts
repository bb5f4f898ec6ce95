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
    "Forecast and store each renewal due in the window: probability (from churn risk, auto-renew uplift)," +
    " forecast ARR, risk level, and totals due, expected, at risk and lost. include_risk_analysis adds " +
    "the loss drivers. Formula: cs://docs/formulas. Calendar only: track_renewals. Example: " +
    "{forecast_period_days: 90}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Omit for every active account"),
    forecast_period_days: z.number().int().min(1).max(730).default(180).describe("Days ahead"),
    include_risk_analysis: z.boolean().default(false).describe("Factors per renewal and portfolio"),
    ...churnAge,
    limit: z.number().int().min(1).max(8).default(8).describe("Most listed"),
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
  async handler(args, { services, readOnly, progress, signal }) {
    const data = await services.expansion.renewals.forecast(args, !readOnly, progress, signal);
    const t = data.totals;
    return {
      data,
      text:
        `${t.renewals} renewals ${data.window.from}..${data.window.to}: due ${t.due}, expected ${t.expected}, at risk ${t.at_risk} (${t.at_risk_renewals} renewals), ` +
        `expected loss ${t.expected_loss}; ${readOnly ? "read-only server: not stored" : `${data.stored_forecasts} forecasts stored`}.`,
    };
  },
});
