// Lifecycle stages: one account's stage with its history and suggested interventions, moves with the
// reason recorded (transition + account + timeline + audit in one transaction), and portfolio counts.
//
// Intervention rules (each suggestion names the rule and the stored figure that triggered it):
//   onboarding_overdue   stage onboarding for more than TTV_FULL_VALUE_DAYS days
//   health_at_risk       health score below HEALTH_AT_RISK_BELOW
//   health_unscored      no health score stored
//   no_recent_usage      no usage event in the last IDLE_DAYS days (or none ever)
//   renewal_not_healthy  a renewal within RENEWAL_WINDOW_DAYS days and health below HEALTH_HEALTHY_FROM (or unscored)
//   at_risk_stage        stage at_risk
//   expansion_ready      stage growth or maturity with health ≥ HEALTH_HEALTHY_FROM
import type { LifecycleStage, PrismaClient } from "../../generated/prisma/client.ts";
import { LifecycleRepository, type StageFacts } from "../../repositories/lifecycle.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { LIFECYCLE_STAGES } from "../../security/validation.ts";
import { lockAccount } from "../../repositories/accounts.ts";

export const IDLE_DAYS = 14;
export const RENEWAL_WINDOW_DAYS = 90;
const DAY = 86_400_000;

export interface LifecycleRules {
  onboardingDays: number;
  atRiskBelow: number;
  healthyFrom: number;
}

export interface Intervention {
  rule: string;
  action: string;
  figure: string;
}

export interface LifecycleInput {
  action?: "get" | "move" | "portfolio" | undefined;
  client_id?: string | undefined;
  current_stage?: LifecycleStage | undefined;
  new_stage?: LifecycleStage | undefined;
  reason?: string | undefined;
  include_transitions: boolean;
  intervention_planning: boolean;
  limit: number;
  offset: number;
}

const days = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY);

export class LifecycleService {
  private readonly repo: LifecycleRepository;
  constructor(
    private readonly prisma: PrismaClient,
    private readonly rules: LifecycleRules,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new LifecycleRepository(prisma);
  }

  private interventionsFor(f: StageFacts, now: Date): Intervention[] {
    const out: Intervention[] = [];
    const inStage = days(new Date(f.stage_since), now);
    if (f.lifecycle_stage === "onboarding" && inStage > this.rules.onboardingDays) {
      out.push({ rule: "onboarding_overdue", action: "review the onboarding plan with the customer and unblock open milestones (create_onboarding_plan / track_adoption_milestones)", figure: `${inStage} days in onboarding; target ${this.rules.onboardingDays}` });
    }
    if (f.health_score === null) out.push({ rule: "health_unscored", action: "calculate_health_score for this account; if it says insufficient_data, import usage events", figure: "no health rating stored (never scored, or insufficient data)" });
    else if (f.health_score < this.rules.atRiskBelow) out.push({ rule: "health_at_risk", action: "run a retention play: executive outreach and a success plan", figure: `health ${f.health_score} < ${this.rules.atRiskBelow}` });
    if (f.status === "active") {
      const idle = f.last_usage_at ? days(new Date(f.last_usage_at), now) : null;
      if (idle === null || idle > IDLE_DAYS) {
        out.push({ rule: "no_recent_usage", action: "re-engage users: check access, offer training, confirm the use case", figure: idle === null ? "no usage events stored" : `last usage ${idle} days ago` });
      }
    }
    if (f.renewal_date) {
      const toRenewal = days(now, new Date(`${f.renewal_date}T00:00:00Z`));
      if (toRenewal <= RENEWAL_WINDOW_DAYS && (f.health_score === null || f.health_score < this.rules.healthyFrom)) {
        out.push({ rule: "renewal_not_healthy", action: "start renewal preparation: value review and risk mitigation before the renewal date", figure: `renewal in ${toRenewal} days, health ${f.health_score ?? "unscored"}` });
      }
    }
    if (f.lifecycle_stage === "at_risk") out.push({ rule: "at_risk_stage", action: "identify_churn_risk and start a retention campaign", figure: "stage at_risk" });
    if ((f.lifecycle_stage === "growth" || f.lifecycle_stage === "maturity") && f.health_score !== null && f.health_score >= this.rules.healthyFrom) {
      out.push({ rule: "expansion_ready", action: "identify_upsell_opportunities; ask for a reference or case study", figure: `health ${f.health_score} ≥ ${this.rules.healthyFrom} in ${f.lifecycle_stage}` });
    }
    return out;
  }

  private view(f: StageFacts, now: Date, interventions: boolean) {
    return {
      client_id: f.account_id,
      company_name: f.company_name,
      lifecycle_stage: f.lifecycle_stage,
      status: f.status,
      stage_since: new Date(f.stage_since).toISOString(),
      days_in_stage: days(new Date(f.stage_since), now),
      arr: Math.round(f.arr * 100) / 100,
      health_score: f.health_score,
      last_usage_at: f.last_usage_at ? new Date(f.last_usage_at).toISOString() : null,
      renewal_date: f.renewal_date,
      interventions: interventions ? this.interventionsFor(f, now) : null,
    };
  }

  private transitionView(t: { id: string; account_id: string; from_stage: string | null; to_stage: string; reason: string; transitioned_at: Date }) {
    return { transition_id: t.id, client_id: t.account_id, from_stage: t.from_stage, to_stage: t.to_stage, reason: t.reason, transitioned_at: t.transitioned_at.toISOString() };
  }

  async run(input: LifecycleInput, progress?: (p: number, total: number, message: string) => Promise<void>) {
    const action = input.action ?? (input.new_stage ? "move" : input.client_id ? "get" : "portfolio");
    if (action === "move") {
      const missing = (["client_id", "new_stage", "reason"] as const).filter((k) => !input[k]);
      if (missing.length) throw validationError(`action 'move' needs ${missing.map((m) => `${m}: is required`).join("; ")}`, "give client_id, new_stage and reason");
      return this.move(input.client_id!, input.new_stage!, input.reason!, input.current_stage, input.intervention_planning);
    }
    if (input.new_stage || input.reason) throw validationError(`${input.new_stage ? "new_stage" : "reason"}: only used by action 'move'`);
    if (action === "get") {
      if (!input.client_id) throw validationError("client_id: is required for action 'get'");
      return this.get(input.client_id, input.current_stage, input.include_transitions, input.intervention_planning);
    }
    if (input.client_id) throw validationError("client_id: not used by action 'portfolio'; use action 'get' for one account");
    return this.portfolio(input, progress);
  }

  private async get(id: string, expected: string | undefined, includeTransitions: boolean, interventions: boolean) {
    const now = this.now();
    const [f] = await this.repo.facts(id, null, 1, 0, now);
    if (!f) throw notFound("client", id, "use list_clients to find the client_id");
    const transitions = includeTransitions ? (await this.repo.transitions(id, 50, null)).map((t) => this.transitionView(t)) : null;
    return {
      action: "get" as const,
      account: this.view(f, now, interventions),
      stage_matches_current_stage: expected ? expected === f.lifecycle_stage : null,
      transitions,
      moved: null,
      portfolio: null,
      rules: this.ruleText(),
    };
  }

  private async move(id: string, to: LifecycleStage, reason: string, expected: LifecycleStage | undefined, interventions: boolean) {
    const now = this.now();
    const moved = await this.prisma.$transaction(async (tx) => {
      await lockAccount(tx, id);
      const account = await tx.account.findUnique({ where: { id }, select: { id: true, lifecycle_stage: true, status: true } });
      if (!account) throw notFound("client", id, "use list_clients to find the client_id");
      if (expected && expected !== account.lifecycle_stage) {
        throw conflict(`current_stage: ${id} is in stage ${account.lifecycle_stage}, not ${expected}`, "read the stage with action 'get' and try again", { lifecycle_stage: account.lifecycle_stage });
      }
      if (account.lifecycle_stage === to) throw conflict(`${id} is already in stage ${to}`, "nothing was changed");
      const from = account.lifecycle_stage;
      const t = await tx.lifecycleTransition.create({ data: { account_id: id, from_stage: from, to_stage: to, reason, transitioned_at: now } });
      const newStatus = to === "churned" ? ("churned" as const) : from === "churned" ? ("active" as const) : account.status;
      const statusChange =
        to === "churned" ? { status: newStatus, churned_at: now, churn_reason: reason } : from === "churned" ? { status: newStatus, churned_at: null, churn_reason: null } : {};
      await tx.account.update({ where: { id }, data: { lifecycle_stage: to, ...statusChange } });
      await writeTimeline(tx, { account_id: id, event_type: "lifecycle_change", summary: `Lifecycle stage ${from} → ${to}`, data: { from, to, reason, transition_id: t.id }, occurred_at: now });
      await writeAudit(tx, {
        action: "manage_lifecycle_stages.move",
        entity_type: "account",
        entity_id: id,
        changes: { lifecycle_stage: { from, to }, reason, ...(newStatus !== account.status ? { status: { from: account.status, to: newStatus } } : {}) },
      });
      return { ...this.transitionView(t), status: newStatus as string };
    });
    const [f] = await this.repo.facts(id, null, 1, 0, now);
    return { action: "move" as const, account: this.view(f!, now, interventions), stage_matches_current_stage: null, transitions: null, moved, portfolio: null, rules: this.ruleText() };
  }

  private async portfolio(input: LifecycleInput, progress?: (p: number, total: number, message: string) => Promise<void>) {
    const now = this.now();
    const rows = await this.repo.perStage(now, { ...this.rules, idleDays: IDLE_DAYS, renewalWindowDays: RENEWAL_WINDOW_DAYS });
    await progress?.(1, 3, "stage counts computed");
    const stages = rows.map((r) => {
      const interventions: Intervention[] = [];
      if (input.intervention_planning) {
        const push = (n: number, rule: string, action: string, figure: string) => n > 0 && interventions.push({ rule, action, figure });
        push(r.overdue_onboarding, "onboarding_overdue", "review these onboarding plans and unblock open milestones", `${r.overdue_onboarding} accounts in onboarding > ${this.rules.onboardingDays} days`);
        push(r.below_at_risk, "health_at_risk", "run retention plays for these accounts", `${r.below_at_risk} accounts with health < ${this.rules.atRiskBelow}`);
        push(r.no_recent_usage, "no_recent_usage", "re-engagement outreach", `${r.no_recent_usage} active accounts with no usage in ${IDLE_DAYS} days`);
        push(r.renewal_soon_not_healthy, "renewal_not_healthy", "renewal preparation and risk mitigation", `${r.renewal_soon_not_healthy} accounts renewing within ${RENEWAL_WINDOW_DAYS} days below health ${this.rules.healthyFrom}`);
        push(r.unscored, "health_unscored", "calculate_health_score for these accounts; those with insufficient_data need usage events", `${r.unscored} accounts without a health rating`);
        if (r.stage === "at_risk") push(r.accounts, "at_risk_stage", "identify_churn_risk and retention campaigns", `${r.accounts} accounts at risk`);
      }
      return {
        stage: r.stage,
        accounts: r.accounts,
        arr: Math.round(r.arr * 100) / 100,
        mean_health: r.mean_health,
        mean_days_in_stage: r.mean_days_in_stage,
        interventions: input.intervention_planning ? interventions : null,
      };
    });
    let accounts = null;
    if (input.current_stage) {
      const page = await this.repo.facts(null, input.current_stage, input.limit, input.offset, now);
      const total = page[0]?.total ?? 0;
      accounts = {
        stage: input.current_stage,
        total,
        items: page.map((f) => this.view(f, now, input.intervention_planning)),
        next_offset: input.offset + page.length < total ? input.offset + page.length : null,
      };
    }
    await progress?.(2, 3, "accounts listed");
    let transitions = null;
    if (input.include_transitions) {
      const since = new Date(now.getTime() - 90 * DAY);
      const [counts, recent] = await Promise.all([this.repo.transitionCounts(since), this.repo.transitions(null, 20, since)]);
      transitions = { since: since.toISOString(), by_move: counts, recent: recent.map((t) => this.transitionView(t)) };
    }
    await progress?.(3, 3, "done");
    return {
      action: "portfolio" as const,
      account: null,
      stage_matches_current_stage: null,
      transitions: null,
      moved: null,
      portfolio: {
        total_accounts: stages.reduce((n, s) => n + s.accounts, 0),
        stages,
        accounts,
        transitions,
      },
      rules: this.ruleText(),
    };
  }

  private ruleText() {
    return {
      stages: LIFECYCLE_STAGES.join(" → "),
      onboarding_overdue: `in onboarding more than ${this.rules.onboardingDays} days (TTV_FULL_VALUE_DAYS)`,
      health_at_risk: `health below ${this.rules.atRiskBelow} (HEALTH_AT_RISK_BELOW)`,
      no_recent_usage: `no usage event in the last ${IDLE_DAYS} days`,
      renewal_not_healthy: `renewal within ${RENEWAL_WINDOW_DAYS} days and health below ${this.rules.healthyFrom} (HEALTH_HEALTHY_FROM) or unscored`,
      expansion_ready: `growth or maturity with health ≥ ${this.rules.healthyFrom}`,
    };
  }
}
