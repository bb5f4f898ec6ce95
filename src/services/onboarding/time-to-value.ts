// optimize_time_to_value: the account's measured days to first value, activation and full value — the
// definitions of MilestoneService (services/health/milestones.ts), from stored usage events, counted from the
// account's creation date — against targets (TTV_FIRST_VALUE_DAYS / TTV_ACTIVATION_DAYS / TTV_FULL_VALUE_DAYS,
// overridable per call), with what delays it and recommendations tied to those facts:
//   overdue milestones/tasks of the active onboarding plan (or no plan at all), no 'integration_connected'
//   event, fewer users active in the last 30 days than the activation needs, open support tickets, no training.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { MilestoneService, type MilestoneTargets } from "../health/milestones.ts";
import { USAGE_IMPORT_HINT } from "../health/usage.ts";
import { OnboardingPlanRepository } from "../../repositories/onboarding-plans.ts";
import { OnboardingSignalsRepository } from "../../repositories/onboarding-signals.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { isOpen, utcDay, daysBetween } from "./views.ts";

export interface TtvInput {
  client_id: string;
  current_time_to_value_days?: number | undefined;
  target_time_to_value_days?: number | undefined;
  target_first_value_days?: number | undefined;
  target_activation_days?: number | undefined;
  activation_users: number;
}

const TTV_MILESTONES = ["first_value", "activation", "full_value"] as const;

export class TimeToValueService {
  private readonly plans: OnboardingPlanRepository;
  private readonly signals: OnboardingSignalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.plans = new OnboardingPlanRepository(prisma);
    this.signals = new OnboardingSignalsRepository(prisma);
  }

  async analyse(input: TtvInput) {
    const now = this.now();
    const today = utcDay(now);
    const targets: MilestoneTargets = {
      TTV_FIRST_VALUE_DAYS: input.target_first_value_days ?? this.config.TTV_FIRST_VALUE_DAYS,
      TTV_ACTIVATION_DAYS: input.target_activation_days ?? this.config.TTV_ACTIVATION_DAYS,
      TTV_FULL_VALUE_DAYS: input.target_time_to_value_days ?? this.config.TTV_FULL_VALUE_DAYS,
    };
    const measured = await new MilestoneService(this.prisma, targets, () => now).track({
      client_id: input.client_id,
      milestone_framework: "default",
      custom_milestones: [],
      activation_users: input.activation_users,
      full_value_features: 3,
      full_value_users_per_feature: 2,
      limit: 1,
      offset: 0,
    });
    const acct = measured.accounts[0]!;
    const byName = new Map(acct.milestones.map((m) => [m.name, m]));
    const ttv = TTV_MILESTONES.map((n) => {
      const m = byName.get(n)!;
      const def = measured.framework.find((f) => f.name === n)!;
      return { ...m, definition: def.definition, target_source: def.target_source === "TTV_FULL_VALUE_DAYS" && input.target_time_to_value_days !== undefined ? "target_time_to_value_days" : def.target_source === "TTV_FIRST_VALUE_DAYS" && input.target_first_value_days !== undefined ? "target_first_value_days" : def.target_source === "TTV_ACTIVATION_DAYS" && input.target_activation_days !== undefined ? "target_activation_days" : def.target_source };
    });
    const behind = ttv.filter((m) => m.status === "late" || m.status === "overdue");
    const notReached = ttv.filter((m) => m.reached_at === null);

    const s = await this.signals.signals(input.client_id, now);
    const plan = await this.plans.currentPlan(input.client_id);
    const factors: Array<{ factor: string; detail: string; facts: Record<string, unknown> }> = [];
    const recs: Array<{ because: string; action: string; tool: string | null }> = [];
    const missing = [...measured.missing_data];

    if (!plan) {
      factors.push({ factor: "no_onboarding_plan", detail: "no onboarding plan is stored for the account, so nothing schedules the steps to value", facts: { plans: 0 } });
      recs.push({ because: "no onboarding plan", action: "create a dated plan with milestones and owners", tool: "create_onboarding_plan" });
    } else if (plan.status === "active") {
      const overdueM = plan.milestones.filter((m) => isOpen(m.status) && m.due_date < today);
      const overdueT = plan.milestones.flatMap((m) => m.tasks).filter((t) => isOpen(t.status) && t.due_date < today);
      if (overdueM.length || overdueT.length) {
        factors.push({
          factor: "overdue_onboarding_items",
          detail: `${overdueM.length} milestone(s) and ${overdueT.length} task(s) of plan ${plan.id} are overdue${overdueM.length ? `: ${overdueM.map((m) => `${m.name} (due ${toIsoDate(m.due_date)}, ${daysBetween(m.due_date, today)} d late)`).join(", ")}` : ""}`,
          facts: { plan_id: plan.id, overdue_milestones: overdueM.map((m) => m.name), overdue_tasks: overdueT.length, tasks_by_owner: countBy(overdueT.map((t) => t.owner ?? "unassigned")) },
        });
        const owners = countBy(overdueT.map((t) => t.owner ?? "unassigned"));
        const top = Object.entries(owners).sort((a, b) => b[1] - a[1])[0];
        recs.push({
          because: `${overdueM.length} overdue milestone(s)${top ? `; most overdue tasks are owned by ${top[0]} (${top[1]})` : ""}`,
          action: `unblock ${overdueM[0]?.name ?? "the overdue tasks"} first${top ? ` with the ${top[0]} owner` : ""}, then re-date the plan's remaining milestones`,
          tool: "track_onboarding_progress",
        });
      }
    }
    const integration = byName.get("integration_connected");
    if (integration && integration.reached_at === null && notReached.length) {
      factors.push({ factor: "no_integration_event", detail: "no 'integration_connected' usage event is stored; value that depends on connected data cannot start", facts: { integration_connected: null } });
      recs.push({ because: "no integration connected", action: "book an engineering session to connect the primary integration; the connection shows up as an 'integration_connected' usage event", tool: null });
    }
    if (s.active_users_30d < input.activation_users) {
      factors.push({
        factor: "few_active_users",
        detail: `${s.active_users_30d} distinct users active in the last 30 days, fewer than the ${input.activation_users} the activation milestone needs${s.seats ? ` (${s.seats} seats)` : ""}`,
        facts: { active_users_30d: s.active_users_30d, activation_users: input.activation_users, seats: s.seats },
      });
      recs.push({ because: `${s.active_users_30d} active users of ${input.activation_users} needed`, action: "run end-user training and invite the remaining users", tool: "deliver_training_session" });
    }
    if (s.open_tickets > 0) {
      factors.push({
        factor: "open_tickets",
        detail: `${s.open_tickets} open support ticket(s), ${s.open_p1_p2} of them P1/P2; the oldest opened ${toIso(s.oldest_open_ticket_at)}`,
        facts: { open_tickets: s.open_tickets, open_p1_p2: s.open_p1_p2, oldest_open_ticket_at: toIso(s.oldest_open_ticket_at) },
      });
      recs.push({ because: `${s.open_tickets} open ticket(s)${s.open_p1_p2 ? `, ${s.open_p1_p2} P1/P2` : ""}`, action: s.open_p1_p2 ? "escalate the P1/P2 tickets blocking adoption" : "get the open tickets resolved before the next milestone", tool: s.open_p1_p2 ? "manage_escalations" : null });
    }
    if (s.training_sessions === 0 && notReached.length) {
      factors.push({ factor: "no_training", detail: "no training session is recorded for the account", facts: { training_sessions: 0 } });
      recs.push({ because: "no training recorded", action: "deliver admin training on the features behind first value", tool: "deliver_training_session" });
    }

    const firstValue = ttv[0]!;
    const stated =
      input.current_time_to_value_days === undefined
        ? null
        : {
            stated_days: input.current_time_to_value_days,
            measured_first_value_days: firstValue.days_to_reach,
            difference_days: firstValue.days_to_reach === null ? null : input.current_time_to_value_days - firstValue.days_to_reach,
            note:
              firstValue.days_to_reach === null
                ? "first value is not reached in the stored usage events, so the stated figure cannot be checked"
                : input.current_time_to_value_days === firstValue.days_to_reach
                  ? "matches the measured days to first value"
                  : "differs from the measured days to first value; the measured figure is used for the statuses",
          };
    if (acct.usage_events === 0) missing.push({ what: "without usage events time to value cannot be measured", how_to_supply: USAGE_IMPORT_HINT });
    if (acct.before_usage_history) {
      missing.push({ what: "the account was created before the first stored usage event (of any account): its early usage is not held, so a milestone that looks late or overdue is unknown", how_to_supply: `${USAGE_IMPORT_HINT} from the account's start` });
    }

    return {
      client_id: acct.client_id,
      company_name: acct.company_name,
      as_of: now.toISOString(),
      customer_since: acct.customer_since,
      age_days: acct.age_days,
      targets: { first_value_days: targets.TTV_FIRST_VALUE_DAYS, activation_days: targets.TTV_ACTIVATION_DAYS, full_value_days: targets.TTV_FULL_VALUE_DAYS },
      milestones: ttv,
      supporting_milestones: acct.milestones.filter((m) => !(TTV_MILESTONES as readonly string[]).includes(m.name)),
      overall_status: (behind.length ? "behind" : ttv.some((m) => m.status === "unknown") ? "unknown" : notReached.length ? "in_progress" : "achieved") as "behind" | "in_progress" | "achieved" | "unknown",
      stated_time_to_value: stated,
      delay_factors: factors,
      recommendations: recs,
      signals: { active_users_30d: s.active_users_30d, seats: s.seats, open_tickets: s.open_tickets, open_p1_p2: s.open_p1_p2, training_sessions: s.training_sessions, onboarding_plan_id: plan?.id ?? null, onboarding_plan_status: plan?.status ?? null },
      definitions: {
        ...Object.fromEntries(ttv.map((m) => [m.name, m.definition])),
        days_to_reach: measured.definitions.days_to_reach!,
        on_time: measured.definitions.on_time!,
        late: measured.definitions.late!,
        overdue: measured.definitions.overdue!,
        pending: measured.definitions.pending!,
        unknown: measured.definitions.unknown!,
      },
      missing_data: missing,
    };
  }
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
