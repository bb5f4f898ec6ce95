import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { ANALYSIS_TYPES } from "../../services/support/performance.ts";
import { PRIORITIES } from "../../services/support/sla.ts";

const stats = z.object({ count: z.number().int(), median: z.number().nullable(), mean: z.number().nullable(), p90: z.number().nullable() });
const attainment = z.object({ met: z.number().int(), breached: z.number().int(), attainment_percent: z.number().nullable() });
const metrics = z.object({
  tickets_created: z.number().int(),
  tickets_resolved: z.number().int(),
  open_now: z.number().int(),
  escalated: z.number().int(),
  first_response_minutes: stats,
  resolution_minutes: stats,
  sla: z.object({ first_response: attainment, resolution: attainment }),
  csat: z.object({ responses: z.number().int(), satisfied: z.number().int(), csat_percent: z.number().nullable(), mean_rating: z.number().nullable() }),
});
const group = metrics.extend({ key: z.string().nullable(), label: z.string() });

export const analyzeSupportPerformance = defineTool({
  name: "analyze_support_performance",
  toolset: "support",
  title: "Support performance: volume, response times, SLA, CSAT, backlog",
  description:
    "Support figures over the last period_days from stored tickets: volume, response and resolution " +
    "times, SLA attainment, ticket CSAT and the open backlog by age; overall or by team, agent or " +
    "priority. Definitions: cs://docs/formulas. One ticket: handle_support_ticket. Example: " +
    "{analysis_type: 'by_agent', period_days: 30}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Omit for all accounts"),
    analysis_type: z.enum(ANALYSIS_TYPES, { error: `must be one of ${ANALYSIS_TYPES.join(", ")}` }).default("overview").describe("Breakdown"),
    period_days: z.number().int().min(1, "must be at least 1").max(730, "must be at most 730").default(30).describe("Days back from now"),
    team_filter: text(100).optional().describe("Only this team"),
    agent_filter: text(200).optional().describe("Email or name"),
    priority_filter: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("Only this priority"),
  }),
  output: z.object({
    scope: z.object({ client_id: z.string().nullable(), team_filter: z.string().nullable(), agent_filter: z.string().nullable(), priority_filter: z.string().nullable() }),
    analysis_type: z.enum(ANALYSIS_TYPES),
    period: z.object({ start: z.string(), end: z.string(), days: z.number().int() }),
    totals: metrics,
    backlog: z.object({
      open_now: z.number().int(),
      unassigned: z.number().int(),
      by_age: z.record(z.string(), z.number().int()),
      sla_breached: z.number().int(),
      sla_at_risk: z.number().int(),
      escalated: z.number().int(),
      escalation_due: z.number().int(),
      oldest_created_at: z.string().nullable(),
    }),
    by_team: z.array(group).optional(),
    by_agent: z.array(group).optional(),
    by_priority: z.array(group).optional(),
    definitions: z.record(z.string(), z.string()),
    targets: z.object({ first_response_minutes: z.number(), resolution_minutes: z.record(z.string(), z.number()), at_risk_percent: z.number() }),
    missing_data: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.support.performance.analyze(args);
    const t = data.totals;
    const p = (v: number | null, unit = "") => (v === null ? "n/a" : `${v}${unit}`);
    const head =
      `Last ${data.period.days} days${data.scope.client_id ? ` for ${data.scope.client_id}` : ""}: ${t.tickets_created} created, ${t.tickets_resolved} resolved. ` +
      `First response median ${p(t.first_response_minutes.median, " min")} (p90 ${p(t.first_response_minutes.p90, " min")}); resolution median ${p(t.resolution_minutes.median, " min")}. ` +
      `SLA met: first response ${p(t.sla.first_response.attainment_percent, " %")}, resolution ${p(t.sla.resolution.attainment_percent, " %")}. CSAT ${p(t.csat.csat_percent, " %")} (${t.csat.responses} ratings). ` +
      `Backlog: ${data.backlog.open_now} open (${data.backlog.sla_breached} breached, ${data.backlog.escalation_due} due for escalation).`;
    const rows = (["by_team", "by_agent", "by_priority"] as const).flatMap((k) =>
      (data[k] ?? []).map((g) => `- ${k.slice(3)} ${g.label}: ${g.tickets_created} created, FR median ${p(g.first_response_minutes.median)}, SLA ${p(g.sla.resolution.attainment_percent, " %")}, CSAT ${p(g.csat.csat_percent, " %")}, open ${g.open_now}`),
    );
    const missing = data.missing_data.length ? `\nMissing: ${data.missing_data.join("; ")}.` : "";
    return { data, text: `${head}${rows.length ? `\n${rows.join("\n")}` : ""}${missing}` };
  },
});
