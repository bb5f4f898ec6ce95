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

const weightField = (name: string) => z.number().min(0).max(1).optional().describe(`Weight of the ${name} component, 0–1 (omitted = 0)`);

export const calculateHealthScore = defineTool({
  name: "calculate_health_score",
  toolset: "health",
  title: "Calculate customer health scores",
  description:
    "Compute and store the health score of one account (client_id), a list (client_ids, ≤ 500) or the whole active portfolio " +
    "(all: true) in one set-based pass. Five components 0–100 from stored data over the lookback window — usage (active users " +
    "vs seats, active user-days), engagement (feature breadth, active days, recency), support (open tickets by priority, SLA " +
    "breaches, escalations, ticket CSAT), satisfaction (NPS/CSAT/CES of the last 180 days), payment (overdue invoices, " +
    "payment status) — weighted by the configured weights (or component_weights with scoring_model 'custom'). A component " +
    "without data is null, listed in missing_components, and its weight is spread over the others; coverage = share of " +
    "weight backed by data. Band insufficient_data (no rating, no alert) when usage and engagement are both missing or " +
    "coverage < 0.5. Returns trend against the previous stored score, band, an alert under risk_threshold and, with " +
    "include_predictions, a least-squares projection over the stored scores (needs ≥ 3 spanning ≥ 14 days). Custom " +
    "weights or a lookback other than 30 are what-ifs: answered, not stored. Portfolio answers list the lowest scores first (limit/offset) with totals. " +
    "For churn probability use identify_churn_risk. Example: {client_id: 'cs_1700000000_acme_corp', include_predictions: true}.",
  input: z
    .strictObject({
      client_id: clientId().optional().describe("Score this one account (exactly one of client_id, client_ids, all)"),
      client_ids: z.array(clientId()).min(1).max(500).optional().describe("Score these accounts (1–500 client_ids) in one pass"),
      all: z.literal(true).optional().describe("true: score every active account in one set-based pass"),
      scoring_model: z.enum(["weighted_composite", "custom"]).default("weighted_composite").describe("weighted_composite uses the configured HEALTH_WEIGHT_* weights; custom uses component_weights"),
      component_weights: z
        .strictObject({
          usage: weightField("usage"),
          engagement: weightField("engagement"),
          support: weightField("support"),
          satisfaction: weightField("satisfaction"),
          payment: weightField("payment"),
        })
        .optional()
        .describe("Weights for scoring_model 'custom': must sum to 1 ± 0.01, normalised to exactly 1"),
      lookback_period_days: z.number().int().min(7).max(365).default(30).describe("Window of usage, engagement and support data in days, 7–365 (default 30)"),
      include_predictions: z.boolean().default(false).describe("Add a next-period projection from the stored score history (needs ≥ 3 scores)"),
      risk_threshold: z.number().int().min(0).max(100).optional().describe("Alert when the overall score is under this (default HEALTH_AT_RISK_BELOW, 50)"),
      limit: z.number().int().min(1).max(15).default(15).describe("Portfolio runs: accounts listed per page, 1–15 (default 15), lowest scores first"),
      offset: z.number().int().min(0).max(1_000_000).default(0).describe("Portfolio runs: accounts to skip in the listing"),
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
