import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";

const score = z.number().int().min(0).max(100);
const componentScores = z.object({
  usage: score.nullable(),
  engagement: score.nullable(),
  support: score.nullable(),
  satisfaction: score.nullable(),
  payment: score.nullable(),
});
const weights = z.object({ usage: z.number(), engagement: z.number(), support: z.number(), satisfaction: z.number(), payment: z.number() });
const component = z.enum(["usage", "engagement", "support", "satisfaction", "payment"]);

const accountHealth = z.object({
  client_id: z.string(),
  overall_score: score.nullable(),
  coverage: z.number().min(0).max(1),
  components: componentScores,
  weights,
  missing_components: z.array(component),
  basis: z.object({ usage: z.string(), engagement: z.string(), support: z.string(), satisfaction: z.string(), payment: z.string() }),
  previous_score: score.nullable(),
  trend: z.enum(["up", "down", "stable"]).nullable(),
  band: z.enum(["at_risk", "needs_attention", "healthy", "champion", "insufficient_data"]),
  alert: z.object({ threshold: z.number(), message: z.string() }).nullable(),
  signals: z.object({ sla_breaches: z.number().int(), usage_decline: z.number().nullable() }),
  prediction: z
    .object({
      projected_score: score.nullable(),
      horizon_days: z.number().int().optional(),
      points_used: z.number().int(),
      span_days: z.number(),
      slope_per_30_days: z.number().optional(),
      method: z.literal("least_squares").optional(),
      note: z.string().optional(),
    })
    .optional(),
  stored: z.boolean(),
});

const weight = z.number().min(0).max(1).optional();

export const calculateHealthScore = defineTool({
  name: "calculate_health_score",
  toolset: "health",
  title: "Calculate customer health scores",
  description:
    "Compute and store health scores (0–100) for one account, a list, or all (all: true): five weighted " +
    "components from stored data, band, trend, alert, optional projection. Custom weights are what-ifs, " +
    "not stored. Formula: cs://docs/formulas. Churn probability: identify_churn_risk. Example: " +
    "{client_id: 'cs_1700000000_acme_corp'}.",
  input: z
    .strictObject({
      client_id: clientId().optional().describe("Exactly one of client_id, client_ids, all"),
      client_ids: z.array(clientId()).min(1).max(500).optional().describe("These accounts"),
      all: z.literal(true).optional().describe("Every active account"),
      scoring_model: z.enum(["weighted_composite", "custom"]).default("weighted_composite").describe("custom uses component_weights"),
      component_weights: z
        .strictObject({
          usage: weight,
          engagement: weight,
          support: weight,
          satisfaction: weight,
          payment: weight,
        })
        .optional()
        .describe("Sum to 1 (±0.01); omitted = 0"),
      lookback_period_days: z.number().int().min(7).max(365).default(30).describe("Days of data"),
      include_predictions: z.boolean().default(false).describe("Projection from stored scores"),
      risk_threshold: z.number().int().min(0).max(100).optional().describe("Alert under this (default 50)"),
      limit: z.number().int().min(1).max(15).default(15).describe("Portfolio: page size, lowest first"),
      offset: z.number().int().min(0).max(1_000_000).default(0).describe("Portfolio: rows to skip"),
    })
    .superRefine((v, ctx) => {
      const given = [v.client_id !== undefined, v.client_ids !== undefined, v.all === true].filter(Boolean).length;
      if (given !== 1) ctx.addIssue({ code: "custom", path: ["client_id"], message: "give exactly one of client_id, client_ids or all: true" });
      if (v.scoring_model === "custom" && !v.component_weights) ctx.addIssue({ code: "custom", path: ["component_weights"], message: "is required when scoring_model is 'custom'" });
      if (v.scoring_model !== "custom" && v.component_weights) ctx.addIssue({ code: "custom", path: ["scoring_model"], message: "must be 'custom' when component_weights are given" });
      if (v.component_weights) {
        const w = v.component_weights;
        const sum = (w.usage ?? 0) + (w.engagement ?? 0) + (w.support ?? 0) + (w.satisfaction ?? 0) + (w.payment ?? 0);
        if (Math.abs(sum - 1) > 0.01) ctx.addIssue({ code: "custom", path: ["component_weights"], message: `must sum to 1 ± 0.01 (they sum to ${sum.toFixed(4)})` });
      }
    }),
  output: z.object({
    mode: z.enum(["single", "portfolio"]),
    scoring_model: z.string(),
    lookback_period_days: z.number().int(),
    risk_threshold: z.number(),
    calculated_at: z.string(),
    configured_weights: weights,
    what_if: z.boolean(),
    what_if_note: z.string().optional(),
    account: accountHealth.optional(),
    totals: z
      .object({
        accounts: z.number().int(),
        scored: z.number().int(),
        insufficient_data: z.number().int(),
        unscored: z.number().int(),
        mean_score: z.number().nullable(),
        alerts: z.number().int(),
        by_band: z.object({ at_risk: z.number().int(), needs_attention: z.number().int(), healthy: z.number().int(), champion: z.number().int(), insufficient_data: z.number().int() }),
        missing_components: z.object({ usage: z.number().int(), engagement: z.number().int(), support: z.number().int(), satisfaction: z.number().int(), payment: z.number().int() }),
      })
      .optional(),
    accounts: z.array(accountHealth).optional(),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  readOnlyCompute: true,
  async handler(args, { services, progress, signal, readOnly }) {
    const data = await services.healthScores.calculate(args, progress, signal, !readOnly);
    const whatIf = data.what_if ? " What-if: not stored." : readOnly ? " Read-only server: computed, not stored." : "";
    if (data.mode === "single") {
      const a = data.account;
      const text =
        (a.overall_score === null
          ? `${a.client_id}: no health score — no data for any component (${a.missing_components.join(", ")}). Import usage, tickets, surveys or invoices, then score again.`
          : a.band === "insufficient_data"
            ? `${a.client_id}: insufficient data for a rating (coverage ${a.coverage}; missing: ${a.missing_components.join(", ")}); ${a.overall_score} from the present components only. Import usage events, then score again.`
            : `${a.client_id}: health ${a.overall_score} (${a.band}, coverage ${a.coverage}, trend ${a.trend}${a.previous_score !== null ? ` from ${a.previous_score}` : ""}); ` +
            `usage ${a.components.usage ?? "—"}, engagement ${a.components.engagement ?? "—"}, support ${a.components.support ?? "—"}, ` +
            `satisfaction ${a.components.satisfaction ?? "—"}, payment ${a.components.payment ?? "—"}` +
            `${a.missing_components.length ? `; missing: ${a.missing_components.join(", ")}` : ""}${a.alert ? `; ALERT: ${a.alert.message}` : ""}` +
            `${a.prediction ? `; projection: ${a.prediction.projected_score ?? `n/a (${a.prediction.note})`}` : ""}.`) + whatIf;
      return { data, text };
    }
    const t = data.totals;
    const low = data.accounts
      .filter((a) => a.overall_score !== null && a.band !== "insufficient_data")
      .slice(0, 5)
      .map((a) => `${a.client_id} ${a.overall_score}`)
      .join("; ");
    return {
      data,
      text:
        `Scored ${t.scored} of ${t.accounts} accounts (mean ${t.mean_score ?? "—"}): at_risk ${t.by_band.at_risk}, needs_attention ${t.by_band.needs_attention}, ` +
        `healthy ${t.by_band.healthy}, champion ${t.by_band.champion}; ${t.insufficient_data} insufficient data; ${t.alerts} under ${data.risk_threshold}; ${t.unscored} without any data.` +
        `${low ? ` Lowest: ${low}.` : ""}${data.next_offset !== null ? ` More: offset ${data.next_offset}.` : ""}${whatIf}`,
    };
  },
});
