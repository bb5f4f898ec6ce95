-- get_client_overview in ONE round trip: the account's last p_history stored health scores (oldest first,
-- the account view's chart) join the function's result as 'history' instead of a second statement after it.
-- Every other section is unchanged. The four-argument function stays: a server of the previous version
-- still running against this database (a rolling upgrade of the hosted setup) keeps answering.

CREATE FUNCTION cs_client_overview(p_id text, p_now timestamptz, p_since timestamptz, p_today date, p_history int)
RETURNS json LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  result json;
BEGIN
SELECT json_build_object(
  'account', (SELECT row_to_json(a) FROM (
      SELECT x.*, COALESCE(x.customer_since,
               (SELECT CASE WHEN min(k.start_date) < (x.created_at AT TIME ZONE 'UTC')::date THEN min(k.start_date)::timestamp AT TIME ZONE 'UTC' ELSE x.created_at END
                  FROM contracts k WHERE k.account_id = x.id)) AS customer_since_effective
        FROM accounts x WHERE x.id = p_id) a),
  'contract', (SELECT row_to_json(c) FROM (
      SELECT id, contract_value, currency, billing_frequency, start_date, end_date, renewal_date, auto_renew,
             payment_status, seats, status
        FROM contracts WHERE account_id = p_id AND status = 'active'
       ORDER BY start_date DESC NULLS LAST, created_at DESC LIMIT 1) c),
  'health', (SELECT row_to_json(h) FROM (
      SELECT overall_score, band, trend, usage_score, engagement_score, support_score, satisfaction_score,
             payment_score, missing_components, calculated_at
        FROM health_scores WHERE account_id = p_id ORDER BY calculated_at DESC LIMIT 1) h),
  'history', (SELECT COALESCE(json_agg(json_build_object('calculated_at', hh.calculated_at, 'overall_score', hh.overall_score,
                  'usage', hh.usage_score, 'engagement', hh.engagement_score, 'support', hh.support_score,
                  'satisfaction', hh.satisfaction_score, 'payment', hh.payment_score) ORDER BY hh.calculated_at, hh.id), '[]'::json) FROM (
      SELECT id, calculated_at, overall_score, usage_score, engagement_score, support_score, satisfaction_score, payment_score
        FROM health_scores WHERE account_id = p_id ORDER BY calculated_at DESC, id DESC LIMIT p_history) hh),
  'open_by_priority', (SELECT COALESCE(json_agg(x), '[]'::json) FROM (
      SELECT priority, count(*)::int AS n, min(created_at) AS oldest
        FROM support_tickets WHERE account_id = p_id AND status IN ('open','pending','in_progress') GROUP BY priority) x),
  'recent_open', (SELECT COALESCE(json_agg(t), '[]'::json) FROM (
      SELECT id, subject, priority, status, created_at, resolution_due_at < p_now AS resolution_breached
        FROM support_tickets WHERE account_id = p_id AND status IN ('open','pending','in_progress') ORDER BY created_at DESC LIMIT 5) t),
  'risks', (SELECT COALESCE(json_agg(r), '[]'::json) FROM (
      SELECT id, category, indicator, severity, detected_at
        FROM risk_indicators WHERE account_id = p_id AND status = 'open' ORDER BY detected_at DESC LIMIT 20) r),
  'escalations', (SELECT COALESCE(json_agg(e), '[]'::json) FROM (
      SELECT id, severity, status, reason, created_at
        FROM escalations WHERE account_id = p_id AND status <> 'resolved' ORDER BY created_at DESC LIMIT 20) e),
  'latest_nps', (SELECT row_to_json(s) FROM (
      SELECT score, responded_at FROM survey_responses
       WHERE account_id = p_id AND survey_type = 'nps' ORDER BY responded_at DESC LIMIT 1) s),
  'nps_window', (SELECT json_build_object('n', count(*)::int,
                                          'promoters', (count(*) FILTER (WHERE score >= 9))::int,
                                          'detractors', (count(*) FILTER (WHERE score <= 6))::int)
      FROM survey_responses WHERE account_id = p_id AND survey_type = 'nps' AND responded_at >= p_since),
  'plan', (SELECT row_to_json(p) FROM (
      SELECT pl.id, pl.status, pl.target_date,
             (SELECT count(*)::int FROM onboarding_milestones m WHERE m.plan_id = pl.id) AS total,
             (SELECT count(*)::int FROM onboarding_milestones m WHERE m.plan_id = pl.id AND m.status = 'completed') AS completed,
             (SELECT count(*)::int FROM onboarding_milestones m WHERE m.plan_id = pl.id
                 AND m.status NOT IN ('completed','skipped') AND m.due_date < p_today) AS overdue
        FROM onboarding_plans pl WHERE pl.account_id = p_id ORDER BY pl.created_at DESC LIMIT 1) p),
  'opportunities', (SELECT COALESCE(json_agg(o), '[]'::json) FROM (
      SELECT id, type, product, estimated_value, score FROM expansion_opportunities
       WHERE account_id = p_id AND status = 'open' ORDER BY estimated_value DESC LIMIT 5) o),
  'opportunity_totals', (SELECT json_build_object('n', count(*)::int, 'value', COALESCE(sum(estimated_value), 0))
      FROM expansion_opportunities WHERE account_id = p_id AND status = 'open'),
  'last_engagement', (SELECT row_to_json(l) FROM (
      SELECT at, kind FROM (
        SELECT max(occurred_at) AS at, 'product_usage' AS kind FROM usage_events WHERE account_id = p_id
        UNION ALL SELECT max(created_at), 'support_ticket' FROM support_tickets WHERE account_id = p_id
        UNION ALL SELECT max(responded_at), 'survey_response' FROM survey_responses WHERE account_id = p_id
        UNION ALL SELECT max(sent_at), 'email' FROM email_sends WHERE account_id = p_id
        UNION ALL SELECT max(session_date), 'training_session' FROM training_sessions WHERE account_id = p_id AND session_date <= p_now
        UNION ALL SELECT max(completed_at), 'executive_review' FROM executive_reviews WHERE account_id = p_id
        UNION ALL SELECT max(created_at), 'feedback' FROM feedback WHERE account_id = p_id
      ) x WHERE at IS NOT NULL ORDER BY at DESC LIMIT 1) l)
) INTO result;
  RETURN result;
END
$fn$;
