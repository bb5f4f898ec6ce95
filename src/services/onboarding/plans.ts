// create_onboarding_plan: validates the inputs, generates the dated milestones and tasks (plan-generator.ts)
// and stores plan, milestones, tasks, audit record and timeline note in one transaction. One active plan per
// account: a second one is a conflict unless replace_active_plan cancels the current one (its pending
// reminders are superseded in the same transaction).
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { OnboardingPlanRepository } from "../../repositories/onboarding-plans.ts";
import { supersedePending } from "../../repositories/onboarding-outbox.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { dateOnly, toIsoDate } from "../../security/validation.ts";
import { checkTimeline, generatePlan, GENERATOR_RULE, MIN_TIMELINE_WEEKS, type Complexity, type ProductTier } from "./plan-generator.ts";
import { daysBetween, milestoneView, planHeader, utcDay } from "./views.ts";
import { lockAccount } from "../../repositories/accounts.ts";

export interface CreatePlanInput {
  client_id: string;
  customer_goals: string[];
  success_criteria: string[];
  product_tier?: ProductTier | undefined;
  team_size: number;
  technical_complexity: Complexity;
  timeline_weeks: number;
  start_date?: string | undefined;
  replace_active_plan: boolean;
}

/** How far back or ahead a plan may start, in days from today. */
const START_WINDOW_DAYS = 365;

export class OnboardingPlanService {
  private readonly repo: OnboardingPlanRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date,
  ) {
    this.repo = new OnboardingPlanRepository(prisma);
  }

  async create(input: CreatePlanInput) {
    const now = this.now();
    const today = utcDay(now);
    const problems: string[] = [];
    const timeline = checkTimeline(input);
    if (timeline) problems.push(timeline);
    const start = input.start_date ? dateOnly(input.start_date) : today;
    if (Math.abs(daysBetween(today, start)) > START_WINDOW_DAYS) {
      problems.push(`start_date: ${input.start_date} must be within ${START_WINDOW_DAYS} days of today (${toIsoDate(today)})`);
    }
    const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
    if (new Set(lower(input.customer_goals)).size !== input.customer_goals.length) problems.push("customer_goals: must not list the same goal twice");
    if (new Set(lower(input.success_criteria)).size !== input.success_criteria.length) problems.push("success_criteria: must not list the same criterion twice");
    if (problems.length) throw validationError(problems.join("; "), "fix the named fields and call again; nothing was stored");

    return this.prisma.$transaction(async (tx) => {
      await lockAccount(tx, input.client_id);
      const account = await tx.account.findUnique({ where: { id: input.client_id }, select: { id: true, company_name: true, tier: true, status: true } });
      if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id, or register_client to create it");
      if (account.status === "churned") throw validationError(`client_id: ${input.client_id} is churned; onboarding plans are for active accounts`);

      const active = await this.repo.activePlans(account.id, tx);
      const replaced: Array<{ plan_id: string; superseded_messages: number }> = [];
      if (active.length && !input.replace_active_plan) {
        throw conflict(
          `${input.client_id} already has an active onboarding plan (${active.map((p) => p.id).join(", ")}), target ${toIsoDate(active[0]!.target_date)}`,
          "track it with track_onboarding_progress, or pass replace_active_plan: true to cancel it and create this one",
          { plan_ids: active.map((p) => p.id) },
        );
      }
      for (const p of active) {
        await tx.onboardingPlan.update({ where: { id: p.id }, data: { status: "cancelled" } });
        const gone = await supersedePending(tx, account.id, p.id, `onboarding plan ${p.id} was cancelled at ${now.toISOString()} (replaced by a new plan)`);
        replaced.push({ plan_id: p.id, superseded_messages: gone.length });
      }

      const tier = input.product_tier ?? account.tier;
      const gen = generatePlan({
        customer_goals: input.customer_goals,
        success_criteria: input.success_criteria,
        product_tier: tier,
        team_size: input.team_size,
        technical_complexity: input.technical_complexity,
        timeline_weeks: input.timeline_weeks,
        start_date: start,
      });
      const plan = await this.repo.create(
        tx,
        {
          account_id: account.id,
          customer_goals: input.customer_goals,
          success_criteria: input.success_criteria,
          product_tier: tier,
          team_size: input.team_size,
          technical_complexity: input.technical_complexity,
          timeline_weeks: input.timeline_weeks,
          status: "active",
          start_date: start,
          target_date: gen.target_date,
          created_at: now,
        },
        gen.milestones.map((m) => ({ name: m.code, description: `${m.name}: ${m.description}`, sequence: m.sequence, due_date: m.due_date, tasks: m.tasks })),
      );
      const taskCount = gen.milestones.reduce((s, m) => s + m.tasks.length, 0);
      // Milestone completions reach the timeline from onboarding_milestones itself; the plan's creation does not.
      await writeTimeline(tx, {
        account_id: account.id,
        event_type: "note",
        summary: `Onboarding plan created: ${gen.milestones.length} milestones, ${taskCount} tasks, target ${toIsoDate(gen.target_date)}`,
        data: { plan_id: plan.id, technical_complexity: input.technical_complexity, timeline_weeks: input.timeline_weeks },
        occurred_at: now,
      });
      await writeAudit(tx, {
        action: "create_onboarding_plan",
        entity_type: "onboarding_plan",
        entity_id: plan.id,
        changes: { client_id: account.id, milestones: gen.milestones.length, tasks: taskCount, target_date: toIsoDate(gen.target_date), replaced_plans: replaced.map((r) => r.plan_id) },
      });
      return {
        plan: planHeader(plan),
        company_name: account.company_name,
        milestones: plan.milestones.map((m) => milestoneView(m, today)),
        task_count: taskCount,
        generator: {
          rule: GENERATOR_RULE,
          total_days: gen.total_days,
          total_weight: gen.total_weight,
          minimum_timeline_weeks: MIN_TIMELINE_WEEKS[input.technical_complexity],
          weights: gen.milestones.map((m) => ({ name: m.code, weight: m.weight, due_offset_days: m.due_offset_days })),
        },
        replaced_plans: replaced,
      };
    });
  }
}
