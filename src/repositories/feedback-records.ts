// Reads over stored feedback for the sentiment analysis and the voice-of-customer reports: label counts and
// mean sentiment per feedback type (with a total row), categories and tags with their sentiment, the texts
// the theme terms are drawn from, and the most negative items. Periods are (start, end] on created_at.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { currentArrSql } from "./current-arr.ts";

export interface FeedbackScope {
  accountId: string | null;
  types: readonly string[] | null;
}

export interface TypeSummaryRow {
  /** null on the total row. */
  feedback_type: string | null;
  n: number;
  scored: number;
  positive: number;
  neutral: number;
  negative: number;
  mean: number | null;
}

export interface GroupThemeRow {
  name: string;
  n: number;
  scored: number;
  mean: number | null;
  positive: number;
  negative: number;
}

// $1 start, $2 end, $3 account or null, $4 types or null
const WHERE = `f.created_at > $1 AND f.created_at <= $2 AND ($3::text IS NULL OR f.account_id = $3::text) AND ($4::text[] IS NULL OR f.feedback_type = ANY($4::text[]))`;

export class FeedbackRecordsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  private params(scope: FeedbackScope, start: Date, end: Date): unknown[] {
    return [start, end, scope.accountId, scope.types ? [...scope.types] : null];
  }

  /** One row per feedback type and a total row (feedback_type null). */
  summary(scope: FeedbackScope, start: Date, end: Date): Promise<TypeSummaryRow[]> {
    return this.prisma.$queryRawUnsafe<TypeSummaryRow[]>(
      `SELECT f.feedback_type, count(*)::int AS n, count(f.sentiment_score)::int AS scored,
              (count(*) FILTER (WHERE f.sentiment_label = 'positive'))::int AS positive,
              (count(*) FILTER (WHERE f.sentiment_label = 'neutral'))::int AS neutral,
              (count(*) FILTER (WHERE f.sentiment_label = 'negative'))::int AS negative,
              avg(f.sentiment_score)::float8 AS mean
         FROM feedback f
        WHERE ${WHERE}
        GROUP BY GROUPING SETS ((f.feedback_type), ())
        ORDER BY f.feedback_type NULLS LAST`,
      ...this.params(scope, start, end),
    );
  }

  /** Categories (kind 'category') or tags (kind 'tag') with counts and mean sentiment, most frequent first. */
  groups(kind: "category" | "tag", scope: FeedbackScope, start: Date, end: Date, limit: number): Promise<GroupThemeRow[]> {
    const source = kind === "category" ? `SELECT f.category AS name, f.sentiment_score, f.sentiment_label FROM feedback f WHERE ${WHERE} AND f.category IS NOT NULL` : `SELECT DISTINCT f.id, t AS name, f.sentiment_score, f.sentiment_label FROM feedback f CROSS JOIN LATERAL unnest(f.tags) AS t WHERE ${WHERE}`;
    return this.prisma.$queryRawUnsafe<GroupThemeRow[]>(
      `SELECT g.name, count(*)::int AS n, count(g.sentiment_score)::int AS scored, avg(g.sentiment_score)::float8 AS mean,
              (count(*) FILTER (WHERE g.sentiment_label = 'positive'))::int AS positive,
              (count(*) FILTER (WHERE g.sentiment_label = 'negative'))::int AS negative
         FROM (${source}) g
        GROUP BY g.name
        ORDER BY n DESC, g.name
        LIMIT $5::int`,
      ...this.params(scope, start, end),
      limit,
    );
  }

  /** The texts of the period, newest first, at most `cap`; `total` counts all of them. */
  async texts(scope: FeedbackScope, start: Date, end: Date, cap: number) {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ id: string; title: string | null; content: string; sentiment_score: number | null; sentiment_label: string | null; total: number }>>(
      `SELECT f.id, f.title, f.content, f.sentiment_score::float8 AS sentiment_score, f.sentiment_label, (count(*) OVER ())::int AS total
         FROM feedback f WHERE ${WHERE}
        ORDER BY f.created_at DESC, f.id DESC
        LIMIT $5::int`,
      ...this.params(scope, start, end),
      cap,
    );
    return { rows, total: rows[0]?.total ?? 0 };
  }

  /** The lowest-scored feedback of the period (negative label only), lowest first. */
  mostNegative(scope: FeedbackScope, start: Date, end: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ id: string; account_id: string; company_name: string; feedback_type: string; title: string | null; content: string; sentiment_score: number; created_at: Date }>>(
      `SELECT f.id, f.account_id, a.company_name, f.feedback_type, f.title, f.content, f.sentiment_score::float8 AS sentiment_score, f.created_at
         FROM feedback f JOIN accounts a ON a.id = f.account_id
        WHERE ${WHERE} AND f.sentiment_label = 'negative'
        ORDER BY f.sentiment_score ASC, f.created_at DESC, f.id
        LIMIT $5::int`,
      ...this.params(scope, start, end),
      limit,
    );
  }

  /**
   * Feature requests of the period grouped by category (null = 'uncategorised'): feedback count, distinct
   * accounts, and the ARR affected = Σ current ARR of the distinct accounts (churned ones count 0; numeric, exact), largest ARR first.
   */
  requestsByArr(scope: FeedbackScope, start: Date, end: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ category: string; feedback: number; accounts: number; arr: string; feedback_ids: string[] }>>(
      `WITH r AS (SELECT coalesce(f.category, 'uncategorised') AS category, f.id, f.account_id
                    FROM feedback f WHERE ${WHERE} AND f.feedback_type = 'feature_request'),
            per AS (SELECT category, count(*)::int AS feedback, count(DISTINCT account_id)::int AS accounts,
                           array_agg(id ORDER BY id) AS feedback_ids FROM r GROUP BY category),
            arr AS (SELECT d.category, sum(${currentArrSql("a")}) AS arr FROM (SELECT DISTINCT category, account_id FROM r) d JOIN accounts a ON a.id = d.account_id GROUP BY d.category)
       SELECT per.category, per.feedback, per.accounts, coalesce(arr.arr, 0)::text AS arr, per.feedback_ids
         FROM per LEFT JOIN arr USING (category)
        ORDER BY coalesce(arr.arr, 0) DESC, per.feedback DESC, per.category
        LIMIT $5::int`,
      ...this.params(scope, start, end),
      limit,
    );
  }
}
