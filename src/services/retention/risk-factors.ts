// score_risk_factors: turns the account's stored signals into risk indicators (category, indicator,
// severity, value against threshold, mitigation), keeps risk_indicators in step (new ones opened,
// existing ones refreshed, ones whose condition cleared closed with resolved_at) and sums them up.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { RiskRepository, type RiskRowSignals } from "../../repositories/risk.ts";
import { HealthSignalsRepository, STANDARD_LOOKBACK_DAYS, usageDecline, type UsageSignals } from "../../repositories/health-signals.ts";
import { HEALTH_RULE, currentHealth, type HealthSource } from "../health/current-health.ts";
import { PROJECTION_HISTORY, SATISFACTION_MIN_DAYS, configuredEngine } from "../health/health-score-service.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { notFound } from "../../server/errors.ts";
import { toIsoDate } from "../../security/validation.ts";

export type RiskSeverity = "low" | "medium" | "high" | "critical";
const RANK: Record<RiskSeverity, number> = { low: 1, medium: 2, high: 3, critical: 4 };
/** Points per open indicator for the 0–100 risk score (capped at 100). */
export const SEVERITY_POINTS: Record<RiskSeverity, number> = { low: 5, medium: 10, high: 20, critical: 30 };

export interface ComputedIndicator {
  category: string;
  indicator: string;
  severity: RiskSeverity;
  value: number;
  threshold: number;
  comparison: string;
  detail: string;
  mitigation: string;
}

const DAY = 86_400_000;
const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * The account's signals: the rows of risk.ts plus — from health-signals.ts, the same definitions as
 * calculate_health_score and identify_churn_risk over the same 30-day window — the usage of the current and
 * previous window, SLA breaches, and health by the one rule of current-health.ts.
 */
export interface RiskSignals extends RiskRowSignals {
  health_score: number | null;
  health_source: HealthSource;
  usage: Pick<UsageSignals, "users_cur" | "users_prev" | "user_days_cur" | "user_days_prev"> | null;
  sla_breaches: number;
}

/** The window of usage decline and SLA breaches: calculate_health_score's standard lookback. */
export const RISK_WINDOW_DAYS = STANDARD_LOOKBACK_DAYS;

/** The rules, one per indicator; each needs only the signals, so they are testable without a database. */
export function computeIndicators(s: RiskSignals, now: Date, cfg: { triggerHealth: number; escalationHealth: number }): ComputedIndicator[] {
  const out: ComputedIndicator[] = [];
  const decline = usageDecline(s.usage);
  if (decline !== null && s.usage) {
    const u = s.usage;
    if (decline >= 0.25) {
      out.push({
        category: "usage", indicator: "usage_decline", severity: decline >= 0.5 ? "high" : "medium", value: round(decline), threshold: 0.25, comparison: "≥",
        detail: `usage −${Math.round(decline * 100)} % (the larger of active users ${u.users_prev} → ${u.users_cur} and active user-days ${u.user_days_prev} → ${u.user_days_cur}, last ${RISK_WINDOW_DAYS} days vs the ${RISK_WINDOW_DAYS} before)`,
        mitigation: "Run a re_engagement campaign: find out what changed and agree adoption goals with the primary contact",
      });
    }
  }
  if (s.usage_events_total > 0) {
    const days = s.last_activity_at ? Math.floor((now.getTime() - s.last_activity_at.getTime()) / DAY) : null;
    if (days !== null && days >= 14) {
      out.push({
        category: "engagement", indicator: "login_absence", severity: days >= 30 ? "high" : "medium", value: days, threshold: 14, comparison: "≥",
        detail: `no product activity for ${days} days (last ${s.last_activity_at!.toISOString().slice(0, 10)})`,
        mitigation: "Contact the primary user; offer a training_offer campaign or a check-in call",
      });
    }
  }
  if (s.latest_nps_score !== null && s.latest_nps_score <= 6) {
    out.push({
      category: "satisfaction", indicator: "detractor_nps", severity: s.latest_nps_score <= 3 ? "high" : "medium", value: s.latest_nps_score, threshold: 6, comparison: "≤",
      detail: `latest NPS answer ${s.latest_nps_score} on ${s.latest_nps_at!.toISOString().slice(0, 10)} (detractor)`,
      mitigation: "Close the loop with the respondent within 48 hours; address the reason they gave",
    });
  }
  const p1p2 = s.open_p1 + s.open_p2;
  if (p1p2 > 0) {
    out.push({
      category: "support", indicator: "open_p1_p2_tickets", severity: s.open_p1 > 0 ? "critical" : "high", value: p1p2, threshold: 0, comparison: ">",
      detail: `${s.open_p1} P1 and ${s.open_p2} P2 tickets open`,
      mitigation: "Make sure each has an owner and a next update time; keep the customer informed daily",
    });
  }
  if (s.sla_breaches > 0) {
    out.push({
      category: "support", indicator: "sla_breaches", severity: s.sla_breaches >= 3 ? "high" : "medium", value: s.sla_breaches, threshold: 0, comparison: ">",
      detail: `${s.sla_breaches} tickets created in the last ${RISK_WINDOW_DAYS} days or still open breached their first-response or resolution target`,
      mitigation: "Escalate the breached tickets to support leadership and tell the customer the new target",
    });
  }
  if (s.open_escalations > 0) {
    const sev = (s.worst_escalation_severity ?? "medium") as RiskSeverity;
    out.push({
      category: "relationship", indicator: "open_escalations", severity: RANK[sev] ? sev : "medium", value: s.open_escalations, threshold: 0, comparison: ">",
      detail: `${s.open_escalations} escalations open (worst ${s.worst_escalation_severity})`,
      mitigation: "Review the open escalations with their owners; agree a resolution date with the customer",
    });
  }
  if (s.overdue_invoices > 0) {
    const days = s.oldest_overdue_due ? Math.floor((now.getTime() - s.oldest_overdue_due.getTime()) / DAY) : 0;
    out.push({
      category: "payment", indicator: "overdue_invoices", severity: days > 30 ? "high" : "medium", value: s.overdue_invoices, threshold: 0, comparison: ">",
      detail: `${s.overdue_invoices} unpaid invoices past due, ${s.overdue_amount.toFixed(2)} in total, oldest due ${toIsoDate(s.oldest_overdue_due)} (${days} days)`,
      mitigation: "Ask finance about the payment status; check whether non-payment signals an intent to leave",
    });
  }
  if (s.renewal_date && s.health_score !== null && s.health_score < cfg.triggerHealth) {
    const days = Math.floor((s.renewal_date.getTime() - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / DAY);
    if (days >= 0 && days <= 90) {
      out.push({
        category: "contract", indicator: "renewal_at_risk", severity: s.health_score < cfg.escalationHealth || days <= 30 ? "critical" : "high", value: s.health_score, threshold: cfg.triggerHealth, comparison: "<",
        detail: `renewal on ${toIsoDate(s.renewal_date)} (${days} days) with health ${s.health_score}`,
        mitigation: "Start the renewal plan now: a value_review or executive_outreach campaign before the notice period",
      });
    }
  }
  if (s.health_score !== null && s.health_score < cfg.escalationHealth) {
    out.push({
      category: "health", indicator: "health_below_escalation", severity: "critical", value: s.health_score, threshold: cfg.escalationHealth, comparison: "<",
      detail: `health score ${s.health_score} is below ESCALATION_HEALTH_BELOW (${cfg.escalationHealth})`,
      mitigation: "Open an escalation (manage_escalations) and name an executive sponsor",
    });
  }
  return out;
}

export class RiskFactorService {
  private readonly repo: RiskRepository;
  private readonly health: HealthSignalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new RiskRepository(prisma);
    this.health = new HealthSignalsRepository(prisma);
  }

  private async signals(clientId: string, now: Date): Promise<RiskSignals> {
    const L = RISK_WINDOW_DAYS;
    const [rows, set] = await Promise.all([
      this.repo.signals(clientId, now),
      this.health.load({ accountIds: [clientId], now, lookbackDays: L, satisfactionDays: Math.max(L, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY }),
    ]);
    const a = set.accounts[0]!;
    const h = currentHealth(a, configuredEngine(this.config, L, set.feature_catalog, now));
    return { ...rows, health_score: h.score, health_source: h.source, usage: a.usage, sla_breaches: a.support?.sla_breaches ?? 0 };
  }

  async score(clientId: string) {
    const now = this.now();
    const account = await this.prisma.account.findUnique({ where: { id: clientId }, select: { id: true, company_name: true, status: true } });
    if (!account) throw notFound("client", clientId, "use list_clients to find the client_id");
    const signals = await this.signals(clientId, now);
    const computed = computeIndicators(signals, now, { triggerHealth: this.config.RETENTION_TRIGGER_HEALTH, escalationHealth: this.config.ESCALATION_HEALTH_BELOW });

    const result = await this.prisma.$transaction(async (tx) => {
      const open = await this.repo.openIndicators(tx, clientId);
      const byKey = new Map(open.map((o) => [`${o.category}/${o.indicator}`, o]));
      const kept: Array<{ row: { id: string; detected_at: Date }; c: ComputedIndicator; is_new: boolean }> = [];
      for (const c of computed) {
        const key = `${c.category}/${c.indicator}`;
        const existing = byKey.get(key);
        if (existing) {
          byKey.delete(key);
          const row = await this.repo.update(tx, existing.id, { severity: c.severity, value: c.value, threshold: c.threshold, mitigation: c.mitigation });
          kept.push({ row, c, is_new: false });
        } else {
          const row = await this.repo.create(tx, { account_id: clientId, category: c.category, indicator: c.indicator, severity: c.severity, value: c.value, threshold: c.threshold, mitigation: c.mitigation, status: "open", detected_at: now });
          kept.push({ row, c, is_new: true });
        }
      }
      const closing = [...byKey.values()];
      if (closing.length) await this.repo.close(tx, closing.map((c) => c.id), now);
      const opened = kept.filter((k) => k.is_new).length;
      await writeTimeline(tx, {
        account_id: clientId,
        event_type: "note",
        summary: `Risk factors scored: ${kept.length} open (${opened} new), ${closing.length} closed`,
        data: { open: kept.map((k) => k.c.indicator), closed: closing.map((c) => c.indicator) },
        occurred_at: now,
      });
      await writeAudit(tx, { action: "score_risk_factors", entity_type: "account", entity_id: clientId, changes: { opened, refreshed: kept.length - opened, closed: closing.map((c) => c.id) } });
      return { kept, closing };
    });

    const bySeverity = { low: 0, medium: 0, high: 0, critical: 0 };
    const byCategory: Record<string, number> = {};
    let points = 0;
    for (const { c } of result.kept) {
      bySeverity[c.severity]++;
      byCategory[c.category] = (byCategory[c.category] ?? 0) + 1;
      points += SEVERITY_POINTS[c.severity];
    }
    const worst = result.kept.reduce<RiskSeverity | null>((w, { c }) => (!w || RANK[c.severity] > RANK[w] ? c.severity : w), null);
    const ordered = [...result.kept].sort((a, b) => RANK[b.c.severity] - RANK[a.c.severity] || a.c.category.localeCompare(b.c.category));
    const missing: string[] = [];
    if (signals.usage_events_total === 0) missing.push("usage_events: no product usage recorded, so usage decline and login absence were not assessed");
    if (signals.health_score === null) missing.push("health score: no rating (insufficient data), so renewal and health rules were not assessed");
    if (signals.latest_nps_score === null) missing.push("nps: no NPS answer in the last 180 days");
    if (signals.renewal_date === null) missing.push("contract: no active contract with a renewal or end date");
    return {
      client_id: clientId,
      company_name: account.company_name,
      assessed_at: now.toISOString(),
      health: { score: signals.health_score, source: signals.health_source, rule: HEALTH_RULE },
      indicators: ordered.map(({ row, c, is_new }) => ({
        risk_id: row.id,
        category: c.category,
        indicator: c.indicator,
        severity: c.severity,
        value: c.value,
        threshold: c.threshold,
        comparison: c.comparison,
        detail: c.detail,
        mitigation: c.mitigation,
        status: "open" as const,
        is_new,
        detected_at: row.detected_at.toISOString(),
      })),
      closed: result.closing.map((c) => ({ risk_id: c.id, category: c.category, indicator: c.indicator, detected_at: c.detected_at.toISOString(), resolved_at: now.toISOString() })),
      summary: {
        risk_level: (worst ?? "none") as RiskSeverity | "none",
        risk_score: Math.min(100, points),
        scoring: "low 5, medium 10, high 20, critical 30 points per open indicator, capped at 100",
        open_indicators: result.kept.length,
        by_severity: bySeverity,
        by_category: byCategory,
      },
      missing_data: missing,
    };
  }
}
