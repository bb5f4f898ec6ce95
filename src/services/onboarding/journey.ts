// map_customer_journey: the account's journey from stored rows only.
//   stages      from lifecycle_transitions (the first stage entered at the account's creation), each with
//               entered/exited dates, days in stage and the touchpoints that fall inside it;
//   touchpoints the account timeline (repositories/timeline.ts: tickets, surveys, emails, EBRs, training,
//               milestones, escalations, notes…), newest `touchpoint_limit`, with a category per event type;
//   milestones  the onboarding plan's milestones, training and certifications, adoption milestones
//               (MilestoneService: first_login … full_value);
//   next step   the first rule that matches: the active plan's next open milestone; a plan to create while in
//               onboarding without one; the first time-to-value milestone not reached; the upcoming renewal.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { TimelineRepository } from "../../repositories/timeline.ts";
import { OnboardingPlanRepository } from "../../repositories/onboarding-plans.ts";
import { OnboardingSignalsRepository } from "../../repositories/onboarding-signals.ts";
import { MilestoneService } from "../health/milestones.ts";
import { notFound } from "../../server/errors.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { addDays, daysBetween, isOpen, milestoneView, utcDay } from "./views.ts";

export interface JourneyInput {
  client_id: string;
  journey_stage?: string | undefined;
  include_touchpoints: boolean;
  include_milestones: boolean;
  touchpoint_limit: number;
}

/** Touchpoint category per timeline event type. */
const CATEGORY: Record<string, string> = {
  registered: "account",
  updated: "account",
  lifecycle_change: "account",
  note: "note",
  contract_started: "commercial",
  invoice_paid: "commercial",
  renewal_forecast: "commercial",
  expansion_opportunity: "commercial",
  ticket_opened: "support",
  ticket_resolved: "support",
  ticket_escalated: "support",
  escalation_opened: "support",
  escalation_resolved: "support",
  nps_response: "feedback",
  csat_response: "feedback",
  ces_response: "feedback",
  feedback: "feedback",
  health_score: "signal",
  churn_prediction: "signal",
  risk_detected: "signal",
  milestone_completed: "onboarding",
  training_session: "training",
  email_sent: "communication",
  retention_campaign: "communication",
  ebr: "meeting",
};

/** The timeline read for touchpoints is bounded; the newest are kept. */
const TIMELINE_READ_LIMIT = 2_000;

export class JourneyService {
  private readonly timeline: TimelineRepository;
  private readonly plans: OnboardingPlanRepository;
  private readonly signals: OnboardingSignalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.timeline = new TimelineRepository(prisma);
    this.plans = new OnboardingPlanRepository(prisma);
    this.signals = new OnboardingSignalsRepository(prisma);
  }

  async map(input: JourneyInput) {
    const now = this.now();
    const today = utcDay(now);
    const account = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true, company_name: true, lifecycle_stage: true, created_at: true, status: true } });
    if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    const transitions = await this.prisma.lifecycleTransition.findMany({ where: { account_id: account.id, transitioned_at: { lte: now } }, orderBy: [{ transitioned_at: "asc" }, { id: "asc" }] });

    // Stages: the first entered at creation, then one per transition.
    const raw: Array<{ stage: string; entered_at: Date; reason: string }> = [];
    if (!transitions.length || transitions[0]!.from_stage) raw.push({ stage: transitions[0]?.from_stage ?? account.lifecycle_stage, entered_at: account.created_at, reason: "account created" });
    for (const t of transitions) raw.push({ stage: t.to_stage, entered_at: t.transitioned_at, reason: t.reason });
    const stagesAll = raw.map((s, i) => {
      const exited = raw[i + 1]?.entered_at ?? null;
      return { stage: s.stage, entered_at: s.entered_at, exited_at: exited, reason: s.reason, days_in_stage: daysBetween(s.entered_at, exited ?? now) };
    });

    // The newest events: the touchpoints shown are the most recent ones; per-stage counts below are counted
    // in the database when the account has more events than are read.
    const events = input.include_touchpoints ? await this.timeline.events(account.id, new Date(0), now, null, TIMELINE_READ_LIMIT, true) : { rows: [], total: 0 };
    const truncatedRead = events.total > events.rows.length;
    const inStage = (at: Date, s: (typeof stagesAll)[number]) => at >= s.entered_at && (s.exited_at === null || at < s.exited_at);
    const selected = input.journey_stage ? stagesAll.filter((s) => s.stage === input.journey_stage) : stagesAll;
    const inScope = (at: Date) => !input.journey_stage || selected.some((s) => inStage(at, s));
    const scoped = events.rows.filter((e) => inScope(new Date(e.occurred_at)));
    const touchpoints = scoped.slice(-input.touchpoint_limit).map((e) => ({
      occurred_at: toIso(new Date(e.occurred_at))!,
      event_type: e.event_type,
      category: CATEGORY[e.event_type] ?? "other",
      summary: e.summary,
      source: e.source,
      source_id: e.source_id,
    }));
    const byCategory: Record<string, number> = {};
    for (const e of scoped) byCategory[CATEGORY[e.event_type] ?? "other"] = (byCategory[CATEGORY[e.event_type] ?? "other"] ?? 0) + 1;

    const stageCount = async (s: (typeof stagesAll)[number]): Promise<number | null> => {
      if (!input.include_touchpoints) return null;
      if (!truncatedRead) return events.rows.filter((e) => inStage(new Date(e.occurred_at), s)).length;
      // [entered_at, exited_at): the repository's bounds are inclusive, so stop 1 ms before the exit.
      const end = s.exited_at ? new Date(s.exited_at.getTime() - 1) : now;
      return (await this.timeline.events(account.id, s.entered_at, end, null, 1)).total;
    };
    const stages = [];
    for (const s of selected) {
      stages.push({ stage: s.stage, entered_at: s.entered_at.toISOString(), exited_at: toIso(s.exited_at), days_in_stage: s.days_in_stage, reason: s.reason, touchpoints: await stageCount(s) });
    }
    const last = stagesAll[stagesAll.length - 1]!;

    const plan = await this.plans.currentPlan(account.id);
    const adoption = await new MilestoneService(this.prisma, this.config, () => now).track({
      client_id: account.id,
      milestone_framework: "default",
      custom_milestones: [],
      activation_users: 3,
      full_value_features: 3,
      full_value_users_per_feature: 2,
      limit: 1,
      offset: 0,
    });
    const adopt = adoption.accounts[0]!.milestones;
    const s = await this.signals.signals(account.id, now);

    let milestones = null;
    if (input.include_milestones) {
      const certs = await this.prisma.certification.groupBy({ by: ["status"], where: { account_id: account.id }, _count: { _all: true } });
      milestones = {
        onboarding_plan: plan
          ? { plan_id: plan.id, status: plan.status, start_date: toIsoDate(plan.start_date)!, target_date: toIsoDate(plan.target_date)!, completed_at: toIso(plan.completed_at), milestones: plan.milestones.map((m) => milestoneView(m, today, false)) }
          : null,
        adoption: adopt.map((m) => ({ name: m.name, reached_at: m.reached_at, days_to_reach: m.days_to_reach, target_days: m.target_days, status: m.status })),
        training: {
          sessions: s.training_sessions,
          trained_users: s.trained_users,
          certifications: Object.fromEntries(certs.map((c) => [c.status, c._count._all])),
        },
      };
    }

    // Next expected step, from the first rule with data behind it.
    let next: { step: string; due_date: string | null; overdue: boolean; basis: string; tool: string | null } | null = null;
    const open = plan?.status === "active" ? plan.milestones.find((m) => isOpen(m.status)) : undefined;
    if (open) {
      const overdue = open.due_date < today;
      next = { step: `complete onboarding milestone ${open.name}`, due_date: toIsoDate(open.due_date), overdue, basis: `next open milestone (sequence ${open.sequence}) of active plan ${plan!.id}${overdue ? `, ${daysBetween(open.due_date, today)} days overdue` : ""}`, tool: "track_onboarding_progress" };
    } else if (account.lifecycle_stage === "onboarding" && (!plan || plan.status !== "active")) {
      next = { step: "create an onboarding plan", due_date: null, overdue: false, basis: `the account is in onboarding with ${plan ? `only a ${plan.status} plan (${plan.id})` : "no onboarding plan"}`, tool: "create_onboarding_plan" };
    } else {
      const ttv = adopt.find((m) => ["first_value", "activation", "full_value"].includes(m.name) && m.reached_at === null);
      if (ttv) {
        const due = addDays(utcDay(account.created_at), ttv.target_days);
        next = { step: `reach ${ttv.name}`, due_date: toIsoDate(due), overdue: ttv.status === "overdue", basis: `${ttv.name} is not reached in the stored usage events; target ${ttv.target_days} days from the account's creation`, tool: "optimize_time_to_value" };
      } else if (s.renewal_date) {
        next = { step: "renewal", due_date: toIsoDate(s.renewal_date), overdue: false, basis: "the earliest upcoming renewal date of an active contract", tool: null };
      }
    }

    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (!transitions.length) missing.push({ what: "no lifecycle transitions are stored; the journey has a single stage from the account's creation", how_to_supply: "move the account between stages with manage_lifecycle_stages" });
    if (input.include_touchpoints && events.total === 0) missing.push({ what: "the account has no dated events (tickets, surveys, emails, sessions…)", how_to_supply: "record interactions with the support, communication and onboarding tools, or import tickets/NPS" });
    if (input.journey_stage && !selected.length) missing.push({ what: `the account was never in stage ${input.journey_stage}`, how_to_supply: "omit journey_stage to see every stage" });
    if (truncatedRead) missing.push({ what: `the account has ${events.total} timeline events; touchpoints and their categories come from the newest ${events.rows.length} (per-stage counts are complete)`, how_to_supply: "use get_client_timeline with start_date/end_date for older events" });
    if (!next) missing.push({ what: "no next step can be derived: no open plan milestone, no unreached time-to-value milestone, no upcoming renewal", how_to_supply: "create an onboarding plan or add a contract with a renewal date" });

    return {
      client_id: account.id,
      company_name: account.company_name,
      as_of: now.toISOString(),
      current_stage: { stage: account.lifecycle_stage, entered_at: last.stage === account.lifecycle_stage ? last.entered_at.toISOString() : null, days_in_stage: last.stage === account.lifecycle_stage ? last.days_in_stage : null },
      journey_stage_filter: input.journey_stage ?? null,
      stages,
      touchpoints: input.include_touchpoints ? touchpoints : null,
      touchpoints_total: input.include_touchpoints ? scoped.length : null,
      touchpoints_by_category: input.include_touchpoints ? byCategory : null,
      milestones,
      health: { latest_score: s.last_health_score, calculated_at: toIso(s.last_health_at), trend: s.health_trend, open_tickets: s.open_tickets },
      next_expected_step: next,
      missing_data: missing,
    };
  }
}
