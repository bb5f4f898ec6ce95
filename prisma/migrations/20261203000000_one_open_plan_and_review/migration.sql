-- "One active onboarding plan per account" and "one open executive review per account" were checked in
-- the services only: twelve concurrent create_onboarding_plan calls for one account on PostgreSQL made
-- twelve active plans. These partial unique indexes make the database refuse the second one whatever
-- the timing (the services map the violation to a conflict that names the rule).
-- Rows a race already duplicated are resolved first: the newest active plan / earliest open review
-- stays, the others are cancelled.
UPDATE "onboarding_plans" AS p SET "status" = 'cancelled'
 WHERE p."status" = 'active'
   AND p."id" <> (SELECT k."id" FROM "onboarding_plans" AS k
                   WHERE k."account_id" = p."account_id" AND k."status" = 'active'
                   ORDER BY k."created_at" DESC, k."id" DESC LIMIT 1);

CREATE UNIQUE INDEX "onboarding_plans_one_active_key"
    ON "onboarding_plans" ("account_id")
 WHERE "status" = 'active';

UPDATE "executive_reviews" AS r SET "status" = 'cancelled'
 WHERE r."status" IN ('scheduled', 'prepared')
   AND r."id" <> (SELECT k."id" FROM "executive_reviews" AS k
                   WHERE k."account_id" = r."account_id" AND k."status" IN ('scheduled', 'prepared')
                   ORDER BY k."scheduled_at", k."id" LIMIT 1);

CREATE UNIQUE INDEX "executive_reviews_one_open_key"
    ON "executive_reviews" ("account_id")
 WHERE "status" IN ('scheduled', 'prepared');
