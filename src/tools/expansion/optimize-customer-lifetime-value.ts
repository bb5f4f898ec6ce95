import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { CLV_FOCUS } from "../../services/expansion/clv.ts";
import { churnAge, missingData } from "./schemas.ts";

const lever = z.object({ lever: z.enum(["retention", "expansion", "margin"]), change: z.string(), clv_after: z.number(), clv_change: z.number(), formula: z.string(), note: z.string().optional() });

export const optimizeCustomerLifetimeValue = defineTool({
  name: "optimize_customer_lifetime_value",
  toolset: "expansion",
  title: "Customer lifetime value and its levers",
  description:
    "Customer lifetime value (ARR × gross margin × expected lifetime from churn probability) for one or " +
    "every active account, and the levers — retention, expansion, margin — each recomputed with one input" +
    " changed and ranked by gain. Read-only. Formula: cs://docs/formulas. Example: {optimization_focus: " +
    "'retention', churn_reduction_points: 10}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Omit for every active account"),
    optimization_focus: z.enum(CLV_FOCUS, { error: `must be one of ${CLV_FOCUS.join(", ")}` }).default("balanced").describe("Lever that ranks accounts"),
    churn_reduction_points: z.number().min(0.1).max(100).default(5).describe("Points off churn probability"),
    margin_change_points: z.number().min(0.1).max(100).default(5).describe("Points added to margin"),
    ...churnAge,
    limit: z.number().int().min(1).max(15).default(15).describe("Most listed"),
  }),
  output: z.object({
    as_of: z.string(),
    mode: z.enum(["account", "portfolio"]),
    optimization_focus: z.enum(CLV_FOCUS),
    settings: z.object({ gross_margin: z.number(), max_lifetime_years: z.number(), churn_reduction_points: z.number(), margin_change_points: z.number() }),
    definitions: z.record(z.string(), z.string()),
    totals: z.object({
      accounts: z.number().int(),
      arr: z.number(),
      clv: z.number(),
      lever_impact: z.array(z.object({ lever: z.enum(["retention", "expansion", "margin"]), clv_change: z.number() })),
      lifetime_capped_accounts: z.number().int(),
    }),
    accounts: z.array(
      z.object({
        client_id: z.string(),
        company_name: z.string(),
        tier: z.string(),
        arr: z.number(),
        arr_source: z.enum(["contract", "account"]),
        churn_probability: z.number(),
        churn_source: z.enum(["stored_prediction", "computed_now"]),
        expected_lifetime_years: z.number(),
        lifetime_capped: z.boolean(),
        clv: z.number(),
        formula: z.string(),
        open_expansion_value: z.number(),
        levers: z.array(lever),
        top_lever: z.enum(["retention", "expansion", "margin"]),
      }),
    ),
    missing_data: missingData,
    limit: z.number().int(),
    truncated: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.expansion.clv.optimize(args);
    const t = data.totals;
    return {
      data,
      text:
        `CLV ${t.clv} over ${t.accounts} accounts (ARR ${t.arr}); levers: ${t.lever_impact.map((l) => `${l.lever} +${l.clv_change}`).join(", ")}. ` +
        `${data.accounts.slice(0, 5).map((a) => `${a.client_id} CLV ${a.clv} (${a.formula}; best lever ${a.top_lever})`).join("; ")}`,
    };
  },
});
