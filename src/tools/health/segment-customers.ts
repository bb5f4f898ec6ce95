import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { LIFECYCLE_STAGES, TIERS, money, text } from "../../security/validation.ts";
import { recommendation } from "./schemas.ts";

export const segmentCriteria = z
  .strictObject({
    name: text(100).optional().describe("Segment name"),
    tiers: z.array(z.enum(TIERS, { error: `must be one of ${TIERS.join(", ")}` })).max(4).optional().describe("Only these tiers"),
    industries: z.array(text(100)).max(50).optional().describe("Case-insensitive"),
    stages: z.array(z.enum(LIFECYCLE_STAGES, { error: `must be one of ${LIFECYCLE_STAGES.join(", ")}` })).max(7).optional().describe("Only these stages"),
    arr_min: money().optional().describe("Lowest ARR"),
    arr_max: money().optional().describe("Highest ARR"),
    health_min: z.number().int().min(0).max(100).optional().describe("Lowest health score"),
    health_max: z.number().int().min(0).max(100).optional().describe("Highest health score"),
    include_churned: z.boolean().optional().describe("Include churned accounts"),
    attributes: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, "must be an attribute name").describe("Attribute"),
          in: z.array(z.union([z.string().max(200), z.number()])).min(1).max(50).optional().describe("Equals one of"),
          min: z.number().optional().describe("Numeric ≥"),
          max: z.number().optional().describe("Numeric ≤"),
        }),
      )
      .max(10)
      .optional()
      .describe("Imported attribute filters"),
  })
  .describe("Account filter; defines the segment for custom");

export const segmentCustomers = defineTool({
  name: "segment_customers",
  toolset: "health",
  title: "Segment customers",
  description:
    "Build and store segments (accounts, ARR, mean health) by value, engagement, lifecycle, health, " +
    "industry or custom criteria, with optional recommendations. Rules: cs://docs/formulas. Service " +
    "tiers: segment_by_value_tier. Example: {segmentation_type: 'custom', criteria: {name: 'enterprise at" +
    " risk', tiers: ['enterprise'], health_max: 49}}.",
  input: z.strictObject({
    segmentation_type: z.enum(["value", "engagement", "lifecycle", "health", "industry", "custom"], { error: "must be one of value, engagement, lifecycle, health, industry, custom" }).describe("How to segment"),
    criteria: segmentCriteria.optional().describe("Account filter; defines the segment for custom"),
    min_segment_size: z.number().int().min(1).max(100_000).default(1).describe("Smallest segment stored"),
    include_recommendations: z.boolean().default(true).describe("Rule-based recommendations"),
  }),
  output: z.object({
    segmentation_type: z.string(),
    criteria: z.record(z.string(), z.unknown()),
    accounts_considered: z.number().int(),
    total_arr: z.number(),
    segments: z.array(
      z.object({
        segment_id: z.string(),
        name: z.string(),
        key: z.string(),
        definition: z.string(),
        account_count: z.number().int(),
        total_arr: z.number(),
        arr_share: z.number(),
        mean_health: z.number().nullable(),
        scored_accounts: z.number().int(),
        mean_active_days_30d: z.number(),
        recommendations: z.array(recommendation).nullable(),
      }),
    ),
    skipped_segments: z.array(z.object({ key: z.string(), account_count: z.number().int(), reason: z.string() })),
    stored_at: z.string(),
    note: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services, progress }) {
    const d = await services.segments.segmentCustomers(args, progress);
    const list = d.segments.map((s) => `${s.name} ${s.account_count} accounts, ARR ${s.total_arr}, health ${s.mean_health ?? "n/a"} (${s.segment_id})`).join("; ");
    return {
      data: d,
      text: `Stored ${d.segments.length} ${d.segmentation_type} segments over ${d.accounts_considered} accounts${list ? `: ${list}` : ""}.${d.skipped_segments.length ? ` Skipped ${d.skipped_segments.length} below min_segment_size.` : ""}`,
    };
  },
});
