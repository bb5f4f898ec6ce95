import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { missingData } from "./schemas.ts";

export const trackFeatureAdoption = defineTool({
  name: "track_feature_adoption",
  toolset: "health",
  title: "Track feature adoption",
  description:
    "Adoption rate per feature over the last time_period_days from stored usage events: across accounts " +
    "(accounts using it ÷ active accounts) or within one account (its users ÷ its active users). Features" +
    " under adoption_threshold are flagged; unused features show 0. For one account's overall usage use " +
    "track_usage_engagement. Example: {time_period_days: 30, adoption_threshold: 0.3}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Within this account (default: across accounts)"),
    feature_id: text(200).optional().describe("Only this feature"),
    time_period_days: z.number().int().min(1).max(365).default(30).describe("Days back from now"),
    adoption_threshold: z.number().min(0).max(1).default(0.3).describe("Under this share is under-adopted"),
    limit: z.number().int().min(1).max(200).default(100),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  }),
  output: z.object({
    scope: z.object({ level: z.enum(["users", "accounts"]), client_id: z.string().nullable() }),
    period: z.object({ start: z.string(), end: z.string(), days: z.number().int() }),
    eligible: z.number().int(),
    eligible_basis: z.string(),
    adoption_threshold: z.number(),
    features: z.array(
      z.object({
        feature: z.string(),
        adopters: z.number().int(),
        eligible: z.number().int(),
        adoption_rate: z.number().nullable(),
        events: z.number().int(),
        last_used_at: z.string().nullable(),
        under_adopted: z.boolean(),
      }),
    ),
    under_adopted: z.array(z.string()),
    under_adopted_total: z.number().int(),
    total_features: z.number().int(),
    unit: z.string(),
    limit: z.number().int(),
    offset: z.number().int(),
    next_offset: z.number().int().nullable(),
    note: z.string(),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.usage.featureAdoption(args);
    const top = d.features.slice(0, 8).map((f) => `${f.feature} ${f.adoption_rate === null ? "n/a" : `${Math.round(f.adoption_rate * 1000) / 10}%`}`).join(", ");
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    return {
      data: d,
      text: `Feature adoption over ${d.period.days} days among ${d.eligible} active ${d.unit}${d.scope.client_id ? ` of ${d.scope.client_id}` : ""}: ${d.total_features} features, ${d.under_adopted_total} under ${d.adoption_threshold * 100}%${top ? ` (${top})` : ""}.${d.next_offset !== null ? ` More: offset ${d.next_offset}.` : ""}${miss}`,
    };
  },
});
