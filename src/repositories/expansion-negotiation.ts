// The stored facts behind a renewal negotiation brief for one account: every contract (price history), usage
// and adoption windows, support outcomes and open problems, NPS, payment record. One statement for the
// counters plus one for the contracts.
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface ContractHistoryRow {
  id: string;
  contract_value: string;
  currency: string;
  billing_frequency: string;
  start_date: Date | null;
  end_date: Date | null;
  renewal_date: Date | null;
  auto_renew: boolean;
  notice_period_days: number;
  payment_status: string;
  seats: number | null;
  products: string[];
  add_ons: string[];
  discount_percent: string;
  status: string;
}

export interface NegotiationCounters {
  users_30d: number;
  users_prev_30d: number;
  users_90d_ago: number;
  features_90d: number;
  portfolio_features_90d: number;
  tickets_365d: number;
  resolved_365d: number;
  csat_n: number;
  csat_avg: number | null;
  open_tickets: number;
  open_p1: number;
  open_p2: number;
  open_sla_breached: number;
  open_escalations: number;
  resolved_escalations_365d: number;
  nps_n: number;
  nps_promoters: number;
  nps_detractors: number;
  latest_nps: number | null;
  overdue_invoices: number;
  overdue_amount: string;
  invoices_paid_365d: number;
  invoices_paid_late_365d: number;
}

export class ExpansionNegotiationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  contracts(accountId: string): Promise<ContractHistoryRow[]> {
    return this.prisma.$queryRawUnsafe<ContractHistoryRow[]>(
      `SELECT id, contract_value::text AS contract_value, currency, billing_frequency, start_date, end_date, renewal_date, auto_renew,
              notice_period_days, payment_status, seats, products, add_ons, discount_percent::text AS discount_percent, status
         FROM contracts WHERE account_id = $1
        ORDER BY start_date ASC NULLS FIRST, created_at ASC, id`,
      accountId,
    );
  }

  async counters(accountId: string, now: Date): Promise<NegotiationCounters> {
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `WITH u AS (SELECT user_id, feature, occurred_at FROM usage_events
                   WHERE account_id = $1 AND occurred_at < $2::timestamptz AND occurred_at >= $2::timestamptz - interval '120 days')
       SELECT
         (SELECT count(DISTINCT user_id) FROM u WHERE occurred_at >= $2::timestamptz - interval '30 days')::int AS users_30d,
         (SELECT count(DISTINCT user_id) FROM u WHERE occurred_at < $2::timestamptz - interval '30 days' AND occurred_at >= $2::timestamptz - interval '60 days')::int AS users_prev_30d,
         (SELECT count(DISTINCT user_id) FROM u WHERE occurred_at < $2::timestamptz - interval '90 days')::int AS users_90d_ago,
         (SELECT count(DISTINCT feature) FROM u WHERE occurred_at >= $2::timestamptz - interval '90 days')::int AS features_90d,
         (SELECT count(DISTINCT feature) FROM usage_events WHERE occurred_at >= $2::timestamptz - interval '90 days' AND occurred_at < $2::timestamptz)::int AS portfolio_features_90d,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND created_at >= $2::timestamptz - interval '365 days' AND created_at < $2::timestamptz)::int AS tickets_365d,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND resolved_at >= $2::timestamptz - interval '365 days' AND resolved_at < $2::timestamptz)::int AS resolved_365d,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND resolved_at >= $2::timestamptz - interval '365 days' AND resolved_at < $2::timestamptz AND satisfaction_rating IS NOT NULL)::int AS csat_n,
         (SELECT avg(satisfaction_rating)::float8 FROM support_tickets WHERE account_id = $1 AND resolved_at >= $2::timestamptz - interval '365 days' AND resolved_at < $2::timestamptz AND satisfaction_rating IS NOT NULL) AS csat_avg,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND status IN ('open','pending','in_progress'))::int AS open_tickets,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND status IN ('open','pending','in_progress') AND priority = 'P1')::int AS open_p1,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND status IN ('open','pending','in_progress') AND priority = 'P2')::int AS open_p2,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND status IN ('open','pending','in_progress') AND resolution_due_at < $2::timestamptz)::int AS open_sla_breached,
         (SELECT count(*) FROM escalations WHERE account_id = $1 AND status <> 'resolved')::int AS open_escalations,
         (SELECT count(*) FROM escalations WHERE account_id = $1 AND resolved_at >= $2::timestamptz - interval '365 days' AND resolved_at < $2::timestamptz)::int AS resolved_escalations_365d,
         (SELECT count(*) FROM survey_responses WHERE account_id = $1 AND survey_type = 'nps' AND responded_at >= $2::timestamptz - interval '365 days' AND responded_at < $2::timestamptz)::int AS nps_n,
         (SELECT count(*) FROM survey_responses WHERE account_id = $1 AND survey_type = 'nps' AND score >= 9 AND responded_at >= $2::timestamptz - interval '365 days' AND responded_at < $2::timestamptz)::int AS nps_promoters,
         (SELECT count(*) FROM survey_responses WHERE account_id = $1 AND survey_type = 'nps' AND score <= 6 AND responded_at >= $2::timestamptz - interval '365 days' AND responded_at < $2::timestamptz)::int AS nps_detractors,
         (SELECT score FROM survey_responses WHERE account_id = $1 AND survey_type = 'nps' AND responded_at < $2::timestamptz ORDER BY responded_at DESC LIMIT 1) AS latest_nps,
         (SELECT count(*) FROM invoices WHERE account_id = $1 AND paid_at IS NULL AND due_date < ($2::timestamptz AT TIME ZONE 'UTC')::date)::int AS overdue_invoices,
         (SELECT COALESCE(sum(amount), 0)::text FROM invoices WHERE account_id = $1 AND paid_at IS NULL AND due_date < ($2::timestamptz AT TIME ZONE 'UTC')::date) AS overdue_amount,
         (SELECT count(*) FROM invoices WHERE account_id = $1 AND paid_at >= $2::timestamptz - interval '365 days' AND paid_at < $2::timestamptz)::int AS invoices_paid_365d,
         (SELECT count(*) FROM invoices WHERE account_id = $1 AND paid_at >= $2::timestamptz - interval '365 days' AND paid_at < $2::timestamptz AND (paid_at AT TIME ZONE 'UTC')::date > due_date)::int AS invoices_paid_late_365d`,
      accountId,
      now,
    );
    const r = rows[0] ?? {};
    const n = (k: string) => Number(r[k] ?? 0);
    return {
      users_30d: n("users_30d"),
      users_prev_30d: n("users_prev_30d"),
      users_90d_ago: n("users_90d_ago"),
      features_90d: n("features_90d"),
      portfolio_features_90d: n("portfolio_features_90d"),
      tickets_365d: n("tickets_365d"),
      resolved_365d: n("resolved_365d"),
      csat_n: n("csat_n"),
      csat_avg: r.csat_avg === null || r.csat_avg === undefined ? null : Number(r.csat_avg),
      open_tickets: n("open_tickets"),
      open_p1: n("open_p1"),
      open_p2: n("open_p2"),
      open_sla_breached: n("open_sla_breached"),
      open_escalations: n("open_escalations"),
      resolved_escalations_365d: n("resolved_escalations_365d"),
      nps_n: n("nps_n"),
      nps_promoters: n("nps_promoters"),
      nps_detractors: n("nps_detractors"),
      latest_nps: r.latest_nps === null || r.latest_nps === undefined ? null : Number(r.latest_nps),
      overdue_invoices: n("overdue_invoices"),
      overdue_amount: String(r.overdue_amount ?? "0"),
      invoices_paid_365d: n("invoices_paid_365d"),
      invoices_paid_late_365d: n("invoices_paid_late_365d"),
    };
  }
}
