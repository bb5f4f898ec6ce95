// The account facts the time-to-value and journey answers read besides usage milestones: open tickets,
// recent active users, seats, training sessions, the overdue items of the active plan, lifecycle history.
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface AccountSignals {
  open_tickets: number;
  open_p1_p2: number;
  oldest_open_ticket_at: Date | null;
  active_users_30d: number;
  seats: number | null;
  training_sessions: number;
  trained_users: number;
  last_health_score: number | null;
  last_health_at: Date | null;
  health_trend: string | null;
  renewal_date: Date | null;
}

export class OnboardingSignalsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** One statement: every signal for the account as of `now` ($2). */
  async signals(accountId: string, now: Date): Promise<AccountSignals> {
    const [row] = await this.prisma.$queryRawUnsafe<AccountSignals[]>(
      `SELECT
         (SELECT count(*)::int FROM support_tickets t WHERE t.account_id = a.id AND t.status IN ('open','pending','in_progress') AND t.created_at <= $2) AS open_tickets,
         (SELECT count(*)::int FROM support_tickets t WHERE t.account_id = a.id AND t.status IN ('open','pending','in_progress') AND t.priority IN ('P1','P2') AND t.created_at <= $2) AS open_p1_p2,
         (SELECT min(t.created_at) FROM support_tickets t WHERE t.account_id = a.id AND t.status IN ('open','pending','in_progress') AND t.created_at <= $2) AS oldest_open_ticket_at,
         (SELECT count(DISTINCT u.user_id)::int FROM usage_events u WHERE u.account_id = a.id AND u.occurred_at > $2::timestamptz - interval '30 days' AND u.occurred_at <= $2) AS active_users_30d,
         coalesce(a.seats, (SELECT max(c.seats) FROM contracts c WHERE c.account_id = a.id AND c.status = 'active')) AS seats,
         (SELECT count(*)::int FROM training_sessions s WHERE s.account_id = a.id AND s.session_date <= $2) AS training_sessions,
         (SELECT count(DISTINCT c.user_email)::int FROM training_completions c WHERE c.account_id = a.id AND c.status IN ('attended','completed','passed') AND c.completed_at <= $2) AS trained_users,
         h.overall_score AS last_health_score, h.calculated_at AS last_health_at, h.trend AS health_trend,
         (SELECT min(c.renewal_date)::timestamptz FROM contracts c WHERE c.account_id = a.id AND c.status = 'active' AND c.renewal_date >= ($2::timestamptz AT TIME ZONE 'UTC')::date) AS renewal_date
       FROM accounts a
       LEFT JOIN LATERAL (SELECT overall_score, calculated_at, trend FROM health_scores WHERE account_id = a.id AND calculated_at <= $2 ORDER BY calculated_at DESC LIMIT 1) h ON true
      WHERE a.id = $1`,
      accountId,
      now,
    );
    return row!;
  }
}
