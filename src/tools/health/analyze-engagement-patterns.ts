import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, lifecycleStage, text, tier } from "../../security/validation.ts";
import { missingData } from "./schemas.ts";

const trend = z.object({
  last_week: z.number().nullable(),
  previous_week: z.number().nullable(),
  week_over_week_change_percent: z.number().nullable(),
  slope_per_week: z.number(),
  mean_per_week: z.number(),
  direction: z.enum(["growing", "declining", "flat"]),
});

export const analyzeEngagementPatterns = defineTool({
  name: "analyze_engagement_patterns",
  toolset: "health",
  title: "Analyze engagement patterns",
  description:
    "Weekly engagement trends and sudden drops for one account, a segment or the portfolio, from stored " +
    "usage; the rules come with the answer (cs://docs/formulas). One account's detail: " +
    "track_usage_engagement. Example: {analysis_scope: 'portfolio', lookback_period_days: 84}.",
  input: z.strictObject({
    analysis_scope: z.enum(["account", "segment", "portfolio"], { error: "must be one of account, segment, portfolio" }).default("portfolio").describe("One account, a segment or all"),
    scope_filter: z
      .strictObject({
        client_id: clientId().optional().describe("For scope account"),
        segment_id: text(64).optional().describe("From segment_customers or segment_by_value_tier"),
        tier: tier().optional().describe("Only this tier"),
        lifecycle_stage: lifecycleStage().optional().describe("Only this stage"),
        industry: text(100).optional().describe("Case-insensitive"),
      })
      .optional()
      .describe("client_id for account; segment_id or filters for segment"),
    pattern_types: z
      .array(z.enum(["trends", "anomalies"], { error: "must be trends or anomalies" }))
      .min(1, "must name at least one pattern type")
      .max(2)
      .default(["trends", "anomalies"])
      .describe("Default both"),
    lookback_period_days: z.number().int().min(14).max(365).default(84).describe("Days back from now"),
    anomaly_detection: z.boolean().default(true).describe("false skips anomalies"),
    limit: z.number().int().min(1).max(60).default(50).describe("Most anomalies listed"),
  }),
  output: z.object({
    analysis_scope: z.string(),
    scope_filter: z.object({
      client_id: z.string().nullable(),
      segment_id: z.string().nullable(),
      tier: z.string().nullable(),
      lifecycle_stage: z.string().nullable(),
      industry: z.string().nullable(),
    }),
    period: z.object({ start: z.string(), end: z.string(), lookback_period_days: z.number().int(), weeks: z.number().int().nullable() }),
    accounts_with_usage: z.number().int().nullable(),
    trends: z
      .object({
        active_users: trend,
        logins: trend,
        events: trend,
        weeks: z.array(z.object({ week: z.string(), accounts: z.number().int(), active_users: z.number().int(), logins: z.number().int(), events: z.number().int() })),
      })
      .nullable(),
    anomalies: z
      .object({
        total: z.number().int(),
        truncated: z.boolean(),
        items: z.array(
          z.object({
            client_id: z.string(),
            company_name: z.string(),
            week_start: z.string(),
            metrics: z.array(z.string()),
            active_users: z.number().int(),
            logins: z.number().int(),
            baseline_mean_active_users: z.number().nullable(),
            previous_week_active_users: z.number().int().nullable(),
            reasons: z.array(z.string()),
          }),
        ),
      })
      .nullable(),
    rules: z.record(z.string(), z.string()),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services, progress }) {
    const d = await services.engagement.patterns(args, args.analysis_scope === "account" ? undefined : progress);
    const t = d.trends ? `active users ${d.trends.active_users.direction} (WoW ${d.trends.active_users.week_over_week_change_percent ?? "n/a"}%), logins ${d.trends.logins.direction}` : "";
    const a = d.anomalies
      ? `${d.anomalies.total} drop(s)${d.anomalies.items.length ? `: ${d.anomalies.items.slice(0, 5).map((x) => `${x.client_id} week ${x.week_start} (${x.metrics.join("+")})`).join("; ")}` : ""}`
      : "";
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    return { data: d, text: `Engagement patterns (${d.analysis_scope}, ${d.period.lookback_period_days} days): ${[t, a].filter(Boolean).join("; ")}.${miss}` };
  },
});
