// A large portfolio for the result-size test: the demo portfolio (accounts with usage, tickets, answers,
// programs) plus set-based INSERT … SELECT FROM generate_series rows that make unbounded results MBs long:
// tens of thousands more tickets and survey answers across the portfolio, and one "busy" client with
// thousands of rows in every table a per-client tool reads. Deterministic: choices come from
// hashint8extended of the series index (as in bench/seed-sql.ts), never random().
import type { Database } from "../../src/db/database.ts";
import { loadDemo } from "../../src/services/demo/index.ts";
import { H } from "../../bench/seed-sql.ts";

export interface LargePortfolio {
  /** The client with thousands of rows in every per-client table. */
  busy: string;
  accounts: number;
  tickets: number;
  survey_responses: number;
}

export interface LargePortfolioScale {
  demoAccounts: number;
  /** Extra tickets spread over the portfolio. */
  tickets: number;
  /** Extra NPS/CSAT answers spread over the portfolio. */
  answers: number;
  /** Rows per table for the busy client. */
  busyRows: number;
}

const LONG = "The dashboard export stalls when the report has many widgets; our admins retried twice and the CSV still came back empty.";

export async function seedLargePortfolio(db: Database, now: Date, scale: LargePortfolioScale): Promise<LargePortfolio> {
  await loadDemo(db, { seed: 11, accounts: scale.demoAccounts, now });
  const [{ id: busy }] = (await db.query<{ id: string }>(`SELECT id FROM accounts WHERE status = 'active' ORDER BY external_id LIMIT 1`)) as [{ id: string }];
  const n = scale.busyRows;
  const p = [now.toISOString(), busy, n];
  const steps: Array<[string, unknown[]]> = [
    // Portfolio-wide tickets, over the last two years, most resolved.
    [`INSERT INTO support_tickets (id, account_id, subject, description, priority, status, category, requester_email, assigned_agent, team, tags,
                                   first_response_due_at, resolution_due_at, first_response_at, resolved_at, created_at, updated_at)
      SELECT 'big_tk_' || g, a.id, 'Ticket ' || g || ': ' || left($3::text, 60), $3::text,
             (ARRAY['P1','P2','P3','P4'])[1 + ${H("g", 1)} % 4]::"TicketPriority",
             (ARRAY['open','pending','in_progress','resolved','closed','resolved'])[1 + ${H("g", 2)} % 6]::"TicketStatus",
             (ARRAY['billing','technical','onboarding','integration'])[1 + ${H("g", 3)} % 4], 'user' || g || '@big.example',
             'agent' || (1 + ${H("g", 4)} % 30) || '@support.example', (ARRAY['Billing','Technical','General'])[1 + ${H("g", 5)} % 3], ARRAY['big','t' || (g % 50)],
             c.t + interval '1 hour', c.t + interval '2 days', c.t + interval '30 minutes', CASE WHEN ${H("g", 2)} % 6 >= 3 THEN c.t + interval '1 day' END, c.t, c.t
        FROM generate_series(1, $2::int) AS g
        JOIN LATERAL (SELECT id FROM accounts ORDER BY id OFFSET ${H("g", 6)} % (SELECT count(*) FROM accounts) LIMIT 1) a ON true
        CROSS JOIN LATERAL (SELECT $1::timestamptz - (${H("g", 7)} % (730 * 86400)) * interval '1 second' AS t) c`,
      [now.toISOString(), scale.tickets, LONG]],
    // Portfolio-wide survey answers over the last two years.
    [`INSERT INTO survey_responses (id, account_id, survey_type, respondent_email, score, reason, responded_at)
      SELECT 'big_sv_' || g, a.id, (ARRAY['nps','nps','csat','ces'])[1 + ${H("g", 11)} % 4]::"SurveyType", 'resp' || g || '@big.example',
             CASE WHEN ${H("g", 11)} % 4 < 2 THEN ${H("g", 12)} % 11 ELSE 1 + ${H("g", 12)} % 5 END, $3::text,
             $1::timestamptz - (1 + ${H("g", 13)} % (730 * 86400)) * interval '1 second'
        FROM generate_series(1, $2::int) AS g
        JOIN LATERAL (SELECT id FROM accounts ORDER BY id OFFSET ${H("g", 14)} % (SELECT count(*) FROM accounts) LIMIT 1) a ON true`,
      [now.toISOString(), scale.answers, LONG]],
    // The busy client: contacts, tickets with comments, timeline, feedback, answers, emails, usage, escalations.
    [`INSERT INTO contacts (id, account_id, email, name, role, created_at)
      SELECT 'busy_co_' || g, $2::text, 'person' || g || '@busy.example', 'Person ' || g || ' Busy', 'user', $1::timestamptz - g * interval '1 hour'
        FROM generate_series(1, LEAST($3::int, 500)) AS g`, p],
    [`INSERT INTO support_tickets (id, account_id, subject, description, priority, status, category, requester_email, tags,
                                   first_response_due_at, resolution_due_at, created_at, updated_at)
      SELECT '00000000-0000-4000-8000-' || lpad(g::text, 12, '0'), $2::text, 'Busy ticket ' || g || ': export stalls', $4::text, 'P2', 'open', 'technical', 'person' || (1 + g % 500) || '@busy.example',
             ARRAY['busy'], c.t + interval '1 hour', c.t + interval '2 days', c.t, c.t
        FROM generate_series(1, $3::int) AS g
        CROSS JOIN LATERAL (SELECT $1::timestamptz - g * interval '37 minutes' AS t) c`, [...p, LONG]],
    [`INSERT INTO ticket_comments (id, ticket_id, author, body, is_public, author_type, created_at)
      SELECT 'busy_cm_' || g || '_' || k, '00000000-0000-4000-8000-' || lpad((1 + g % 20)::text, 12, '0'), 'agent1@support.example', $3::text, true, 'agent', $1::timestamptz - g * interval '1 minute'
        FROM generate_series(1, $2::int) AS g CROSS JOIN generate_series(1, 2) AS k`, [now.toISOString(), n, LONG]],
    [`INSERT INTO timeline_events (id, account_id, event_type, summary, data, occurred_at)
      SELECT 'busy_tl_' || g, $2::text, (ARRAY['note','ticket_opened','email_sent','nps_response'])[1 + g % 4], 'Busy event ' || g || ': ' || $4::text,
             jsonb_build_object('n', g), $1::timestamptz - g * interval '11 minutes'
        FROM generate_series(1, $3::int) AS g`, [...p, LONG]],
    [`INSERT INTO feedback (id, account_id, feedback_type, source, submitter_email, submitter_name, title, content, category, priority, tags, score, created_at, updated_at)
      SELECT 'busy_fb_' || g, $2::text, (ARRAY['feature_request','bug_report','product_feedback','general'])[1 + g % 4], 'manual',
             'person' || (1 + g % 500) || '@busy.example', 'Person ' || (1 + g % 500), 'Busy feedback ' || g, $4::text || ' ' || g, 'reporting', 'medium',
             ARRAY['busy'], NULL, c.t, c.t
        FROM generate_series(1, $3::int) AS g
        CROSS JOIN LATERAL (SELECT $1::timestamptz - g * interval '13 minutes' AS t) c`, [...p, LONG]],
    [`INSERT INTO survey_responses (id, account_id, survey_type, respondent_email, score, reason, responded_at)
      SELECT 'busy_sv_' || g, $2::text, 'nps', 'person' || (1 + g % 500) || '@busy.example', g % 11, $4::text, $1::timestamptz - g * interval '17 minutes'
        FROM generate_series(1, $3::int) AS g`, [...p, LONG]],
    [`INSERT INTO email_sends (id, account_id, email, subject, status, sent_at)
      SELECT 'busy_es_' || g, $2::text, 'person' || (1 + g % 500) || '@busy.example', 'Busy update ' || g || ': ' || left($4::text, 80), 'delivered',
             $1::timestamptz - g * interval '19 minutes'
        FROM generate_series(1, $3::int) AS g`, [...p, LONG]],
    [`INSERT INTO usage_events (account_id, user_id, event, feature, occurred_at)
      SELECT $2::text, 'busy_user_' || (g % 400), 'feature_used', 'busy_feature_' || (g % 300),
             $1::timestamptz - (${H("g", 21)} % (365 * 86400)) * interval '1 second'
        FROM generate_series(1, $3::int * 10) AS g
      ON CONFLICT DO NOTHING`, p],
    // A failed delivery, for retry_outbox_delivery.
    [`INSERT INTO outbox_messages (id, integration, operation, payload, idempotency_key, account_id, status, attempts, last_error)
      VALUES (md5('busy-outbox-1')::uuid::text, 'sendgrid', 'sendgrid.send_batch', jsonb_build_object('subject', 'Busy update', 'text', $2::text), 'busy-failed-1', $1::text, 'failed', 10, 'HTTP 500')`, [busy, LONG]],
    [`ANALYZE`, []],
  ];
  for (const [sql, params] of steps) await db.query(sql, params);
  const [counts] = (await db.query<{ accounts: number; tickets: number; survey_responses: number }>(
    `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM support_tickets)::int AS tickets,
            (SELECT count(*) FROM survey_responses)::int AS survey_responses`,
  )) as [{ accounts: number; tickets: number; survey_responses: number }];
  return { busy, ...counts };
}
