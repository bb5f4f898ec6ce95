import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";

const level = z.enum(["high", "medium", "low", "minimal"]);
const accountChurn = z.object({
  client_id: z.string(),
  churn_probability: z.number().min(0).max(1),
  risk_level: level,
  health_score: z.number().int().nullable(),
  health_source: z.enum(["stored", "computed_now"]),
  health_at: z.string().nullable(),
  below_health_threshold: z.boolean(),
  factors: z.array(
    z.object({
      factor: z.string(),
      contribution: z.number(),
      value: z.union([z.number(), z.string()]).nullable(),
      detail: z.string(),
      log_odds: z.number(),
    }),
  ),
  model_version: z.string(),
  projection: z
    .object({
      projected_health: z.number().int().nullable(),
      probability_if_trend_continues: z.number().nullable(),
      points_used: z.number().int(),
      note: z.string().optional(),
    })
    .optional(),
});

export const identifyChurnRisk = defineTool({
  name: "identify_churn_risk",
  toolset: "retention",
  title: "Identify churn risk",
  description:
    "Churn probability (0–1) and risk level of one account, or every active account ranked, from a " +
    "the active trained model (else the published hand-set one), with each account's factors; stored." +
    " Model: cs://docs/formulas. Refresh health with calculate_health_score; act with " +
    "execute_retention_campaign. Example: {client_id: 'cs_1700000000_acme_corp'}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Omit for every active account"),
    health_score_threshold: z.number().int().min(0).max(100).optional().describe("Flag health under this"),
    days_lookback: z.number().int().min(7).max(365).default(30).describe("Days of recent signals"),
    include_predictions: z.boolean().default(false).describe("Probability if the health trend continues"),
    limit: z.number().int().min(1).max(15).default(15).describe("Portfolio: most listed"),
  }),
  output: z.object({
    mode: z.enum(["single", "portfolio"]),
    model_version: z.string(),
    model: z.object({ version: z.string(), kind: z.string() }),
    health_rule: z.string(),
    days_lookback: z.number().int(),
    health_score_threshold: z.number(),
    predicted_at: z.string(),
    levels: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
    account: accountChurn.optional(),
    totals: z
      .object({
        accounts: z.number().int(),
        by_level: z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int(), minimal: z.number().int() }),
        below_health_threshold: z.number().int(),
      })
      .optional(),
    accounts: z.array(accountChurn).optional(),
    limit: z.number().int().optional(),
    truncated: z.boolean().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  readOnlyCompute: true,
  async handler(args, { services, progress, signal, readOnly }) {
    const data = await services.churn.identify(args, progress, signal, !readOnly);
    const note = readOnly ? " Read-only server: not stored." : "";
    const fmt = (a: { client_id: string; churn_probability: number; risk_level: string; factors: Array<{ factor: string; contribution: number }> }) =>
      `${a.client_id} ${a.churn_probability.toFixed(2)} ${a.risk_level}${a.factors.length ? ` (${a.factors.slice(0, 3).map((f) => `${f.factor} ${Math.round(f.contribution * 100)}%`).join(", ")})` : ""}`;
    if (data.mode === "single") return { data, text: `Churn risk ${fmt(data.account)}; model ${data.model_version} (${data.model.kind}).${note}` };
    const c = data.totals.by_level;
    return {
      data,
      text:
        `${data.totals.accounts} accounts: high ${c.high}, medium ${c.medium}, low ${c.low}, minimal ${c.minimal}; ` +
        `${data.totals.below_health_threshold} under health ${data.health_score_threshold}. ` +
        `Top: ${data.accounts.slice(0, 5).map(fmt).join("; ") || "none"}. Model ${data.model_version} (${data.model.kind}).${note}`,
    };
  },
});
