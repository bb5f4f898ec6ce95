// Everything get_client_overview shows, in ONE statement: each section is a sub-select folded into a
// JSON object, so the overview costs a single round trip on either back end (on the embedded database,
// where statements run one after another, this is what keeps it fast).
import type { PrismaClient } from "../generated/prisma/client.ts";

const OPEN = `status IN ('open','pending','in_progress')`;

const SQL = `
SELECT json_build_object(
  'account', (SELECT row_to_json(a) FROM accounts a WHERE a.id = $1),
  'contract', (SELECT row_to_json(c) FROM (
      SELECT id, contract_value, currency, billing_frequency, start_date, end_date, renewal_date, auto_renew,
             payment_status, seats, status
        FROM contracts WHERE account_id = $1 AND status = 'active'
       ORDER BY start_date DESC NULLS LAST, created_at DESC LIMIT 1) c),
  'health', (SELECT row_to_json(h) FROM (
      SELECT overall_score, band, trend, usage_score, engagement_score, support_score, satisfaction_score,
             payment_score, missing_components, calculated_at
        FROM health_scores WHERE account_id = $1 ORDER BY calculated_at DESC LIMIT 1) h),
  'open_by_priority', (SELECT COALESCE(json_agg(x), '[]'::json) FROM (
      SELECT priority, count(*)::int AS n, min(created_at) AS oldest
        FROM support_tickets WHERE account_id = $1 AND ${OPEN} GROUP BY priority) x),
  'recent_open', (SELECT COALESCE(json_agg(t), '[]'::json) FROM (
      SELECT id, subject, priority, status, created_at, resolution_due_at < $2 AS resolution_breached
        FROM support_tickets WHERE account_id = $1 AND ${OPEN} ORDER BY created_at DESC LIMIT 5) t),
  'risks', (SELECT COALESCE(json_agg(r), '[]'::json) FROM (
      SELECT id, category, indicator, severity, detected_at
        FROM risk_indicators WHERE account_id = $1 AND status = 'open' ORDER BY detected_at DESC LIMIT 20) r),
  'escalations', (SELECT COALESCE(json_agg(e), '[]'::json) FROM (
      SELECT id, severity, status, reason, created_at
        FROM escalations WHERE account_id = $1 AND status <> 'resolved' ORDER BY created_at DESC LIMIT 20) e),
  'latest_nps', (SELECT row_to_json(s) FROM (
      SELECT score, responded_at FROM survey_responses
       WHERE account_id = $1 AND survey_type = 'nps' ORDER BY responded_at DESC LIMIT 1) s),
  'nps_window', (SELECT json_build_object('n', count(*)::int,
                                          'promoters', (count(*) FILTER (WHERE score >= 9))::int,
                                          'detractors', (count(*) FILTER (WHERE score <= 6))::int)
      FROM survey_responses WHERE account_id = $1 AND survey_type = 'nps' AND responded_at >= $3),
  'plan', (SELECT row_to_json(p) FROM (
      SELECT pl.id, pl.status, pl.target_date,
             (SELECT count(*)::int FROM onboarding_milestones m WHERE m.plan_id = pl.id) AS total,
             (SELECT count(*)::int FROM onboarding_milestones m WHERE m.plan_id = pl.id AND m.status = 'completed') AS completed,
             (SELECT count(*)::int FROM onboarding_milestones m WHERE m.plan_id = pl.id
                 AND m.status NOT IN ('completed','skipped') AND m.due_date < $4::date) AS overdue
        FROM onboarding_plans pl WHERE pl.account_id = $1 ORDER BY pl.created_at DESC LIMIT 1) p),
  'opportunities', (SELECT COALESCE(json_agg(o), '[]'::json) FROM (
      SELECT id, type, product, estimated_value, score FROM expansion_opportunities
       WHERE account_id = $1 AND status = 'open' ORDER BY estimated_value DESC LIMIT 5) o),
  'opportunity_totals', (SELECT json_build_object('n', count(*)::int, 'value', COALESCE(sum(estimated_value), 0))
      FROM expansion_opportunities WHERE account_id = $1 AND status = 'open'),
  'last_engagement', (SELECT row_to_json(l) FROM (
      SELECT at, kind FROM (
        SELECT max(occurred_at) AS at, 'product_usage' AS kind FROM usage_events WHERE account_id = $1
        UNION ALL SELECT max(created_at), 'support_ticket' FROM support_tickets WHERE account_id = $1
        UNION ALL SELECT max(responded_at), 'survey_response' FROM survey_responses WHERE account_id = $1
        UNION ALL SELECT max(sent_at), 'email' FROM email_sends WHERE account_id = $1
        UNION ALL SELECT max(session_date), 'training_session' FROM training_sessions WHERE account_id = $1 AND session_date <= $2
        UNION ALL SELECT max(completed_at), 'executive_review' FROM executive_reviews WHERE account_id = $1
        UNION ALL SELECT max(created_at), 'feedback' FROM feedback WHERE account_id = $1
      ) x WHERE at IS NOT NULL ORDER BY at DESC LIMIT 1) l)
) AS overview`;

/** Rows as JSON: timestamps are ISO strings, numerics are numbers, dates YYYY-MM-DD. */
export interface OverviewRow {
  account: null | {
    id: string; client_name: string; company_name: string; industry: string | null; tier: string; lifecycle_stage: string;
    status: string; arr: number; currency: string; seats: number | null; external_id: string | null;
    primary_contact_email: string | null; primary_contact_name: string | null; csm_name: string | null; csm_email: string | null;
    created_at: string; is_demo: boolean;
  };
  contract: null | {
    id: string; contract_value: number; currency: string; billing_frequency: string; start_date: string | null; end_date: string | null;
    renewal_date: string | null; auto_renew: boolean; payment_status: string; seats: number | null; status: string;
  };
  health: null | {
    overall_score: number; band: string; trend: string; usage_score: number | null; engagement_score: number | null;
    support_score: number | null; satisfaction_score: number | null; payment_score: number | null; missing_components: string[]; calculated_at: string;
  };
  open_by_priority: Array<{ priority: "P1" | "P2" | "P3" | "P4"; n: number; oldest: string }>;
  recent_open: Array<{ id: string; subject: string; priority: string; status: string; created_at: string; resolution_breached: boolean }>;
  risks: Array<{ id: string; category: string; indicator: string; severity: string; detected_at: string }>;
  escalations: Array<{ id: string; severity: string; status: string; reason: string; created_at: string }>;
  latest_nps: null | { score: number; responded_at: string };
  nps_window: { n: number; promoters: number; detractors: number };
  plan: null | { id: string; status: string; target_date: string | null; total: number; completed: number; overdue: number };
  opportunities: Array<{ id: string; type: string; product: string; estimated_value: number; score: number }>;
  opportunity_totals: { n: number; value: number };
  last_engagement: null | { at: string; kind: string };
}

export async function loadOverview(prisma: PrismaClient, accountId: string, now: Date, npsSince: Date): Promise<OverviewRow> {
  const today = now.toISOString().slice(0, 10);
  const rows = await prisma.$queryRawUnsafe<Array<{ overview: OverviewRow | string }>>(SQL, accountId, now, npsSince, today);
  const raw = rows[0]?.overview;
  return (typeof raw === "string" ? JSON.parse(raw) : raw) as OverviewRow;
}
