// Product-usage reads the health toolset's usage repository does not have: the portfolio's feature catalog
// and the account's features against it, and the same-tier benchmark (medians and the account's rank).
// Periods are whole UTC days [start, end] given as dates, like repositories/usage.ts.
import type { PrismaClient } from "../generated/prisma/client.ts";

const BOUNDS = `bounds AS (SELECT ($2::date::timestamp AT TIME ZONE 'UTC') AS s, (($3::date + 1)::timestamp AT TIME ZONE 'UTC') AS e)`;

export interface PeerRow {
  peers: number;
  median_events: number | null;
  median_users: number | null;
  median_features: number | null;
  median_active_days: number | null;
  below_events: number;
  equal_events: number;
  below_users: number;
  equal_users: number;
  below_features: number;
  equal_features: number;
  below_active_days: number;
  equal_active_days: number;
}

export class FeedbackUsageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The catalog: every feature named by a stored usage event of any account up to the period's end; with,
   * per feature, whether the account used it in the period. Features the account used come first.
   */
  catalog(accountId: string, start: string, end: string) {
    return this.prisma.$queryRawUnsafe<Array<{ feature: string; used: boolean }>>(
      `WITH ${BOUNDS},
       cat AS (SELECT DISTINCT u.feature FROM usage_events u, bounds WHERE u.feature IS NOT NULL AND u.occurred_at < bounds.e),
       mine AS (SELECT DISTINCT u.feature FROM usage_events u, bounds
                 WHERE u.account_id = $1 AND u.feature IS NOT NULL AND u.occurred_at >= bounds.s AND u.occurred_at < bounds.e)
       SELECT cat.feature, (mine.feature IS NOT NULL) AS used FROM cat LEFT JOIN mine USING (feature)
        ORDER BY used DESC, cat.feature`,
      accountId,
      start,
      end,
    );
  }

  /** Events of the account in the period that name a feature. */
  async featureEvents(accountId: string, start: string, end: string): Promise<number> {
    const [r] = await this.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      `WITH ${BOUNDS}
       SELECT count(*)::int AS n FROM usage_events u, bounds
        WHERE u.account_id = $1 AND u.feature IS NOT NULL AND u.occurred_at >= bounds.s AND u.occurred_at < bounds.e`,
      accountId,
      start,
      end,
    );
    return r?.n ?? 0;
  }

  /** Distinct features the account used in the period. */
  async featuresUsed(accountId: string, start: string, end: string): Promise<number> {
    const [r] = await this.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      `WITH ${BOUNDS}
       SELECT count(DISTINCT u.feature)::int AS n FROM usage_events u, bounds
        WHERE u.account_id = $1 AND u.feature IS NOT NULL AND u.occurred_at >= bounds.s AND u.occurred_at < bounds.e`,
      accountId,
      start,
      end,
    );
    return r?.n ?? 0;
  }

  /**
   * Peers = other active accounts of the same tier with usage in the period. Medians of their per-account
   * figures, and for each figure how many peers are below / equal to the account's value ($5…$8).
   */
  async peers(accountId: string, start: string, end: string, tier: string, mine: { events: number; users: number; features: number; active_days: number }): Promise<PeerRow> {
    const [r] = await this.prisma.$queryRawUnsafe<PeerRow[]>(
      `WITH ${BOUNDS},
       per AS (SELECT u.account_id, count(*)::int AS events, count(DISTINCT u.user_id)::int AS users, count(DISTINCT u.feature)::int AS features,
                      count(DISTINCT (u.occurred_at AT TIME ZONE 'UTC')::date)::int AS active_days
                 FROM usage_events u JOIN accounts a ON a.id = u.account_id AND a.status = 'active' AND a.tier::text = $4::text AND a.id <> $1, bounds
                WHERE u.occurred_at >= bounds.s AND u.occurred_at < bounds.e
                GROUP BY u.account_id)
       SELECT count(*)::int AS peers,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY events))::float8 AS median_events,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY users))::float8 AS median_users,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY features))::float8 AS median_features,
              (percentile_cont(0.5) WITHIN GROUP (ORDER BY active_days))::float8 AS median_active_days,
              (count(*) FILTER (WHERE events < $5::int))::int AS below_events, (count(*) FILTER (WHERE events = $5::int))::int AS equal_events,
              (count(*) FILTER (WHERE users < $6::int))::int AS below_users, (count(*) FILTER (WHERE users = $6::int))::int AS equal_users,
              (count(*) FILTER (WHERE features < $7::int))::int AS below_features, (count(*) FILTER (WHERE features = $7::int))::int AS equal_features,
              (count(*) FILTER (WHERE active_days < $8::int))::int AS below_active_days, (count(*) FILTER (WHERE active_days = $8::int))::int AS equal_active_days
         FROM per`,
      accountId,
      start,
      end,
      tier,
      mine.events,
      mine.users,
      mine.features,
      mine.active_days,
    );
    return r!;
  }
}
