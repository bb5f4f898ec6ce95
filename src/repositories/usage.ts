// Set-based SQL over stored usage_events: buckets, summaries, feature use, user activity, portfolio
// medians, feature adoption, adoption milestones and weekly series for trends and anomalies.
// All time arithmetic is in UTC: occurred_at AT TIME ZONE 'UTC' gives the UTC wall clock, periods are
// [start date 00:00, end date + 1 day 00:00). Counts are cast to int and ratios to float8 in SQL so
// both back ends return plain numbers.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { customerSinceSql } from "./customer-since.ts";

export type Granularity = "daily" | "weekly" | "monthly";
const TRUNC: Record<Granularity, string> = { daily: "day", weekly: "week", monthly: "month" };

/** $a = period start (date), $b = period end (date, inclusive); default $2/$3. */
const bounds = (a = 2, b = 3) => `bounds AS (SELECT $${a}::date::timestamp AS s, ($${b}::date + 1)::timestamp AS e)`;
const BOUNDS = bounds();

export interface BucketRow {
  bucket_start: string;
  bucket_end: string;
  days: number;
  active_users: number;
  daily_active_sum: number;
  logins: number;
  sessions: number;
  events: number;
}

export interface SummaryRow {
  total_users: number;
  logins: number;
  sessions: number;
  events: number;
  active_days: number;
  day_sum: number;
  week_sum: number;
  month_sum: number;
  n_days: number;
  n_weeks: number;
  n_months: number;
}

export interface PortfolioMedianRow {
  peers: number;
  dau: number | null;
  total_users: number | null;
  logins: number | null;
  sessions: number | null;
  events: number | null;
}

export interface UserActivityRow {
  power: number;
  regular: number;
  light: number;
  dormant: number;
}

export interface FeatureAdoptionRow {
  feature: string;
  adopters: number;
  events: number;
  last_used_at: Date | null;
  rate: number | null;
  total: number;
}

/**
 * One adoption milestone, as matched against stored usage events. Every kind but "breadth" is reached at
 * the moment the min_users-th distinct user had a matching event (min_users 1 = the first matching event):
 *   event       — usage_events.event equals `event`;
 *   feature     — usage_events.feature is one of `features`;
 *   first_value — any event that names a feature and is not a 'login';
 *   any_event   — any event (min_users N = the Nth distinct active user).
 * "breadth" is reached when `features` distinct features have each been used by `usersPerFeature` distinct
 * users: the date the last of those features reached its usersPerFeature-th user.
 */
export type MilestoneSpec =
  | { kind: "event"; event: string; minUsers: number }
  | { kind: "feature"; features: string[]; minUsers: number }
  | { kind: "first_value"; minUsers: number }
  | { kind: "any_event"; minUsers: number }
  | { kind: "breadth"; features: number; usersPerFeature: number };

export interface MilestonePopulation {
  sql: string;
  params: unknown[];
  count: number;
}

export type MilestoneRow = {
  account_id: string;
  company_name: string;
  /** When the relationship began (customer-since.ts). */
  customer_since: Date;
  /** Whole UTC calendar days from the customer_since date to `now`'s date. */
  age_days: number;
  events: number;
  users: number;
  last_event_at: Date | null;
  /** The account was created before the first usage event stored for any account: its early usage is not held. */
  before_history: boolean;
} & Record<`m${number}` | `d${number}`, unknown>;

export interface MilestoneSummaryRow {
  accounts: number;
  with_usage: number;
  with_overdue: number;
  reached_all: number;
  per: Array<{ reached: number; median_days: number | null; on_time: number; late: number; overdue: number; unknown: number }>;
}

export interface WeekRow {
  account_id: string;
  week: string;
  active_users: number;
  logins: number;
  events: number;
  mean_au: number | null;
  sd_au: number | null;
  prev_au: number | null;
  hist_n: number;
  mean_logins: number | null;
  sd_logins: number | null;
  prev_logins: number | null;
}

export class UsageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async lastEvent(accountId: string): Promise<{ last_at: Date | null; total: number }> {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ last_at: Date | null; total: number }>>(
      `SELECT max(occurred_at) AS last_at, count(*)::int AS total FROM usage_events WHERE account_id = $1`,
      accountId,
    );
    return row ?? { last_at: null, total: 0 };
  }

  /** One row per bucket of the period (empty buckets included), clipped to the period. */
  buckets(accountId: string, start: string, end: string, granularity: Granularity): Promise<BucketRow[]> {
    return this.prisma.$queryRawUnsafe<BucketRow[]>(
      `WITH ${BOUNDS},
       b AS (SELECT gs AS bs, gs + ('1 ' || $4::text)::interval AS be
               FROM bounds, generate_series(date_trunc($4::text, bounds.s), bounds.e - interval '1 second', ('1 ' || $4::text)::interval) gs),
       ev AS (SELECT (u.occurred_at AT TIME ZONE 'UTC') AS t, u.user_id, u.event
                FROM usage_events u, bounds
               WHERE u.account_id = $1 AND u.occurred_at >= (bounds.s AT TIME ZONE 'UTC') AND u.occurred_at < (bounds.e AT TIME ZONE 'UTC')),
       daily AS (SELECT date_trunc('day', t) AS d, count(DISTINCT user_id) AS u FROM ev GROUP BY 1),
       agg AS (SELECT date_trunc($4::text, t) AS bs, count(DISTINCT user_id)::int AS au,
                      (count(*) FILTER (WHERE event = 'login'))::int AS logins,
                      (count(*) FILTER (WHERE event = 'session_start'))::int AS sessions,
                      count(*)::int AS events
                 FROM ev GROUP BY 1),
       dagg AS (SELECT date_trunc($4::text, d) AS bs, sum(u)::float8 AS du FROM daily GROUP BY 1)
       SELECT to_char(greatest(b.bs, bounds.s), 'YYYY-MM-DD') AS bucket_start,
              to_char(least(b.be, bounds.e) - interval '1 day', 'YYYY-MM-DD') AS bucket_end,
              (extract(epoch FROM least(b.be, bounds.e) - greatest(b.bs, bounds.s)) / 86400)::int AS days,
              coalesce(agg.au, 0) AS active_users, coalesce(dagg.du, 0)::float8 AS daily_active_sum,
              coalesce(agg.logins, 0) AS logins, coalesce(agg.sessions, 0) AS sessions, coalesce(agg.events, 0) AS events
         FROM b CROSS JOIN bounds LEFT JOIN agg ON agg.bs = b.bs LEFT JOIN dagg ON dagg.bs = b.bs
        ORDER BY b.bs`,
      accountId,
      start,
      end,
      TRUNC[granularity],
    );
  }

  async summary(accountId: string, start: string, end: string): Promise<SummaryRow> {
    const [row] = await this.prisma.$queryRawUnsafe<SummaryRow[]>(
      `WITH ${BOUNDS},
       ev AS (SELECT (u.occurred_at AT TIME ZONE 'UTC') AS t, u.user_id, u.event
                FROM usage_events u, bounds
               WHERE u.account_id = $1 AND u.occurred_at >= (bounds.s AT TIME ZONE 'UTC') AND u.occurred_at < (bounds.e AT TIME ZONE 'UTC')),
       d AS (SELECT date_trunc('day', t) k, count(DISTINCT user_id) u FROM ev GROUP BY 1),
       w AS (SELECT date_trunc('week', t) k, count(DISTINCT user_id) u FROM ev GROUP BY 1),
       m AS (SELECT date_trunc('month', t) k, count(DISTINCT user_id) u FROM ev GROUP BY 1)
       SELECT (SELECT count(DISTINCT user_id) FROM ev)::int AS total_users,
              (SELECT count(*) FROM ev WHERE event = 'login')::int AS logins,
              (SELECT count(*) FROM ev WHERE event = 'session_start')::int AS sessions,
              (SELECT count(*) FROM ev)::int AS events,
              (SELECT count(*) FROM d)::int AS active_days,
              (SELECT coalesce(sum(u), 0) FROM d)::float8 AS day_sum,
              (SELECT coalesce(sum(u), 0) FROM w)::float8 AS week_sum,
              (SELECT coalesce(sum(u), 0) FROM m)::float8 AS month_sum,
              (extract(epoch FROM bounds.e - bounds.s) / 86400)::int AS n_days,
              (SELECT count(*) FROM generate_series(date_trunc('week', bounds.s), bounds.e - interval '1 second', interval '1 week'))::int AS n_weeks,
              (SELECT count(*) FROM generate_series(date_trunc('month', bounds.s), bounds.e - interval '1 second', interval '1 month'))::int AS n_months
         FROM bounds`,
      accountId,
      start,
      end,
    );
    return row!;
  }

  featureBreakdown(accountId: string, start: string, end: string, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ feature: string; events: number; users: number; total_features: number }>>(
      `WITH ${BOUNDS}
       SELECT u.feature, count(*)::int AS events, count(DISTINCT u.user_id)::int AS users, (count(*) OVER ())::int AS total_features
         FROM usage_events u, bounds
        WHERE u.account_id = $1 AND u.feature IS NOT NULL
          AND u.occurred_at >= (bounds.s AT TIME ZONE 'UTC') AND u.occurred_at < (bounds.e AT TIME ZONE 'UTC')
        GROUP BY u.feature
        ORDER BY events DESC, u.feature
        LIMIT $4`,
      accountId,
      start,
      end,
      limit,
    );
  }

  /** Users by active days in the period; dormant = seen before the period, not in it. */
  async userActivity(accountId: string, start: string, end: string, powerDays: number, regularDays: number): Promise<UserActivityRow> {
    const [row] = await this.prisma.$queryRawUnsafe<UserActivityRow[]>(
      `WITH ${BOUNDS},
       act AS (SELECT u.user_id, count(DISTINCT date_trunc('day', u.occurred_at AT TIME ZONE 'UTC'))::int AS days
                 FROM usage_events u, bounds
                WHERE u.account_id = $1 AND u.occurred_at >= (bounds.s AT TIME ZONE 'UTC') AND u.occurred_at < (bounds.e AT TIME ZONE 'UTC')
                GROUP BY u.user_id),
       before AS (SELECT DISTINCT u.user_id FROM usage_events u, bounds WHERE u.account_id = $1 AND u.occurred_at < (bounds.s AT TIME ZONE 'UTC'))
       SELECT (SELECT count(*) FROM act WHERE days >= $4)::int AS power,
              (SELECT count(*) FROM act WHERE days >= $5 AND days < $4)::int AS regular,
              (SELECT count(*) FROM act WHERE days < $5)::int AS light,
              (SELECT count(*) FROM before WHERE user_id NOT IN (SELECT user_id FROM act))::int AS dormant`,
      accountId,
      start,
      end,
      powerDays,
      regularDays,
    );
    return row!;
  }

  /** Median per-account figures over the same period, among active accounts with usage in it. */
  async portfolioMedians(start: string, end: string): Promise<PortfolioMedianRow> {
    const [row] = await this.prisma.$queryRawUnsafe<PortfolioMedianRow[]>(
      `WITH ${bounds(1, 2)},
       ev AS (SELECT u.account_id, (u.occurred_at AT TIME ZONE 'UTC') AS t, u.user_id, u.event
                FROM usage_events u JOIN accounts a ON a.id = u.account_id AND a.status = 'active', bounds
               WHERE u.occurred_at >= (bounds.s AT TIME ZONE 'UTC') AND u.occurred_at < (bounds.e AT TIME ZONE 'UTC')),
       per_day AS (SELECT account_id, date_trunc('day', t) d, count(DISTINCT user_id) u FROM ev GROUP BY 1, 2),
       acc AS (SELECT account_id, count(DISTINCT user_id) AS users,
                      count(*) FILTER (WHERE event = 'login') AS logins,
                      count(*) FILTER (WHERE event = 'session_start') AS sessions,
                      count(*) AS events
                 FROM ev GROUP BY 1),
       dau AS (SELECT account_id, sum(u)::float8 / (SELECT extract(epoch FROM e - s) / 86400 FROM bounds) AS dau FROM per_day GROUP BY 1)
       SELECT count(*)::int AS peers,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY dau.dau)::float8 AS dau,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY acc.users)::float8 AS total_users,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY acc.logins)::float8 AS logins,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY acc.sessions)::float8 AS sessions,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY acc.events)::float8 AS events
         FROM acc JOIN dau USING (account_id)`,
      start,
      end,
    );
    return row!;
  }

  /**
   * Adoption per feature over [since, now). Without an account: accounts that used the feature ÷ active
   * accounts with any event in the window. With an account: its users who used it ÷ its active users.
   * The features listed are every feature seen in stored events (portfolio-wide), so a feature the
   * account never used shows 0.
   */
  async featureAdoption(opts: { accountId: string | null; featureId: string | null; since: Date; until: Date; limit: number; offset: number; threshold: number }) {
    const unit = opts.accountId ? "u.user_id" : "u.account_id";
    const params = [opts.accountId, opts.featureId, opts.since, opts.until];
    const base = `
      win AS (SELECT u.account_id, u.user_id, u.feature, u.occurred_at
                FROM usage_events u JOIN accounts a ON a.id = u.account_id AND a.status = 'active'
               WHERE u.occurred_at >= $3::timestamptz AND u.occurred_at < $4::timestamptz
                 AND ($1::text IS NULL OR u.account_id = $1::text)),
      eligible AS (SELECT count(DISTINCT ${unit.replace("u.", "")})::int AS n FROM win),
      features AS (SELECT DISTINCT feature FROM usage_events WHERE feature IS NOT NULL AND ($2::text IS NULL OR feature = $2::text)
                   UNION SELECT $2::text WHERE $2::text IS NOT NULL),
      used AS (SELECT feature, count(DISTINCT ${unit.replace("u.", "")})::int AS adopters, count(*)::int AS events, max(occurred_at) AS last_used_at
                 FROM win WHERE feature IS NOT NULL GROUP BY feature),
      rates AS (SELECT f.feature, coalesce(used.adopters, 0) AS adopters, coalesce(used.events, 0) AS events, used.last_used_at,
                       CASE WHEN eligible.n > 0 THEN coalesce(used.adopters, 0)::float8 / eligible.n END AS rate
                  FROM features f CROSS JOIN eligible LEFT JOIN used ON used.feature = f.feature)`;
    const rows = await this.prisma.$queryRawUnsafe<FeatureAdoptionRow[]>(
      `WITH ${base}
       SELECT feature, adopters, events, last_used_at, rate, (count(*) OVER ())::int AS total
         FROM rates ORDER BY rate ASC NULLS FIRST, feature LIMIT $5 OFFSET $6`,
      ...params,
      opts.limit,
      opts.offset,
    );
    const [agg] = await this.prisma.$queryRawUnsafe<Array<{ eligible: number; features: number; under: number }>>(
      `WITH ${base}
       SELECT (SELECT n FROM eligible) AS eligible, (SELECT count(*) FROM rates)::int AS features,
              (SELECT count(*) FROM rates WHERE rate < $5::float8)::int AS under`,
      ...params,
      opts.threshold,
    );
    return { rows, eligible: agg?.eligible ?? 0, features: agg?.features ?? 0, under: agg?.under ?? 0 };
  }

  /**
   * The adoption-milestone population (set-based): one row per account in scope — every active account,
   * or the one account asked for whatever its status — with, per milestone i, m<i> = when it was reached
   * (null if not) and d<i> = whole UTC calendar days from the account's creation date to that date
   * (0 when the usage predates the account record). Only events at or before `now` count. The SQL is a
   * CTE list ending in `ms`, shared by the page and the summary.
   */
  milestonePopulation(opts: { accountId: string | null; specs: MilestoneSpec[]; now: Date }): MilestonePopulation {
    const params: unknown[] = [opts.accountId, opts.now];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const userCols: string[] = [];
    const nthCols: string[] = [];
    const breadthCtes: string[] = [];
    const joins: string[] = [];
    const mCols: string[] = [];
    for (const [i, s] of opts.specs.entries()) {
      if (s.kind === "breadth") {
        breadthCtes.push(
          `b${i}f AS (SELECT account_id, feature, (array_agg(t ORDER BY t))[${p(s.usersPerFeature)}::int] AS t FROM fu GROUP BY account_id, feature)`,
          `b${i} AS (SELECT account_id, (array_agg(t ORDER BY t) FILTER (WHERE t IS NOT NULL))[${p(s.features)}::int] AS m FROM b${i}f GROUP BY account_id)`,
        );
        joins.push(`LEFT JOIN b${i} ON b${i}.account_id = acc.id`);
        mCols.push(`b${i}.m AS m${i}`);
        continue;
      }
      const cond =
        s.kind === "event"
          ? `event = ${p(s.event)}::text`
          : s.kind === "feature"
            ? `feature = ANY(${p(s.features)}::text[])`
            : s.kind === "first_value"
              ? `event <> 'login' AND feature IS NOT NULL`
              : `true`;
      userCols.push(`min(occurred_at) FILTER (WHERE ${cond}) AS u${i}`);
      nthCols.push(`(array_agg(u${i} ORDER BY u${i}) FILTER (WHERE u${i} IS NOT NULL))[${p(s.minUsers)}::int] AS m${i}`);
      mCols.push(`ua.m${i}`);
    }
    const day = (ts: string) => `(${ts} AT TIME ZONE 'UTC')::date`;
    const dCols = opts.specs.map((_, i) => `CASE WHEN m${i} IS NULL THEN NULL ELSE greatest(0, ${day(`m${i}`)} - ${day("customer_since")}) END AS d${i}`);
    const sql = `
      acc AS (SELECT a.id, a.company_name, ${customerSinceSql("a")} AS customer_since FROM accounts a
               WHERE ($1::text IS NULL AND a.status = 'active') OR a.id = $1::text),
      ev AS (SELECT e.account_id, e.user_id, e.event, e.feature, e.occurred_at
               FROM usage_events e JOIN acc ON acc.id = e.account_id
              WHERE e.occurred_at <= $2::timestamptz),
      uf AS (SELECT account_id, user_id, count(*) AS n, max(occurred_at) AS last_at${userCols.map((c) => `, ${c}`).join("")}
               FROM ev GROUP BY account_id, user_id),
      ua AS (SELECT account_id, sum(n)::int AS events, count(*)::int AS users, max(last_at) AS last_event_at${nthCols.map((c) => `, ${c}`).join("")}
               FROM uf GROUP BY account_id),
      fu AS (SELECT account_id, feature, user_id, min(occurred_at) AS t FROM ev WHERE feature IS NOT NULL GROUP BY account_id, feature, user_id)${breadthCtes.map((c) => `,\n      ${c}`).join("")},
      hist AS (SELECT min(occurred_at) AS start FROM usage_events WHERE occurred_at <= $2::timestamptz),
      ms0 AS (SELECT acc.id AS account_id, acc.company_name, acc.customer_since,
                     (${day("$2::timestamptz")} - ${day("acc.customer_since")})::int AS age_days,
                     (hist.start IS NULL OR ${day("acc.customer_since")} < ${day("hist.start")}) AS before_history,
                     coalesce(ua.events, 0) AS events, coalesce(ua.users, 0) AS users, ua.last_event_at${mCols.map((c) => `, ${c}`).join("")}
                FROM acc CROSS JOIN hist LEFT JOIN ua ON ua.account_id = acc.id ${joins.join(" ")}),
      ms AS (SELECT ms0.*${dCols.map((c) => `, ${c}`).join("")} FROM ms0)`;
    return { sql, params, count: opts.specs.length };
  }

  /** One page of the population, newest accounts first. */
  milestonePage(pop: MilestonePopulation, limit: number, offset: number): Promise<MilestoneRow[]> {
    const params = [...pop.params, limit, offset];
    return this.prisma.$queryRawUnsafe<MilestoneRow[]>(
      `WITH ${pop.sql}
       SELECT * FROM ms ORDER BY customer_since DESC, account_id LIMIT $${params.length - 1}::int OFFSET $${params.length}::int`,
      ...params,
    );
  }

  /**
   * Aggregates of the whole population, in the database: per milestone the accounts that reached it,
   * the median days to it among those, how many on time (days ≤ target), late, and overdue (not reached,
   * account older than the target); accounts with usage, with any overdue milestone, with all reached.
   */
  async milestoneSummary(pop: MilestonePopulation, targets: number[]): Promise<MilestoneSummaryRow> {
    const params = [...pop.params];
    const t = targets.map((v) => {
      params.push(v);
      return `$${params.length}::int`;
    });
    const parts = [`count(*)::int AS accounts`, `(count(*) FILTER (WHERE events > 0))::int AS with_usage`];
    // Accounts created before the usage history: late or overdue cannot be judged (unknown), and their days
    // to reach are upper bounds, left out of the median.
    const overdue = (i: number) => `(d${i} IS NULL AND age_days > ${t[i]} AND NOT before_history)`;
    const unknown = (i: number) => `(before_history AND (d${i} > ${t[i]} OR (d${i} IS NULL AND age_days > ${t[i]})))`;
    for (let i = 0; i < pop.count; i++) {
      parts.push(
        `count(d${i})::int AS reached_${i}`,
        `(percentile_cont(0.5) WITHIN GROUP (ORDER BY d${i}) FILTER (WHERE NOT before_history))::float8 AS median_days_${i}`,
        `(count(*) FILTER (WHERE d${i} <= ${t[i]}))::int AS on_time_${i}`,
        `(count(*) FILTER (WHERE d${i} > ${t[i]} AND NOT before_history))::int AS late_${i}`,
        `(count(*) FILTER (WHERE ${overdue(i)}))::int AS overdue_${i}`,
        `(count(*) FILTER (WHERE ${unknown(i)}))::int AS unknown_${i}`,
      );
    }
    const idx = [...Array(pop.count).keys()];
    parts.push(
      `(count(*) FILTER (WHERE ${idx.length ? idx.map(overdue).join(" OR ") : "false"}))::int AS with_overdue`,
      `(count(*) FILTER (WHERE ${idx.length ? idx.map((i) => `d${i} IS NOT NULL`).join(" AND ") : "false"}))::int AS reached_all`,
    );
    const [row] = await this.prisma.$queryRawUnsafe<Array<Record<string, number | null>>>(`WITH ${pop.sql} SELECT ${parts.join(", ")} FROM ms`, ...params);
    const r = row!;
    return {
      accounts: r.accounts ?? 0,
      with_usage: r.with_usage ?? 0,
      with_overdue: r.with_overdue ?? 0,
      reached_all: r.reached_all ?? 0,
      per: idx.map((i) => ({
        reached: r[`reached_${i}`] ?? 0,
        median_days: r[`median_days_${i}`] ?? null,
        on_time: r[`on_time_${i}`] ?? 0,
        late: r[`late_${i}`] ?? 0,
        overdue: r[`overdue_${i}`] ?? 0,
        unknown: r[`unknown_${i}`] ?? 0,
      })),
    };
  }

  /** The feature used by the most active accounts (ties: more events, then name), or null when none is stored. */
  async topFeature(now: Date): Promise<{ feature: string; accounts: number } | null> {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ feature: string; accounts: number }>>(
      `SELECT u.feature, count(DISTINCT u.account_id)::int AS accounts
         FROM usage_events u JOIN accounts a ON a.id = u.account_id AND a.status = 'active'
        WHERE u.feature IS NOT NULL AND u.occurred_at <= $1::timestamptz
        GROUP BY u.feature ORDER BY accounts DESC, count(*) DESC, u.feature LIMIT 1`,
      now,
    );
    return row ?? null;
  }

  /**
   * Weekly figures per account in scope, dense (every account × every ISO week from the week of `from`
   * to the last complete week before `until`), with the mean and population σ of the previous 8 weeks
   * and the previous week's value, for active users and logins. Returns the SQL and its parameters;
   * series() and anomalies() aggregate or filter it in the database.
   */
  private weeklySql(opts: WeeklyScope): { sql: string; params: unknown[] } {
    const sql = `weeks AS (SELECT gs AS wk FROM generate_series(date_trunc('week', $1::timestamptz AT TIME ZONE 'UTC'),
                                                        date_trunc('week', $2::timestamptz AT TIME ZONE 'UTC') - interval '1 week', interval '1 week') gs),
       lo AS (SELECT (date_trunc('week', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS t0,
                     (date_trunc('week', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS t1),
       scope AS (SELECT a.id FROM accounts a, lo
                  WHERE a.status = 'active'
                    AND ($3::text[] IS NULL OR a.id = ANY($3::text[]))
                    AND ($4::text IS NULL OR a.id IN (SELECT account_id FROM segment_members WHERE segment_id = $4::text))
                    AND ($5::text IS NULL OR a.tier::text = $5::text)
                    AND ($6::text IS NULL OR a.lifecycle_stage::text = $6::text)
                    AND ($7::text IS NULL OR lower(a.industry) = lower($7::text))
                    AND EXISTS (SELECT 1 FROM usage_events x WHERE x.account_id = a.id AND x.occurred_at >= lo.t0 AND x.occurred_at < lo.t1)),
       agg AS (SELECT u.account_id, date_trunc('week', u.occurred_at AT TIME ZONE 'UTC') AS wk,
                      count(DISTINCT u.user_id)::int AS au, (count(*) FILTER (WHERE u.event = 'login'))::int AS logins, count(*)::int AS events
                 FROM usage_events u JOIN scope ON scope.id = u.account_id, lo
                WHERE u.occurred_at >= lo.t0 AND u.occurred_at < lo.t1
                GROUP BY 1, 2),
       grid AS (SELECT s.id AS account_id, w.wk, coalesce(agg.au, 0) AS au, coalesce(agg.logins, 0) AS logins, coalesce(agg.events, 0) AS events
                  FROM scope s CROSS JOIN weeks w LEFT JOIN agg ON agg.account_id = s.id AND agg.wk = w.wk),
       stats AS (SELECT account_id, wk, au, logins, events,
                        (avg(au) OVER h)::float8 AS mean_au, (stddev_pop(au) OVER h)::float8 AS sd_au, (lag(au) OVER o)::int AS prev_au,
                        (count(*) OVER h)::int AS hist_n,
                        (avg(logins) OVER h)::float8 AS mean_logins, (stddev_pop(logins) OVER h)::float8 AS sd_logins, (lag(logins) OVER o)::int AS prev_logins
                   FROM grid
                 WINDOW o AS (PARTITION BY account_id ORDER BY wk),
                        h AS (PARTITION BY account_id ORDER BY wk ROWS BETWEEN 8 PRECEDING AND 1 PRECEDING))`;
    return {
      sql,
      params: [opts.from, opts.until, opts.accountIds, opts.segmentId, opts.filters.tier ?? null, opts.filters.lifecycle_stage ?? null, opts.filters.industry ?? null],
    };
  }

  /** The scope's weekly totals from `since` on (accounts with usage, active users, logins, events). */
  series(opts: WeeklyScope, since: Date) {
    const { sql, params } = this.weeklySql(opts);
    return this.prisma.$queryRawUnsafe<Array<{ week: string; accounts: number; active_users: number; logins: number; events: number }>>(
      `WITH ${sql}
       SELECT to_char(wk, 'YYYY-MM-DD') AS week, (count(*) FILTER (WHERE events > 0))::int AS accounts,
              sum(au)::int AS active_users, sum(logins)::int AS logins, sum(events)::int AS events
         FROM grid WHERE wk >= date_trunc('week', $8::timestamptz AT TIME ZONE 'UTC')
        GROUP BY wk ORDER BY wk`,
      ...params,
      since,
    );
  }

  /**
   * Weeks from `since` on where active users or logins dropped: below mean − k·σ of the previous 8 weeks
   * (σ > 0, at least `minHistory` earlier weeks), or below (1 − dropRatio) × the previous week when that
   * week had at least `minBase`. Bounded by limit; total counts every flagged week.
   */
  anomalies(opts: WeeklyScope, since: Date, rule: { k: number; dropRatio: number; minBase: number; minHistory: number }, limit: number) {
    const { sql, params } = this.weeklySql(opts);
    return this.prisma.$queryRawUnsafe<Array<WeekRow & { company_name: string; total: number }>>(
      `WITH ${sql},
       flagged AS (SELECT * FROM stats
                    WHERE wk >= date_trunc('week', $8::timestamptz AT TIME ZONE 'UTC')
                      AND ((hist_n >= $12::int AND sd_au > 0 AND au < mean_au - $9::float8 * sd_au)
                        OR (prev_au >= $11::int AND au < (1 - $10::float8) * prev_au)
                        OR (hist_n >= $12::int AND sd_logins > 0 AND logins < mean_logins - $9::float8 * sd_logins)
                        OR (prev_logins >= $11::int AND logins < (1 - $10::float8) * prev_logins)))
       SELECT f.account_id, a.company_name, to_char(f.wk, 'YYYY-MM-DD') AS week, f.au AS active_users, f.logins, f.events,
              f.mean_au, f.sd_au, f.prev_au, f.hist_n, f.mean_logins, f.sd_logins, f.prev_logins, (count(*) OVER ())::int AS total
         FROM flagged f JOIN accounts a ON a.id = f.account_id
        ORDER BY f.wk DESC, f.account_id LIMIT $13::int`,
      ...params,
      since,
      rule.k,
      rule.dropRatio,
      rule.minBase,
      rule.minHistory,
      limit,
    );
  }
}

export interface WeeklyScope {
  accountIds: string[] | null;
  segmentId: string | null;
  filters: { tier?: string | undefined; lifecycle_stage?: string | undefined; industry?: string | undefined };
  from: Date;
  until: Date;
}
