// analyze_support_performance: how support did over the last period_days, from stored tickets only.
// Definitions (also returned with every answer):
// - volume: tickets created in the period; tickets resolved in the period (resolved_at, else closed_at);
// - first response time: created → first_response_at, over tickets created in the period that have one;
// - resolution time: created → resolution, over tickets resolved in the period;
// - times: median and p90 by linear interpolation (percentile_cont), mean; minutes, 1 decimal;
// - SLA attainment: met ÷ (met + breached) over tickets created in the period whose target is decided
//   (sla.ts: met / breached; open tickets still inside their target are not counted yet);
// - CSAT % = ratings 4–5 ÷ all ratings (DOMAIN.md) over tickets resolved in the period;
// - backlog: open tickets now (any creation date), by age, with SLA and escalation state.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { SupportPerformanceRepository, type GroupRow, type Grouping } from "../../repositories/support-performance.ts";
import { SCALE } from "../../repositories/satisfaction.ts";
import { surveyScore } from "../retention/satisfaction.ts";
import { notFound } from "../../server/errors.ts";
import type { Priority } from "./sla.ts";

export const ANALYSIS_TYPES = ["overview", "by_team", "by_agent", "by_priority", "full"] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

export interface PerformanceInput {
  client_id?: string | undefined;
  analysis_type: AnalysisType;
  period_days: number;
  team_filter?: string | undefined;
  agent_filter?: string | undefined;
  priority_filter?: Priority | undefined;
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

export const PERFORMANCE_DEFINITIONS = {
  volume: "created: tickets created in the period; resolved: tickets resolved (resolved_at, else closed_at) in the period",
  first_response_minutes: "created → first_response_at, tickets created in the period with a first response",
  resolution_minutes: "created → resolution, tickets resolved in the period",
  statistics: "median and p90 by linear interpolation, mean; minutes rounded to 0.1",
  sla_attainment: "met ÷ (met + breached) × 100 over tickets created in the period whose target is decided; a first response at or before its due time is met; a ticket resolved without a recorded first response counts its resolution as the response",
  csat: "CSAT % = ratings 4–5 ÷ all ratings × 100, tickets resolved in the period",
  backlog: "open, pending and in_progress tickets now, whatever their creation date",
} as const;

function metrics(r: GroupRow) {
  return {
    tickets_created: r.created,
    tickets_resolved: r.resolved,
    open_now: r.open_now,
    escalated: r.escalated,
    first_response_minutes: { count: r.fr_n, median: round1(r.fr_median), mean: round1(r.fr_mean), p90: round1(r.fr_p90) },
    resolution_minutes: { count: r.res_n, median: round1(r.res_median), mean: round1(r.res_mean), p90: round1(r.res_p90) },
    sla: {
      first_response: { met: r.fr_met, breached: r.fr_breached, attainment_percent: pct(r.fr_met, r.fr_met + r.fr_breached) },
      resolution: { met: r.res_met, breached: r.res_breached, attainment_percent: pct(r.res_met, r.res_met + r.res_breached) },
    },
    csat: {
      responses: r.csat_n,
      satisfied: r.csat_high,
      csat_percent: surveyScore("csat", { n: r.csat_n, high: r.csat_high, low: 0, sum: r.csat_sum, accounts: 0 }),
      mean_rating: r.csat_n ? Math.round((r.csat_sum / r.csat_n) * 100) / 100 : null,
    },
  };
}
export type PerformanceMetrics = ReturnType<typeof metrics>;

const EMPTY: GroupRow = {
  key: "all", label: "all", created: 0, resolved: 0, open_now: 0, escalated: 0, fr_n: 0, fr_median: null, fr_mean: null, fr_p90: null,
  res_n: 0, res_median: null, res_mean: null, res_p90: null, fr_met: 0, fr_breached: 0, res_met: 0, res_breached: 0, csat_n: 0, csat_high: 0, csat_sum: 0,
};

export class SupportPerformanceService {
  private readonly repo: SupportPerformanceRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new SupportPerformanceRepository(prisma);
  }

  async analyze(input: PerformanceInput) {
    if (input.client_id) {
      const exists = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!exists) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const end = this.now();
    const start = new Date(end.getTime() - input.period_days * 86_400_000);
    const f = { account_id: input.client_id ?? null, team: input.team_filter ?? null, agent: input.agent_filter ?? null, priority: input.priority_filter ?? null };
    const satisfied = SCALE.csat.high;
    const groupings: Array<[Exclude<Grouping, "total">, string]> = [];
    if (input.analysis_type === "by_team" || input.analysis_type === "full") groupings.push(["team", "(no team)"]);
    if (input.analysis_type === "by_agent" || input.analysis_type === "full") groupings.push(["agent", "(unassigned)"]);
    if (input.analysis_type === "by_priority" || input.analysis_type === "full") groupings.push(["priority", "(none)"]);

    const [total, backlog, ...grouped] = await Promise.all([
      this.repo.groups("total", f, start, end, satisfied),
      this.repo.backlog(f, end, this.config.SLA_AT_RISK_PERCENT, this.config.ESCALATE_NO_RESPONSE_MINUTES, this.config.ESCALATE_NO_RESOLUTION_DAYS),
      ...groupings.map(([g]) => this.repo.groups(g, f, start, end, satisfied)),
    ]);
    const totals = metrics(total[0] ?? EMPTY);
    const breakdown: Partial<Record<"by_team" | "by_agent" | "by_priority", Array<{ key: string | null; label: string } & PerformanceMetrics>>> = {};
    groupings.forEach(([g, none], i) => {
      breakdown[`by_${g}`] = grouped[i]!
        .filter((r) => r.created || r.resolved || r.open_now || r.escalated)
        .map((r) => ({ key: r.key, label: r.label ?? none, ...metrics(r) }));
    });

    const missing: string[] = [];
    if (!totals.tickets_created && !totals.tickets_resolved && !backlog.open_now) {
      missing.push("no tickets match this selection: import them (cs-mcp import, kind 'tickets') or create them with handle_support_ticket");
    } else {
      if (totals.tickets_created && !totals.first_response_minutes.count) missing.push("no first responses recorded on tickets created in the period: a public agent comment (handle_support_ticket comment) or the import's first_response_at column records them");
      if (!totals.csat.responses) missing.push("no satisfaction ratings on tickets resolved in the period: record them with handle_support_ticket (resolve/close with satisfaction_rating) or the import's satisfaction_rating column");
      if (breakdown.by_agent?.every((r) => r.key === null)) missing.push("no ticket has an assigned agent: route_tickets assigns them");
    }
    return {
      scope: { client_id: input.client_id ?? null, team_filter: input.team_filter ?? null, agent_filter: input.agent_filter ?? null, priority_filter: input.priority_filter ?? null },
      analysis_type: input.analysis_type,
      period: { start: start.toISOString(), end: end.toISOString(), days: input.period_days },
      totals,
      backlog: {
        open_now: backlog.open_now,
        unassigned: backlog.unassigned,
        by_age: { under_1_day: backlog.age_under_1d, "1_to_3_days": backlog.age_1_3d, "3_to_7_days": backlog.age_3_7d, "7_to_30_days": backlog.age_7_30d, "30_days_or_more": backlog.age_30d_plus },
        sla_breached: backlog.sla_breached,
        sla_at_risk: backlog.sla_at_risk,
        escalated: backlog.escalated,
        escalation_due: backlog.escalation_due,
        oldest_created_at: backlog.oldest_created_at ? backlog.oldest_created_at.toISOString() : null,
      },
      ...breakdown,
      definitions: PERFORMANCE_DEFINITIONS,
      targets: {
        first_response_minutes: this.config.SLA_FIRST_RESPONSE_MINUTES,
        resolution_minutes: { P1: this.config.SLA_RESOLUTION_P1_MINUTES, P2: this.config.SLA_RESOLUTION_P2_MINUTES, P3: this.config.SLA_RESOLUTION_P3_MINUTES, P4: this.config.SLA_RESOLUTION_P4_MINUTES },
        at_risk_percent: this.config.SLA_AT_RISK_PERCENT,
      },
      missing_data: missing,
    };
  }
}
