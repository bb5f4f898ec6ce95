import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, lifecycleStage } from "../../security/validation.ts";
import { milestoneOut, missingData } from "./schemas.ts";

export const mapCustomerJourney = defineTool({
  name: "map_customer_journey",
  toolset: "onboarding",
  title: "Map an account's customer journey",
  description:
    "One account's journey from stored rows: lifecycle stages with dates and days in each, touchpoints by" +
    " category, onboarding/adoption/training milestones, latest health and the next expected step. " +
    "journey_stage narrows to one stage's periods. For event payloads use get_client_timeline. Example: " +
    "{client_id: 'cs_1700000000_acme_corp', include_touchpoints: true}.",
  input: z.strictObject({
    client_id: clientId(),
    journey_stage: lifecycleStage().optional().describe("Only this stage's periods"),
    include_touchpoints: z.boolean().default(true).describe("List touchpoints"),
    include_milestones: z.boolean().default(true).describe("List milestones"),
    touchpoint_limit: z.number().int().min(1).max(60).default(50).describe("Most touchpoints listed"),
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
