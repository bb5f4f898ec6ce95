// Set-based signal queries for health scoring and churn risk: one statement per source table, each a
// GROUP BY account_id over the requested accounts (a list of ids, or every active account). Scoring a
// portfolio costs the same handful of statements as scoring one account — never a per-account loop.
// Plain SQL with bound parameters only; it runs on PGlite (PostgreSQL 17) and PostgreSQL 15.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { customerSinceSql } from "./customer-since.ts";

export interface UsageSignals {
  /** Distinct users with any event in the current window [now − L, now). */
  users_cur: number;
  /** Distinct users in the previous window [now − 2L, now − L). */
  users_prev: number;
  events_cur: number;
  events_prev: number;
  /** Distinct (user, UTC day) pairs with activity: the number of user sessions-days. */
  user_days_cur: number;
  user_days_prev: number;
  /** Distinct UTC days on which anyone in the account was active (current window). */
  days_cur: number;
  /** Distinct features used in the current window. */
  features_cur: number;
  /** Latest event before now (any time). */
  last_at: Date;
}

export interface SupportSignals {
  open_p1: number;
  open_p2: number;
  open_p3: number;
  open_p4: number;
  /** Tickets created in the window or still open with a first-response or resolution SLA breach. */
  sla_breaches: number;
  tickets_cur: number;
  /** Tickets resolved in the window with a CSAT rating (1–5), and their mean. */
  csat_n: number;
  csat_avg: number | null;
  open_escalations: number;
  escalations_cur: number;
}

export interface SurveySignals {
  nps_n: number;
  promoters: number;
  detractors: number;
  /** NPS detractor answers inside the lookback window itself. */
  detractors_cur: number;
  nps_cur_n: number;
  latest_nps: number | null;
  csat_n: number;
  csat_pos: number;
  ces_n: number;
  ces_avg: number | null;
}

export interface InvoiceSignals {
  invoices_n: number;
  overdue_n: number;
  /** Σ over unpaid overdue invoices of min(days overdue, 90). */
  overdue_days_capped: number;
  max_days_overdue: number;
  overdue_amount: number;
  /** Invoices due in the last 365 days paid after their due date. */
  paid_late_n: number;
}

export interface AccountSignals {
  account_id: string;
  status: string;
  lifecycle_stage: string;
  /** When the relationship began (customer-since.ts): tenure counts from here, not from the row's creation. */
  customer_since: Date;
  /** Seats of the contract in force, else of the account; null when unknown. */
  seats: number | null;
  has_contract: boolean;
  renewal_date: Date | null;
  payment_status: string | null;
  /** accounts.health_score: the latest stored rating (null when never rated or insufficient data). */
  health_column: number | null;
  /** null: the account has never had a usage event. */
  usage: UsageSignals | null;
  /** null: the account has never had a ticket or an escalation. */
  support: SupportSignals | null;
  /** null: no survey answer in the satisfaction window. */
  surveys: SurveySignals | null;
  /** null: no invoice due in the last 365 days and none unpaid. */
  invoices: InvoiceSignals | null;
  /**
   * Scores stored by standard runs (standardHealthRun), newest first (at most `historyPoints`); score null
   * when that run found the data insufficient. What-if runs are never stored, and legacy ones are skipped.
   */
  history: Array<{ score: number | null; at: Date }>;
}

/** The lookback of a standard calculate_health_score run (the tool's default); other lookbacks are what-ifs. */
export const STANDARD_LOOKBACK_DAYS = 30;
/** SQL condition on health_scores row `alias`: written by a standard run (configured weights, default lookback). */
export const standardHealthRun = (alias: string) => `${alias}.scoring_model = 'weighted_composite' AND ${alias}.lookback_days = ${STANDARD_LOOKBACK_DAYS}`;

/**
 * Usage decline, the one definition used by health, churn and score_risk_factors: the share lost from the
 * previous window to the current one, the larger of active users and active user-days, within 0–1.
 * null when there is no usage in either window (nothing to compare); 0 when only the current window has usage.
 */
export function usageDecline(u: Pick<UsageSignals, "users_cur" | "users_prev" | "user_days_cur" | "user_days_prev"> | null): number | null {
  if (!u) return null;
  if (u.users_prev === 0 && u.user_days_prev === 0) return u.users_cur === 0 ? null : 0;
  const d1 = u.users_prev > 0 ? (u.users_prev - u.users_cur) / u.users_prev : 0;
  const d2 = u.user_days_prev > 0 ? (u.user_days_prev - u.user_days_cur) / u.user_days_prev : 0;
  return Math.max(0, Math.min(1, Math.max(d1, d2)));
}

export interface SignalQuery {
  /** Account ids to load; null = every active account. */
  accountIds: string[] | null;
  now: Date;
  lookbackDays: number;
  /** Satisfaction window in days (the larger of the lookback and 180). */
  satisfactionDays: number;
  historyPoints: number;
}

export interface SignalSet {
  accounts: AccountSignals[];
  /** Distinct features used by any account in the current window: the breadth denominator. */
  feature_catalog: number;
}

const DAY_MS = 86_400_000;
const OPEN = "('open','pending','in_progress')";

/** SQL expressions (placeholders) of the instants a signal statement compares with. */
export interface SignalWindow {
  /** now (timestamptz text). */
  now: string;
  /** Start of the current window, now − L. */
  cur: string;
  /** Start of the previous window, now − 2L. */
  prev: string;
}

// The signal statements, one definition each: the per-account path (load below) and the portfolio's
// set-based scoring (services/health/portfolio-scoring-sql.ts) run the same text with their own filter.
// `filter` is fixed SQL on the account row `a` or the child row `x`, never user input.

/** The account and its contract in force (the latest active one). */
export const accountBaseSql = (filter: string) =>
  `SELECT a.id, a.status::text AS status, a.lifecycle_stage::text AS lifecycle_stage, ${customerSinceSql("a")} AS customer_since, a.health_score,
          COALESCE(c.seats, a.seats) AS seats, (c.id IS NOT NULL) AS has_contract, c.renewal_date, c.payment_status
     FROM accounts a
     LEFT JOIN LATERAL (
       SELECT k.id, k.seats, k.renewal_date, k.payment_status FROM contracts k
        WHERE k.account_id = a.id AND k.status = 'active'
        ORDER BY k.start_date DESC NULLS LAST, k.created_at DESC LIMIT 1) c ON true
    WHERE ${filter}`;

export const usageSignalsSql = (filter: string, w: SignalWindow) =>
  `SELECT x.account_id,
          count(DISTINCT x.user_id) FILTER (WHERE x.occurred_at >= ${w.cur}::timestamptz)::int AS users_cur,
          count(DISTINCT x.user_id) FILTER (WHERE x.occurred_at >= ${w.prev}::timestamptz AND x.occurred_at < ${w.cur}::timestamptz)::int AS users_prev,
          count(*) FILTER (WHERE x.occurred_at >= ${w.cur}::timestamptz)::int AS events_cur,
          count(*) FILTER (WHERE x.occurred_at >= ${w.prev}::timestamptz AND x.occurred_at < ${w.cur}::timestamptz)::int AS events_prev,
          count(DISTINCT x.user_id || '|' || (x.occurred_at AT TIME ZONE 'UTC')::date::text) FILTER (WHERE x.occurred_at >= ${w.cur}::timestamptz)::int AS user_days_cur,
          count(DISTINCT x.user_id || '|' || (x.occurred_at AT TIME ZONE 'UTC')::date::text) FILTER (WHERE x.occurred_at >= ${w.prev}::timestamptz AND x.occurred_at < ${w.cur}::timestamptz)::int AS user_days_prev,
          count(DISTINCT (x.occurred_at AT TIME ZONE 'UTC')::date) FILTER (WHERE x.occurred_at >= ${w.cur}::timestamptz)::int AS days_cur,
          count(DISTINCT x.feature) FILTER (WHERE x.occurred_at >= ${w.cur}::timestamptz)::int AS features_cur,
          max(x.occurred_at) AS last_at
     FROM usage_events x
    WHERE ${filter} AND x.occurred_at < ${w.now}::timestamptz
    GROUP BY x.account_id`;

/**
 * count(DISTINCT feature) over the window, as a skip scan on (feature, occurred_at): walk the distinct
 * features one index probe at a time and keep those with an event in the window. $1 start, $2 now.
 */
export const FEATURE_CATALOG_SQL = `WITH RECURSIVE f AS (
     SELECT min(feature) AS feature FROM usage_events WHERE feature IS NOT NULL
     UNION ALL
     SELECT (SELECT min(u.feature) FROM usage_events u WHERE u.feature > f.feature) FROM f WHERE f.feature IS NOT NULL
   )
   SELECT count(*)::int AS n FROM f
    WHERE f.feature IS NOT NULL
      AND EXISTS (SELECT 1 FROM usage_events u WHERE u.feature = f.feature AND u.occurred_at >= $1::timestamptz AND u.occurred_at < $2::timestamptz)`;

export const ticketSignalsSql = (filter: string, w: Pick<SignalWindow, "now" | "cur">) =>
  `SELECT x.account_id,
          count(*) FILTER (WHERE x.status IN ${OPEN} AND x.priority = 'P1')::int AS open_p1,
          count(*) FILTER (WHERE x.status IN ${OPEN} AND x.priority = 'P2')::int AS open_p2,
          count(*) FILTER (WHERE x.status IN ${OPEN} AND x.priority = 'P3')::int AS open_p3,
          count(*) FILTER (WHERE x.status IN ${OPEN} AND x.priority = 'P4')::int AS open_p4,
          count(*) FILTER (WHERE (x.created_at >= ${w.cur}::timestamptz OR x.status IN ${OPEN}) AND (
              x.first_response_at > x.first_response_due_at
           OR (x.first_response_at IS NULL AND x.status IN ${OPEN} AND x.first_response_due_at < ${w.now}::timestamptz)
           OR x.resolved_at > x.resolution_due_at
           OR (x.resolved_at IS NULL AND x.status IN ${OPEN} AND x.resolution_due_at < ${w.now}::timestamptz)))::int AS sla_breaches,
          count(*) FILTER (WHERE x.created_at >= ${w.cur}::timestamptz)::int AS tickets_cur,
          count(*) FILTER (WHERE x.resolved_at >= ${w.cur}::timestamptz AND x.resolved_at < ${w.now}::timestamptz AND x.satisfaction_rating IS NOT NULL)::int AS csat_n,
          avg(x.satisfaction_rating) FILTER (WHERE x.resolved_at >= ${w.cur}::timestamptz AND x.resolved_at < ${w.now}::timestamptz AND x.satisfaction_rating IS NOT NULL)::float8 AS csat_avg
     FROM support_tickets x
    WHERE ${filter} AND x.created_at < ${w.now}::timestamptz
    GROUP BY x.account_id`;

export const escalationSignalsSql = (filter: string, w: Pick<SignalWindow, "now" | "cur">) =>
  `SELECT x.account_id,
          count(*) FILTER (WHERE x.status <> 'resolved')::int AS open_escalations,
          count(*) FILTER (WHERE x.created_at >= ${w.cur}::timestamptz)::int AS escalations_cur
     FROM escalations x
    WHERE ${filter} AND x.created_at < ${w.now}::timestamptz
    GROUP BY x.account_id`;

/** `sat`: start of the satisfaction window. */
export const surveySignalsSql = (filter: string, w: { now: string; sat: string; cur: string }) =>
  `SELECT x.account_id,
          count(*) FILTER (WHERE x.survey_type = 'nps')::int AS nps_n,
          count(*) FILTER (WHERE x.survey_type = 'nps' AND x.score >= 9)::int AS promoters,
          count(*) FILTER (WHERE x.survey_type = 'nps' AND x.score <= 6)::int AS detractors,
          count(*) FILTER (WHERE x.survey_type = 'nps' AND x.score <= 6 AND x.responded_at >= ${w.cur}::timestamptz)::int AS detractors_cur,
          count(*) FILTER (WHERE x.survey_type = 'nps' AND x.responded_at >= ${w.cur}::timestamptz)::int AS nps_cur_n,
          (array_agg(x.score ORDER BY x.responded_at DESC) FILTER (WHERE x.survey_type = 'nps'))[1] AS latest_nps,
          count(*) FILTER (WHERE x.survey_type = 'csat')::int AS csat_n,
          count(*) FILTER (WHERE x.survey_type = 'csat' AND x.score >= 4)::int AS csat_pos,
          count(*) FILTER (WHERE x.survey_type = 'ces')::int AS ces_n,
          avg(x.score) FILTER (WHERE x.survey_type = 'ces')::float8 AS ces_avg
     FROM survey_responses x
    WHERE ${filter} AND x.responded_at >= ${w.sat}::timestamptz AND x.responded_at < ${w.now}::timestamptz
    GROUP BY x.account_id`;

/** `today`: the UTC date of now. */
export const invoiceSignalsSql = (filter: string, today: string) =>
  `SELECT x.account_id,
          count(*)::int AS invoices_n,
          count(*) FILTER (WHERE x.paid_at IS NULL AND x.due_date < ${today}::date)::int AS overdue_n,
          COALESCE(sum(LEAST(${today}::date - x.due_date, 90)) FILTER (WHERE x.paid_at IS NULL AND x.due_date < ${today}::date), 0)::int AS overdue_days_capped,
          COALESCE(max(${today}::date - x.due_date) FILTER (WHERE x.paid_at IS NULL AND x.due_date < ${today}::date), 0)::int AS max_days_overdue,
          COALESCE(sum(x.amount) FILTER (WHERE x.paid_at IS NULL AND x.due_date < ${today}::date), 0)::text AS overdue_amount,
          count(*) FILTER (WHERE x.paid_at IS NOT NULL AND (x.paid_at AT TIME ZONE 'UTC')::date > x.due_date)::int AS paid_late_n
     FROM invoices x
    WHERE ${filter}
      AND COALESCE(x.issued_at, x.due_date) <= ${today}::date
      AND (x.paid_at IS NULL OR x.due_date >= ${today}::date - 365)
    GROUP BY x.account_id`;

export class HealthSignalsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async load(q: SignalQuery): Promise<SignalSet> {
    const now = q.now.toISOString();
    const cur = new Date(q.now.getTime() - q.lookbackDays * DAY_MS).toISOString();
    const prev = new Date(q.now.getTime() - 2 * q.lookbackDays * DAY_MS).toISOString();
    const sat = new Date(q.now.getTime() - q.satisfactionDays * DAY_MS).toISOString();
    const today = now.slice(0, 10);
    // $1 is always the id list (or null for every active account); the filter text is fixed, never user input.
    const ids = q.accountIds;
    const accFilter = ids ? "a.id = ANY($1::text[])" : "($1::text[] IS NULL AND a.status = 'active')";
    const childFilter = ids ? "x.account_id = ANY($1::text[])" : "($1::text[] IS NULL AND x.account_id IN (SELECT id FROM accounts WHERE status = 'active'))";
    const p = this.prisma;

    const w: SignalWindow = { now: "$2", cur: "$3", prev: "$4" };
    const [base, usage, catalog, tickets, escalations, surveys, invoices, history] = await Promise.all([
      p.$queryRawUnsafe<Array<{ id: string; status: string; lifecycle_stage: string; customer_since: Date; seats: number | null; has_contract: boolean; renewal_date: Date | null; payment_status: string | null; health_score: number | null }>>(
        `${accountBaseSql(accFilter)} ORDER BY a.id`,
        ids,
      ),
      p.$queryRawUnsafe<Array<UsageSignals & { account_id: string }>>(usageSignalsSql(childFilter, w), ids, now, cur, prev),
      p.$queryRawUnsafe<Array<{ n: number }>>(FEATURE_CATALOG_SQL, cur, now),
      p.$queryRawUnsafe<Array<Omit<SupportSignals, "open_escalations" | "escalations_cur"> & { account_id: string }>>(ticketSignalsSql(childFilter, w), ids, now, cur),
      p.$queryRawUnsafe<Array<{ account_id: string; open_escalations: number; escalations_cur: number }>>(escalationSignalsSql(childFilter, w), ids, now, cur),
      p.$queryRawUnsafe<Array<SurveySignals & { account_id: string }>>(surveySignalsSql(childFilter, { now: "$2", sat: "$3", cur: "$4" }), ids, now, sat, cur),
      p.$queryRawUnsafe<Array<Omit<InvoiceSignals, "overdue_amount"> & { account_id: string; overdue_amount: string }>>(invoiceSignalsSql(childFilter, "$2"), ids, today),
      p.$queryRawUnsafe<Array<{ account_id: string; overall_score: number | null; calculated_at: Date }>>(
        `SELECT account_id, overall_score, calculated_at FROM (
           SELECT x.account_id, x.overall_score, x.calculated_at,
                  row_number() OVER (PARTITION BY x.account_id ORDER BY x.calculated_at DESC, x.id DESC) AS rn
             FROM health_scores x
            WHERE ${childFilter} AND x.calculated_at <= $2::timestamptz AND ${standardHealthRun("x")}) h
          WHERE rn <= $3::int
          ORDER BY account_id, calculated_at DESC`,
        ids, now, q.historyPoints,
      ),
    ]);

    const byId = <T extends { account_id: string }>(rows: T[]) => new Map(rows.map((r) => [r.account_id, r]));
    const u = byId(usage);
    const t = byId(tickets);
    const e = byId(escalations);
    const s = byId(surveys);
    const inv = byId(invoices);
    const h = new Map<string, Array<{ score: number | null; at: Date }>>();
    for (const r of history) {
      const list = h.get(r.account_id) ?? [];
      list.push({ score: r.overall_score === null ? null : Number(r.overall_score), at: new Date(r.calculated_at) });
      h.set(r.account_id, list);
    }

    const accounts = base.map((a): AccountSignals => {
      const us = u.get(a.id);
      const tk = t.get(a.id);
      const es = e.get(a.id);
      const sv = s.get(a.id);
      const iv = inv.get(a.id);
      const { account_id: _u, ...usageRest } = us ?? ({} as UsageSignals & { account_id: string });
      return {
        account_id: a.id,
        status: a.status,
        lifecycle_stage: a.lifecycle_stage,
        customer_since: new Date(a.customer_since),
        seats: a.seats === null || a.seats === undefined ? null : Number(a.seats),
        has_contract: Boolean(a.has_contract),
        renewal_date: a.renewal_date ? new Date(a.renewal_date) : null,
        payment_status: a.payment_status ?? null,
        health_column: a.health_score === null || a.health_score === undefined ? null : Number(a.health_score),
        usage: us ? { ...(usageRest as UsageSignals), last_at: new Date(us.last_at) } : null,
        support:
          tk || es
            ? {
                open_p1: tk?.open_p1 ?? 0,
                open_p2: tk?.open_p2 ?? 0,
                open_p3: tk?.open_p3 ?? 0,
                open_p4: tk?.open_p4 ?? 0,
                sla_breaches: tk?.sla_breaches ?? 0,
                tickets_cur: tk?.tickets_cur ?? 0,
                csat_n: tk?.csat_n ?? 0,
                csat_avg: tk?.csat_avg ?? null,
                open_escalations: es?.open_escalations ?? 0,
                escalations_cur: es?.escalations_cur ?? 0,
              }
            : null,
        surveys: sv
          ? {
              nps_n: sv.nps_n,
              promoters: sv.promoters,
              detractors: sv.detractors,
              detractors_cur: sv.detractors_cur,
              nps_cur_n: sv.nps_cur_n,
              latest_nps: sv.latest_nps === null || sv.latest_nps === undefined ? null : Number(sv.latest_nps),
              csat_n: sv.csat_n,
              csat_pos: sv.csat_pos,
              ces_n: sv.ces_n,
              ces_avg: sv.ces_avg ?? null,
            }
          : null,
        invoices: iv
          ? {
              invoices_n: iv.invoices_n,
              overdue_n: iv.overdue_n,
              overdue_days_capped: iv.overdue_days_capped,
              max_days_overdue: iv.max_days_overdue,
              overdue_amount: Math.round(Number(iv.overdue_amount) * 100) / 100,
              paid_late_n: iv.paid_late_n,
            }
          : null,
        history: h.get(a.id) ?? [],
      };
    });
    return { accounts, feature_catalog: catalog[0]?.n ?? 0 };
  }
}
