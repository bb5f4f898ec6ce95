-- Communication programs (manage_community, manage_advocacy_program, conduct_executive_review):
-- moderation state with its reason, manual point awards, referral links and the review period of an EBR.

-- Community members: why and when a member was suspended or reinstated.
ALTER TABLE "community_members" ADD COLUMN "status_reason" TEXT;
ALTER TABLE "community_members" ADD COLUMN "status_changed_at" TIMESTAMPTZ(3);
ALTER TABLE "community_members" ADD CONSTRAINT "community_members_role_check" CHECK ("role" IN ('member', 'moderator', 'admin'));
ALTER TABLE "community_members" ADD CONSTRAINT "community_members_status_check" CHECK ("status" IN ('active', 'suspended', 'removed'));
CREATE INDEX "community_members_account_id_idx" ON "community_members"("account_id");

-- Community posts: why and when a post was hidden, removed or restored.
ALTER TABLE "community_posts" ADD COLUMN "moderation_reason" TEXT;
ALTER TABLE "community_posts" ADD COLUMN "moderated_at" TIMESTAMPTZ(3);
ALTER TABLE "community_posts" ADD CONSTRAINT "community_posts_status_check" CHECK ("status" IN ('published', 'hidden', 'removed'));
CREATE INDEX "community_posts_member_id_created_at_idx" ON "community_posts"("member_id", "created_at");

-- Advocates: status changes with their reason, and the eligibility found at enrollment (with any override).
ALTER TABLE "advocates" ADD COLUMN "status_reason" TEXT;
ALTER TABLE "advocates" ADD COLUMN "eligibility" JSONB;
ALTER TABLE "advocates" ADD CONSTRAINT "advocates_status_check" CHECK ("status" IN ('active', 'paused', 'retired'));
ALTER TABLE "advocates" ADD CONSTRAINT "advocates_points_nonnegative" CHECK ("points" >= 0);

-- Contributions: the documented types only; a referral may name the account it brought in.
ALTER TABLE "advocate_contributions" ADD COLUMN "referred_account_id" TEXT;
ALTER TABLE "advocate_contributions" ADD CONSTRAINT "advocate_contributions_type_check"
  CHECK ("type" IN ('case_study', 'reference_call', 'review', 'referral', 'speaking', 'award'));
ALTER TABLE "advocate_contributions" ADD CONSTRAINT "advocate_contributions_points_nonnegative" CHECK ("points" >= 0);
ALTER TABLE "advocate_contributions" ADD CONSTRAINT "advocate_contributions_referred_account_id_fkey"
  FOREIGN KEY ("referred_account_id") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "advocate_contributions_type_occurred_at_idx" ON "advocate_contributions"("type", "occurred_at");

-- Manual point awards (and corrections), each with its reason.
CREATE TABLE "advocate_point_awards" (
    "id" TEXT NOT NULL,
    "advocate_id" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "awarded_by" TEXT,
    "awarded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advocate_point_awards_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "advocate_point_awards_points_nonzero" CHECK ("points" <> 0)
);
CREATE INDEX "advocate_point_awards_advocate_id_awarded_at_idx" ON "advocate_point_awards"("advocate_id", "awarded_at");
ALTER TABLE "advocate_point_awards" ADD CONSTRAINT "advocate_point_awards_advocate_id_fkey"
  FOREIGN KEY ("advocate_id") REFERENCES "advocates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Executive reviews: a title, the period the prepared data covers, and when it was prepared or cancelled.
ALTER TABLE "executive_reviews" ADD COLUMN "title" TEXT;
ALTER TABLE "executive_reviews" ADD COLUMN "period_start" TIMESTAMPTZ(3);
ALTER TABLE "executive_reviews" ADD COLUMN "period_end" TIMESTAMPTZ(3);
ALTER TABLE "executive_reviews" ADD COLUMN "prepared_at" TIMESTAMPTZ(3);
ALTER TABLE "executive_reviews" ADD COLUMN "cancelled_at" TIMESTAMPTZ(3);
ALTER TABLE "executive_reviews" ADD COLUMN "cancel_reason" TEXT;
ALTER TABLE "executive_reviews" ADD CONSTRAINT "executive_reviews_status_check" CHECK ("status" IN ('scheduled', 'prepared', 'completed', 'cancelled'));
CREATE INDEX "executive_reviews_status_scheduled_at_idx" ON "executive_reviews"("status", "scheduled_at");
