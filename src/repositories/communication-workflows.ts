// Which accounts a communication workflow's trigger matches right now, one set-based statement per
// trigger type over the stored rows (accounts, contracts, onboarding milestones, NPS answers, tickets,
// usage events, lifecycle transitions). Churned accounts never match.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { Sql } from "./segments.ts";

export interface TriggerMatch {
  client_id: string;
  company_name: string;
  tier: string;
  /** The figure that made the account match (score, days, count, drop %), null when there is none. */
  value: number | null;
  detail: string;
  total: number;
}

export type TriggerQuery =
  | { type: "health_below"; threshold: number }
  | { type: "renewal_within_days"; days: number }
  | { type: "onboarding_milestone_overdue"; days_overdue: number }
  | { type: "nps_detractor"; max_score: number; within_days: number }
  | { type: "ticket_escalated"; within_days: number; priorities: string[] | null }
  | { type: "usage_drop"; drop_percent: number; window_days: number }
  | { type: "lifecycle_change"; within_days: number; to_stage: string | null; from_stage: string | null };

const DAY = 86_400_000;

export class WorkflowRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async matches(t: TriggerQuery, tiers: string[] | null, now: Date, limit: number): Promise<TriggerMatch[]> {
    const q = new Sql();
    const today = now.toISOString().slice(0, 10);
    let inner: string;
    switch (t.type) {
      case "health_below":
        inner = `SELECT a.id, a.health_score::numeric AS value, 'health score ' || a.health_score || ' < ' || ${q.p(t.threshold, "int")} AS detail
                   FROM accounts a WHERE a.health_score < $1`;
        break;
      case "renewal_within_days": {
        const d = q.p(today, "date");
        inner = `SELECT a.id, min(k.renewal_date - ${d})::numeric AS value, 'renewal on ' || to_char(min(k.renewal_date), 'YYYY-MM-DD') AS detail
                   FROM accounts a JOIN contracts k ON k.account_id = a.id
                  WHERE k.renewal_date >= ${d} AND k.renewal_date <= ${d} + ${q.p(t.days, "int")} AND k.status NOT IN ('cancelled', 'expired')
                  GROUP BY a.id`;
        break;
      }
      case "onboarding_milestone_overdue": {
        const d = q.p(today, "date");
        inner = `SELECT a.id, max(${d} - m.due_date)::numeric AS value, count(*) || ' overdue milestone(s), oldest due ' || to_char(min(m.due_date), 'YYYY-MM-DD') AS detail
                   FROM accounts a JOIN onboarding_plans p ON p.account_id = a.id AND p.status = 'active'
                   JOIN onboarding_milestones m ON m.plan_id = p.id
                  WHERE m.status NOT IN ('completed', 'skipped') AND m.completed_at IS NULL AND m.due_date < ${d} - ${q.p(t.days_overdue, "int")}
                  GROUP BY a.id`;
        break;
      }
      case "nps_detractor":
        inner = `SELECT a.id, r.score::numeric AS value, 'latest NPS answer ' || r.score || ' on ' || to_char(r.responded_at, 'YYYY-MM-DD') AS detail
                   FROM accounts a
                   JOIN LATERAL (SELECT score, responded_at FROM survey_responses s
                                  WHERE s.account_id = a.id AND s.survey_type::text = 'nps' AND s.responded_at >= ${q.p(new Date(now.getTime() - t.within_days * DAY).toISOString(), "timestamptz")}
                                    AND s.responded_at <= ${q.p(now.toISOString(), "timestamptz")}
                                  ORDER BY s.responded_at DESC LIMIT 1) r ON true
                  WHERE r.score <= ${q.p(t.max_score, "int")}`;
        break;
      case "ticket_escalated":
        inner = `SELECT a.id, count(*)::numeric AS value, count(*) || ' ticket(s) escalated since ' || to_char(${q.p(new Date(now.getTime() - t.within_days * DAY).toISOString(), "timestamptz")}, 'YYYY-MM-DD') AS detail
                   FROM accounts a JOIN support_tickets k ON k.account_id = a.id
                  WHERE k.escalated_at >= $1 AND k.escalated_at <= ${q.p(now.toISOString(), "timestamptz")}
                    ${t.priorities ? `AND k.priority::text = ANY(${q.p(`{${t.priorities.join(",")}}`, "text[]")})` : ""}
                  GROUP BY a.id`;
        break;
      case "usage_drop": {
        const end = q.p(now.toISOString(), "timestamptz");
        const mid = q.p(new Date(now.getTime() - t.window_days * DAY).toISOString(), "timestamptz");
        const start = q.p(new Date(now.getTime() - 2 * t.window_days * DAY).toISOString(), "timestamptz");
        inner = `SELECT id, round((prev - recent) * 100.0 / prev, 1) AS value,
                        'usage events ' || recent || ' in the last ' || ${q.p(t.window_days, "int")} || ' days vs ' || prev || ' before' AS detail
                   FROM (SELECT a.id,
                                count(*) FILTER (WHERE u.occurred_at >= ${mid} AND u.occurred_at < ${end}) AS recent,
                                count(*) FILTER (WHERE u.occurred_at >= ${start} AND u.occurred_at < ${mid}) AS prev
                           FROM accounts a JOIN usage_events u ON u.account_id = a.id AND u.occurred_at >= ${start} AND u.occurred_at < ${end}
                          GROUP BY a.id) w
                  WHERE prev > 0 AND (prev - recent) * 100.0 / prev >= ${q.p(t.drop_percent, "numeric")}`;
        break;
      }
      case "lifecycle_change": {
        const since = q.p(new Date(now.getTime() - t.within_days * DAY).toISOString(), "timestamptz");
        inner = `SELECT DISTINCT ON (a.id) a.id, NULL::numeric AS value,
                        COALESCE(l.from_stage::text, '(none)') || ' → ' || l.to_stage::text || ' on ' || to_char(l.transitioned_at, 'YYYY-MM-DD') AS detail
                   FROM accounts a JOIN lifecycle_transitions l ON l.account_id = a.id
                  WHERE l.transitioned_at >= ${since} AND l.transitioned_at <= ${q.p(now.toISOString(), "timestamptz")}
                    ${t.to_stage ? `AND l.to_stage::text = ${q.p(t.to_stage)}` : ""}
                    ${t.from_stage ? `AND l.from_stage::text = ${q.p(t.from_stage)}` : ""}
                  ORDER BY a.id, l.transitioned_at DESC`;
        break;
      }
    }
    // Worst first: the lowest score or the soonest renewal; the largest drop, count or overdue days.
    const ascending = t.type === "health_below" || t.type === "nps_detractor" || t.type === "renewal_within_days";
    const tierFilter = tiers ? `AND a.tier::text = ANY(${q.p(`{${tiers.join(",")}}`, "text[]")})` : "";
    const rows = await this.prisma.$queryRawUnsafe<Array<{ client_id: string; company_name: string; tier: string; value: string | null; detail: string; total: bigint }>>(
      `SELECT a.id AS client_id, a.company_name, a.tier::text AS tier, m.value::text AS value, m.detail, count(*) OVER () AS total
         FROM (${inner}) m JOIN accounts a ON a.id = m.id
        WHERE a.status::text <> 'churned' ${tierFilter}
        ORDER BY m.value ${ascending ? "ASC" : "DESC"} NULLS LAST, a.id LIMIT ${Number(limit)}`,
      ...q.params,
    );
    return rows.map((r) => ({ client_id: r.client_id, company_name: r.company_name, tier: r.tier, value: r.value === null ? null : Number(r.value), detail: r.detail, total: Number(r.total) }));
  }
}
