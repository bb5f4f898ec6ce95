// Risk signals of one account in one statement, and the risk_indicators rows kept in step with them.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;

/** What this repository reads; health, usage decline and SLA breaches come from health-signals.ts (one definition each). */
export interface RiskRowSignals {
  usage_events_total: number;
  last_activity_at: Date | null;
  latest_nps_score: number | null;
  latest_nps_at: Date | null;
  open_p1: number;
  open_p2: number;
  open_escalations: number;
  worst_escalation_severity: string | null;
  overdue_invoices: number;
  overdue_amount: number;
  oldest_overdue_due: Date | null;
  renewal_date: Date | null;
}

export class RiskRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async signals(accountId: string, now: Date): Promise<RiskRowSignals> {
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT
         (SELECT count(*) FROM usage_events WHERE account_id = $1) AS usage_events_total,
         (SELECT max(occurred_at) FROM usage_events WHERE account_id = $1 AND occurred_at <= $2::timestamptz) AS last_activity_at,
         n.score AS latest_nps_score, n.responded_at AS latest_nps_at,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND priority = 'P1' AND status IN ('open', 'pending', 'in_progress')) AS open_p1,
         (SELECT count(*) FROM support_tickets WHERE account_id = $1 AND priority = 'P2' AND status IN ('open', 'pending', 'in_progress')) AS open_p2,
         (SELECT count(*) FROM escalations WHERE account_id = $1 AND status <> 'resolved') AS open_escalations,
         (SELECT severity FROM escalations WHERE account_id = $1 AND status <> 'resolved'
           ORDER BY CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END DESC LIMIT 1) AS worst_escalation_severity,
         (SELECT count(*) FROM invoices WHERE account_id = $1 AND paid_at IS NULL AND due_date < ($2::timestamptz AT TIME ZONE 'UTC')::date) AS overdue_invoices,
         (SELECT COALESCE(sum(amount), 0)::float8 FROM invoices WHERE account_id = $1 AND paid_at IS NULL AND due_date < ($2::timestamptz AT TIME ZONE 'UTC')::date) AS overdue_amount,
         (SELECT min(due_date) FROM invoices WHERE account_id = $1 AND paid_at IS NULL AND due_date < ($2::timestamptz AT TIME ZONE 'UTC')::date) AS oldest_overdue_due,
         (SELECT COALESCE(renewal_date, end_date) FROM contracts WHERE account_id = $1 AND status = 'active'
           ORDER BY start_date DESC NULLS LAST, created_at DESC LIMIT 1) AS renewal_date
       FROM accounts a
       LEFT JOIN LATERAL (SELECT score, responded_at FROM survey_responses
                           WHERE account_id = a.id AND survey_type = 'nps' AND responded_at > $2::timestamptz - interval '180 days' AND responded_at <= $2::timestamptz
                           ORDER BY responded_at DESC LIMIT 1) n ON true
      WHERE a.id = $1`,
      accountId,
      now,
    );
    const r = rows[0] ?? {};
    const num = (k: string) => Number(r[k] ?? 0);
    const date = (k: string) => (r[k] ? new Date(r[k] as string) : null);
    return {
      usage_events_total: num("usage_events_total"),
      last_activity_at: date("last_activity_at"),
      latest_nps_score: r.latest_nps_score === null || r.latest_nps_score === undefined ? null : Number(r.latest_nps_score),
      latest_nps_at: date("latest_nps_at"),
      open_p1: num("open_p1"),
      open_p2: num("open_p2"),
      open_escalations: num("open_escalations"),
      worst_escalation_severity: (r.worst_escalation_severity as string | null) ?? null,
      overdue_invoices: num("overdue_invoices"),
      overdue_amount: num("overdue_amount"),
      oldest_overdue_due: date("oldest_overdue_due"),
      renewal_date: date("renewal_date"),
    };
  }

  openIndicators(tx: Tx, accountId: string) {
    return tx.riskIndicator.findMany({ where: { account_id: accountId, status: "open" }, orderBy: { detected_at: "asc" } });
  }

  create(tx: Tx, data: P.RiskIndicatorUncheckedCreateInput) {
    return tx.riskIndicator.create({ data });
  }

  update(tx: Tx, id: string, data: P.RiskIndicatorUncheckedUpdateInput) {
    return tx.riskIndicator.update({ where: { id }, data });
  }

  close(tx: Tx, ids: string[], at: Date) {
    return tx.riskIndicator.updateMany({ where: { id: { in: ids }, status: "open" }, data: { status: "closed", resolved_at: at } });
  }
}
