import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { commonInput, crossSellInput, runOutput } from "./schemas.ts";

export const identifyCrosssellOpportunities = defineTool({
  name: "identify_crosssell_opportunities",
  toolset: "expansion",
  title: "Identify cross-sell opportunities",
  description:
    "Find products and add-ons an account lacks that similar accounts own, and store each as a cross-sell" +
    " opportunity valued at what owners pay; open ones are updated, not duplicated. Rules: " +
    "cs://docs/formulas. Example: {client_id: 'cs_1700000000_acme_corp', product_family: 'analytics'}.",
  input: z.strictObject({ ...commonInput, ...crossSellInput }),
  output: z.object({
    ...runOutput,
    criteria: z.object({
      min_health_score: z.number(),
      min_tenure_days: z.number(),
      min_similar_accounts: z.number(),
      min_score: z.number(),
      product_family: z.string().nullable(),
      include_add_ons: z.boolean(),
    }),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services, signal }) {
    const data = await services.expansion.opportunities.crossSell(args, signal);
    const { all: _all, ...out } = data;
    const t = data.totals;
    return {
      data: out,
      text:
        `${t.opportunities} cross-sell opportunities (${t.created} new, ${t.updated} updated, ${t.unchanged} unchanged), estimated ${t.estimated_value}; ` +
        `${t.below_min_score} below score ${data.criteria.min_score}, ${t.skipped_missing_data} accounts skipped for missing data. ` +
        `Top: ${out.opportunities.slice(0, 5).map((o) => `${o.client_id} ${o.product} score ${o.score} value ${o.estimated_value}`).join("; ") || "none"}.`,
    };
  },
});
