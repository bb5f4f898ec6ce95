// The churn model's features, point in time and set-based: one statement returns, per account, the signals
// as they stood at that account's as-of instant t — for a churned account its churned_at (training), for an
// active one now. Only rows dated before t are read: usage and tickets before t, a ticket or escalation
// counts as open when it was still open at t (resolved later or not yet), invoices overdue at t (paid later
// or unpaid), the latest contract started by t, tenure from customer since to t. Nothing after t, and never
// the account's lifecycle stage (which says 'churned' once it has). Plain SQL: PGlite and PostgreSQL.
import { customerSinceSql } from "./customer-since.ts";

/** The raw point-in-time columns of one account (also the inputs of the hand-set model). */
export interface ChurnFeatureRow {
  account_id: string;
  churned: boolean;
  as_of: Date;
  users_cur: number;
  users_prev: number;
  user_days_cur: number;
  user_days_prev: number;
  events_cur: number;
  days_cur: number;
  days_since_usage: number | null;
  tickets_90: number;
  open_p1: number;
  open_p2: number;
  sla_breaches_90: number;
  open_escalations: number;
  nps_latest: number | null;
  nps_n_180: number;
  detractors_180: number;
  csat_avg: number | null;
  overdue_invoices: number;
  max_days_overdue: number;
  paid_late_365: number;
  tenure_days: number;
  has_contract: boolean;
  contract_months: number | null;
  days_to_renewal: number | null;
  auto_renew: boolean;
  arr: number;
  attributes: Record<string, unknown>;
}

export type FeatureScope =
  /** Accounts with a known outcome: active (t = now) and churned with a churned_at (t = churned_at). */
  | { kind: "training" }
  /** Active accounts (or the given ids), all at t = now. */
  | { kind: "scoring"; accountIds: string[] | null };

const OPEN_TICKET = "('open','pending','in_progress')";

/**
 * The feature statement as a CTE body named `r` plus its parameters ($1 now, $2 ids): callers select from it
 * (the model's linear score is a SQL expression over r's columns, so a portfolio is scored without leaving
 * the database). `first` is the number of the first parameter (so it can be embedded in a larger statement).
 */
export function featureSql(scope: FeatureScope, first = 1): { sql: string; params: unknown[] } {
  const now = `$${first}::timestamptz`;
  const ids = `$${first + 1}::text[]`;
  const t = scope.kind === "training" ? `CASE WHEN a.status = 'churned' THEN a.churned_at ELSE ${now} END` : now;
  const filter =
    scope.kind === "training"
      ? `(a.status = 'active' OR (a.status = 'churned' AND a.churned_at IS NOT NULL AND a.churned_at <= ${now})) AND ${ids} IS NULL`
      : `(CASE WHEN ${ids} IS NULL THEN a.status = 'active' ELSE a.id = ANY(${ids}) END)`;
  const d = (col: string) => `(${col} AT TIME ZONE 'UTC')::date`;
  const sql = `
  acc AS (
    SELECT a.id, (a.status = 'churned' AND ${scope.kind === "training" ? "true" : "false"}) AS churned, ${t} AS t, ${customerSinceSql("a")} AS since,
           a.attributes, a.arr::float8 AS arr
      FROM accounts a WHERE ${filter}
  ),
  u AS (
    SELECT acc.id,
           count(DISTINCT x.user_id) FILTER (WHERE x.occurred_at >= acc.t - interval '30 days')::int AS users_cur,
           count(DISTINCT x.user_id) FILTER (WHERE x.occurred_at < acc.t - interval '30 days')::int AS users_prev,
           count(DISTINCT x.user_id || '|' || ${d("x.occurred_at")}::text) FILTER (WHERE x.occurred_at >= acc.t - interval '30 days')::int AS user_days_cur,
           count(DISTINCT x.user_id || '|' || ${d("x.occurred_at")}::text) FILTER (WHERE x.occurred_at < acc.t - interval '30 days')::int AS user_days_prev,
           count(*) FILTER (WHERE x.occurred_at >= acc.t - interval '30 days')::int AS events_cur,
           count(DISTINCT ${d("x.occurred_at")}) FILTER (WHERE x.occurred_at >= acc.t - interval '30 days')::int AS days_cur
      FROM acc JOIN usage_events x ON x.account_id = acc.id AND x.occurred_at >= acc.t - interval '60 days' AND x.occurred_at < acc.t
     GROUP BY acc.id
  ),
  tk AS (
    SELECT acc.id,
           count(*) FILTER (WHERE x.created_at >= acc.t - interval '90 days')::int AS tickets_90,
           count(*) FILTER (WHERE x.priority = 'P1' AND (COALESCE(x.resolved_at, x.closed_at) >= acc.t OR (COALESCE(x.resolved_at, x.closed_at) IS NULL AND x.status IN ${OPEN_TICKET})))::int AS open_p1,
           count(*) FILTER (WHERE x.priority = 'P2' AND (COALESCE(x.resolved_at, x.closed_at) >= acc.t OR (COALESCE(x.resolved_at, x.closed_at) IS NULL AND x.status IN ${OPEN_TICKET})))::int AS open_p2,
           count(*) FILTER (WHERE x.created_at >= acc.t - interval '90 days' AND (
                (x.first_response_at < acc.t AND x.first_response_at > x.first_response_due_at)
             OR ((x.first_response_at IS NULL OR x.first_response_at >= acc.t) AND x.first_response_due_at < acc.t)
             OR (x.resolved_at < acc.t AND x.resolved_at > x.resolution_due_at)
             OR ((x.resolved_at IS NULL OR x.resolved_at >= acc.t) AND x.resolution_due_at < acc.t)))::int AS sla_breaches_90,
           sum(x.satisfaction_rating) FILTER (WHERE x.resolved_at >= acc.t - interval '180 days' AND x.resolved_at < acc.t)::float8 AS csat_sum,
           count(x.satisfaction_rating) FILTER (WHERE x.resolved_at >= acc.t - interval '180 days' AND x.resolved_at < acc.t)::int AS csat_n
      FROM acc JOIN support_tickets x ON x.account_id = acc.id AND x.created_at < acc.t
     GROUP BY acc.id
  ),
  es AS (
    SELECT acc.id, count(*)::int AS open_escalations
      FROM acc JOIN escalations x ON x.account_id = acc.id AND x.created_at < acc.t
     WHERE x.resolved_at >= acc.t OR (x.resolved_at IS NULL AND x.status <> 'resolved')
     GROUP BY acc.id
  ),
  sv AS (
    SELECT acc.id,
           (array_agg(x.score ORDER BY x.responded_at DESC) FILTER (WHERE x.survey_type = 'nps'))[1] AS nps_latest,
           count(*) FILTER (WHERE x.survey_type = 'nps' AND x.responded_at >= acc.t - interval '180 days')::int AS nps_n_180,
           count(*) FILTER (WHERE x.survey_type = 'nps' AND x.score <= 6 AND x.responded_at >= acc.t - interval '180 days')::int AS detractors_180,
           sum(x.score) FILTER (WHERE x.survey_type = 'csat' AND x.responded_at >= acc.t - interval '180 days')::float8 AS csat_sum,
           count(*) FILTER (WHERE x.survey_type = 'csat' AND x.responded_at >= acc.t - interval '180 days')::int AS csat_n
      FROM acc JOIN survey_responses x ON x.account_id = acc.id AND x.responded_at >= acc.t - interval '365 days' AND x.responded_at < acc.t
     GROUP BY acc.id
  ),
  iv AS (
    SELECT acc.id,
           count(*) FILTER (WHERE x.due_date < ${d("acc.t")} AND (x.paid_at IS NULL OR x.paid_at >= acc.t))::int AS overdue_invoices,
           COALESCE(max(${d("acc.t")} - x.due_date) FILTER (WHERE x.due_date < ${d("acc.t")} AND (x.paid_at IS NULL OR x.paid_at >= acc.t)), 0)::int AS max_days_overdue,
           count(*) FILTER (WHERE x.due_date >= ${d("acc.t")} - 365 AND x.paid_at < acc.t AND ${d("x.paid_at")} > x.due_date)::int AS paid_late_365
      FROM acc JOIN invoices x ON x.account_id = acc.id AND COALESCE(x.issued_at, x.due_date) <= ${d("acc.t")}
     GROUP BY acc.id
  ),
  r AS (
    SELECT acc.id AS account_id, acc.churned, acc.t AS as_of,
           COALESCE(u.users_cur, 0) AS users_cur, COALESCE(u.users_prev, 0) AS users_prev,
           COALESCE(u.user_days_cur, 0) AS user_days_cur, COALESCE(u.user_days_prev, 0) AS user_days_prev,
           COALESCE(u.events_cur, 0) AS events_cur, COALESCE(u.days_cur, 0) AS days_cur,
           (SELECT ${d("acc.t")} - ${d("max(x.occurred_at)")} FROM usage_events x WHERE x.account_id = acc.id AND x.occurred_at < acc.t) AS days_since_usage,
           COALESCE(tk.tickets_90, 0) AS tickets_90, COALESCE(tk.open_p1, 0) AS open_p1, COALESCE(tk.open_p2, 0) AS open_p2,
           COALESCE(tk.sla_breaches_90, 0) AS sla_breaches_90, COALESCE(es.open_escalations, 0) AS open_escalations,
           sv.nps_latest::int AS nps_latest, COALESCE(sv.nps_n_180, 0) AS nps_n_180, COALESCE(sv.detractors_180, 0) AS detractors_180,
           (COALESCE(tk.csat_sum, 0) + COALESCE(sv.csat_sum, 0)) / NULLIF(COALESCE(tk.csat_n, 0) + COALESCE(sv.csat_n, 0), 0) AS csat_avg,
           COALESCE(iv.overdue_invoices, 0) AS overdue_invoices, COALESCE(iv.max_days_overdue, 0) AS max_days_overdue, COALESCE(iv.paid_late_365, 0) AS paid_late_365,
           GREATEST(0, ${d("acc.t")} - ${d("acc.since")}) AS tenure_days,
           (k.start_date IS NOT NULL) AS has_contract,
           round(((COALESCE(k.end_date, k.renewal_date) - k.start_date) / 30.4375)::numeric, 1)::float8 AS contract_months,
           (COALESCE(k.renewal_date, k.end_date) - ${d("acc.t")}) AS days_to_renewal,
           COALESCE(k.auto_renew, false) AS auto_renew,
           acc.arr, acc.attributes
      FROM acc
      LEFT JOIN u ON u.id = acc.id
      LEFT JOIN tk ON tk.id = acc.id
      LEFT JOIN es ON es.id = acc.id
      LEFT JOIN sv ON sv.id = acc.id
      LEFT JOIN iv ON iv.id = acc.id
      LEFT JOIN LATERAL (
        SELECT c.start_date, c.end_date, c.renewal_date, c.auto_renew FROM contracts c
         WHERE c.account_id = acc.id AND c.start_date <= ${d("acc.t")}
         ORDER BY c.start_date DESC, c.created_at DESC LIMIT 1) k ON true
  )`;
  return { sql, params: [null, scope.kind === "scoring" ? scope.accountIds : null] };
}

type Raw = { $queryRawUnsafe<T>(sql: string, ...values: unknown[]): Promise<T> };

/** Every feature row of the scope, ordered by account id. */
export async function loadFeatureRows(db: Raw, scope: FeatureScope, now: Date): Promise<ChurnFeatureRow[]> {
  const { sql, params } = featureSql(scope);
  params[0] = now;
  const rows = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(`WITH ${sql} SELECT * FROM r ORDER BY account_id`, ...params);
  return rows.map(toRow);
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const opt = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toRow(r: Record<string, unknown>): ChurnFeatureRow {
  return {
    account_id: String(r.account_id),
    churned: Boolean(r.churned),
    as_of: new Date(r.as_of as string),
    users_cur: num(r.users_cur),
    users_prev: num(r.users_prev),
    user_days_cur: num(r.user_days_cur),
    user_days_prev: num(r.user_days_prev),
    events_cur: num(r.events_cur),
    days_cur: num(r.days_cur),
    days_since_usage: opt(r.days_since_usage),
    tickets_90: num(r.tickets_90),
    open_p1: num(r.open_p1),
    open_p2: num(r.open_p2),
    sla_breaches_90: num(r.sla_breaches_90),
    open_escalations: num(r.open_escalations),
    nps_latest: opt(r.nps_latest),
    nps_n_180: num(r.nps_n_180),
    detractors_180: num(r.detractors_180),
    csat_avg: opt(r.csat_avg),
    overdue_invoices: num(r.overdue_invoices),
    max_days_overdue: num(r.max_days_overdue),
    paid_late_365: num(r.paid_late_365),
    tenure_days: num(r.tenure_days),
    has_contract: Boolean(r.has_contract),
    contract_months: opt(r.contract_months),
    days_to_renewal: opt(r.days_to_renewal),
    auto_renew: Boolean(r.auto_renew),
    arr: num(r.arr),
    attributes: r.attributes && typeof r.attributes === "object" ? (r.attributes as Record<string, unknown>) : {},
  };
}
