import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDate, isoDateOrDateTime, text, tier } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, customerText, fenceCustomerText } from "../shared/customer-text.ts";
import { EBR_ACTIONS, SENTIMENTS, type ExecutiveReviewService } from "../../services/programs/executive-reviews.ts";
import type { PreparedReview } from "../../services/programs/ebr-prepare.ts";

const enumOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });
const int = () => z.number().int();
const missing = z.array(z.object({ what: z.string(), how_to_supply: z.string() }));
const section = { status: z.enum(["available", "partial", "missing"]), missing };

/** The prepared review as stored in prepared_data: every section says what is available and what is missing. */
export const preparedReview = z.object({
  account: z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), currency: z.string() }),
  period: z.object({ start: z.string(), end: z.string(), days: z.number(), basis: z.string(), previous_period_start: z.string() }),
  prepared_at: z.string(),
  health: z.object({
    ...section,
    scores_in_period: int(),
    start_score: int().nullable(),
    end_score: int().nullable(),
    min_score: int().nullable(),
    max_score: int().nullable(),
    change: int().nullable(),
    trend: z.enum(["up", "down", "stable"]).nullable(),
    trend_rule: z.string(),
    current: z.object({
      overall_score: int(),
      band: z.string(),
      trend: z.string(),
      calculated_at: z.string(),
      components: z.object({ usage: int().nullable(), engagement: int().nullable(), support: int().nullable(), satisfaction: int().nullable(), payment: int().nullable() }),
      missing_components: z.array(z.string()),
    }).nullable(),
    series: z.array(z.object({ calculated_at: z.string(), overall_score: int(), band: z.string() })),
  }),
  usage: z.object({
    ...section,
    active_users: int().nullable(),
    logins: int().nullable(),
    sessions: int().nullable(),
    events: int().nullable(),
    active_days: int().nullable(),
    top_features: z.array(z.object({ feature: z.string(), events: int(), users: int() })),
    previous_period: z.object({ active_users: int(), logins: int(), sessions: int(), events: int() }).nullable(),
    change_percent: z.object({ active_users: z.number().nullable(), logins: z.number().nullable(), events: z.number().nullable() }).nullable(),
    last_event_at: z.string().nullable(),
  }),
  support: z.object({
    ...section,
    tickets_opened: int().nullable(),
    tickets_resolved: int().nullable(),
    opened_by_priority: z.object({ P1: int(), P2: int(), P3: int(), P4: int() }).nullable(),
    open_tickets_now: int().nullable(),
    sla: z.object({ breaches: int(), first_response_breaches: int(), resolution_breaches: int(), breach_rate_percent: z.number().nullable(), rule: z.string() }).nullable(),
    csat: z.object({ ratings: int(), satisfied: int(), csat_percent: z.number(), rule: z.string() }).nullable(),
    escalations_opened: int().nullable(),
    open_escalations: z.array(z.object({ escalation_id: z.string(), severity: z.string(), status: z.string(), reason: z.string(), created_at: z.string() })),
  }),
  nps: z.object({
    ...section,
    formula: z.string(),
    score: z.number().nullable(),
    responses: int(),
    promoters: int().nullable(),
    passives: int().nullable(),
    detractors: int().nullable(),
    previous_period: z.object({ score: z.number(), responses: int() }).nullable(),
    change: z.number().nullable(),
    verbatims: z.array(z.object({ score: int(), category: z.string(), responded_at: z.string(), comment: customerText })),
  }),
  outcomes: z.object({
    ...section,
    milestones_completed_in_period: z.array(z.object({ milestone_id: z.string(), name: z.string(), plan_id: z.string(), due_date: z.string(), completed_at: z.string(), on_time: z.boolean() })),
    milestones_overall: z.object({ completed: int(), total: int(), percent: z.number() }).nullable(),
    onboarding_plan: z.object({ plan_id: z.string(), status: z.string(), customer_goals: z.array(z.string()), success_criteria: z.array(z.string()), start_date: z.string(), target_date: z.string(), completed_at: z.string().nullable() }).nullable(),
    certifications_in_period: z.array(z.object({ user_email: z.string(), level: z.string(), issued_at: z.string() })),
    training_completions_in_period: int(),
    previous_ebr: z.object({
      ebr_id: z.string(),
      completed_at: z.string(),
      sentiment: z.string().nullable(),
      decisions: z.array(z.string()),
      action_items: z.array(z.object({ description: z.string(), owner: z.string(), due_date: z.string().nullable(), status: z.string().optional(), past_due: z.boolean() })),
    }).nullable(),
  }),
  renewal: z.object({
    ...section,
    arr: z.number(),
    contract: z.object({
      contract_id: z.string(),
      status: z.string(),
      contract_value: z.number(),
      currency: z.string(),
      billing_frequency: z.string(),
      start_date: z.string().nullable(),
      end_date: z.string().nullable(),
      renewal_date: z.string().nullable(),
      days_to_renewal: int().nullable(),
      auto_renew: z.boolean(),
      notice_period_days: int(),
      payment_status: z.string(),
    }).nullable(),
    forecast: z.object({ renewal_date: z.string(), probability: z.number(), forecast_arr: z.number(), risk_level: z.string(), forecast_at: z.string() }).nullable(),
    churn_prediction: z.object({ probability: z.number(), risk_level: z.string(), model_version: z.string(), predicted_at: z.string() }).nullable(),
  }),
  expansion: z.object({
    ...section,
    open_opportunities: z.array(z.object({ opportunity_id: z.string(), type: z.string(), product: z.string(), score: z.number(), estimated_value: z.number(), rationale: z.string(), created_at: z.string() })),
    open_count: int().nullable(),
    open_value: z.number().nullable(),
  }),
  summary: z.object({ sections_available: int(), sections_partial: int(), sections_missing: z.array(z.string()) }),
});

const reviewView = z.object({
  ebr_id: z.string(),
  client_id: z.string(),
  company_name: z.string(),
  tier: z.string(),
  title: z.string().nullable(),
  status: z.string(),
  scheduled_at: z.string(),
  attendees: z.array(z.string()),
  agenda: z.array(z.string()),
  period_start: z.string().nullable(),
  period_end: z.string().nullable(),
  prepared_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  cancelled_at: z.string().nullable(),
  cancel_reason: z.string().nullable(),
  outcomes: z.object({
    sentiment: z.string(),
    decisions: z.array(z.string()),
    action_items: z.array(z.object({ description: z.string(), owner: z.string(), due_date: z.string().nullable(), status: z.string() })),
    notes: z.string().nullable(),
    next_review_date: z.string().nullable(),
  }).nullable(),
  created_at: z.string(),
});

export const conductExecutiveReview = defineTool({
  name: "conduct_executive_review",
  toolset: "communication",
  title: "Conduct executive business reviews",
  description:
    `Executive business reviews: schedule_ebr, get_ebr_details, prepare_ebr (stores health, usage, support, NPS, outcomes, renewal and expansion for the period; gaps say how to fill them), complete_ebr, cancel_ebr, list_upcoming_ebrs (with accounts lacking a review). ${CUSTOMER_TEXT_NOTE} Example: {action: 'prepare_ebr', ebr_id: '0197…'}.`,
  input: z.strictObject({
    action: enumOf(EBR_ACTIONS),
    ebr_id: z.uuid({ error: "must be an ebr_id (a UUID) from schedule_ebr or list_upcoming_ebrs" }).optional().describe("The review"),
    client_id: clientId().optional().describe("schedule_ebr; list filter"),
    scheduled_at: isoDateOrDateTime().optional().describe("schedule_ebr"),
    title: text(200).optional().describe("schedule_ebr"),
    attendees: z.array(text(200)).max(50, "must list at most 50 attendees").optional().describe("Names or emails"),
    agenda: z.array(text(500)).max(30, "must list at most 30 agenda items").optional().describe("schedule_ebr"),
    period_start: isoDateOrDateTime().optional().describe("Default: since last review"),
    period_end: isoDateOrDateTime().optional().describe("Default now"),
    sentiment: enumOf(SENTIMENTS).optional().describe("complete_ebr"),
    decisions: z.array(text(1000)).max(50, "must list at most 50 decisions").optional().describe("complete_ebr"),
    action_items: z
      .array(z.strictObject({
        description: text(1000),
        owner: text(200),
        due_date: isoDate().optional(),
      }))
      .max(50, "must list at most 50 action items")
      .optional()
      .describe("complete_ebr"),
    notes: text(10_000).optional().describe("complete_ebr"),
    next_review_date: isoDate().optional().describe("complete_ebr"),
    reason: text(1000).optional().describe("cancel_ebr"),
    early_completion_reason: text(1000).optional().describe("Needed to complete before the scheduled time"),
    days_ahead: z.number().int().min(1).max(365).optional().describe("Default 30"),
    gap_days: z.number().int().min(1).max(3650).optional().describe("Gap: no review in this many days"),
    gap_tiers: z.array(tier()).min(1).max(4).optional().describe("Default enterprise"),
    limit: z.number().int().min(1).max(40).default(25),
  }),
  output: z.object({
    action: enumOf(EBR_ACTIONS),
    review: reviewView.optional(),
    prepared_data: preparedReview.nullable().optional(),
    warnings: z.array(z.string()).optional(),
    window: z.object({ from: z.string(), to: z.string(), days_ahead: int() }).optional(),
    upcoming: z.array(z.object({ ebr_id: z.string(), client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), title: z.string().nullable(), status: z.string(), scheduled_at: z.string(), days_until: int(), prepared: z.boolean(), attendees: z.array(z.string()) })).optional(),
    overdue: z.array(z.object({ ebr_id: z.string(), client_id: z.string(), company_name: z.string(), status: z.string(), scheduled_at: z.string(), days_overdue: int() })).optional(),
    gaps: z.object({
      rule: z.string(),
      tiers: z.array(z.string()),
      gap_days: int(),
      total: int(),
      accounts: z.array(z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), csm_name: z.string().nullable(), last_review_completed_at: z.string().nullable(), days_since_last_review: int().nullable(), next_scheduled_ebr_id: z.string().nullable(), next_scheduled_at: z.string().nullable() })),
      note: z.string().optional(),
    }).optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.executiveReviews.handle(args);
    return { data, text: render(data) };
  },
});

function renderPrepared(p: PreparedReview): string {
  const lines = [`Period ${p.period.start.slice(0, 10)} → ${p.period.end.slice(0, 10)} (${p.period.basis}).`];
  const flag = (name: string, s: { status: string; missing: Array<{ what: string }> }) => (s.status === "available" ? "" : ` [${s.status}: ${s.missing.map((m) => m.what).join("; ")}]`);
  lines.push(`Health: ${p.health.current ? `${p.health.current.overall_score} (${p.health.current.band})` : "no score"}${p.health.trend ? `, ${p.health.start_score} → ${p.health.end_score} (${p.health.trend})` : ""}${flag("health", p.health)}`);
  lines.push(`Usage: ${p.usage.active_users ?? "–"} active users, ${p.usage.logins ?? "–"} logins${p.usage.change_percent?.active_users != null ? ` (${p.usage.change_percent.active_users}% users vs previous)` : ""}${flag("usage", p.usage)}`);
  lines.push(`Support: ${p.support.tickets_opened ?? "–"} opened, ${p.support.tickets_resolved ?? "–"} resolved, ${p.support.sla?.breaches ?? "–"} SLA breaches, CSAT ${p.support.csat?.csat_percent ?? "–"}%, ${p.support.open_escalations.length} open escalations${flag("support", p.support)}`);
  lines.push(`NPS: ${p.nps.score ?? "–"} from ${p.nps.responses} answers${flag("nps", p.nps)}`);
  lines.push(`Outcomes: ${p.outcomes.milestones_completed_in_period.length} milestones completed in the period, ${p.outcomes.certifications_in_period.length} certifications${flag("outcomes", p.outcomes)}`);
  lines.push(`Renewal: ${p.renewal.contract?.renewal_date ?? "no date"}, ARR ${p.renewal.arr}${p.renewal.forecast ? `, forecast ${Math.round(p.renewal.forecast.probability * 100)}%` : ""}${p.renewal.churn_prediction ? `, churn risk ${p.renewal.churn_prediction.risk_level}` : ""}${flag("renewal", p.renewal)}`);
  lines.push(`Expansion: ${p.expansion.open_count ?? "–"} open opportunities worth ${p.expansion.open_value ?? "–"}${flag("expansion", p.expansion)}`);
  for (const v of p.nps.verbatims) lines.push(fenceCustomerText(v.comment.customer_text, v.comment.source));
  return lines.join("\n");
}

function render(d: Awaited<ReturnType<ExecutiveReviewService["handle"]>>): string {
  switch (d.action) {
    case "schedule_ebr":
      return `Scheduled executive review ${d.review.ebr_id} for ${d.review.company_name} (${d.review.client_id}) on ${d.review.scheduled_at}. Next: prepare_ebr with this ebr_id.`;
    case "get_ebr_details":
      return `Executive review ${d.review.ebr_id} for ${d.review.company_name}: ${d.review.status}, ${d.review.scheduled_at}.${d.review.outcomes ? ` Outcome: ${d.review.outcomes.sentiment}, ${d.review.outcomes.decisions.length} decisions, ${d.review.outcomes.action_items.length} action items.` : ""}${d.prepared_data ? `\n${renderPrepared(d.prepared_data)}` : " Not prepared yet."}`;
    case "prepare_ebr":
      return `Prepared executive review ${d.review.ebr_id} for ${d.review.company_name}.\n${renderPrepared(d.prepared_data)}`;
    case "complete_ebr":
      return `Completed executive review ${d.review.ebr_id}: ${d.review.outcomes!.sentiment}, ${d.review.outcomes!.decisions.length} decisions, ${d.review.outcomes!.action_items.length} action items.${d.warnings.length ? ` ${d.warnings.join("; ")}.` : ""}`;
    case "cancel_ebr":
      return `Cancelled executive review ${d.review.ebr_id} (${d.review.cancel_reason}).`;
    case "list_upcoming_ebrs":
      return (
        `${d.upcoming.length} reviews in the next ${d.window.days_ahead} days${d.upcoming.length ? `: ${d.upcoming.map((u) => `${u.company_name} ${u.scheduled_at.slice(0, 10)} (${u.ebr_id}, ${u.status})`).join("; ")}` : ""}. ` +
        `${d.overdue.length} overdue. Gap list (${d.gaps.rule}): ${d.gaps.total} accounts${d.gaps.accounts.length ? `: ${d.gaps.accounts.slice(0, 10).map((g) => `${g.company_name} (${g.client_id}, last ${g.last_review_completed_at?.slice(0, 10) ?? "never"})`).join("; ")}` : ""}.`
      );
  }
}
