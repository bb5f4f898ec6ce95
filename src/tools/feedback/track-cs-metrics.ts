import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDate, text } from "../../security/validation.ts";
import { METRIC_TYPES } from "../../services/feedback/metrics.ts";
import { GRANULARITIES } from "../../services/feedback/periods.ts";
import { SEGMENT_DIMENSIONS } from "../../repositories/feedback-metrics.ts";
import { missingData, periodPreset } from "./schemas.ts";

const point = z.object({
  bucket_start: z.string(),
  bucket_end: z.string(),
  days: z.number().int(),
  value: z.number().nullable().describe("null when the bucket has no data (never reported as zero)"),
  count: z.number().int(),
  no_data: z.boolean(),
  details: z.record(z.string(), z.number().nullable()),
});

export const trackCsMetrics = defineTool({
  name: "track_cs_metrics",
  toolset: "feedback",
  title: "Customer-success metric time series",
  description:
    "A time series of one CS metric (NPS, CSAT, CES, churn, retention, expansion, time to value, " +
    "adoption, engagement, health, support CSAT) for one account or all, per day to quarter, optionally " +
    "per segment; empty buckets are null. Formulas: cs://docs/formulas. Example: {metric_type: 'nps', " +
    "period: 'last_12_months', granularity: 'quarter'}.",
  input: z.strictObject({
    metric_type: z.enum(METRIC_TYPES, { error: `must be one of ${METRIC_TYPES.join(", ")}` }).describe("The metric"),
    client_id: clientId().optional().describe("Omit for the portfolio"),
    period: periodPreset(),
    period_start: isoDate().optional().describe("Custom period start"),
    period_end: isoDate().optional().describe("Inclusive; default today"),
    granularity: z.enum(GRANULARITIES, { error: `must be one of ${GRANULARITIES.join(", ")}` }).default("month").describe("≤ 150 buckets"),
    segment_by: z.enum(SEGMENT_DIMENSIONS, { error: `must be one of ${SEGMENT_DIMENSIONS.join(", ")}` }).optional().describe("Portfolio only"),
    feature: text(200).optional().describe("feature_adoption: one feature"),
  }),
  output: z.object({
    metric_type: z.string(),
    scope: z.object({ client_id: z.string().nullable(), feature: z.string().nullable() }),
    period: z.object({ preset: z.string(), start: z.string(), end: z.string(), days: z.number().int(), granularity: z.string(), bounds: z.string() }),
    unit: z.string(),
    formula: z.string(),
    count_basis: z.string(),
    series: z.array(point),
    summary: z.object({
      period_value: z.number().nullable(),
      period_count: z.number().int(),
      period_details: z.record(z.string(), z.number().nullable()),
      buckets: z.number().int(),
      buckets_with_data: z.number().int(),
      first_value: z.number().nullable(),
      last_value: z.number().nullable(),
      change_first_to_last: z.number().nullable(),
    }),
    segment_by: z.string().nullable(),
    segments: z.array(z.object({ segment: z.string(), period_value: z.number().nullable(), period_count: z.number().int(), series: z.array(point).nullable() })).nullable(),
    segment_note: z.string().nullable(),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.feedback.metrics.track(args);
    const pts = d.series.map((p) => `${p.bucket_start}: ${p.value === null ? "no data" : `${p.value} (n=${p.count})`}`).join("; ");
    const seg = d.segments ? ` By ${d.segment_by}: ${d.segments.map((s) => `${s.segment} ${s.period_value ?? "no data"}`).join(", ")}.` : "";
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    return {
      data: d,
      text: `${d.metric_type} (${d.unit}) for ${d.scope.client_id ?? "the portfolio"}, ${d.period.start}…${d.period.end} by ${d.period.granularity}: period ${d.summary.period_value ?? "no data"} (n=${d.summary.period_count}). ${pts}.${seg}${miss}`,
    };
  },
});
