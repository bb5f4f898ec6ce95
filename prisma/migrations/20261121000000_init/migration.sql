-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('starter', 'standard', 'professional', 'enterprise');

-- CreateEnum
CREATE TYPE "LifecycleStage" AS ENUM ('onboarding', 'adoption', 'growth', 'maturity', 'renewal', 'at_risk', 'churned');

-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('active', 'churned');

-- CreateEnum
CREATE TYPE "TicketPriority" AS ENUM ('P1', 'P2', 'P3', 'P4');

-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('open', 'pending', 'in_progress', 'resolved', 'closed');

-- CreateEnum
CREATE TYPE "SurveyType" AS ENUM ('nps', 'csat', 'ces');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('pending', 'in_flight', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "client_name" TEXT NOT NULL,
    "company_name" TEXT NOT NULL,
    "company_key" TEXT NOT NULL,
    "external_id" TEXT,
    "industry" TEXT,
    "tier" "Tier" NOT NULL DEFAULT 'standard',
    "lifecycle_stage" "LifecycleStage" NOT NULL DEFAULT 'onboarding',
    "status" "AccountStatus" NOT NULL DEFAULT 'active',
    "arr" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "seats" INTEGER,
    "primary_contact_email" TEXT,
    "primary_contact_name" TEXT,
    "csm_name" TEXT,
    "csm_email" TEXT,
    "health_score" INTEGER,
    "health_trend" TEXT,
    "churned_at" TIMESTAMPTZ(3),
    "churn_reason" TEXT,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT,
    "phone" TEXT,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "unsubscribed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contracts" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "contract_value" DECIMAL(14,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "billing_frequency" TEXT NOT NULL DEFAULT 'annual',
    "start_date" DATE,
    "end_date" DATE,
    "renewal_date" DATE,
    "auto_renew" BOOLEAN NOT NULL DEFAULT false,
    "notice_period_days" INTEGER NOT NULL DEFAULT 30,
    "payment_status" TEXT NOT NULL DEFAULT 'current',
    "seats" INTEGER,
    "products" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "add_ons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "discount_percent" DECIMAL(5,2) NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contracts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "issued_at" DATE,
    "due_date" DATE NOT NULL,
    "paid_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "health_scores" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "overall_score" INTEGER NOT NULL,
    "usage_score" INTEGER,
    "engagement_score" INTEGER,
    "support_score" INTEGER,
    "satisfaction_score" INTEGER,
    "payment_score" INTEGER,
    "weights" JSONB NOT NULL,
    "missing_components" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "trend" TEXT NOT NULL,
    "band" TEXT NOT NULL,
    "scoring_model" TEXT NOT NULL DEFAULT 'weighted_composite',
    "lookback_days" INTEGER NOT NULL DEFAULT 30,
    "calculated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "health_scores_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "id" BIGSERIAL NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "feature" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'import',

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_snapshots" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "period_start" DATE NOT NULL,
    "granularity" TEXT NOT NULL,
    "active_users" INTEGER NOT NULL DEFAULT 0,
    "logins" INTEGER NOT NULL DEFAULT 0,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "feature_usage" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segments" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "segmentation_type" TEXT NOT NULL,
    "criteria" JSONB NOT NULL DEFAULT '{}',
    "account_count" INTEGER NOT NULL DEFAULT 0,
    "total_arr" DECIMAL(16,2) NOT NULL DEFAULT 0,
    "mean_health" DECIMAL(5,2),
    "recommendations" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segment_members" (
    "segment_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,

    CONSTRAINT "segment_members_pkey" PRIMARY KEY ("segment_id","account_id")
);

-- CreateTable
CREATE TABLE "cohorts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cohorts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cohort_members" (
    "cohort_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cohort_members_pkey" PRIMARY KEY ("cohort_id","account_id")
);

-- CreateTable
CREATE TABLE "lifecycle_transitions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "from_stage" "LifecycleStage",
    "to_stage" "LifecycleStage" NOT NULL,
    "reason" TEXT NOT NULL,
    "transitioned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lifecycle_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "risk_indicators" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "indicator" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "value" DECIMAL(14,4),
    "threshold" DECIMAL(14,4),
    "mitigation" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "risk_indicators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "churn_predictions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "probability" DECIMAL(5,4) NOT NULL,
    "risk_level" TEXT NOT NULL,
    "factors" JSONB NOT NULL,
    "model_version" TEXT NOT NULL,
    "predicted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "churn_predictions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "escalations" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "ticket_id" TEXT,
    "severity" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "owner" TEXT,
    "resolution" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "escalations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "retention_campaigns" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "campaign_type" TEXT NOT NULL,
    "intervention_level" TEXT NOT NULL,
    "trigger_type" TEXT,
    "trigger_value" DECIMAL(14,4),
    "status" TEXT NOT NULL DEFAULT 'active',
    "steps" JSONB NOT NULL DEFAULT '[]',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "retention_campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding_plans" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "customer_goals" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "product_tier" TEXT,
    "team_size" INTEGER,
    "technical_complexity" TEXT,
    "timeline_weeks" INTEGER NOT NULL,
    "success_criteria" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "start_date" DATE NOT NULL,
    "target_date" DATE NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "automation" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "onboarding_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding_milestones" (
    "id" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "sequence" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "onboarding_milestones_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "onboarding_tasks" (
    "id" TEXT NOT NULL,
    "milestone_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "owner" TEXT,
    "due_date" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "onboarding_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_modules" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "level" TEXT NOT NULL DEFAULT 'foundation',
    "passing_score" INTEGER NOT NULL DEFAULT 75,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "duration_minutes" INTEGER NOT NULL DEFAULT 60,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_modules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_sessions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "module_id" TEXT NOT NULL,
    "session_format" TEXT NOT NULL,
    "session_date" TIMESTAMPTZ(3) NOT NULL,
    "duration_minutes" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_completions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "module_id" TEXT NOT NULL,
    "session_id" TEXT,
    "user_email" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "score" INTEGER,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "completed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_completions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "certifications" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_email" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "module_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" TEXT NOT NULL DEFAULT 'enrolled',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "best_score" INTEGER,
    "enrolled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "issued_at" TIMESTAMPTZ(3),

    CONSTRAINT "certifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_tickets" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "external_id" TEXT,
    "zendesk_id" TEXT,
    "subject" TEXT NOT NULL,
    "description" TEXT,
    "priority" "TicketPriority" NOT NULL DEFAULT 'P3',
    "category" TEXT,
    "status" "TicketStatus" NOT NULL DEFAULT 'open',
    "requester_email" TEXT,
    "assigned_agent" TEXT,
    "team" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "satisfaction_rating" INTEGER,
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "escalated_at" TIMESTAMPTZ(3),
    "first_response_due_at" TIMESTAMPTZ(3) NOT NULL,
    "resolution_due_at" TIMESTAMPTZ(3) NOT NULL,
    "first_response_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "support_tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_comments" (
    "id" TEXT NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "is_public" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_agents" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "team" TEXT,
    "skills" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "max_open" INTEGER NOT NULL DEFAULT 20,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "support_agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kb_articles" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "category" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" TEXT NOT NULL DEFAULT 'draft',
    "version" INTEGER NOT NULL DEFAULT 1,
    "helpful_votes" INTEGER NOT NULL DEFAULT 0,
    "unhelpful_votes" INTEGER NOT NULL DEFAULT 0,
    "author" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "kb_articles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kb_article_versions" (
    "article_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "editor" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kb_article_versions_pkey" PRIMARY KEY ("article_id","version")
);

-- CreateTable
CREATE TABLE "portal_settings" (
    "account_id" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "enabled_features" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "branding" JSONB NOT NULL DEFAULT '{}',
    "resources" JSONB NOT NULL DEFAULT '[]',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "portal_settings_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "renewal_forecasts" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "renewal_date" DATE NOT NULL,
    "arr" DECIMAL(14,2) NOT NULL,
    "probability" DECIMAL(5,4) NOT NULL,
    "forecast_arr" DECIMAL(14,2) NOT NULL,
    "risk_level" TEXT NOT NULL,
    "factors" JSONB NOT NULL DEFAULT '[]',
    "forecast_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "renewal_forecasts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "expansion_opportunities" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "product" TEXT NOT NULL DEFAULT '',
    "score" DECIMAL(5,4) NOT NULL,
    "estimated_value" DECIMAL(14,2) NOT NULL,
    "rationale" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "expansion_opportunities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_campaigns" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "template_type" TEXT,
    "subject" TEXT NOT NULL,
    "body_text" TEXT,
    "body_html" TEXT,
    "sender_email" TEXT,
    "target" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'draft',
    "track_opens" BOOLEAN NOT NULL DEFAULT true,
    "track_clicks" BOOLEAN NOT NULL DEFAULT true,
    "scheduled_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_sends" (
    "id" TEXT NOT NULL,
    "campaign_id" TEXT,
    "account_id" TEXT NOT NULL,
    "contact_id" TEXT,
    "email" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "outbox_id" TEXT,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "open_count" INTEGER NOT NULL DEFAULT 0,
    "click_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "email_sends_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_events" (
    "id" TEXT NOT NULL,
    "send_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "email_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "communication_workflows" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "trigger_type" TEXT NOT NULL,
    "trigger_conditions" JSONB NOT NULL DEFAULT '{}',
    "actions" JSONB NOT NULL DEFAULT '[]',
    "delay_minutes" INTEGER NOT NULL DEFAULT 0,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "communication_workflows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "newsletters" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "scheduled_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "stats" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "newsletters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "newsletter_subscriptions" (
    "id" TEXT NOT NULL,
    "newsletter_id" TEXT NOT NULL,
    "account_id" TEXT,
    "email" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'subscribed',
    "subscribed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unsubscribed_at" TIMESTAMPTZ(3),

    CONSTRAINT "newsletter_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "communities" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "visibility" TEXT NOT NULL DEFAULT 'private',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "communities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "community_members" (
    "id" TEXT NOT NULL,
    "community_id" TEXT NOT NULL,
    "account_id" TEXT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT NOT NULL DEFAULT 'member',
    "status" TEXT NOT NULL DEFAULT 'active',
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "community_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "community_posts" (
    "id" TEXT NOT NULL,
    "community_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "title" TEXT,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'published',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "community_posts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "advocates" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "points" INTEGER NOT NULL DEFAULT 0,
    "enrolled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advocates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "advocate_contributions" (
    "id" TEXT NOT NULL,
    "advocate_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT,
    "points" INTEGER NOT NULL DEFAULT 0,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advocate_contributions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "executive_reviews" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "scheduled_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "attendees" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "agenda" JSONB NOT NULL DEFAULT '[]',
    "prepared_data" JSONB,
    "outcomes" JSONB,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "executive_reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "feedback_type" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "submitter_email" TEXT,
    "submitter_name" TEXT,
    "title" TEXT,
    "content" TEXT NOT NULL,
    "category" TEXT,
    "priority" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "score" INTEGER,
    "sentiment_score" DECIMAL(6,4),
    "sentiment_label" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_responses" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "survey_type" "SurveyType" NOT NULL,
    "respondent_email" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "reason" TEXT,
    "responded_at" TIMESTAMPTZ(3) NOT NULL,
    "feedback_id" TEXT,

    CONSTRAINT "survey_responses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_templates" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "survey_type" "SurveyType" NOT NULL,
    "questions" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "survey_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sentiment_analyses" (
    "id" TEXT NOT NULL,
    "scope" JSONB NOT NULL DEFAULT '{}',
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "distribution" JSONB NOT NULL,
    "themes" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sentiment_analyses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_insights" (
    "id" TEXT NOT NULL,
    "insight_type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "supporting_feedback_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "priority" TEXT NOT NULL DEFAULT 'medium',
    "affected_account_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "affected_arr" DECIMAL(16,2) NOT NULL DEFAULT 0,
    "customer_impact" TEXT,
    "business_impact" TEXT,
    "recommended_action" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_insights_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "voc_reports" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "content" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "voc_reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timeline_events" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timeline_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request_id" TEXT,
    "tool" TEXT,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT,
    "actor" TEXT NOT NULL DEFAULT 'mcp-client',
    "changes" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_credentials" (
    "id" TEXT NOT NULL,
    "integration" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "iv" TEXT NOT NULL,
    "auth_tag" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "integration_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_messages" (
    "id" TEXT NOT NULL,
    "integration" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "account_id" TEXT,
    "status" "OutboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 10,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "external_id" TEXT,
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_attempts" (
    "id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "outbox_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_external_id_key" ON "accounts"("external_id");

-- CreateIndex
CREATE INDEX "accounts_tier_idx" ON "accounts"("tier");

-- CreateIndex
CREATE INDEX "accounts_lifecycle_stage_idx" ON "accounts"("lifecycle_stage");

-- CreateIndex
CREATE INDEX "accounts_health_score_idx" ON "accounts"("health_score");

-- CreateIndex
CREATE INDEX "accounts_created_at_id_idx" ON "accounts"("created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_company_key_primary_contact_email_key" ON "accounts"("company_key", "primary_contact_email");

-- CreateIndex
CREATE INDEX "contacts_email_idx" ON "contacts"("email");

-- CreateIndex
CREATE UNIQUE INDEX "contacts_account_id_email_key" ON "contacts"("account_id", "email");

-- CreateIndex
CREATE INDEX "contracts_account_id_start_date_idx" ON "contracts"("account_id", "start_date");

-- CreateIndex
CREATE INDEX "contracts_renewal_date_idx" ON "contracts"("renewal_date");

-- CreateIndex
CREATE INDEX "invoices_account_id_due_date_idx" ON "invoices"("account_id", "due_date");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_account_id_external_id_key" ON "invoices"("account_id", "external_id");

-- CreateIndex
CREATE INDEX "health_scores_account_id_calculated_at_idx" ON "health_scores"("account_id", "calculated_at");

-- CreateIndex
CREATE INDEX "usage_events_account_id_occurred_at_idx" ON "usage_events"("account_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "usage_events_account_id_user_id_event_occurred_at_key" ON "usage_events"("account_id", "user_id", "event", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "usage_snapshots_account_id_granularity_period_start_key" ON "usage_snapshots"("account_id", "granularity", "period_start");

-- CreateIndex
CREATE INDEX "segments_segmentation_type_created_at_idx" ON "segments"("segmentation_type", "created_at");

-- CreateIndex
CREATE INDEX "segment_members_account_id_idx" ON "segment_members"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "cohorts_name_key" ON "cohorts"("name");

-- CreateIndex
CREATE INDEX "cohort_members_account_id_idx" ON "cohort_members"("account_id");

-- CreateIndex
CREATE INDEX "lifecycle_transitions_account_id_transitioned_at_idx" ON "lifecycle_transitions"("account_id", "transitioned_at");

-- CreateIndex
CREATE INDEX "risk_indicators_account_id_detected_at_idx" ON "risk_indicators"("account_id", "detected_at");

-- CreateIndex
CREATE INDEX "risk_indicators_status_idx" ON "risk_indicators"("status");

-- CreateIndex
CREATE INDEX "churn_predictions_account_id_predicted_at_idx" ON "churn_predictions"("account_id", "predicted_at");

-- CreateIndex
CREATE INDEX "escalations_account_id_created_at_idx" ON "escalations"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "escalations_status_idx" ON "escalations"("status");

-- CreateIndex
CREATE INDEX "retention_campaigns_account_id_started_at_idx" ON "retention_campaigns"("account_id", "started_at");

-- CreateIndex
CREATE INDEX "onboarding_plans_account_id_created_at_idx" ON "onboarding_plans"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "onboarding_milestones_due_date_idx" ON "onboarding_milestones"("due_date");

-- CreateIndex
CREATE UNIQUE INDEX "onboarding_milestones_plan_id_sequence_key" ON "onboarding_milestones"("plan_id", "sequence");

-- CreateIndex
CREATE INDEX "onboarding_tasks_milestone_id_idx" ON "onboarding_tasks"("milestone_id");

-- CreateIndex
CREATE UNIQUE INDEX "training_modules_code_key" ON "training_modules"("code");

-- CreateIndex
CREATE INDEX "training_sessions_account_id_session_date_idx" ON "training_sessions"("account_id", "session_date");

-- CreateIndex
CREATE INDEX "training_completions_account_id_completed_at_idx" ON "training_completions"("account_id", "completed_at");

-- CreateIndex
CREATE INDEX "training_completions_module_id_user_email_idx" ON "training_completions"("module_id", "user_email");

-- CreateIndex
CREATE UNIQUE INDEX "certifications_account_id_user_email_level_key" ON "certifications"("account_id", "user_email", "level");

-- CreateIndex
CREATE INDEX "support_tickets_account_id_created_at_idx" ON "support_tickets"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "support_tickets_status_priority_idx" ON "support_tickets"("status", "priority");

-- CreateIndex
CREATE INDEX "support_tickets_assigned_agent_status_idx" ON "support_tickets"("assigned_agent", "status");

-- CreateIndex
CREATE UNIQUE INDEX "support_tickets_account_id_external_id_key" ON "support_tickets"("account_id", "external_id");

-- CreateIndex
CREATE INDEX "ticket_comments_ticket_id_created_at_idx" ON "ticket_comments"("ticket_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "support_agents_email_key" ON "support_agents"("email");

-- CreateIndex
CREATE INDEX "kb_articles_status_category_idx" ON "kb_articles"("status", "category");

-- CreateIndex
CREATE INDEX "renewal_forecasts_account_id_forecast_at_idx" ON "renewal_forecasts"("account_id", "forecast_at");

-- CreateIndex
CREATE INDEX "renewal_forecasts_renewal_date_idx" ON "renewal_forecasts"("renewal_date");

-- CreateIndex
CREATE INDEX "expansion_opportunities_account_id_status_idx" ON "expansion_opportunities"("account_id", "status");

-- CreateIndex
CREATE INDEX "email_sends_account_id_sent_at_idx" ON "email_sends"("account_id", "sent_at");

-- CreateIndex
CREATE INDEX "email_sends_campaign_id_idx" ON "email_sends"("campaign_id");

-- CreateIndex
CREATE INDEX "email_events_send_id_occurred_at_idx" ON "email_events"("send_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "communication_workflows_name_key" ON "communication_workflows"("name");

-- CreateIndex
CREATE UNIQUE INDEX "newsletter_subscriptions_newsletter_id_email_key" ON "newsletter_subscriptions"("newsletter_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "communities_name_key" ON "communities"("name");

-- CreateIndex
CREATE UNIQUE INDEX "community_members_community_id_email_key" ON "community_members"("community_id", "email");

-- CreateIndex
CREATE INDEX "community_posts_community_id_created_at_idx" ON "community_posts"("community_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "advocates_account_id_email_key" ON "advocates"("account_id", "email");

-- CreateIndex
CREATE INDEX "advocate_contributions_advocate_id_occurred_at_idx" ON "advocate_contributions"("advocate_id", "occurred_at");

-- CreateIndex
CREATE INDEX "executive_reviews_account_id_scheduled_at_idx" ON "executive_reviews"("account_id", "scheduled_at");

-- CreateIndex
CREATE INDEX "feedback_account_id_created_at_idx" ON "feedback"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "feedback_feedback_type_created_at_idx" ON "feedback"("feedback_type", "created_at");

-- CreateIndex
CREATE INDEX "survey_responses_account_id_responded_at_idx" ON "survey_responses"("account_id", "responded_at");

-- CreateIndex
CREATE INDEX "survey_responses_survey_type_responded_at_idx" ON "survey_responses"("survey_type", "responded_at");

-- CreateIndex
CREATE UNIQUE INDEX "survey_responses_account_id_survey_type_respondent_email_re_key" ON "survey_responses"("account_id", "survey_type", "respondent_email", "responded_at");

-- CreateIndex
CREATE UNIQUE INDEX "survey_templates_name_key" ON "survey_templates"("name");

-- CreateIndex
CREATE INDEX "timeline_events_account_id_occurred_at_idx" ON "timeline_events"("account_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_entity_type_entity_id_occurred_at_idx" ON "audit_log"("entity_type", "entity_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_occurred_at_idx" ON "audit_log"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "integration_credentials_integration_name_key" ON "integration_credentials"("integration", "name");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_messages_idempotency_key_key" ON "outbox_messages"("idempotency_key");

-- CreateIndex
CREATE INDEX "outbox_messages_status_next_attempt_at_idx" ON "outbox_messages"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbox_messages_account_id_idx" ON "outbox_messages"("account_id");

-- CreateIndex
CREATE INDEX "outbox_attempts_message_id_attempted_at_idx" ON "outbox_attempts"("message_id", "attempted_at");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_scores" ADD CONSTRAINT "health_scores_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_snapshots" ADD CONSTRAINT "usage_snapshots_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_segment_id_fkey" FOREIGN KEY ("segment_id") REFERENCES "segments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_members" ADD CONSTRAINT "cohort_members_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_members" ADD CONSTRAINT "cohort_members_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lifecycle_transitions" ADD CONSTRAINT "lifecycle_transitions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "risk_indicators" ADD CONSTRAINT "risk_indicators_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "churn_predictions" ADD CONSTRAINT "churn_predictions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "support_tickets"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "retention_campaigns" ADD CONSTRAINT "retention_campaigns_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding_plans" ADD CONSTRAINT "onboarding_plans_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding_milestones" ADD CONSTRAINT "onboarding_milestones_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "onboarding_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "onboarding_tasks" ADD CONSTRAINT "onboarding_tasks_milestone_id_fkey" FOREIGN KEY ("milestone_id") REFERENCES "onboarding_milestones"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_sessions" ADD CONSTRAINT "training_sessions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_sessions" ADD CONSTRAINT "training_sessions_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "training_modules"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_completions" ADD CONSTRAINT "training_completions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_completions" ADD CONSTRAINT "training_completions_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "training_modules"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_completions" ADD CONSTRAINT "training_completions_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "training_sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "support_tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kb_article_versions" ADD CONSTRAINT "kb_article_versions_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "kb_articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portal_settings" ADD CONSTRAINT "portal_settings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "renewal_forecasts" ADD CONSTRAINT "renewal_forecasts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "expansion_opportunities" ADD CONSTRAINT "expansion_opportunities_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_sends" ADD CONSTRAINT "email_sends_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "email_campaigns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_sends" ADD CONSTRAINT "email_sends_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_events" ADD CONSTRAINT "email_events_send_id_fkey" FOREIGN KEY ("send_id") REFERENCES "email_sends"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "newsletter_subscriptions" ADD CONSTRAINT "newsletter_subscriptions_newsletter_id_fkey" FOREIGN KEY ("newsletter_id") REFERENCES "newsletters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "newsletter_subscriptions" ADD CONSTRAINT "newsletter_subscriptions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "community_members" ADD CONSTRAINT "community_members_community_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "community_members" ADD CONSTRAINT "community_members_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "community_posts" ADD CONSTRAINT "community_posts_community_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "community_posts" ADD CONSTRAINT "community_posts_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "community_members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "advocates" ADD CONSTRAINT "advocates_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "advocate_contributions" ADD CONSTRAINT "advocate_contributions_advocate_id_fkey" FOREIGN KEY ("advocate_id") REFERENCES "advocates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "executive_reviews" ADD CONSTRAINT "executive_reviews_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timeline_events" ADD CONSTRAINT "timeline_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox_attempts" ADD CONSTRAINT "outbox_attempts_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "outbox_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: CHECK constraints Prisma's schema language cannot express. Scores and probabilities
-- out of range, negative money and malformed client ids are refused by the database itself.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_id_format" CHECK ("id" ~ '^cs_[0-9]+_[a-z0-9_]+$');
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_health_score_range" CHECK ("health_score" BETWEEN 0 AND 100);
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_arr_nonnegative" CHECK ("arr" >= 0);
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_seats_positive" CHECK ("seats" IS NULL OR "seats" > 0);
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_value_nonnegative" CHECK ("contract_value" >= 0);
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_dates_ordered" CHECK ("end_date" IS NULL OR "start_date" IS NULL OR "end_date" >= "start_date");
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_discount_range" CHECK ("discount_percent" BETWEEN 0 AND 100);
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_amount_nonnegative" CHECK ("amount" >= 0);
ALTER TABLE "health_scores" ADD CONSTRAINT "health_scores_ranges" CHECK (
  "overall_score" BETWEEN 0 AND 100
  AND ("usage_score" IS NULL OR "usage_score" BETWEEN 0 AND 100)
  AND ("engagement_score" IS NULL OR "engagement_score" BETWEEN 0 AND 100)
  AND ("support_score" IS NULL OR "support_score" BETWEEN 0 AND 100)
  AND ("satisfaction_score" IS NULL OR "satisfaction_score" BETWEEN 0 AND 100)
  AND ("payment_score" IS NULL OR "payment_score" BETWEEN 0 AND 100));
ALTER TABLE "segments" ADD CONSTRAINT "segments_mean_health_range" CHECK ("mean_health" IS NULL OR "mean_health" BETWEEN 0 AND 100);
ALTER TABLE "churn_predictions" ADD CONSTRAINT "churn_predictions_probability_range" CHECK ("probability" BETWEEN 0 AND 1);
ALTER TABLE "renewal_forecasts" ADD CONSTRAINT "renewal_forecasts_probability_range" CHECK ("probability" BETWEEN 0 AND 1);
ALTER TABLE "expansion_opportunities" ADD CONSTRAINT "expansion_opportunities_score_range" CHECK ("score" BETWEEN 0 AND 1);
ALTER TABLE "expansion_opportunities" ADD CONSTRAINT "expansion_opportunities_value_nonnegative" CHECK ("estimated_value" >= 0);
ALTER TABLE "training_modules" ADD CONSTRAINT "training_modules_passing_score_range" CHECK ("passing_score" BETWEEN 0 AND 100 AND "max_attempts" > 0);
ALTER TABLE "training_completions" ADD CONSTRAINT "training_completions_score_range" CHECK ("score" IS NULL OR "score" BETWEEN 0 AND 100);
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_csat_range" CHECK ("satisfaction_rating" IS NULL OR "satisfaction_rating" BETWEEN 1 AND 5);
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_score_range" CHECK (
  ("survey_type" = 'nps' AND "score" BETWEEN 0 AND 10)
  OR ("survey_type" = 'csat' AND "score" BETWEEN 1 AND 5)
  OR ("survey_type" = 'ces' AND "score" BETWEEN 1 AND 7));
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_sentiment_range" CHECK ("sentiment_score" IS NULL OR "sentiment_score" BETWEEN -1 AND 1);
ALTER TABLE "product_insights" ADD CONSTRAINT "product_insights_arr_nonnegative" CHECK ("affected_arr" >= 0);
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_attempts_range" CHECK ("attempts" >= 0 AND "max_attempts" > 0);
