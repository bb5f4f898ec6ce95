// ARR per account at the start and at the end of a period, from contracts in force at each date. A contract is
// in force on day d when start_date ≤ d < end_date (open-ended without end_date): end_date is exclusive, as a
// renewal's new contract starts on the old one's end_date. Contract status is not used: it only tells the
// present. An account that churned (churned_at) before a date has no ARR at that date.
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface PeriodArrRow {
  account_id: string;
  company_name: string;
  created_at: Date;
  churned_at: Date | null;
  start_arr: string;
  end_arr: string;
  /** churned_at inside [period start, end cut). */
  churned_in_period: boolean;
}

export class ExpansionRevenueRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * startDay: first day of the period; endDay: the day the ending ARR is read (the period's last day, or today for
   * a period still running); endCut: the instant churn is counted up to (exclusive).
   */
  async periodArr(startDay: string, endDay: string, startCut: Date, endCut: Date): Promise<PeriodArrRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT a.id AS account_id, a.company_name, a.created_at, a.churned_at,
              CASE WHEN a.churned_at IS NOT NULL AND a.churned_at < $3::timestamptz THEN 0
                   ELSE COALESCE((SELECT sum(c.contract_value) FROM contracts c
                                   WHERE c.account_id = a.id AND c.start_date <= $1::date AND (c.end_date IS NULL OR c.end_date > $1::date)), 0) END::text AS start_arr,
              CASE WHEN a.churned_at IS NOT NULL AND a.churned_at < $4::timestamptz THEN 0
                   ELSE COALESCE((SELECT sum(c.contract_value) FROM contracts c
                                   WHERE c.account_id = a.id AND c.start_date <= $2::date AND (c.end_date IS NULL OR c.end_date > $2::date)), 0) END::text AS end_arr,
              (a.churned_at IS NOT NULL AND a.churned_at >= $3::timestamptz AND a.churned_at < $4::timestamptz) AS churned_in_period
         FROM accounts a
        WHERE EXISTS (SELECT 1 FROM contracts c
                       WHERE c.account_id = a.id AND c.start_date <= $2::date AND (c.end_date IS NULL OR c.end_date > $1::date))
        ORDER BY a.id`,
      startDay,
      endDay,
      startCut,
      endCut,
    );
    return rows.map((r) => ({
      account_id: r.account_id as string,
      company_name: r.company_name as string,
      created_at: new Date(r.created_at as string),
      churned_at: r.churned_at ? new Date(r.churned_at as string) : null,
      start_arr: String(r.start_arr),
      end_arr: String(r.end_arr),
      churned_in_period: Boolean(r.churned_in_period),
    }));
  }

  /** Open opportunities' value per account and type. */
  async openPipeline(): Promise<Array<{ account_id: string; type: string; n: number; value: string }>> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ account_id: string; type: string; n: number; value: string }>>(
      `SELECT account_id, type, count(*)::int AS n, sum(estimated_value)::text AS value
         FROM expansion_opportunities WHERE status = 'open' GROUP BY account_id, type ORDER BY account_id, type`,
    );
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }
}
