// ARR movements: the one definition of how an account's ARR moved over a period, shared by
// track_revenue_expansion (per account, GRR/NRR) and track_cs_metrics' expansion_rate (per bucket), so the two
// tools cannot disagree on the same contracts.
//   ARR on a day   = Σ contract_value of the account's contracts in force that day (start_date ≤ day < end_date,
//                    open-ended without end_date), 0 once the account has churned (churned_at before the day's cut)
//   movement       = new (no ARR at the start, ARR at the end), churned (ARR at the start; none at the end or
//                    churned_at inside the period: its ending ARR counts as 0), expansion (end > start),
//                    contraction (end < start) or flat. Accounts with ARR at neither end have no row.
//   expansion rate = Σ (end − start) of the expanding accounts ÷ Σ starting ARR of the cohort (accounts with ARR at
//                    the start) × 100, 2 decimals; null when the cohort has no ARR (no data, never a measured 0).
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";

export const ARR_MOVEMENTS = ["new", "expansion", "contraction", "churned", "flat"] as const;
export type ArrMovement = (typeof ARR_MOVEMENTS)[number];

export const EXPANSION_RATE_FORMULA = "expansion rate = Σ (ending − starting ARR) of the accounts whose ARR grew ÷ starting ARR of the accounts with ARR at the period start × 100 (the expansion_arr ÷ starting_arr of track_revenue_expansion)";

/**
 * CTE text `mv AS (…)` with one row per (period i, account): start_arr, end_arr (0 when churned), movement.
 * `periods` names a relation with columns i, start_day date, end_day date, start_cut timestamptz, end_cut timestamptz
 * (churn before a cut removes the ARR of that day); `accounts` one with columns id, churned_at.
 */
export function arrMovementsCte(periods: string, accounts: string): string {
  const inForce = (day: string) => `c.start_date <= p.${day} AND (c.end_date IS NULL OR c.end_date > p.${day})`;
  return `mv_raw AS (
      SELECT p.i, acc.id AS account_id,
             CASE WHEN acc.churned_at < p.start_cut THEN 0 ELSE coalesce(sum(c.contract_value) FILTER (WHERE ${inForce("start_day")}), 0) END AS start_arr,
             CASE WHEN acc.churned_at < p.end_cut THEN 0 ELSE coalesce(sum(c.contract_value) FILTER (WHERE ${inForce("end_day")}), 0) END AS end_arr,
             coalesce(acc.churned_at >= p.start_cut AND acc.churned_at < p.end_cut, false) AS churned_in_period
        FROM ${periods} p
        JOIN contracts c ON c.start_date <= p.end_day AND (c.end_date IS NULL OR c.end_date > p.start_day)
        JOIN ${accounts} acc ON acc.id = c.account_id
       GROUP BY p.i, p.start_day, p.end_day, p.start_cut, p.end_cut, acc.id, acc.churned_at),
    mv AS (
      SELECT i, account_id, start_arr,
             CASE WHEN start_arr > 0 AND (end_arr <= 0 OR churned_in_period) THEN 0 ELSE end_arr END AS end_arr,
             CASE WHEN start_arr <= 0 THEN 'new'
                  WHEN end_arr <= 0 OR churned_in_period THEN 'churned'
                  WHEN end_arr > start_arr THEN 'expansion'
                  WHEN end_arr < start_arr THEN 'contraction'
                  ELSE 'flat' END AS movement
        FROM mv_raw
       WHERE start_arr > 0 OR end_arr > 0)`;
}

/** Expansion ARR ÷ starting ARR × 100, half-up to 2 decimals; null without starting ARR. Inputs are numeric text. */
export function expansionRatePercent(expansionArr: string | number, startingArr: string | number): number | null {
  const start = new Prisma.Decimal(String(startingArr));
  if (start.lte(0)) return null;
  return Number(new Prisma.Decimal(String(expansionArr)).div(start).mul(100).toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_UP).toFixed(2));
}

export interface ArrMovementRow {
  account_id: string;
  company_name: string;
  churned_at: Date | null;
  /** numeric text */
  start_arr: string;
  /** numeric text; 0 for a churned account */
  end_arr: string;
  movement: ArrMovement;
}

export class ArrMovementsRepository {
  constructor(private readonly prisma: Pick<PrismaClient, "$queryRawUnsafe">) {}

  /**
   * One period: startDay its first day, endDay the day the ending ARR is read (its last day, or today while it
   * runs); churn counts from startCut up to endCut (exclusive).
   */
  async period(startDay: string, endDay: string, startCut: Date, endCut: Date): Promise<ArrMovementRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `WITH p AS (SELECT 1 AS i, $1::date AS start_day, $2::date AS end_day, $3::timestamptz AS start_cut, $4::timestamptz AS end_cut),
            acc AS (SELECT id, churned_at FROM accounts),
            ${arrMovementsCte("p", "acc")}
       SELECT mv.account_id, a.company_name, a.churned_at, mv.start_arr::text AS start_arr, mv.end_arr::text AS end_arr, mv.movement
         FROM mv JOIN accounts a ON a.id = mv.account_id
        ORDER BY mv.account_id`,
      startDay,
      endDay,
      startCut,
      endCut,
    );
    return rows.map((r) => ({
      account_id: r.account_id as string,
      company_name: r.company_name as string,
      churned_at: r.churned_at ? new Date(r.churned_at as string) : null,
      start_arr: String(r.start_arr),
      end_arr: String(r.end_arr),
      movement: r.movement as ArrMovement,
    }));
  }
}
