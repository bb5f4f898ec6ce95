import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDate } from "../../security/validation.ts";
import { missingData } from "./schemas.ts";

const metric = z.object({ account: z.number(), portfolio_median: z.number().nullable(), difference_percent: z.number().nullable() });

export const trackUsageEngagement = defineTool({
  name: "track_usage_engagement",
  toolset: "health",
  title: "Track usage and engagement",
  description:
    "One account's usage over a period from stored usage events: DAU/WAU/MAU, logins, sessions and events" +
    " per bucket; optionally features, user segments and the portfolio median. Trends across accounts: " +
    "analyze_engagement_patterns; per-feature adoption: track_feature_adoption. Example: {client_id: " +
    "'cs_1700000000_acme_corp', granularity: 'weekly'}.",
  input: z.strictObject({
    client_id: clientId(),
    period_start: isoDate().optional().describe("Default: 29 days before period_end"),
    period_end: isoDate().optional().describe("Inclusive; default today"),
    granularity: z.enum(["daily", "weekly", "monthly"], { error: "must be one of daily, weekly, monthly" }).default("weekly").describe("daily needs ≤ 120 days"),
    include_feature_breakdown: z.boolean().default(true).describe("Per-feature events and users"),
    include_user_segmentation: z.boolean().default(false).describe("Power/regular/light/dormant users"),
    benchmark_comparison: z.boolean().default(false).describe("Compare with the portfolio median"),
    feature_limit: z.number().int().min(1).max(200).default(25).describe("Most features listed"),
  }),
  output: z.object({
    client_id: z.string(),
    company_name: z.string(),
    period: z.object({ start: z.string(), end: z.string(), granularity: z.string() }),
    summary: z.object({
      total_active_users: z.number().int(),
      dau: z.number(),
      wau: z.number(),
      mau: z.number(),
      stickiness_dau_mau: z.number().nullable(),
      logins: z.number().int(),
      sessions: z.number().int(),
      events: z.number().int(),
      active_days: z.number().int(),
      days_in_period: z.number().int(),
    }),
    buckets: z.array(
      z.object({
        bucket_start: z.string(),
        bucket_end: z.string(),
        active_users: z.number().int(),
        avg_daily_active_users: z.number(),
        logins: z.number().int(),
        sessions: z.number().int(),
        events: z.number().int(),
      }),
    ),
    feature_breakdown: z
      .object({
        features: z.array(z.object({ feature: z.string(), events: z.number().int(), users: z.number().int(), share_of_active_users: z.number() })),
        total_features: z.number().int(),
        truncated: z.boolean(),
        events_with_a_feature: z.number().int(),
      })
      .nullable(),
    user_segmentation: z
      .object({
        power: z.number().int(),
        regular: z.number().int(),
        light: z.number().int(),
        dormant: z.number().int(),
        thresholds: z.record(z.string(), z.string()),
      })
      .nullable(),
    benchmark: z
      .object({
        peer_accounts: z.number().int(),
        basis: z.string(),
        dau: metric,
        total_active_users: metric,
        logins: metric,
        sessions: metric,
        events: metric,
      })
      .nullable(),
    definitions: z.record(z.string(), z.string()),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.usage.engagement(args);
    const s = d.summary;
    const bench = d.benchmark ? `; vs portfolio median DAU ${d.benchmark.dau.portfolio_median ?? "n/a"} (${d.benchmark.peer_accounts} accounts)` : "";
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    return {
      data: d,
      text: `${d.company_name} (${d.client_id}) ${d.period.start}…${d.period.end}: ${s.total_active_users} active users, DAU ${s.dau}, WAU ${s.wau}, MAU ${s.mau}, ${s.logins} logins, ${s.sessions} sessions, ${s.events} events in ${d.buckets.length} ${d.period.granularity} buckets${bench}.${miss}`,
    };
  },
});
