import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { NEGOTIATION_STRATEGIES } from "../../services/expansion/negotiation.ts";
import { churnAge, missingData } from "./schemas.ts";

const ask = z.object({ ask: z.string(), figure: z.string().nullable(), basis: z.string() });
const point = z.object({ point: z.string(), evidence: z.string() });

export const negotiateRenewals = defineTool({
  name: "negotiate_renewals",
  toolset: "expansion",
  title: "Renewal negotiation brief",
  description:
    "A renewal negotiation brief for one account from stored facts: value delivered, health, price " +
    "history, risks, leverage and pressure points, and the asks of a strategy (value_based, multi_year, " +
    "expansion_bundle, retention_save; chosen from risk if omitted). Read-only. Example: {client_id: " +
    "'cs_1700000000_acme_corp', negotiation_strategy: 'multi_year'}.",
  input: z.strictObject({
    client_id: clientId().describe("The account"),
    negotiation_strategy: z
      .enum(NEGOTIATION_STRATEGIES, { error: `must be one of ${NEGOTIATION_STRATEGIES.join(", ")}` })
      .optional()
      .describe("Omit to choose from risk"),
    ...churnAge,
  }),
  output: z.object({
    as_of: z.string(),
    client: z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), industry: z.string().nullable(), lifecycle_stage: z.string() }),
    strategy: z.object({ chosen: z.enum(NEGOTIATION_STRATEGIES), reason: z.string(), recommended_asks: z.array(ask) }),
    other_strategies: z.array(z.object({ strategy: z.enum(NEGOTIATION_STRATEGIES), recommended_asks: z.array(ask) })),
    renewal: z
      .object({
        contract_id: z.string(),
        renewal_date: z.string().nullable(),
        days_until_renewal: z.number().int().nullable(),
        notice_deadline: z.string().nullable(),
        auto_renew: z.boolean(),
        arr: z.number(),
        seats: z.number().int().nullable(),
        per_seat_price: z.number().nullable(),
        discount_percent: z.number(),
        payment_status: z.string(),
      })
      .nullable(),
    value_delivered: z.object({
      usage: z.object({
        active_users_30d: z.number().int(),
        active_users_previous_30d: z.number().int(),
        active_users_90_days_ago: z.number().int(),
        growth_30d: z.number().nullable(),
        growth_90d: z.number().nullable(),
        seats: z.number().int().nullable(),
        seat_utilization: z.number().nullable(),
      }),
      adoption: z.object({ features_used_90d: z.number().int(), portfolio_features_90d: z.number().int(), breadth: z.number().nullable() }),
      milestones: z.object({ reached: z.array(z.string()), overdue: z.array(z.string()), total: z.number().int() }),
      support: z.object({ tickets_365d: z.number().int(), resolved_365d: z.number().int(), csat_avg: z.number().nullable(), csat_ratings: z.number().int(), escalations_resolved_365d: z.number().int() }),
      nps: z.object({ answers_365d: z.number().int(), promoters: z.number().int(), detractors: z.number().int(), nps: z.number().nullable(), latest_answer: z.number().int().nullable() }),
    }),
    health: z.object({ score: z.number().int().nullable(), source: z.string().nullable(), calculated_at: z.string().nullable() }),
    price_history: z.array(
      z.object({
        contract_id: z.string(),
        status: z.string(),
        start_date: z.string().nullable(),
        end_date: z.string().nullable(),
        contract_value: z.number(),
        seats: z.number().int().nullable(),
        discount_percent: z.number(),
        per_seat_price: z.number().nullable(),
        products: z.array(z.string()),
        add_ons: z.array(z.string()),
        value_change_percent: z.number().nullable(),
        per_seat_change_percent: z.number().nullable(),
      }),
    ),
    risks: z.object({
      churn: z.object({
        probability: z.number(),
        risk_level: z.string(),
        source: z.string(),
        model_version: z.string(),
        top_factors: z.array(z.object({ factor: z.string(), contribution: z.number(), detail: z.string() })),
      }),
      open_tickets: z.number().int(),
      open_p1: z.number().int(),
      open_p2: z.number().int(),
      open_sla_breached: z.number().int(),
      open_escalations: z.number().int(),
      payment: z.object({ status: z.string().nullable(), overdue_invoices: z.number().int(), overdue_amount: z.number(), paid_late_365d: z.number().int() }),
    }),
    leverage_points: z.array(point),
    pressure_points: z.array(point),
    open_expansion: z.array(z.object({ opportunity_id: z.string(), type: z.string(), product: z.string(), score: z.number(), estimated_value: z.number() })),
    definitions: z.record(z.string(), z.string()),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.expansion.negotiation.brief(args);
    const r = data.renewal;
    return {
      data,
      text:
        `${data.client.company_name}: strategy ${data.strategy.chosen} (${data.strategy.reason}). ` +
        `${r ? `Renewal ${r.renewal_date ?? "undated"}, ARR ${r.arr}, ${r.seats ?? "?"} seats, discount ${r.discount_percent} %. ` : "No active contract. "}` +
        `Churn ${data.risks.churn.probability} (${data.risks.churn.risk_level}). Leverage: ${data.leverage_points.map((p) => p.point).join("; ") || "none"}. ` +
        `Asks: ${data.strategy.recommended_asks.map((a) => a.ask + (a.figure ? ` (${a.figure})` : "")).join("; ") || "none"}.`,
    };
  },
});
