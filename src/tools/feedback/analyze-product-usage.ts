import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDate } from "../../security/validation.ts";
import { missingData, periodPreset } from "./schemas.ts";

const change = z.object({ current: z.number(), previous: z.number(), change: z.number(), change_percent: z.number().nullable() });
const bench = z.object({ account: z.number(), peer_median: z.number().nullable(), percentile: z.number().nullable() });

export const analyzeProductUsage = defineTool({
  name: "analyze_product_usage",
  toolset: "feedback",
  title: "Product usage of one account, against its tier",
  description:
    "How one account uses the product over a period, from stored usage: summary, features, user segments," +
    " adoption of the catalogue, trend and percentile among same-tier peers. Portfolio adoption: " +
    "track_feature_adoption. Example: {client_id: 'cs_1700000000_acme_corp', period: 'last_90_days'}.",
  input: z.strictObject({
    client_id: clientId(),
    period: periodPreset(),
    period_start: isoDate().optional().describe("Custom period start"),
    period_end: isoDate().optional().describe("Inclusive; default today"),
    include_feature_breakdown: z.boolean().default(true).describe("Per-feature events and users"),
    include_user_segmentation: z.boolean().default(true).describe("Power/regular/light/dormant users"),
    include_adoption: z.boolean().default(true).describe("Adoption vs catalogue"),
    include_trend: z.boolean().default(true).describe("Trend vs previous period"),
    include_benchmark: z.boolean().default(true).describe("Same-tier benchmark"),
    feature_limit: z.number().int().min(1).max(200).default(25).describe("Most features listed"),
  }),
  output: z.object({
    client_id: z.string(),
    company_name: z.string(),
    tier: z.string(),
    period: z.object({ preset: z.string(), start: z.string(), end: z.string(), days: z.number().int() }),
    summary: z.object({
      events: z.number().int(),
      active_users: z.number().int(),
      active_days: z.number().int(),
      dau: z.number(),
      logins: z.number().int(),
      sessions: z.number().int(),
      features_used: z.number().int(),
      days_in_period: z.number().int(),
    }),
    feature_breakdown: z
      .object({
        features: z.array(z.object({ feature: z.string(), events: z.number().int(), distinct_users: z.number().int(), share_of_feature_events: z.number(), share_of_active_users: z.number() })),
        total_features: z.number().int(),
        truncated: z.boolean(),
        events_with_a_feature: z.number().int(),
        events_without_a_feature: z.number().int(),
      })
      .nullable(),
    user_segmentation: z
      .object({ power: z.number().int(), regular: z.number().int(), light: z.number().int(), dormant: z.number().int(), active_users: z.number().int(), thresholds: z.record(z.string(), z.string()) })
      .nullable(),
    adoption: z
      .object({ features_used: z.number().int(), catalog_features: z.number().int(), adoption_rate: z.number().nullable(), unused_features: z.array(z.string()), unused_total: z.number().int(), basis: z.string() })
      .nullable(),
    trend: z
      .object({
        previous_period: z.object({ start: z.string(), end: z.string(), days: z.number().int() }),
        events: change,
        active_users: change,
        active_days: change,
        dau: change,
        features_used: change,
      })
      .nullable(),
    benchmark: z
      .object({ tier: z.string(), peers: z.number().int(), basis: z.string(), percentile_method: z.string(), events: bench, active_users: bench, features_used: bench, active_days: bench })
      .nullable(),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.feedback.usage.analyze(args);
    const s = d.summary;
    const parts = [`${d.company_name} (${d.client_id}, ${d.tier}) ${d.period.start}…${d.period.end}: ${s.events} events, ${s.active_users} active users, ${s.active_days} active days, ${s.features_used} features`];
    if (d.user_segmentation) parts.push(`users: ${d.user_segmentation.power} power, ${d.user_segmentation.regular} regular, ${d.user_segmentation.light} light, ${d.user_segmentation.dormant} dormant`);
    if (d.adoption) parts.push(`adoption ${d.adoption.features_used}/${d.adoption.catalog_features} catalog features`);
    if (d.trend) parts.push(`events ${d.trend.events.change >= 0 ? "+" : ""}${d.trend.events.change} vs previous period`);
    if (d.benchmark) parts.push(`vs ${d.benchmark.peers} ${d.tier} peers: events percentile ${d.benchmark.events.percentile ?? "n/a"} (median ${d.benchmark.events.peer_median ?? "n/a"})`);
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    return { data: d, text: `${parts.join("; ")}.${miss}` };
  },
});
