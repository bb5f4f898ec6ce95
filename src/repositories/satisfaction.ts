// Survey aggregates in one statement per question: counts of the high and low answers, the sum, for the
// current period and the previous one of the same length, for one account or the whole portfolio.
import type { PrismaClient } from "../generated/prisma/client.ts";

export type SurveyKind = "nps" | "csat" | "ces";

/** What counts as a high (promoter / satisfied) and a low (detractor / needs follow-up) answer. */
export const SCALE: Record<SurveyKind, { min: number; max: number; high: number; low: number }> = {
  nps: { min: 0, max: 10, high: 9, low: 6 }, // promoters 9–10, detractors 0–6
  csat: { min: 1, max: 5, high: 4, low: 2 }, // satisfied 4–5, dissatisfied 1–2
  ces: { min: 1, max: 7, high: 5, low: 3 }, // 1–7 agreement that it was easy: 5–7 easy, 1–3 hard
};

export interface PeriodAggregate {
  n: number;
  high: number;
  low: number;
  sum: number;
  accounts: number;
}

export class SatisfactionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Aggregates for (start, end] and (prevStart, start]; accountId null = every account. */
  async aggregates(kind: SurveyKind, accountId: string | null, prevStart: Date, start: Date, end: Date) {
    const s = SCALE[kind];
    const rows = await this.prisma.$queryRawUnsafe<Array<Record<string, number | bigint | null>>>(
      `SELECT
         count(*) FILTER (WHERE responded_at > $2) AS cur_n,
         count(*) FILTER (WHERE responded_at > $2 AND score >= $5::int) AS cur_high,
         count(*) FILTER (WHERE responded_at > $2 AND score <= $6::int) AS cur_low,
         COALESCE(sum(score) FILTER (WHERE responded_at > $2), 0)::float8 AS cur_sum,
         count(DISTINCT account_id) FILTER (WHERE responded_at > $2) AS cur_accounts,
         count(*) FILTER (WHERE responded_at <= $2) AS prev_n,
         count(*) FILTER (WHERE responded_at <= $2 AND score >= $5::int) AS prev_high,
         count(*) FILTER (WHERE responded_at <= $2 AND score <= $6::int) AS prev_low,
         COALESCE(sum(score) FILTER (WHERE responded_at <= $2), 0)::float8 AS prev_sum,
         count(DISTINCT account_id) FILTER (WHERE responded_at <= $2) AS prev_accounts
       FROM survey_responses
      WHERE survey_type = $4::"SurveyType" AND responded_at > $1 AND responded_at <= $3
        AND ($7::text IS NULL OR account_id = $7::text)`,
      prevStart,
      start,
      end,
      kind,
      s.high,
      s.low,
      accountId,
    );
    const r = rows[0] ?? {};
    const n = (k: string) => Number(r[k] ?? 0);
    const agg = (p: "cur" | "prev"): PeriodAggregate => ({ n: n(`${p}_n`), high: n(`${p}_high`), low: n(`${p}_low`), sum: n(`${p}_sum`), accounts: n(`${p}_accounts`) });
    return { current: agg("cur"), previous: agg("prev") };
  }

  /** Low answers of the period, lowest score first then newest, with the total count. */
  async lowAnswers(kind: SurveyKind, accountId: string | null, start: Date, end: Date, limit: number) {
    const rows = await this.prisma.$queryRawUnsafe<
      Array<{ id: string; account_id: string; company_name: string; respondent_email: string; score: number; reason: string | null; responded_at: Date; total: bigint }>
    >(
      `SELECT s.id, s.account_id, a.company_name, s.respondent_email, s.score, s.reason, s.responded_at, count(*) OVER () AS total
         FROM survey_responses s JOIN accounts a ON a.id = s.account_id
        WHERE s.survey_type = $1::"SurveyType" AND s.responded_at > $2 AND s.responded_at <= $3 AND s.score <= $4::int
          AND ($5::text IS NULL OR s.account_id = $5::text)
        ORDER BY s.score ASC, s.responded_at DESC, s.id
        LIMIT $6::int`,
      kind,
      start,
      end,
      SCALE[kind].low,
      accountId,
      limit,
    );
    return { rows, total: rows.length ? Number(rows[0]!.total) : 0 };
  }

  /** Portfolio view: the accounts with the lowest score in the period (at least `minResponses` answers). */
  async lowestAccounts(kind: SurveyKind, start: Date, end: Date, limit: number) {
    const s = SCALE[kind];
    const scoreExpr =
      kind === "nps"
        ? "100.0 * (count(*) FILTER (WHERE score >= $4::int) - count(*) FILTER (WHERE score <= $5::int)) / count(*)"
        : kind === "csat"
          ? "100.0 * count(*) FILTER (WHERE score >= $4::int) / count(*) + 0 * $5::int"
          : "avg(score) + 0 * $4::int + 0 * $5::int";
    const rows = await this.prisma.$queryRawUnsafe<Array<{ account_id: string; company_name: string; responses: bigint; score: number }>>(
      `SELECT s.account_id, a.company_name, count(*) AS responses, (${scoreExpr})::float8 AS score
         FROM survey_responses s JOIN accounts a ON a.id = s.account_id
        WHERE s.survey_type = $1::"SurveyType" AND s.responded_at > $2 AND s.responded_at <= $3
        GROUP BY s.account_id, a.company_name
        ORDER BY score ASC, s.account_id
        LIMIT $6::int`,
      kind,
      start,
      end,
      s.high,
      s.low,
      limit,
    );
    return rows.map((r) => ({ client_id: r.account_id, company_name: r.company_name, responses: Number(r.responses), score: Number(r.score) }));
  }
}
