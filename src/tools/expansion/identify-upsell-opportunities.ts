import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { commonInput, runOutput, seatInput } from "./schemas.ts";

export const identifyUpsellOpportunities = defineTool({
  name: "identify_upsell_opportunities",
  toolset: "expansion",
  title: "Identify upsell opportunities",
  description:
    "Find healthy accounts near their seat limit and store each as an upsell opportunity with an " +
    "estimated value (extra seats × ARR per seat); an open one for the account is updated, never " +
    "duplicated. Accounts lacking data are listed with what is missing. Eligibility, score and value: " +
    "cs://docs/formulas. Seats already over contract: identify_expansion_opportunities type seats. " +
    "Example: {min_health_score: 80}.",
  input: z.strictObject({ ...commonInput, ...seatInput }),
  output: z.object({
    ...runOutput,
    criteria: z.object({
      min_health_score: z.number(),
      min_usage_threshold: z.number(),
      min_tenure_days: z.number(),
      target_utilization: z.number(),
      usage_window_days: z.number(),
      min_similar_accounts: z.number(),
      min_score: z.number(),
    }),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services, signal }) {
    const data = await services.expansion.opportunities.upsell(args, signal);
    const { all: _all, ...out } = data;
    const t = data.totals;
    return {
      data: out,
      text:
        `${t.opportunities} upsell opportunities (${t.created} new, ${t.updated} updated, ${t.unchanged} unchanged), estimated ${t.estimated_value}; ` +
        `${t.below_min_score} below score ${data.criteria.min_score}, ${t.not_eligible} not eligible, ${t.skipped_missing_data} skipped for missing data. ` +
        `Top: ${out.opportunities.slice(0, 5).map((o) => `${o.client_id} score ${o.score} value ${o.estimated_value}`).join("; ") || "none"}.`,
    };
  },
});
