import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { money, text } from "../../security/validation.ts";

const level = z.object({ csm_coverage: z.string(), business_review_cadence: z.string(), support_queue: z.string() });

export const segmentByValueTier = defineTool({
  name: "segment_by_value_tier",
  toolset: "health",
  title: "Segment by value tier",
  description:
    "Assign every active account a value tier by ARR and/or health, store tiers as segments with counts " +
    "and ARR, attach service levels and list VIP accounts. Default tiers: cs://docs/formulas. Other " +
    "segmentations: segment_customers. Example: {segmentation_criteria: 'arr', tier_definitions: [{name: " +
    "'strategic', min_arr: 200000}, {name: 'core', min_arr: 0}]}.",
  input: z.strictObject({
    segmentation_criteria: z.enum(["arr", "health", "arr_and_health"], { error: "must be one of arr, health, arr_and_health" }).default("arr").describe("What tiers are cut on"),
    tier_definitions: z
      .array(
        z.strictObject({
          name: z.string().trim().regex(/^[a-z][a-z0-9_]{0,39}$/, "must be a lowercase name of letters, digits and _ (≤ 40)").describe("Tier name"),
          min_arr: money().optional().describe("Needed unless criteria is health"),
          min_health: z.number().int().min(0).max(100).optional().describe("Lowest health score"),
        }),
      )
      .min(1, "must list at least one tier")
      .max(10, "must list at most 10 tiers")
      .optional()
      .describe("Highest tier first; thresholds must not rise"),
    service_level_mapping: z
      .record(
        z.string().max(40),
        z.strictObject({
          csm_coverage: text(200).optional().describe("CSM coverage model"),
          business_review_cadence: text(200).optional().describe("Business review cadence"),
          support_queue: text(200).optional().describe("Support queue or priority"),
        }),
      )
      .optional()
      .describe("Per tier name; overrides defaults"),
    vip_identification: z.boolean().default(true).describe("List top-tier accounts"),
    vip_limit: z.number().int().min(1).max(100).default(25).describe("Most VIPs listed"),
    include_churned: z.boolean().default(false).describe("Include churned accounts"),
  }),
  output: z.object({
    segmentation_criteria: z.string(),
    tier_definitions: z.array(z.object({ name: z.string(), min_arr: z.number().nullable(), min_health: z.number().nullable() })),
    accounts_considered: z.number().int(),
    total_arr: z.number(),
    tiers: z.array(
      z.object({
        segment_id: z.string(),
        tier: z.string(),
        account_count: z.number().int(),
        total_arr: z.number(),
        arr_share: z.number(),
        mean_health: z.number().nullable(),
        service_level: level.nullable(),
      }),
    ),
    unassigned_accounts: z.number().int(),
    vip_accounts: z.array(z.object({ client_id: z.string(), company_name: z.string(), arr: z.number(), health_score: z.number().int().nullable(), at_risk: z.boolean() })).nullable(),
    vip_rule: z.string().nullable(),
    stored_at: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services, progress }) {
    const d = await services.segments.valueTiers(args, progress);
    const tiers = d.tiers.map((t) => `${t.tier} ${t.account_count} (ARR ${t.total_arr}, ${t.segment_id})`).join("; ");
    const vip = d.vip_accounts ? ` VIPs: ${d.vip_accounts.slice(0, 10).map((v) => `${v.client_id}${v.at_risk ? " (at risk)" : ""}`).join(", ") || "none"}.` : "";
    return { data: d, text: `Value tiers over ${d.accounts_considered} accounts: ${tiers}.${d.unassigned_accounts ? ` ${d.unassigned_accounts} accounts matched no tier.` : ""}${vip}` };
  },
});
