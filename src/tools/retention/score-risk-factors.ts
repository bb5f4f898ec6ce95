import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";

const severity = z.enum(["low", "medium", "high", "critical"]);

export const scoreRiskFactors = defineTool({
  name: "score_risk_factors",
  toolset: "retention",
  title: "Score an account's risk factors",
  description:
    "Compute one account's risk indicators (usage decline, inactivity, detractor NPS, urgent tickets, SLA" +
    " breaches, escalations, overdue invoices, low health) and keep them open or closed in " +
    "risk_indicators, with severity and mitigation. Thresholds: cs://docs/formulas. Churn probability: " +
    "identify_churn_risk. Example: {client_id: 'cs_1700000000_acme_corp'}.",
  input: z.strictObject({ client_id: clientId() }),
  output: z.object({
    client_id: z.string(),
    company_name: z.string(),
    assessed_at: z.string(),
    health: z.object({ score: z.number().int().nullable(), source: z.enum(["stored", "computed_now"]), rule: z.string() }),
    indicators: z.array(
      z.object({
        risk_id: z.string(),
        category: z.string(),
        indicator: z.string(),
        severity,
        value: z.number(),
        threshold: z.number(),
        comparison: z.string(),
        detail: z.string(),
        mitigation: z.string(),
        status: z.literal("open"),
        is_new: z.boolean(),
        detected_at: z.string(),
      }),
    ),
    closed: z.array(z.object({ risk_id: z.string(), category: z.string(), indicator: z.string(), detected_at: z.string(), resolved_at: z.string() })),
    summary: z.object({
      risk_level: z.enum(["none", "low", "medium", "high", "critical"]),
      risk_score: z.number().int().min(0).max(100),
      scoring: z.string(),
      open_indicators: z.number().int(),
      by_severity: z.object({ low: z.number().int(), medium: z.number().int(), high: z.number().int(), critical: z.number().int() }),
      by_category: z.record(z.string(), z.number().int()),
    }),
    missing_data: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler({ client_id }, { services }) {
    const data = await services.retention.risk.score(client_id);
    const list = data.indicators.map((i) => `${i.indicator} (${i.severity})`).join(", ");
    return {
      data,
      text: `${data.company_name} (${data.client_id}): risk ${data.summary.risk_level}, score ${data.summary.risk_score}; ${data.summary.open_indicators} open indicators${list ? `: ${list}` : ""}${data.closed.length ? `; closed ${data.closed.map((c) => c.indicator).join(", ")}` : ""}.`,
    };
  },
});
