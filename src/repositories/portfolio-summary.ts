// The stored figures behind cs://portfolio/summary: one row per account (status, ARR, stored health
// score, latest churn probability) and the active contracts renewing inside a date window.
import type { Database } from "../db/database.ts";

export interface SummaryAccountRow {
  status: string;
  arr: string;
  health_score: number | null;
  churn_probability: number | null;
}

export class PortfolioSummaryRepository {
  constructor(private readonly db: Pick<Database, "query">) {}

  accounts(): Promise<SummaryAccountRow[]> {
    return this.db.query<SummaryAccountRow>(
      `SELECT a.status::text AS status, a.arr::text AS arr, a.health_score, cp.probability::float8 AS churn_probability
         FROM accounts a
         LEFT JOIN LATERAL (SELECT probability FROM churn_predictions p WHERE p.account_id = a.id ORDER BY predicted_at DESC, id DESC LIMIT 1) cp ON true`,
    );
  }

  /** Active contracts of active accounts whose renewal date (renewal_date, else end_date) is in [from, to]. */
  async renewals(from: string, to: string): Promise<{ renewals: number; arr: string }> {
    const [row] = await this.db.query<{ renewals: number; arr: string }>(
      `SELECT count(*)::int AS renewals, COALESCE(sum(c.contract_value), 0)::text AS arr
         FROM contracts c JOIN accounts a ON a.id = c.account_id
        WHERE c.status = 'active' AND a.status = 'active'
          AND COALESCE(c.renewal_date, c.end_date) BETWEEN $1::date AND $2::date`,
      [from, to],
    );
    return row ?? { renewals: 0, arr: "0" };
  }
}
