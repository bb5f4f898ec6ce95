import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { missingData } from "./schemas.ts";

const days = (what: string) => z.number().int("must be whole days").min(1, "must be 1–730").max(730, "must be 1–730").optional().describe(what);

const milestone = z.object({
  name: z.string(),
  reached_at: z.string().nullable(),
  days_to_reach: z.number().int().nullable(),
  target_days: z.number().int(),
  status: z.enum(["on_time", "late", "overdue", "pending", "unknown"]),
  days_past_target: z.number().int().nullable(),
});

export const optimizeTimeToValue = defineTool({
  name: "optimize_time_to_value",
  toolset: "onboarding",
  title: "Measure and improve time to value",
  description:
    "One account's measured days to first value, activation and full value against targets, what delays " +
    "each (overdue milestones, no integration, few active users, open tickets, no training) and what to " +
    "do. Rules: cs://docs/formulas. Example: {client_id: 'cs_1700000000_acme_corp', " +
    "target_time_to_value_days: 45}.",
  input: z.strictObject({
    client_id: clientId(),
    current_time_to_value_days: z.number().int().min(0, "must be 0–3650").max(3650, "must be 0–3650").optional().describe("Your figure, compared"),
    target_time_to_value_days: days("Days to full value (default 30)"),
    target_first_value_days: days("Default 7"),
    target_activation_days: days("Default 14"),
    activation_users: z.number().int().min(1).max(10_000).default(3).describe("Users for activation"),
  }),
  output: z.object({
    client_id: z.string(),
    company_name: z.string(),
    as_of: z.string(),
    customer_since: z.string(),
    age_days: z.number().int(),
    targets: z.object({ first_value_days: z.number().int(), activation_days: z.number().int(), full_value_days: z.number().int() }),
    milestones: z.array(milestone.extend({ definition: z.string(), target_source: z.string() })),
    supporting_milestones: z.array(milestone),
    overall_status: z.enum(["achieved", "in_progress", "behind", "unknown"]),
    stated_time_to_value: z.object({ stated_days: z.number().int(), measured_first_value_days: z.number().int().nullable(), difference_days: z.number().int().nullable(), note: z.string() }).nullable(),
    delay_factors: z.array(z.object({ factor: z.string(), detail: z.string(), facts: z.record(z.string(), z.unknown()) })),
    recommendations: z.array(z.object({ because: z.string(), action: z.string(), tool: z.string().nullable() })),
    signals: z.object({
      active_users_30d: z.number().int(),
      seats: z.number().int().nullable(),
      open_tickets: z.number().int(),
      open_p1_p2: z.number().int(),
      training_sessions: z.number().int(),
      onboarding_plan_id: z.string().nullable(),
      onboarding_plan_status: z.string().nullable(),
    }),
    definitions: z.record(z.string(), z.string()),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.onboarding.timeToValue.analyse(args);
    const ms = d.milestones.map((m) => `${m.name} ${m.days_to_reach !== null ? `day ${m.days_to_reach}` : "not reached"} of ${m.target_days} (${m.status})`).join(", ");
    return {
      data: d,
      text:
        `${d.company_name} (${d.client_id}), day ${d.age_days}: ${ms}.` +
        (d.delay_factors.length ? ` Delays: ${d.delay_factors.map((f) => f.factor).join(", ")}.` : " No delaying factor found in stored data.") +
        (d.recommendations.length ? ` First: ${d.recommendations[0]!.action}.` : "") +
        (d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => m.what).join("; ")}.` : ""),
    };
  },
});
