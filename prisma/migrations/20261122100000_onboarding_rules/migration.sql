-- Onboarding and training: the values the onboarding tools write are the only ones the tables accept, and
-- the index optimize_onboarding_process reads (plans completed in a period).
ALTER TABLE "onboarding_plans" ADD CONSTRAINT "onboarding_plans_status_check" CHECK ("status" IN ('active', 'completed', 'cancelled'));
ALTER TABLE "onboarding_plans" ADD CONSTRAINT "onboarding_plans_dates_check" CHECK ("target_date" >= "start_date" AND "timeline_weeks" > 0);
ALTER TABLE "onboarding_milestones" ADD CONSTRAINT "onboarding_milestones_status_check" CHECK ("status" IN ('pending', 'in_progress', 'completed', 'skipped'));
ALTER TABLE "onboarding_tasks" ADD CONSTRAINT "onboarding_tasks_status_check" CHECK ("status" IN ('pending', 'in_progress', 'completed', 'skipped'));
ALTER TABLE "onboarding_tasks" ADD CONSTRAINT "onboarding_tasks_owner_check" CHECK ("owner" IS NULL OR "owner" IN ('customer', 'csm', 'support', 'engineering'));
ALTER TABLE "training_completions" ADD CONSTRAINT "training_completions_status_check" CHECK ("status" IN ('attended', 'completed', 'passed', 'failed', 'no_show'));
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_status_check" CHECK ("status" IN ('enrolled', 'passed', 'failed', 'issued'));

-- CreateIndex
CREATE INDEX "onboarding_plans_status_completed_at_idx" ON "onboarding_plans"("status", "completed_at");
