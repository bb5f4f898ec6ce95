import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, lifecycleStage } from "../../security/validation.ts";
import { milestoneOut, missingData } from "./schemas.ts";

export const mapCustomerJourney = defineTool({
  name: "map_customer_journey",
  toolset: "onboarding",
  title: "Map an account's customer journey",
  description:
    "The account's journey from stored rows: lifecycle stages (from lifecycle_transitions, the first entered at the account's " +
    "creation) with entered/exited dates and days in stage, the current stage, touchpoints from the account timeline (tickets, " +
    "surveys, emails, reviews, training, milestones, escalations, notes) with a category each, milestones (the onboarding plan, " +
    "adoption milestones first_login … full_value, training and certifications), latest health, and the next expected step derived " +
    "from the data (the active plan's next open milestone; a plan to create; the first time-to-value milestone not reached; the " +
    "upcoming renewal). journey_stage narrows stages and touchpoints to the periods the account spent in that stage. Event payloads " +
    "are left out; use get_client_timeline for them. Example: {client_id: 'cs_1700000000_acme_corp', include_touchpoints: true}.",
  input: z.strictObject({
    client_id: clientId(),
    journey_stage: lifecycleStage().optional().describe("Only this lifecycle stage's periods (onboarding, adoption, growth, maturity, renewal, at_risk, churned)"),
    include_touchpoints: z.boolean().default(true).describe("List timeline touchpoints, newest touchpoint_limit (default true)"),
    include_milestones: z.boolean().default(true).describe("Include onboarding, adoption and training milestones (default true)"),
    touchpoint_limit: z.number().int().min(1).max(60).default(50).describe("Most recent touchpoints listed, 1–60 (default 50)"),
  }),
  output: z.object({
    client_id: z.string(),
    company_name: z.string(),
    as_of: z.string(),
    current_stage: z.object({ stage: z.string(), entered_at: z.string().nullable(), days_in_stage: z.number().int().nullable() }),
    journey_stage_filter: z.string().nullable(),
    stages: z.array(z.object({ stage: z.string(), entered_at: z.string(), exited_at: z.string().nullable(), days_in_stage: z.number().int(), reason: z.string(), touchpoints: z.number().int().nullable() })),
    touchpoints: z.array(z.object({ occurred_at: z.string(), event_type: z.string(), category: z.string(), summary: z.string(), source: z.string(), source_id: z.string() })).nullable(),
    touchpoints_total: z.number().int().nullable(),
    touchpoints_by_category: z.record(z.string(), z.number().int()).nullable(),
    milestones: z
      .object({
        onboarding_plan: z.object({ plan_id: z.string(), status: z.string(), start_date: z.string(), target_date: z.string(), completed_at: z.string().nullable(), milestones: z.array(milestoneOut) }).nullable(),
        adoption: z.array(z.object({ name: z.string(), reached_at: z.string().nullable(), days_to_reach: z.number().int().nullable(), target_days: z.number().int(), status: z.string() })),
        training: z.object({ sessions: z.number().int(), trained_users: z.number().int(), certifications: z.record(z.string(), z.number().int()) }),
      })
      .nullable(),
    health: z.object({ latest_score: z.number().int().nullable(), calculated_at: z.string().nullable(), trend: z.string().nullable(), open_tickets: z.number().int() }),
    next_expected_step: z.object({ step: z.string(), due_date: z.string().nullable(), overdue: z.boolean(), basis: z.string(), tool: z.string().nullable() }).nullable(),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.onboarding.journey.map(args);
    const path = d.stages.map((s) => `${s.stage} (${s.entered_at.slice(0, 10)}, ${s.days_in_stage} d)`).join(" → ");
    const n = d.next_expected_step;
    return {
      data: d,
      text:
        `${d.company_name} (${d.client_id}) is in ${d.current_stage.stage}${d.current_stage.days_in_stage !== null ? ` for ${d.current_stage.days_in_stage} days` : ""}. Journey: ${path}.` +
        (d.touchpoints_total !== null ? ` ${d.touchpoints_total} touchpoint(s).` : "") +
        (n ? ` Next: ${n.step}${n.due_date ? ` (due ${n.due_date}${n.overdue ? ", overdue" : ""})` : ""}${n.tool ? ` — ${n.tool}` : ""}.` : " No next step can be derived from stored data."),
    };
  },
});
