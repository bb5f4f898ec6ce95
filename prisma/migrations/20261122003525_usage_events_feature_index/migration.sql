-- CreateIndex
CREATE INDEX "usage_events_feature_occurred_at_idx" ON "usage_events"("feature", "occurred_at");
