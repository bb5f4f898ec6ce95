// The account timeline: one chronological UNION over every table with dated rows for an account.
// One statement, bounded by LIMIT, so a long history costs one round trip.
import type { PrismaClient } from "../generated/prisma/client.ts";

export const TIMELINE_EVENT_TYPES = [
  "registered",
  "updated",
  "lifecycle_change",
  "note",
  "contract_started",
  "ticket_opened",
  "ticket_resolved",
  "ticket_escalated",
  "nps_response",
  "csat_response",
  "ces_response",
  "health_score",
  "churn_prediction",
  "risk_detected",
  "milestone_completed",
  "training_session",
  "email_sent",
  "ebr",
  "escalation_opened",
  "escalation_resolved",
  "renewal_forecast",
  "retention_campaign",
  "feedback",
  "invoice_paid",
  "expansion_opportunity",
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

export interface TimelineRow {
  occurred_at: Date;
  event_type: string;
  summary: string;
  source: string;
  source_id: string;
  data: unknown;
}

// Each branch yields (occurred_at, event_type, summary, source, source_id, data). $1 = account id.
const BRANCHES = `
  SELECT occurred_at, event_type, summary, 'timeline_events' AS source, id AS source_id, data
    FROM timeline_events WHERE account_id = $1
  UNION ALL
  SELECT start_date::timestamptz, 'contract_started', 'Contract started: ' || contract_value::text || ' ' || currency, 'contracts', id,
         jsonb_build_object('renewal_date', renewal_date, 'end_date', end_date)
    FROM contracts WHERE account_id = $1 AND start_date IS NOT NULL
  UNION ALL
  SELECT created_at, 'ticket_opened', priority::text || ' ticket opened', 'support_tickets', id,
         jsonb_build_object('ticket_id', id, 'subject', subject, 'status', status)
    FROM support_tickets WHERE account_id = $1
  UNION ALL
  SELECT resolved_at, 'ticket_resolved', priority::text || ' ticket resolved', 'support_tickets', id, jsonb_build_object('ticket_id', id)
    FROM support_tickets WHERE account_id = $1 AND resolved_at IS NOT NULL
  UNION ALL
  SELECT escalated_at, 'ticket_escalated', priority::text || ' ticket escalated', 'support_tickets', id, jsonb_build_object('ticket_id', id)
    FROM support_tickets WHERE account_id = $1 AND escalated_at IS NOT NULL
  UNION ALL
  SELECT responded_at, survey_type::text || '_response',
         upper(survey_type::text) || ' ' || score::text ||
           CASE WHEN survey_type = 'nps' THEN CASE WHEN score >= 9 THEN ' (promoter)' WHEN score >= 7 THEN ' (passive)' ELSE ' (detractor)' END ELSE '' END,
         'survey_responses', id, jsonb_build_object('score', score, 'reason', reason)
    FROM survey_responses WHERE account_id = $1
  UNION ALL
  SELECT calculated_at, 'health_score', CASE WHEN overall_score IS NULL THEN 'Health score: ' || band ELSE 'Health score ' || overall_score::text || ' (' || band || ', ' || coalesce(trend, 'stable') || ')' END, 'health_scores', id,
         jsonb_build_object('overall_score', overall_score)
    FROM health_scores WHERE account_id = $1
  UNION ALL
  SELECT predicted_at, 'churn_prediction', 'Churn risk ' || risk_level || ' (' || round(probability * 100)::text || '%)', 'churn_predictions', id,
         jsonb_build_object('probability', probability, 'model_version', model_version)
    FROM churn_predictions WHERE account_id = $1
  UNION ALL
  SELECT detected_at, 'risk_detected', severity || ' ' || category || ' risk: ' || indicator, 'risk_indicators', id, '{}'::jsonb
    FROM risk_indicators WHERE account_id = $1
  UNION ALL
  SELECT m.completed_at, 'milestone_completed', 'Onboarding milestone completed: ' || m.name, 'onboarding_milestones', m.id,
         jsonb_build_object('plan_id', m.plan_id, 'due_date', m.due_date)
    FROM onboarding_milestones m JOIN onboarding_plans p ON p.id = m.plan_id
   WHERE p.account_id = $1 AND m.completed_at IS NOT NULL
  UNION ALL
  SELECT s.session_date, 'training_session', 'Training session: ' || t.name || ' (' || s.session_format || ')', 'training_sessions', s.id, '{}'::jsonb
    FROM training_sessions s JOIN training_modules t ON t.id = s.module_id WHERE s.account_id = $1
  UNION ALL
  SELECT sent_at, 'email_sent', 'Email sent (' || status || ')', 'email_sends', id, jsonb_build_object('subject', subject, 'campaign_id', campaign_id)
    FROM email_sends WHERE account_id = $1
  UNION ALL
  SELECT COALESCE(completed_at, scheduled_at), 'ebr', 'Executive business review ' || status, 'executive_reviews', id, '{}'::jsonb
    FROM executive_reviews WHERE account_id = $1
  UNION ALL
  SELECT created_at, 'escalation_opened', severity || ' escalation opened', 'escalations', id, jsonb_build_object('reason', reason)
    FROM escalations WHERE account_id = $1
  UNION ALL
  SELECT resolved_at, 'escalation_resolved', severity || ' escalation resolved', 'escalations', id, '{}'::jsonb
    FROM escalations WHERE account_id = $1 AND resolved_at IS NOT NULL
  UNION ALL
  SELECT forecast_at, 'renewal_forecast', 'Renewal forecast for ' || renewal_date::text || ': ' || round(probability * 100)::text || '% likely',
         'renewal_forecasts', id, jsonb_build_object('forecast_arr', forecast_arr)
    FROM renewal_forecasts WHERE account_id = $1
  UNION ALL
  SELECT started_at, 'retention_campaign', 'Retention campaign started: ' || campaign_type, 'retention_campaigns', id, '{}'::jsonb
    FROM retention_campaigns WHERE account_id = $1
  UNION ALL
  SELECT created_at, 'feedback', 'Feedback received: ' || feedback_type, 'feedback', id, jsonb_build_object('title', title)
    FROM feedback WHERE account_id = $1
  UNION ALL
  SELECT paid_at, 'invoice_paid', 'Invoice ' || external_id || ' paid: ' || amount::text || ' ' || currency, 'invoices', id, '{}'::jsonb
    FROM invoices WHERE account_id = $1 AND paid_at IS NOT NULL
  UNION ALL
  SELECT created_at, 'expansion_opportunity', 'Expansion opportunity (' || type || ') identified', 'expansion_opportunities', id,
         jsonb_build_object('estimated_value', estimated_value)
    FROM expansion_opportunities WHERE account_id = $1`;

export class TimelineRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Events in [start, end], oldest first; with `newest`, the latest `limit` events (still returned oldest first). */
  async events(accountId: string, start: Date, end: Date, types: readonly string[] | null, limit: number, newest = false) {
    const filter = `WHERE occurred_at >= $2 AND occurred_at <= $3 ${types ? "AND event_type = ANY($4::text[])" : ""}`;
    const params: unknown[] = [accountId, start, end, ...(types ? [types] : [])];
    const rows = await this.prisma.$queryRawUnsafe<Array<TimelineRow & { total: bigint }>>(
      `SELECT e.*, count(*) OVER () AS total FROM (${BRANCHES}) e ${filter}
        ORDER BY occurred_at ${newest ? "DESC" : "ASC"}, source ${newest ? "DESC" : "ASC"}, source_id ${newest ? "DESC" : "ASC"} LIMIT ${Number(limit)}`,
      ...params,
    );
    if (newest) rows.reverse();
    return { rows, total: rows.length ? Number(rows[0]!.total) : 0 };
  }

  /**
   * One page of events in [start, end], newest first (ties by source and source id, descending), starting
   * after `before` (the last event of the previous page). `total` counts every event in the range.
   */
  async newestPage(accountId: string, start: Date, end: Date, types: readonly string[] | null, limit: number, before?: TimelineCursor) {
    const filter = `occurred_at >= $2 AND occurred_at <= $3 ${types ? "AND event_type = ANY($4::text[])" : ""}`;
    const params: unknown[] = [accountId, start, end, ...(types ? [types] : [])];
    const keyset = before ? `AND (occurred_at, source, source_id) < ($${params.length + 1}::timestamptz, $${params.length + 2}::text, $${params.length + 3}::text)` : "";
    if (before) params.push(before.at, before.source, before.source_id);
    const [rows, count] = await Promise.all([
      this.prisma.$queryRawUnsafe<TimelineRow[]>(
        `SELECT e.* FROM (${BRANCHES}) e WHERE ${filter} ${keyset} ORDER BY occurred_at DESC, source DESC, source_id DESC LIMIT ${Number(limit)}`,
        ...params,
      ),
      this.prisma.$queryRawUnsafe<Array<{ total: bigint }>>(`SELECT count(*) AS total FROM (${BRANCHES}) e WHERE ${filter}`, ...params.slice(0, types ? 4 : 3)),
    ]);
    return { rows, total: Number(count[0]?.total ?? 0) };
  }
}

export interface TimelineCursor {
  at: Date;
  source: string;
  source_id: string;
}
