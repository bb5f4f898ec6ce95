// Time series for track_cs_metrics, one statement per metric: the buckets come in as two arrays of
// instants ([from, to) each), the accounts in scope with the segment each belongs to today, and the rows
// come out per (bucket, segment) plus one overall row per bucket (GROUPING SETS; seg = null). Buckets with
// no rows are simply absent: the service reports them as no data.
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { MilestonePopulation } from "./usage.ts";
import { arrMovementsCte } from "./arr-movements.ts";
import { customerSinceSql } from "./customer-since.ts";

export const SEGMENT_DIMENSIONS = ["tier", "industry", "lifecycle_stage", "csm"] as const;
export type SegmentDimension = (typeof SEGMENT_DIMENSIONS)[number];

/** The account's segment today; never null, so null marks the overall row. */
const SEGMENT_SQL: Record<SegmentDimension | "none", string> = {
  none: `'all'`,
  tier: `a.tier::text`,
  industry: `coalesce(nullif(lower(trim(a.industry)), ''), 'unknown')`,
  lifecycle_stage: `a.lifecycle_stage::text`,
  csm: `coalesce(nullif(trim(a.csm_name), ''), 'unassigned')`,
};

// Instants travel as ISO strings cast in SQL: both drivers bind a text[] the same way.
const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

export interface MetricScope {
  from: Date[];
  to: Date[];
  accountId: string | null;
  segment: SegmentDimension | null;
}

/** A (bucket, segment) row: i is the 1-based bucket number, seg null on the overall row. */
export interface MetricRow {
  i: number;
  seg: string | null;
  n: number;
  [k: string]: number | string | null;
}

export class FeedbackMetricsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** $1 from[], $2 to[], $3 account; extra parameters from $4. */
  private run(scope: MetricScope, body: string, extra: unknown[] = []): Promise<MetricRow[]> {
    const seg = SEGMENT_SQL[scope.segment ?? "none"];
    return this.prisma.$queryRawUnsafe<MetricRow[]>(
      `WITH b AS (SELECT x.bs, x.be, x.i::int AS i FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS x(bs, be, i)),
       sc AS (SELECT a.id, ${seg} AS seg, ${customerSinceSql("a")} AS since, a.churned_at FROM accounts a WHERE ($3::text IS NULL OR a.id = $3::text))
       ${body}`,
      iso(scope.from),
      iso(scope.to),
      scope.accountId,
      ...extra,
    );
  }

  /** Survey answers per bucket: count, high (≥ high), low (≤ low), sum of scores, accounts. */
  surveys(scope: MetricScope, kind: "nps" | "csat" | "ces", high: number, low: number) {
    return this.run(
      scope,
      `SELECT b.i, sc.seg, count(*)::int AS n, (count(*) FILTER (WHERE r.score >= $5::int))::int AS high,
              (count(*) FILTER (WHERE r.score <= $6::int))::int AS low, sum(r.score)::float8 AS sum, count(DISTINCT r.account_id)::int AS accounts
         FROM b JOIN survey_responses r ON r.responded_at >= b.bs AND r.responded_at < b.be
                JOIN sc ON sc.id = r.account_id
        WHERE r.survey_type = $4::"SurveyType"
        GROUP BY GROUPING SETS ((b.i, sc.seg), (b.i))`,
      [kind, high, low],
    );
  }

  /** Ticket satisfaction ratings (1–5) per bucket of the ticket's resolution time (resolved_at, else closed_at, else created_at). */
  ticketRatings(scope: MetricScope, high: number, low: number) {
    return this.run(
      scope,
      `SELECT b.i, sc.seg, count(*)::int AS n, (count(*) FILTER (WHERE t.satisfaction_rating >= $4::int))::int AS high,
              (count(*) FILTER (WHERE t.satisfaction_rating <= $5::int))::int AS low, sum(t.satisfaction_rating)::float8 AS sum, count(DISTINCT t.account_id)::int AS accounts
         FROM b JOIN support_tickets t ON coalesce(t.resolved_at, t.closed_at, t.created_at) >= b.bs AND coalesce(t.resolved_at, t.closed_at, t.created_at) < b.be
                JOIN sc ON sc.id = t.account_id
        WHERE t.satisfaction_rating IS NOT NULL
        GROUP BY GROUPING SETS ((b.i, sc.seg), (b.i))`,
      [high, low],
    );
  }

  /**
   * Churn per bucket: n = accounts that were customers just before the bucket started (created before it,
   * not churned before it); churned = those of them whose churned_at falls in the bucket.
   */
  churn(scope: MetricScope) {
    return this.run(
      scope,
      `SELECT b.i, sc.seg,
              (count(*) FILTER (WHERE sc.since < b.bs AND (sc.churned_at IS NULL OR sc.churned_at >= b.bs)))::int AS n,
              (count(*) FILTER (WHERE sc.since < b.bs AND sc.churned_at >= b.bs AND sc.churned_at < b.be))::int AS churned
         FROM b CROSS JOIN sc
        GROUP BY GROUPING SETS ((b.i, sc.seg), (b.i))`,
    );
  }

  /** Accounts marked churned without a churned_at date (they cannot be placed in a bucket). */
  async churnedWithoutDate(accountId: string | null): Promise<number> {
    const [r] = await this.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM accounts WHERE status = 'churned' AND churned_at IS NULL AND ($1::text IS NULL OR id = $1::text)`,
      accountId,
    );
    return r?.n ?? 0;
  }

  /**
   * Expansion per bucket from the ARR movements (arr-movements.ts, the definition track_revenue_expansion uses):
   * each bucket is a period whose ending ARR is read on its last day, or at `now` while it runs; buckets that
   * have not started have no row. n = accounts with ARR at the bucket's start (the cohort); money stays numeric text.
   */
  expansion(scope: MetricScope, now: Date) {
    return this.run(
      scope,
      `, p AS (SELECT i, (bs AT TIME ZONE 'UTC')::date AS start_day, ((least(be, $4::timestamptz) - interval '1 microsecond') AT TIME ZONE 'UTC')::date AS end_day,
                     bs AS start_cut, least(be, $4::timestamptz) AS end_cut
                FROM b WHERE bs < $4::timestamptz),
         ${arrMovementsCte("p", "sc")}
       SELECT mv.i, sc.seg, (count(*) FILTER (WHERE mv.movement <> 'new'))::int AS n,
              coalesce(sum(mv.start_arr) FILTER (WHERE mv.movement <> 'new'), 0)::text AS starting_arr,
              coalesce(sum(mv.end_arr - mv.start_arr) FILTER (WHERE mv.movement = 'expansion'), 0)::text AS expansion_arr,
              (count(*) FILTER (WHERE mv.movement = 'expansion'))::int AS accounts_expanded
         FROM mv JOIN sc ON sc.id = mv.account_id
        GROUP BY GROUPING SETS ((mv.i, sc.seg), (mv.i))`,
      [now.toISOString()],
    );
  }

  /**
   * Time to value by start cohort (customer_since in the bucket), from the adoption-milestone
   * population of the health toolset (one milestone: d0 = days to reach it).
   */
  timeToValue(scope: MetricScope, pop: MilestonePopulation, targetDays: number) {
    const k = pop.params.length;
    const seg = SEGMENT_SQL[scope.segment ?? "none"];
    return this.prisma.$queryRawUnsafe<MetricRow[]>(
      `WITH ${pop.sql},
       b AS (SELECT x.bs, x.be, x.i::int AS i FROM unnest($${k + 1}::timestamptz[], $${k + 2}::timestamptz[]) WITH ORDINALITY AS x(bs, be, i)),
       sc AS (SELECT a.id, ${seg} AS seg FROM accounts a)
       SELECT b.i, sc.seg, count(*)::int AS n, count(ms.d0)::int AS reached,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY ms.d0))::float8 AS median_days, avg(ms.d0)::float8 AS mean_days,
              (count(*) FILTER (WHERE ms.d0 <= $${k + 3}::int))::int AS on_time
         FROM b JOIN ms ON ms.customer_since >= b.bs AND ms.customer_since < b.be
                JOIN sc ON sc.id = ms.account_id
        GROUP BY GROUPING SETS ((b.i, sc.seg), (b.i))`,
      ...pop.params,
      iso(scope.from),
      iso(scope.to),
      targetDays,
    );
  }

  /**
   * Feature adoption per bucket: n = accounts (users, for one account) with any usage event in the bucket;
   * adopters = those with an event naming the feature (any feature when none is given).
   */
  featureAdoption(scope: MetricScope, feature: string | null) {
    const unit = scope.accountId ? "u.user_id" : "u.account_id";
    return this.run(
      scope,
      `SELECT b.i, sc.seg, count(DISTINCT ${unit})::int AS n,
              (count(DISTINCT ${unit}) FILTER (WHERE ($4::text IS NULL AND u.feature IS NOT NULL) OR u.feature = $4::text))::int AS adopters
         FROM b JOIN usage_events u ON u.occurred_at >= b.bs AND u.occurred_at < b.be
                JOIN sc ON sc.id = u.account_id
        GROUP BY GROUPING SETS ((b.i, sc.seg), (b.i))`,
      [feature],
    );
  }

  /** Mean of each account's latest stored score in the bucket (the latest that has this component). */
  healthComponent(scope: MetricScope, column: "overall_score" | "engagement_score") {
    return this.run(
      scope,
      `, latest AS (SELECT DISTINCT ON (b.i, h.account_id) b.i, h.account_id, h.${column} AS v
                      FROM b JOIN health_scores h ON h.calculated_at >= b.bs AND h.calculated_at < b.be
                     WHERE h.${column} IS NOT NULL
                     ORDER BY b.i, h.account_id, h.calculated_at DESC, h.id DESC)
       SELECT l.i, sc.seg, count(*)::int AS n, avg(l.v)::float8 AS mean, min(l.v)::int AS min, max(l.v)::int AS max
         FROM latest l JOIN sc ON sc.id = l.account_id
        GROUP BY GROUPING SETS ((l.i, sc.seg), (l.i))`,
    );
  }
}
