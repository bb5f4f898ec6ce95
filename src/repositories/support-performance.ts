// Support performance in two statements: per-group figures over a period (volume, response and resolution
// times as median / mean / p90, SLA met and breached, CSAT answers, open now), and the open backlog now by
// age. Groups: the whole selection, team, agent or priority. The SLA predicates come from sla.ts.
//
// A ticket's agent is its assigned_agent matched to support_agents by email (case-insensitive) or exact
// name; its team is the ticket's team, else that agent's team.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { OPEN_SQL, slaSql, escalationDueSql } from "../services/support/sla.ts";

export type Grouping = "total" | "team" | "agent" | "priority";

export interface PerformanceFilters {
  account_id: string | null;
  team: string | null;
  agent: string | null;
  priority: string | null;
}

/** The filtered tickets with their agent and team; placeholders $a..$a+3 = account, team, agent, priority. */
function base(a: number): string {
  const [acc, team, agent, prio] = [a, a + 1, a + 2, a + 3].map((n) => `$${n}::text`);
  return `SELECT t.*, ag.email AS agent_email, ag.name AS agent_name, COALESCE(t.team, ag.team) AS eff_team,
                 NULLIF(COALESCE(ag.email, t.assigned_agent), '') AS agent_key
            FROM support_tickets t
            LEFT JOIN LATERAL (
                 SELECT x.email, x.name, x.team FROM support_agents x
                  WHERE lower(x.email) = lower(t.assigned_agent) OR x.name = t.assigned_agent
                  ORDER BY (lower(x.email) = lower(t.assigned_agent)) DESC, x.email LIMIT 1) ag ON true
           WHERE (${acc} IS NULL OR t.account_id = ${acc})
             AND (${team} IS NULL OR lower(COALESCE(t.team, ag.team)) = lower(${team}))
             AND (${agent} IS NULL OR lower(t.assigned_agent) = lower(${agent}) OR lower(ag.email) = lower(${agent}) OR lower(ag.name) = lower(${agent}))
             AND (${prio} IS NULL OR t.priority::text = ${prio})`;
}

const KEY: Record<Grouping, { key: string; label: string }> = {
  total: { key: `'all'::text`, label: `'all'::text` },
  team: { key: `t.eff_team`, label: `t.eff_team` },
  agent: { key: `t.agent_key`, label: `COALESCE(t.agent_name, t.assigned_agent)` },
  priority: { key: `t.priority::text`, label: `t.priority::text` },
};

export interface GroupRow {
  key: string | null;
  label: string | null;
  created: number;
  resolved: number;
  open_now: number;
  escalated: number;
  fr_n: number;
  fr_median: number | null;
  fr_mean: number | null;
  fr_p90: number | null;
  res_n: number;
  res_median: number | null;
  res_mean: number | null;
  res_p90: number | null;
  fr_met: number;
  fr_breached: number;
  res_met: number;
  res_breached: number;
  csat_n: number;
  csat_high: number;
  csat_sum: number;
}

export interface BacklogRow {
  open_now: number;
  unassigned: number;
  age_under_1d: number;
  age_1_3d: number;
  age_3_7d: number;
  age_7_30d: number;
  age_30d_plus: number;
  sla_breached: number;
  sla_at_risk: number;
  escalated: number;
  escalation_due: number;
  oldest_created_at: Date | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class SupportPerformanceRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Figures per group for the period (start, end]; `satisfiedFrom` is the lowest satisfied CSAT answer (4). */
  async groups(grouping: Grouping, f: PerformanceFilters, start: Date, end: Date, satisfiedFrom: number): Promise<GroupRow[]> {
    const sla = slaSql("$2::timestamptz");
    const created = `(t.created_at > $1::timestamptz AND t.created_at <= $2::timestamptz)`;
    const resolvedIn = `(${sla.resolutionEvent} > $1::timestamptz AND ${sla.resolutionEvent} <= $2::timestamptz)`;
    const fr = `(extract(epoch FROM (t.first_response_at - t.created_at)) / 60)::float8`;
    const res = `(extract(epoch FROM (${sla.resolutionEvent} - t.created_at)) / 60)::float8`;
    const frIn = `${created} AND t.first_response_at IS NOT NULL`;
    const k = KEY[grouping];
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `WITH b AS (${base(3)})
       SELECT ${k.key} AS key, min(${k.label}) AS label,
              count(*) FILTER (WHERE ${created}) AS created,
              count(*) FILTER (WHERE ${resolvedIn}) AS resolved,
              count(*) FILTER (WHERE t.status IN ${OPEN_SQL}) AS open_now,
              count(*) FILTER (WHERE t.escalated_at > $1::timestamptz AND t.escalated_at <= $2::timestamptz) AS escalated,
              count(*) FILTER (WHERE ${frIn}) AS fr_n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${fr}) FILTER (WHERE ${frIn}) AS fr_median,
              avg(${fr}) FILTER (WHERE ${frIn}) AS fr_mean,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${fr}) FILTER (WHERE ${frIn}) AS fr_p90,
              count(*) FILTER (WHERE ${resolvedIn}) AS res_n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${res}) FILTER (WHERE ${resolvedIn}) AS res_median,
              avg(${res}) FILTER (WHERE ${resolvedIn}) AS res_mean,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${res}) FILTER (WHERE ${resolvedIn}) AS res_p90,
              count(*) FILTER (WHERE ${created} AND ${sla.frMet}) AS fr_met,
              count(*) FILTER (WHERE ${created} AND ${sla.frBreached}) AS fr_breached,
              count(*) FILTER (WHERE ${created} AND ${sla.resMet}) AS res_met,
              count(*) FILTER (WHERE ${created} AND ${sla.resBreached}) AS res_breached,
              count(*) FILTER (WHERE ${resolvedIn} AND t.satisfaction_rating IS NOT NULL) AS csat_n,
              count(*) FILTER (WHERE ${resolvedIn} AND t.satisfaction_rating >= $7::int) AS csat_high,
              COALESCE(sum(t.satisfaction_rating) FILTER (WHERE ${resolvedIn}), 0) AS csat_sum
         FROM b t
        GROUP BY 1
        ORDER BY 1 NULLS LAST`,
      start,
      end,
      f.account_id,
      f.team,
      f.agent,
      f.priority,
      satisfiedFrom,
    );
    return rows.map((r) => ({
      key: (r.key as string | null) ?? null,
      label: (r.label as string | null) ?? null,
      created: Number(r.created),
      resolved: Number(r.resolved),
      open_now: Number(r.open_now),
      escalated: Number(r.escalated),
      fr_n: Number(r.fr_n),
      fr_median: num(r.fr_median),
      fr_mean: num(r.fr_mean),
      fr_p90: num(r.fr_p90),
      res_n: Number(r.res_n),
      res_median: num(r.res_median),
      res_mean: num(r.res_mean),
      res_p90: num(r.res_p90),
      fr_met: Number(r.fr_met),
      fr_breached: Number(r.fr_breached),
      res_met: Number(r.res_met),
      res_breached: Number(r.res_breached),
      csat_n: Number(r.csat_n),
      csat_high: Number(r.csat_high),
      csat_sum: Number(r.csat_sum),
    }));
  }

  /** The open tickets now, by age, with SLA and escalation state. */
  async backlog(f: PerformanceFilters, now: Date, atRiskPercent: number, noResponseMinutes: number, noResolutionDays: number): Promise<BacklogRow> {
    const sla = slaSql("$1::timestamptz");
    const age = (lo: number | null, hi: number | null) =>
      `count(*) FILTER (WHERE ${lo !== null ? `t.created_at <= $1::timestamptz - interval '${lo} days'` : "true"} AND ${hi !== null ? `t.created_at > $1::timestamptz - interval '${hi} days'` : "true"})`;
    const atRisk = (due: string, event: string) =>
      `(${event} IS NULL AND ${due} >= $1::timestamptz AND extract(epoch FROM ($1::timestamptz - t.created_at)) * 100 >= extract(epoch FROM (${due} - t.created_at)) * $6::int)`;
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `WITH b AS (${base(2)})
       SELECT count(*) AS open_now,
              count(*) FILTER (WHERE t.assigned_agent IS NULL OR t.assigned_agent = '') AS unassigned,
              ${age(null, 1)} AS age_under_1d,
              ${age(1, 3)} AS age_1_3d,
              ${age(3, 7)} AS age_3_7d,
              ${age(7, 30)} AS age_7_30d,
              ${age(30, null)} AS age_30d_plus,
              count(*) FILTER (WHERE ${sla.frBreached} OR ${sla.resBreached}) AS sla_breached,
              count(*) FILTER (WHERE NOT (${sla.frBreached} OR ${sla.resBreached})
                                 AND (${atRisk("t.first_response_due_at", sla.firstResponseEvent)} OR ${atRisk("t.resolution_due_at", sla.resolutionEvent)})) AS sla_at_risk,
              count(*) FILTER (WHERE t.escalated) AS escalated,
              count(*) FILTER (WHERE NOT t.escalated AND ${escalationDueSql("$1::timestamptz", "$7", "$8")}) AS escalation_due,
              min(t.created_at) AS oldest_created_at
         FROM b t
        WHERE t.status IN ${OPEN_SQL}`,
      now,
      f.account_id,
      f.team,
      f.agent,
      f.priority,
      atRiskPercent,
      noResponseMinutes,
      noResolutionDays,
    );
    const r = rows[0] ?? {};
    return {
      open_now: Number(r.open_now ?? 0),
      unassigned: Number(r.unassigned ?? 0),
      age_under_1d: Number(r.age_under_1d ?? 0),
      age_1_3d: Number(r.age_1_3d ?? 0),
      age_3_7d: Number(r.age_3_7d ?? 0),
      age_7_30d: Number(r.age_7_30d ?? 0),
      age_30d_plus: Number(r.age_30d_plus ?? 0),
      sla_breached: Number(r.sla_breached ?? 0),
      sla_at_risk: Number(r.sla_at_risk ?? 0),
      escalated: Number(r.escalated ?? 0),
      escalation_due: Number(r.escalation_due ?? 0),
      oldest_created_at: (r.oldest_created_at as Date | null) ?? null,
    };
  }
}
