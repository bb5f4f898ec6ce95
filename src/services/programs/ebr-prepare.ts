// prepare_ebr: the executive business review assembled from stored rows of one account over a period.
// Every section says whether its data is available, partial or missing; a missing section carries nulls
// (never zeros standing in for data) and says what to supply and how.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { ExecutiveReviewRepository } from "../../repositories/programs-ebr.ts";
import { SatisfactionRepository } from "../../repositories/satisfaction.ts";
import { surveyScore } from "../retention/satisfaction.ts";
import { USAGE_IMPORT_HINT } from "../health/usage.ts";
import { toIso, toIsoDate, toMoney } from "../../security/validation.ts";
import { asCustomerText, type CustomerText } from "../../tools/shared/customer-text.ts";
import { percent, round1 } from "./fields.ts";

export type SectionStatus = "available" | "partial" | "missing";
export interface Missing {
  what: string;
  how_to_supply: string;
}
interface Section {
  status: SectionStatus;
  missing: Missing[];
}

export const NPS_FORMULA = "NPS = % promoters (9–10) − % detractors (0–6), from −100 to +100";
export const SLA_RULE = "a ticket opened in the period breached its SLA when its first response or resolution came after the due time, or is still missing past it at the end of the period";
export const CSAT_RULE = "CSAT % = ticket ratings of 4–5 ÷ all ratings of the tickets resolved in the period × 100";
const TOP_FEATURES = 5;
const VERBATIMS = 10;

export interface ReviewPeriod {
  start: Date;
  end: Date;
  basis: string;
}

const status = (missing: number, total: number): SectionStatus => (missing === 0 ? "available" : missing >= total ? "missing" : "partial");
const change = (cur: number, prev: number) => (prev > 0 ? round1(((cur - prev) / prev) * 100) : null);

export class ReviewAssembler {
  private readonly repo: ExecutiveReviewRepository;
  private readonly surveys: SatisfactionRepository;

  constructor(
    prisma: PrismaClient,
    private readonly config: Config,
  ) {
    this.repo = new ExecutiveReviewRepository(prisma);
    this.surveys = new SatisfactionRepository(prisma);
  }

  async assemble(account: { id: string; company_name: string; tier: string; arr: { toString(): string }; currency: string }, period: ReviewPeriod, reviewId: string, now: Date) {
    const { start, end } = period;
    const prevStart = new Date(start.getTime() - (end.getTime() - start.getTime()));
    const [health, usage, support, nps, outcomes, renewal, expansion] = await Promise.all([
      this.health(account.id, start, end),
      this.usage(account.id, prevStart, start, end),
      this.support(account.id, start, end),
      this.nps(account.id, prevStart, start, end),
      this.outcomes(account.id, start, end, reviewId),
      this.renewal(account, end),
      this.expansion(account.id),
    ]);
    const sections = { health, usage, support, nps, outcomes, renewal, expansion };
    const missingSections = Object.entries(sections).filter(([, s]) => s.status === "missing").map(([k]) => k);
    return {
      account: { client_id: account.id, company_name: account.company_name, tier: account.tier, arr: toMoney(account.arr), currency: account.currency },
      period: { start: start.toISOString(), end: end.toISOString(), days: round1((end.getTime() - start.getTime()) / 86_400_000), basis: period.basis, previous_period_start: prevStart.toISOString() },
      prepared_at: now.toISOString(),
      ...sections,
      summary: {
        sections_available: Object.values(sections).filter((s) => s.status === "available").length,
        sections_partial: Object.values(sections).filter((s) => s.status === "partial").length,
        sections_missing: missingSections,
      },
    };
  }

  private async health(accountId: string, start: Date, end: Date) {
    const [sum, series, latest] = await Promise.all([this.repo.healthSummary(accountId, start, end), this.repo.healthSeries(accountId, start, end, 50), this.repo.latestHealth(accountId, end)]);
    const missing: Missing[] = [];
    const howScore = "run calculate_health_score for the account (each call stores a score in the history)";
    if (!latest) missing.push({ what: "no health score is stored for the account", how_to_supply: howScore });
    else if (sum.n === 0) missing.push({ what: `no health score was calculated in the period (latest ${latest.calculated_at.toISOString().slice(0, 10)})`, how_to_supply: howScore });
    else if (sum.n === 1) missing.push({ what: "only one health score in the period: no trend over the period", how_to_supply: howScore });
    const delta = this.config.HEALTH_TREND_DELTA;
    const diff = sum.n >= 2 ? sum.end_score! - sum.start_score! : null;
    return {
      status: (!latest ? "missing" : sum.n >= 2 ? "available" : "partial") as SectionStatus,
      missing,
      scores_in_period: sum.n,
      start_score: sum.n ? sum.start_score : null,
      end_score: sum.n ? sum.end_score : null,
      min_score: sum.n ? sum.min_score : null,
      max_score: sum.n ? sum.max_score : null,
      change: diff,
      trend: (diff === null ? null : diff > delta ? "up" : diff < -delta ? "down" : "stable") as HealthSection["trend"],
      trend_rule: `up when the last score of the period is more than ${delta} points above the first (HEALTH_TREND_DELTA), down when more than ${delta} below, otherwise stable`,
      current: latest
        ? {
            overall_score: latest.overall_score,
            band: latest.band,
            trend: latest.trend,
            calculated_at: latest.calculated_at.toISOString(),
            components: { usage: latest.usage_score, engagement: latest.engagement_score, support: latest.support_score, satisfaction: latest.satisfaction_score, payment: latest.payment_score },
            missing_components: latest.missing_components,
          }
        : null,
      series: series.map((s) => ({ calculated_at: s.calculated_at.toISOString(), overall_score: s.overall_score, band: s.band })),
    } satisfies HealthSection;
  }

  private async usage(accountId: string, prevStart: Date, start: Date, end: Date) {
    const [u, features] = await Promise.all([this.repo.usage(accountId, prevStart, start, end), this.repo.topFeatures(accountId, start, end, TOP_FEATURES)]);
    const missing: Missing[] = [];
    if (u.cur_events === 0) {
      missing.push({ what: u.last_event_at ? `no usage events in the period (the latest stored event is from ${u.last_event_at.toISOString().slice(0, 10)})` : "no usage events are stored for the account", how_to_supply: USAGE_IMPORT_HINT });
      return { status: "missing" as SectionStatus, missing, active_users: null, logins: null, sessions: null, events: null, active_days: null, top_features: [], previous_period: null, change_percent: null, last_event_at: toIso(u.last_event_at) } satisfies UsageSection;
    }
    if (u.prev_events === 0) missing.push({ what: "no usage events in the previous period of the same length: no change to compare", how_to_supply: USAGE_IMPORT_HINT });
    if (!features.length) missing.push({ what: "the period's usage events carry no feature: no top features", how_to_supply: `${USAGE_IMPORT_HINT} with the feature column filled` });
    const prev = u.prev_events > 0 ? { active_users: u.prev_users, logins: u.prev_logins, sessions: u.prev_sessions, events: u.prev_events } : null;
    return {
      status: (missing.length ? "partial" : "available") as SectionStatus,
      missing,
      active_users: u.cur_users,
      logins: u.cur_logins,
      sessions: u.cur_sessions,
      events: u.cur_events,
      active_days: u.cur_days,
      top_features: features.map((f) => ({ feature: f.feature, events: Number(f.events), users: Number(f.users) })),
      previous_period: prev,
      change_percent: prev ? { active_users: change(u.cur_users, u.prev_users), logins: change(u.cur_logins, u.prev_logins), events: change(u.cur_events, u.prev_events) } : null,
      last_event_at: toIso(u.last_event_at),
    } satisfies UsageSection;
  }

  private async support(accountId: string, start: Date, end: Date) {
    const [s, escalations] = await Promise.all([this.repo.support(accountId, start, end), this.repo.openEscalations(accountId, end)]);
    const missing: Missing[] = [];
    if (s.ever === 0 && s.escalations_ever === 0) {
      missing.push({ what: "no support tickets or escalations are stored for the account (none raised, or not imported)", how_to_supply: "import tickets with `cs-mcp import tickets <file>` or sync them from Zendesk with handle_support_ticket" });
      return { status: "missing" as SectionStatus, missing, tickets_opened: null, tickets_resolved: null, opened_by_priority: null, open_tickets_now: null, sla: null, csat: null, escalations_opened: null, open_escalations: [] } satisfies SupportSection;
    }
    if (s.csat_n === 0) missing.push({ what: "no satisfaction ratings on the tickets resolved in the period: no CSAT", how_to_supply: "import tickets with their satisfaction_rating (1–5)" });
    return {
      status: (missing.length ? "partial" : "available") as SectionStatus,
      missing,
      tickets_opened: s.opened,
      tickets_resolved: s.resolved,
      opened_by_priority: { P1: s.p1, P2: s.p2, P3: s.p3, P4: s.p4 },
      open_tickets_now: s.open_now,
      sla: { breaches: s.breaches, first_response_breaches: s.first_response_breaches, resolution_breaches: s.resolution_breaches, breach_rate_percent: percent(s.breaches, s.opened), rule: SLA_RULE },
      csat: s.csat_n > 0 ? { ratings: s.csat_n, satisfied: s.csat_satisfied, csat_percent: percent(s.csat_satisfied, s.csat_n)!, rule: CSAT_RULE } : null,
      escalations_opened: s.escalations_opened,
      open_escalations: escalations.map((e) => ({ escalation_id: e.id, severity: e.severity, status: e.status, reason: e.reason, created_at: e.created_at.toISOString() })),
    } satisfies SupportSection;
  }

  private async nps(accountId: string, prevStart: Date, start: Date, end: Date) {
    const [{ current, previous }, verbatims] = await Promise.all([this.surveys.aggregates("nps", accountId, prevStart, start, end), this.repo.npsVerbatims(accountId, start, end, VERBATIMS)]);
    const missing: Missing[] = [];
    const how = "record NPS answers with `cs-mcp import nps <file>` or collect_feedback";
    if (current.n === 0) {
      missing.push({ what: "no NPS answers in the period", how_to_supply: how });
      return { status: "missing" as SectionStatus, missing, formula: NPS_FORMULA, score: null, responses: 0, promoters: null, passives: null, detractors: null, previous_period: null, change: null, verbatims: [] } satisfies NpsSection;
    }
    if (previous.n === 0) missing.push({ what: "no NPS answers in the previous period of the same length: no change to compare", how_to_supply: how });
    const score = surveyScore("nps", current)!;
    const prevScore = surveyScore("nps", previous);
    return {
      status: (missing.length ? "partial" : "available") as SectionStatus,
      missing,
      formula: NPS_FORMULA,
      score,
      responses: current.n,
      promoters: current.high,
      passives: current.n - current.high - current.low,
      detractors: current.low,
      previous_period: prevScore === null ? null : { score: prevScore, responses: previous.n },
      change: prevScore === null ? null : round1(score - prevScore),
      verbatims: verbatims.map((v) => ({
        score: v.score,
        category: v.score >= 9 ? "promoter" : v.score >= 7 ? "passive" : "detractor",
        responded_at: v.responded_at.toISOString(),
        comment: asCustomerText(v.reason!, `NPS answer ${v.id} (${v.score}) from ${v.respondent_email}`),
      })),
    } satisfies NpsSection;
  }

  private async outcomes(accountId: string, start: Date, end: Date, reviewId: string) {
    const [totals, milestones, plan, certs, training, previous] = await Promise.all([
      this.repo.milestoneTotals(accountId, start, end),
      this.repo.milestonesCompleted(accountId, start, end, 50),
      this.repo.latestPlan(accountId),
      this.repo.certificationsIssued(accountId, start, end),
      this.repo.trainingCompleted(accountId, start, end),
      this.repo.previousCompleted(accountId, end, reviewId),
    ]);
    const missing: Missing[] = [];
    if (!plan) missing.push({ what: "no onboarding plan: no milestones or success criteria", how_to_supply: "create one with create_onboarding_plan (success_criteria, milestones)" });
    else if (!plan.success_criteria.length) missing.push({ what: "the onboarding plan has no success criteria", how_to_supply: "set success_criteria on the onboarding plan" });
    if (!previous) missing.push({ what: "no earlier completed EBR: no previous outcomes or action items to review", how_to_supply: "complete this review with complete_ebr so the next one can report on it" });
    const prevOutcomes = (previous?.outcomes ?? null) as StoredOutcomes | null;
    const pieces = 3; // plan/milestones, previous EBR, training and certification activity
    const absent = (plan ? 0 : 1) + (previous ? 0 : 1) + (certs.length || training ? 0 : 1);
    if (!certs.length && !training) missing.push({ what: "no training completions or certifications in the period", how_to_supply: "record them with deliver_training_session and manage_certification_program" });
    return {
      status: status(absent, pieces),
      missing,
      milestones_completed_in_period: milestones.map((m) => ({ milestone_id: m.id, name: m.name, plan_id: m.plan_id, due_date: toIsoDate(m.due_date)!, completed_at: m.completed_at!.toISOString(), on_time: m.completed_at!.getTime() < m.due_date.getTime() + 86_400_000 })),
      milestones_overall: totals.total > 0 ? { completed: totals.completed, total: totals.total, percent: percent(totals.completed, totals.total)! } : null,
      onboarding_plan: plan
        ? { plan_id: plan.id, status: plan.status, customer_goals: plan.customer_goals, success_criteria: plan.success_criteria, start_date: toIsoDate(plan.start_date)!, target_date: toIsoDate(plan.target_date)!, completed_at: toIso(plan.completed_at) }
        : null,
      certifications_in_period: certs.map((c) => ({ user_email: c.user_email, level: c.level, issued_at: c.issued_at!.toISOString() })),
      training_completions_in_period: training,
      previous_ebr: previous
        ? {
            ebr_id: previous.id,
            completed_at: previous.completed_at!.toISOString(),
            sentiment: prevOutcomes?.sentiment ?? null,
            decisions: prevOutcomes?.decisions ?? [],
            action_items: (prevOutcomes?.action_items ?? []).map((a) => ({ ...a, past_due: a.due_date ? a.due_date < end.toISOString().slice(0, 10) : false })),
          }
        : null,
    } satisfies OutcomesSection;
  }

  private async renewal(account: { id: string; arr: { toString(): string } }, end: Date) {
    const [contract, forecast, prediction] = await Promise.all([this.repo.currentContract(account.id, end), this.repo.latestForecast(account.id, end), this.repo.latestChurnPrediction(account.id, end)]);
    const missing: Missing[] = [];
    if (!contract) missing.push({ what: "no contract is stored: no renewal date", how_to_supply: "record the contract with update_client_info (contract_value, renewal_date) or `cs-mcp import accounts`" });
    else if (!contract.renewal_date && !contract.end_date) missing.push({ what: "the contract has no renewal or end date", how_to_supply: "set renewal_date with update_client_info" });
    if (!forecast) missing.push({ what: "no renewal forecast is stored", how_to_supply: "run forecast_renewals" });
    if (!prediction) missing.push({ what: "no churn prediction is stored", how_to_supply: "run identify_churn_risk" });
    const renewalDate = contract ? (contract.renewal_date ?? contract.end_date) : null;
    const endDay = Date.parse(end.toISOString().slice(0, 10));
    return {
      status: status((contract ? 0 : 1) + (forecast ? 0 : 1) + (prediction ? 0 : 1), 3),
      missing,
      arr: toMoney(account.arr),
      contract: contract
        ? {
            contract_id: contract.id,
            status: contract.status,
            contract_value: toMoney(contract.contract_value),
            currency: contract.currency,
            billing_frequency: contract.billing_frequency,
            start_date: toIsoDate(contract.start_date),
            end_date: toIsoDate(contract.end_date),
            renewal_date: toIsoDate(renewalDate),
            days_to_renewal: renewalDate ? Math.round((renewalDate.getTime() - endDay) / 86_400_000) : null,
            auto_renew: contract.auto_renew,
            notice_period_days: contract.notice_period_days,
            payment_status: contract.payment_status,
          }
        : null,
      forecast: forecast ? { renewal_date: toIsoDate(forecast.renewal_date)!, probability: Number(forecast.probability.toString()), forecast_arr: toMoney(forecast.forecast_arr), risk_level: forecast.risk_level, forecast_at: forecast.forecast_at.toISOString() } : null,
      churn_prediction: prediction ? { probability: Number(prediction.probability.toString()), risk_level: prediction.risk_level, model_version: prediction.model_version, predicted_at: prediction.predicted_at.toISOString() } : null,
    } satisfies RenewalSection;
  }

  private async expansion(accountId: string) {
    const o = await this.repo.openOpportunities(accountId);
    const missing: Missing[] = [];
    if (o.ever === 0) missing.push({ what: "no expansion opportunities were ever identified for the account", how_to_supply: "run identify_expansion_opportunities (or identify_upsell_opportunities / identify_crosssell_opportunities)" });
    return {
      status: (o.ever === 0 ? "missing" : "available") as SectionStatus,
      missing,
      open_opportunities: o.rows.map((r) => ({ opportunity_id: r.id, type: r.type, product: r.product, score: Number(r.score), estimated_value: toMoney(r.estimated_value), rationale: r.rationale, created_at: r.created_at.toISOString() })),
      open_count: o.ever === 0 ? null : o.total,
      open_value: o.ever === 0 ? null : toMoney(o.total_value),
    } satisfies ExpansionSection;
  }
}

export interface StoredOutcomes {
  sentiment: string;
  decisions: string[];
  action_items: Array<{ description: string; owner: string; due_date: string | null; status?: string }>;
  notes?: string | null;
  next_review_date?: string | null;
}

export interface HealthSection extends Section {
  scores_in_period: number;
  start_score: number | null;
  end_score: number | null;
  min_score: number | null;
  max_score: number | null;
  change: number | null;
  trend: "up" | "down" | "stable" | null;
  trend_rule: string;
  current: { overall_score: number; band: string; trend: string; calculated_at: string; components: Record<"usage" | "engagement" | "support" | "satisfaction" | "payment", number | null>; missing_components: string[] } | null;
  series: Array<{ calculated_at: string; overall_score: number; band: string }>;
}
export interface UsageSection extends Section {
  active_users: number | null;
  logins: number | null;
  sessions: number | null;
  events: number | null;
  active_days: number | null;
  top_features: Array<{ feature: string; events: number; users: number }>;
  previous_period: { active_users: number; logins: number; sessions: number; events: number } | null;
  change_percent: { active_users: number | null; logins: number | null; events: number | null } | null;
  last_event_at: string | null;
}
export interface SupportSection extends Section {
  tickets_opened: number | null;
  tickets_resolved: number | null;
  opened_by_priority: Record<"P1" | "P2" | "P3" | "P4", number> | null;
  open_tickets_now: number | null;
  sla: { breaches: number; first_response_breaches: number; resolution_breaches: number; breach_rate_percent: number | null; rule: string } | null;
  csat: { ratings: number; satisfied: number; csat_percent: number; rule: string } | null;
  escalations_opened: number | null;
  open_escalations: Array<{ escalation_id: string; severity: string; status: string; reason: string; created_at: string }>;
}
export interface NpsSection extends Section {
  formula: string;
  score: number | null;
  responses: number;
  promoters: number | null;
  passives: number | null;
  detractors: number | null;
  previous_period: { score: number; responses: number } | null;
  change: number | null;
  verbatims: Array<{ score: number; category: string; responded_at: string; comment: CustomerText }>;
}
export interface OutcomesSection extends Section {
  milestones_completed_in_period: Array<{ milestone_id: string; name: string; plan_id: string; due_date: string; completed_at: string; on_time: boolean }>;
  milestones_overall: { completed: number; total: number; percent: number } | null;
  onboarding_plan: { plan_id: string; status: string; customer_goals: string[]; success_criteria: string[]; start_date: string; target_date: string; completed_at: string | null } | null;
  certifications_in_period: Array<{ user_email: string; level: string; issued_at: string }>;
  training_completions_in_period: number;
  previous_ebr: { ebr_id: string; completed_at: string; sentiment: string | null; decisions: string[]; action_items: Array<{ description: string; owner: string; due_date: string | null; status?: string; past_due: boolean }> } | null;
}
export interface RenewalSection extends Section {
  arr: number;
  contract: { contract_id: string; status: string; contract_value: number; currency: string; billing_frequency: string; start_date: string | null; end_date: string | null; renewal_date: string | null; days_to_renewal: number | null; auto_renew: boolean; notice_period_days: number; payment_status: string } | null;
  forecast: { renewal_date: string; probability: number; forecast_arr: number; risk_level: string; forecast_at: string } | null;
  churn_prediction: { probability: number; risk_level: string; model_version: string; predicted_at: string } | null;
}
export interface ExpansionSection extends Section {
  open_opportunities: Array<{ opportunity_id: string; type: string; product: string; score: number; estimated_value: number; rationale: string; created_at: string }>;
  open_count: number | null;
  open_value: number | null;
}

export type PreparedReview = Awaited<ReturnType<ReviewAssembler["assemble"]>>;
