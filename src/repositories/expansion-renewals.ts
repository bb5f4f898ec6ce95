// Renewals: active contracts of active accounts whose renewal date (renewal_date, else end_date) falls in a
// window of calendar days, with the account's latest stored health; and the renewal_forecasts insert (set-based).
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";
import { standardHealthRun } from "./health-signals.ts";
import { arrayLiteral, uuid7 } from "../import/sql.ts";

type Tx = P.TransactionClient;

export interface RenewalRow {
  contract_id: string;
  account_id: string;
  company_name: string;
  tier: string;
  csm_name: string | null;
  contract_value: string;
  currency: string;
  billing_frequency: string;
  renewal_date: Date;
  renewal_date_source: "renewal_date" | "end_date";
  auto_renew: boolean;
  notice_period_days: number;
  payment_status: string;
  seats: number | null;
  health: number | null;
  health_source: "health_scores" | "accounts.health_score" | "computed_now" | null;
}

export class ExpansionRenewalsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Renewals with from ≤ date ≤ to (DATE strings YYYY-MM-DD), soonest first. */
  async due(from: string, to: string, clientId: string | null, now: Date): Promise<RenewalRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT c.id AS contract_id, c.account_id, a.company_name, a.tier::text AS tier, a.csm_name,
              c.contract_value::text AS contract_value, c.currency, c.billing_frequency,
              COALESCE(c.renewal_date, c.end_date) AS renewal_date,
              CASE WHEN c.renewal_date IS NOT NULL THEN 'renewal_date' ELSE 'end_date' END AS renewal_date_source,
              c.auto_renew, c.notice_period_days, c.payment_status, c.seats,
              COALESCE(h.overall_score, a.health_score) AS health,
              CASE WHEN h.overall_score IS NOT NULL THEN 'health_scores' WHEN a.health_score IS NOT NULL THEN 'accounts.health_score' END AS health_source
         FROM contracts c
         JOIN accounts a ON a.id = c.account_id AND a.status = 'active'
         LEFT JOIN LATERAL (
           SELECT s.overall_score FROM health_scores s
            WHERE s.account_id = a.id AND s.calculated_at <= $4::timestamptz AND ${standardHealthRun("s")}
            ORDER BY s.calculated_at DESC, s.id DESC LIMIT 1) h ON true
        WHERE c.status = 'active'
          AND COALESCE(c.renewal_date, c.end_date) BETWEEN $1::date AND $2::date
          AND ($3::text IS NULL OR c.account_id = $3::text)
        ORDER BY COALESCE(c.renewal_date, c.end_date), c.account_id, c.id`,
      from,
      to,
      clientId,
      now,
    );
    return rows.map((r) => ({
      contract_id: r.contract_id as string,
      account_id: r.account_id as string,
      company_name: r.company_name as string,
      tier: r.tier as string,
      csm_name: (r.csm_name as string | null) ?? null,
      contract_value: String(r.contract_value),
      currency: r.currency as string,
      billing_frequency: r.billing_frequency as string,
      renewal_date: new Date(r.renewal_date as string),
      renewal_date_source: r.renewal_date_source as RenewalRow["renewal_date_source"],
      auto_renew: Boolean(r.auto_renew),
      notice_period_days: Number(r.notice_period_days),
      payment_status: r.payment_status as string,
      seats: r.seats === null || r.seats === undefined ? null : Number(r.seats),
      health: r.health === null || r.health === undefined ? null : Number(r.health),
      health_source: (r.health_source as RenewalRow["health_source"]) ?? null,
    }));
  }

  /** Active contracts (of active accounts, or of one account) that have neither a renewal date nor an end date. */
  async undated(clientId: string | null): Promise<Array<{ contract_id: string; account_id: string }>> {
    return this.prisma.$queryRawUnsafe(
      `SELECT c.id AS contract_id, c.account_id FROM contracts c JOIN accounts a ON a.id = c.account_id AND a.status = 'active'
        WHERE c.status = 'active' AND c.renewal_date IS NULL AND c.end_date IS NULL AND ($1::text IS NULL OR c.account_id = $1::text)
        ORDER BY c.account_id, c.id`,
      clientId,
    );
  }

  async storeForecasts(
    tx: Tx,
    rows: Array<{ account_id: string; renewal_date: Date; arr: string; probability: number; forecast_arr: string; risk_level: string; factors: unknown[] }>,
    now: Date,
  ) {
    if (rows.length === 0) return [];
    // One set-based INSERT … SELECT FROM unnest(…) for the whole window: a portfolio forecast stores thousands of
    // rows, and Prisma's createManyAndReturn spent about a second building and reading back 6,665 of them
    // (bench/toolsets.ts) where the statement itself takes a tenth of that. Ids are made here (UUIDv7, as the
    // schema's default), so the result keeps the input order without relying on RETURNING's order.
    const ids = rows.map(() => uuid7(now.getTime()));
    await tx.$executeRawUnsafe(
      `INSERT INTO renewal_forecasts (id, account_id, renewal_date, arr, probability, forecast_arr, risk_level, factors, forecast_at)
       SELECT id, account_id, renewal_date::date, arr::numeric, probability::numeric, forecast_arr::numeric, risk_level, factors::jsonb, $1::timestamptz
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
              AS t(id, account_id, renewal_date, arr, probability, forecast_arr, risk_level, factors)`,
      now.toISOString(),
      arrayLiteral(ids),
      arrayLiteral(rows.map((r) => r.account_id)),
      arrayLiteral(rows.map((r) => r.renewal_date.toISOString().slice(0, 10))),
      arrayLiteral(rows.map((r) => r.arr)),
      arrayLiteral(rows.map((r) => r.probability.toFixed(4))),
      arrayLiteral(rows.map((r) => r.forecast_arr)),
      arrayLiteral(rows.map((r) => r.risk_level)),
      arrayLiteral(rows.map((r) => JSON.stringify(r.factors))),
    );
    return rows.map((r, i) => ({ id: ids[i]!, account_id: r.account_id, renewal_date: r.renewal_date }));
  }
}
