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
    "Run every expansion rule (or those in opportunity_types) and store the results, deduplicated against open " +
    "opportunities: an open one with the same account, type and product is updated (score, value, rationale), never " +
    "inserted again; the answer says created / updated / unchanged per row and per type. Types: upsell (seats near the " +
    "limit, see identify_upsell_opportunities), cross_sell (products similar accounts own, see " +
    "identify_crosssell_opportunities), seats (true-up: active users in the last 30 days > contracted seats; score = " +
    "min(1, 0.7 + 0.3 × overage ÷ seats); value = overage × ARR per seat), tier_upgrade (healthy account with usage ≥ " +
    "0.70 whose active users reach the median of the next tier's accounts; score = 0.5 × min(1, users ÷ next-tier median) " +
    "+ 0.3 × health ÷ 100 + 0.2 × min(1, usage); value = median ARR of the next tier − the account's ARR). Every type needs " +
    "health ≥ 75 and tenure ≥ 60 days; upsell, seats and tier_upgrade are stored from UPSELL_MIN_SCORE (0.65), cross_sell " +
    "from CROSSSELL_MIN_SCORE (0.60). pipeline_value_without_overlap counts the larger of upsell and tier_upgrade per " +
    "account once. Example: {opportunity_types: ['seats', 'upsell']}.",
  input: z.strictObject({
    ...commonInput,
    opportunity_types: z
      .array(z.enum(OPPORTUNITY_TYPES, { error: `must be one of ${OPPORTUNITY_TYPES.join(", ")}` }))
      .min(1, "give at least one type, or leave opportunity_types out for all")
      .max(4)
      .optional()
      .describe("Which rules to run: upsell, cross_sell, seats, tier_upgrade (default all four)"),
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
