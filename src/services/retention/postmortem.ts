// analyze_churn_postmortem: marks the account churned (status, churned_at, lifecycle stage with its
// transition row, timeline, audit — one transaction; a second call changes nothing) and reconstructs
// from the stored history what preceded the churn, as dated warning signs with their lead times.
import type { LifecycleStage, PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { RetentionHistoryRepository } from "../../repositories/retention-history.ts";
import { RetentionRepository } from "../../repositories/retention.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { dateOnly, toMoney } from "../../security/validation.ts";
import { customerSinceOf } from "../../repositories/customer-since.ts";

const DAY = 86_400_000;
const pctChange = (from: number, to: number) => (from > 0 ? Math.round(((to - from) / from) * 1000) / 10 : null);

export interface WarningSign {
  sign: string;
  category: string;
  first_seen_at: string;
  lead_time_days: number;
  detail: string;
}

export class PostmortemService {
  private readonly history: RetentionHistoryRepository;
  private readonly campaigns: RetentionRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.history = new RetentionHistoryRepository(prisma);
    this.campaigns = new RetentionRepository(prisma);
  }

  async analyze(input: { client_id: string; churn_date?: string | undefined; churn_reason?: string | undefined }) {
    const now = this.now();
    const requested = input.churn_date ? dateOnly(input.churn_date) : now;
    if (requested.getTime() > now.getTime()) throw validationError("churn_date: must not be in the future");

    const marked = await this.prisma.$transaction(async (tx) => {
      const account = await this.campaigns.lockAccount(tx, input.client_id);
      if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
      const full = await tx.account.findUniqueOrThrow({ where: { id: input.client_id } });
      const since = (await customerSinceOf(tx, full.id)) ?? full.created_at;
      if (full.status === "churned") {
        return { already: true, churned_at: full.churned_at ?? full.updated_at, reason: full.churn_reason, from: null as LifecycleStage | null, company: full.company_name, arr: full.arr, cancelled: 0, since };
      }
      if (input.churn_date && requested < dateOnly(since.toISOString())) {
        throw validationError(`churn_date: must not be before the customer started (customer_since ${since.toISOString().slice(0, 10)})`);
      }
      const reason = input.churn_reason ?? null;
      await tx.account.update({ where: { id: full.id }, data: { status: "churned", churned_at: requested, churn_reason: reason, lifecycle_stage: "churned" } });
      await tx.lifecycleTransition.create({ data: { account_id: full.id, from_stage: full.lifecycle_stage, to_stage: "churned", reason: reason ?? "churned", transitioned_at: requested } });
      const cancelled = await this.campaigns.cancelActive(tx, full.id, now);
      await writeTimeline(tx, {
        account_id: full.id,
        event_type: "lifecycle_change",
        summary: `Lifecycle ${full.lifecycle_stage} → churned${reason ? "" : " (no reason given)"}`,
        data: { from: full.lifecycle_stage, to: "churned", churn_reason: reason, retention_campaigns_cancelled: cancelled.count },
        occurred_at: requested,
      });
      await writeAudit(tx, {
        action: "mark_churned",
        entity_type: "account",
        entity_id: full.id,
        changes: { status: { from: full.status, to: "churned" }, lifecycle_stage: { from: full.lifecycle_stage, to: "churned" }, churned_at: requested.toISOString(), churn_reason: reason },
      });
      return { already: false, churned_at: requested, reason, from: full.lifecycle_stage, company: full.company_name, arr: full.arr, cancelled: cancelled.count, since };
    });

    const C = marked.churned_at;
    const id = input.client_id;
    const [scores, tickets, nps, usage, invoices, escalations, campaigns] = await Promise.all([
      this.history.healthScores(id, C),
      this.history.tickets(id, C),
      this.history.npsAnswers(id, C),
      this.history.usage(id, C),
      this.history.invoices(id, C),
      this.history.escalations(id, C),
      this.history.campaigns(id, C),
    ]);
    const signs: WarningSign[] = [];
    const sign = (s: Omit<WarningSign, "lead_time_days" | "first_seen_at"> & { at: Date }) =>
      signs.push({ sign: s.sign, category: s.category, detail: s.detail, first_seen_at: s.at.toISOString(), lead_time_days: Math.floor((C.getTime() - s.at.getTime()) / DAY) });
    const missing: string[] = [];

    // Health: the peak of the last 180 days against the last score; how long it stayed under the thresholds.
    const recentScores = scores.filter((s) => s.calculated_at.getTime() > C.getTime() - 180 * DAY);
    const last = scores[scores.length - 1] ?? null;
    const peak = recentScores.reduce<(typeof scores)[number] | null>((p, s) => (!p || s.overall_score > p.overall_score ? s : p), null);
    const runBelow = (limit: number) => {
      let first: Date | null = null;
      for (let i = scores.length - 1; i >= 0 && scores[i]!.overall_score < limit; i--) first = scores[i]!.calculated_at;
      return first;
    };
    if (!scores.length) missing.push("health_scores: no health score in the year before churn (calculate_health_score builds the history)");
    if (peak && last && peak.overall_score - last.overall_score >= 10 && peak.calculated_at < last.calculated_at) {
      sign({ sign: "health_decline", category: "health", at: peak.calculated_at, detail: `health fell from ${peak.overall_score} to ${last.overall_score} (−${peak.overall_score - last.overall_score} points)` });
    }
    const belowTrigger = runBelow(this.config.RETENTION_TRIGGER_HEALTH);
    if (belowTrigger) sign({ sign: "health_below_retention_trigger", category: "health", at: belowTrigger, detail: `health stayed below RETENTION_TRIGGER_HEALTH (${this.config.RETENTION_TRIGGER_HEALTH}) from then until churn` });
    const belowEscalation = runBelow(this.config.ESCALATION_HEALTH_BELOW);
    if (belowEscalation) sign({ sign: "health_below_escalation", category: "health", at: belowEscalation, detail: `health stayed below ESCALATION_HEALTH_BELOW (${this.config.ESCALATION_HEALTH_BELOW}) from then until churn` });

    // Tickets: the 90 days before churn against the 90 before that.
    if (tickets.ever === 0) missing.push("support_tickets: no tickets stored for this account");
    if (tickets.recent_p1p2 > 0 && tickets.first_recent_p1p2) {
      sign({ sign: "p1_p2_tickets", category: "support", at: tickets.first_recent_p1p2, detail: `${tickets.recent_p1p2} P1/P2 tickets in the 90 days before churn (${tickets.previous_p1p2} in the 90 before)` });
    }
    if (tickets.recent >= 3 && tickets.recent >= tickets.previous * 1.5 && tickets.first_recent) {
      sign({ sign: "ticket_volume_increase", category: "support", at: tickets.first_recent, detail: `${tickets.recent} tickets in the 90 days before churn against ${tickets.previous} in the 90 before` });
    }

    // NPS: every answer of the year, the first detractor answer of the last 180 days.
    if (!nps.length) missing.push("nps: no NPS answer in the year before churn");
    const firstDetractor = nps.find((a) => a.score <= 6 && a.responded_at.getTime() > C.getTime() - 180 * DAY);
    if (firstDetractor) {
      const count = nps.filter((a) => a.score <= 6 && a.responded_at.getTime() > C.getTime() - 180 * DAY).length;
      sign({ sign: "detractor_nps", category: "satisfaction", at: firstDetractor.responded_at, detail: `${count} detractor answers (0–6) in the 180 days before churn; first ${firstDetractor.score}` });
    }

    // Usage: active users of the last 30 days against the monthly mean of days 30–90; the week it broke.
    const baselineMonthly = (usage.days_30_60 + usage.days_60_90) / 2;
    const usageDrop = baselineMonthly > 0 ? Math.round((1 - usage.last_30 / baselineMonthly) * 1000) / 10 : null;
    if (usage.ever === 0) missing.push("usage_events: no product usage stored, so the usage drop cannot be measured");
    let usageFirstWeek: Date | null = null;
    const baseWeeks = usage.weekly.slice(8, 12);
    const baseWeekly = baseWeeks.reduce((a, b) => a + b, 0) / baseWeeks.length;
    if (usageDrop !== null && usageDrop >= 30) {
      if (baseWeekly > 0) {
        let k = -1;
        for (let i = 7; i >= 0; i--) {
          if (usage.weekly.slice(0, i + 1).every((u) => u < 0.7 * baseWeekly)) {
            k = i;
            break;
          }
        }
        if (k >= 0) usageFirstWeek = new Date(C.getTime() - 7 * (k + 1) * DAY);
      }
      const at = usageFirstWeek ?? new Date(C.getTime() - 30 * DAY);
      sign({ sign: "usage_drop", category: "usage", at, detail: `active users ${usage.last_30} in the last 30 days against a monthly mean of ${baselineMonthly} in days 30–90 before churn (−${usageDrop} %)` });
    }

    // Invoices: unpaid at churn, or paid after their due date.
    const overdueAtChurn = invoices.filter((i) => !i.paid_at || i.paid_at > C);
    const paidLate = invoices.filter((i) => i.paid_at && i.paid_at <= C && i.paid_at.getTime() > i.due_date.getTime() + DAY);
    if (!invoices.length) missing.push("invoices: none due in the year before churn");
    const lateSince = [...overdueAtChurn, ...paidLate.filter((i) => i.due_date.getTime() > C.getTime() - 180 * DAY)].map((i) => i.due_date).sort((a, b) => a.getTime() - b.getTime())[0];
    if (lateSince) {
      const amount = overdueAtChurn.reduce((s, i) => s + toMoney(i.amount), 0);
      sign({ sign: "late_payment", category: "payment", at: lateSince, detail: `${overdueAtChurn.length} invoices unpaid at churn (${Math.round(amount * 100) / 100}), ${paidLate.length} paid late` });
    }

    // Escalations of the last 180 days.
    if (escalations.length) {
      sign({ sign: "escalation", category: "relationship", at: escalations[0]!.created_at, detail: `${escalations.length} escalations in the 180 days before churn, ${escalations.filter((e) => !e.resolved_at || e.resolved_at > C).length} unresolved at churn` });
    }

    signs.sort((a, b) => a.first_seen_at.localeCompare(b.first_seen_at) || a.sign.localeCompare(b.sign));
    const earliest = signs[0] ?? null;
    return {
      client_id: id,
      company_name: marked.company,
      churned_at: C.toISOString(),
      churn_reason: marked.reason,
      already_churned: marked.already,
      ...(marked.already && input.churn_date && input.churn_date !== C.toISOString().slice(0, 10)
        ? { note: `the account was already churned on ${C.toISOString().slice(0, 10)}; the stored date is kept and used` }
        : {}),
      lifecycle: marked.already ? null : { from_stage: marked.from, to_stage: "churned" as const },
      arr_lost: toMoney(marked.arr),
      tenure_days: Math.floor((C.getTime() - marked.since.getTime()) / DAY),
      retention_campaigns_cancelled: marked.cancelled,
      health: {
        scores_in_last_year: scores.length,
        peak_last_180_days: peak ? { score: peak.overall_score, at: peak.calculated_at.toISOString() } : null,
        last_before_churn: last ? { score: last.overall_score, at: last.calculated_at.toISOString() } : null,
        decline_points: peak && last ? peak.overall_score - last.overall_score : null,
        series: scores.slice(-24).map((s) => ({ score: s.overall_score, at: s.calculated_at.toISOString() })),
      },
      tickets: {
        last_90_days: tickets.recent,
        previous_90_days: tickets.previous,
        change_percent: pctChange(tickets.previous, tickets.recent),
        p1_p2_last_90_days: tickets.recent_p1p2,
        p1_p2_previous_90_days: tickets.previous_p1p2,
        open_at_churn: tickets.open_at_churn,
      },
      nps: {
        answers: nps.slice(-20).map((a) => ({ score: a.score, category: a.score >= 9 ? "promoter" : a.score >= 7 ? "passive" : "detractor", responded_at: a.responded_at.toISOString(), respondent_email: a.respondent_email, reason: a.reason })),
        answers_in_last_year: nps.length,
        detractors_in_last_year: nps.filter((a) => a.score <= 6).length,
      },
      usage: {
        active_users_last_30_days: usage.last_30,
        active_users_days_30_60: usage.days_30_60,
        active_users_days_60_90: usage.days_60_90,
        monthly_mean_days_30_90: baselineMonthly,
        drop_percent: usageDrop,
        weekly_active_users: usage.weekly.map((users, k) => ({ week_start: new Date(C.getTime() - 7 * (k + 1) * DAY).toISOString(), users })).reverse(),
        last_activity_at: usage.last_activity ? usage.last_activity.toISOString() : null,
      },
      invoices: {
        unpaid_at_churn: overdueAtChurn.length,
        unpaid_amount: Math.round(overdueAtChurn.reduce((s, i) => s + toMoney(i.amount), 0) * 100) / 100,
        paid_late: paidLate.length,
        oldest_unpaid_due_date: overdueAtChurn[0] ? overdueAtChurn[0].due_date.toISOString().slice(0, 10) : null,
      },
      escalations: {
        last_180_days: escalations.length,
        unresolved_at_churn: escalations.filter((e) => !e.resolved_at || e.resolved_at > C).length,
        items: escalations.slice(-10).map((e) => ({ escalation_id: e.id, severity: e.severity, reason: e.reason, created_at: e.created_at.toISOString(), resolved_at: e.resolved_at ? e.resolved_at.toISOString() : null })),
      },
      retention_campaigns_last_180_days: campaigns.map((c) => ({ campaign_id: c.id, campaign_type: c.campaign_type, intervention_level: c.intervention_level, status: c.status, started_at: c.started_at.toISOString() })),
      warning_signs: signs,
      earliest_warning: earliest ? { sign: earliest.sign, first_seen_at: earliest.first_seen_at, lead_time_days: earliest.lead_time_days } : null,
      missing_data: missing,
    };
  }
}
