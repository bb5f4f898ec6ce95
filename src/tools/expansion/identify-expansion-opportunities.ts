import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { OPPORTUNITY_TYPES } from "../../services/expansion/rules.ts";
import { commonInput, crossSellInput, runOutput, seatInput } from "./schemas.ts";

const typeStats = z.object({ opportunities: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), estimated_value: z.number() });

export const identifyExpansionOpportunities = defineTool({
  name: "identify_expansion_opportunities",
  toolset: "expansion",
  title: "Identify expansion opportunities",
  description:
    "Run every expansion rule (upsell, cross_sell, seats true-up, tier_upgrade) or some, storing results " +
    "deduplicated against open opportunities; the pipeline total counts overlaps once. One rule with its " +
    "own options: the upsell or cross-sell tool. Rules: cs://docs/formulas. Example: {opportunity_types: " +
    "['seats', 'upsell']}.",
  input: z.strictObject({
    ...commonInput,
    opportunity_types: z
      .array(z.enum(OPPORTUNITY_TYPES, { error: `must be one of ${OPPORTUNITY_TYPES.join(", ")}` }))
      .min(1, "give at least one type, or leave opportunity_types out for all")
      .max(4)
      .optional()
      .describe("Default all"),
    ...seatInput,
    ...crossSellInput,
  }),
  output: z.object({
    ...runOutput,
    opportunity_types: z.array(z.enum(OPPORTUNITY_TYPES)),
    criteria: z.object({
      min_health_score: z.number(),
      min_usage_threshold: z.number(),
      min_tenure_days: z.number(),
      target_utilization: z.number(),
      usage_window_days: z.number(),
      min_similar_accounts: z.number(),
      min_score: z.record(z.string(), z.number()),
      product_family: z.string().nullable(),
      include_add_ons: z.boolean(),
    }),
    by_type: z.record(z.string(), typeStats),
    pipeline_value_without_overlap: z.number(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services, signal }) {
    const data = await services.expansion.opportunities.expansion(args, signal);
    const { all: _all, ...out } = data;
    const t = data.totals;
    const per = Object.entries(data.by_type).map(([k, v]) => `${k} ${v.opportunities} (${v.created} new, ${v.updated} updated)`).join(", ");
    return {
      data: out,
      text:
        `${t.opportunities} expansion opportunities: ${per}; created ${t.created}, updated ${t.updated}, unchanged ${t.unchanged}. ` +
        `Estimated ${t.estimated_value} (${data.pipeline_value_without_overlap} without upsell/tier overlap). ` +
        `${t.skipped_missing_data} accounts skipped for missing data.`,
    };
  },
});
