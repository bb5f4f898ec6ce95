-- Feedback toolset: the feedback loop (acknowledged → in roadmap → closed with a response), roadmap links on
-- product insights, and the value rules the feedback tools rely on, enforced in the database as well.

-- Feedback: when each loop step happened, and the response sent when the loop was closed.
ALTER TABLE "feedback" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "feedback" ADD COLUMN "acknowledged_at" TIMESTAMPTZ(3);
ALTER TABLE "feedback" ADD COLUMN "in_roadmap_at" TIMESTAMPTZ(3);
ALTER TABLE "feedback" ADD COLUMN "closed_at" TIMESTAMPTZ(3);
ALTER TABLE "feedback" ADD COLUMN "response" TEXT;
ALTER TABLE "feedback" ADD COLUMN "responded_by" TEXT;

ALTER TABLE "feedback" ADD CONSTRAINT "feedback_status_values" CHECK ("status" IN ('open', 'acknowledged', 'in_roadmap', 'closed_loop'));
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_type_values" CHECK ("feedback_type" IN
  ('nps', 'csat', 'ces', 'feature_request', 'bug_report', 'product_feedback', 'service_feedback', 'general'));
-- A score only on survey types, within the survey's scale (the same scales as survey_responses).
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_score_range" CHECK (
  ("feedback_type" NOT IN ('nps', 'csat', 'ces') AND "score" IS NULL)
  OR ("feedback_type" = 'nps' AND "score" BETWEEN 0 AND 10)
  OR ("feedback_type" = 'csat' AND "score" BETWEEN 1 AND 5)
  OR ("feedback_type" = 'ces' AND "score" BETWEEN 1 AND 7));
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_sentiment_label_values" CHECK ("sentiment_label" IS NULL OR "sentiment_label" IN ('positive', 'neutral', 'negative'));
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_closed_has_time" CHECK ("status" <> 'closed_loop' OR "closed_at" IS NOT NULL);

-- The loop views filter by status over a period.
CREATE INDEX "feedback_status_created_at_idx" ON "feedback"("status", "created_at");

-- Product insights: the roadmap item they are linked to, and a closed set of statuses and priorities.
ALTER TABLE "product_insights" ADD COLUMN "roadmap_item" TEXT;
ALTER TABLE "product_insights" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "product_insights" ADD CONSTRAINT "product_insights_status_values" CHECK ("status" IN ('open', 'planned', 'in_progress', 'shipped', 'declined'));
ALTER TABLE "product_insights" ADD CONSTRAINT "product_insights_priority_values" CHECK ("priority" IN ('low', 'medium', 'high', 'critical'));

-- "Which insights does this feedback support": a containment lookup on the id array.
CREATE INDEX "product_insights_supporting_feedback_ids_idx" ON "product_insights" USING GIN ("supporting_feedback_ids");
