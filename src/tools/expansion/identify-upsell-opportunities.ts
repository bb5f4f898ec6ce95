import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { commonInput, runOutput, seatInput } from "./schemas.ts";

export const identifyUpsellOpportunities = defineTool({
  name: "identify_upsell_opportunities",
  toolset: "expansion",
  title: "Identify upsell opportunities",
  description:
    "Find accounts near their plan's seat limit with good health, and store each as an upsell opportunity with an estimated " +
    "value. Plan limit = seats of the active contract, else the account's seats; usage = distinct users with a usage event in " +
    "the last 30 days ÷ seats. Eligible when health (latest stored score) ≥ min_health_score (75), tenure ≥ " +
    "EXPANSION_MIN_TENURE_DAYS (60 days) and usage ≥ min_usage_threshold (0.70; exactly 0.70 qualifies). Score = 0.5 × " +
    "min(1, usage) + 0.3 × health ÷ 100 + 0.2 × user growth (growth of active users against the 30 days before, 0–1); " +
    "only scores ≥ UPSELL_MIN_SCORE (0.65) are stored. Value = extra seats × ARR per seat, extra seats = ceil(active users ÷ " +
    "target_utilization 0.60) − max(seats, active users), ARR per seat = ARR ÷ seats (ARR = the contract's annual value). " +
    "Seats already used beyond the contract are the separate 'seats' type of identify_expansion_opportunities. An open " +
    "opportunity for the same account is updated, never duplicated (outcome created/updated/unchanged). Accounts lacking " +
    "data are listed with what is missing. Example: {min_health_score: 80}.",
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
