import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDate, text, tier } from "../../security/validation.ts";
import { COMPLEXITIES } from "../../services/onboarding/plan-generator.ts";
import { milestoneOut, planOut } from "./schemas.ts";

export const createOnboardingPlan = defineTool({
  name: "create_onboarding_plan",
  toolset: "onboarding",
  title: "Create an onboarding plan",
  description:
    "Create and store an onboarding plan: dated milestones and owned tasks from goals, success criteria, " +
    "team size, complexity and timeline (rule: cs://docs/formulas). One active plan per account. Next: " +
    "activate_onboarding_automation, track_onboarding_progress. Example: {client_id: " +
    "'cs_1700000000_acme_corp', customer_goals: ['Automate approvals'], success_criteria: ['80% in-app']," +
    " timeline_weeks: 8}.",
  input: z.strictObject({
    client_id: clientId(),
    customer_goals: z.array(text(300)).min(1, "must list at least one goal").max(10, "must list at most 10 goals").describe("Each becomes a first_value task"),
    success_criteria: z.array(text(300)).min(1, "must list at least one criterion").max(10, "must list at most 10 criteria").describe("Each becomes a success_review task"),
    product_tier: tier().optional().describe("Default: the account's tier"),
    team_size: z.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(1_000_000, "must be at most 1,000,000").describe("People to onboard"),
    technical_complexity: z.enum(COMPLEXITIES, { error: `must be one of ${COMPLEXITIES.join(", ")}` }).describe("medium adds integration, high also migration"),
    timeline_weeks: z.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(104, "must be at most 104").describe("Minimum: low 2, medium 4, high 8"),
    start_date: isoDate().optional().describe("Default today"),
    replace_active_plan: z.boolean().default(false).describe("Cancel the active plan; else conflict"),
  }),
  output: z.object({
    plan: planOut,
    company_name: z.string(),
    milestones: z.array(milestoneOut),
    task_count: z.number().int(),
    generator: z.object({
      rule: z.string(),
      total_days: z.number().int(),
      total_weight: z.number().int(),
      minimum_timeline_weeks: z.number().int(),
      weights: z.array(z.object({ name: z.string(), weight: z.number().int(), due_offset_days: z.number().int() })),
    }),
    replaced_plans: z.array(z.object({ plan_id: z.string(), superseded_messages: z.number().int() })),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const d = await services.onboarding.plans.create(args);
    const list = d.milestones.map((m) => `${m.due_date} ${m.name}`).join(", ");
    return {
      data: d,
      text:
        `Created onboarding plan ${d.plan.plan_id} for ${d.company_name} (${d.plan.client_id}): ${d.milestones.length} milestones, ${d.task_count} tasks, ` +
        `${d.plan.start_date} → ${d.plan.target_date}: ${list}.${d.replaced_plans.length ? ` Cancelled plan(s) ${d.replaced_plans.map((r) => r.plan_id).join(", ")}.` : ""}` +
        ` Next: activate_onboarding_automation with plan_id ${d.plan.plan_id}.`,
    };
  },
});
