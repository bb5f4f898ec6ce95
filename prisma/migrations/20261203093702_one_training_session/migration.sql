-- "One record of a training session (module, account, time)" was checked in deliver_training_session
-- only: twelve concurrent identical calls on PostgreSQL stored twelve sessions and twelve times the
-- attendance rows. This unique index makes the database refuse the second one whatever the timing
-- (src/server/errors.ts maps the violation to a conflict that names the rule).
-- Sessions a race already duplicated are merged first: the earliest stored one stays; attendance rows
-- of a duplicate move to it unless it already has that attendee, and the rest are deleted with it.
CREATE TEMP TABLE "training_session_dups" AS
SELECT s."id" AS "dup_id", k."id" AS "keep_id"
  FROM "training_sessions" AS s
  JOIN LATERAL (SELECT k."id" FROM "training_sessions" AS k
                 WHERE k."account_id" = s."account_id" AND k."module_id" = s."module_id" AND k."session_date" = s."session_date"
                 ORDER BY k."created_at", k."id" LIMIT 1) AS k ON k."id" <> s."id";

DELETE FROM "training_completions" AS c
 USING "training_session_dups" AS d
 WHERE c."session_id" = d."dup_id"
   AND EXISTS (SELECT 1 FROM "training_completions" AS o WHERE o."session_id" = d."keep_id" AND o."user_email" = c."user_email");

UPDATE "training_completions" AS c SET "session_id" = d."keep_id"
  FROM "training_session_dups" AS d
 WHERE c."session_id" = d."dup_id";

DELETE FROM "training_sessions" AS s USING "training_session_dups" AS d WHERE s."id" = d."dup_id";
DROP TABLE "training_session_dups";

-- CreateIndex
CREATE UNIQUE INDEX "training_sessions_account_id_module_id_session_date_key" ON "training_sessions"("account_id", "module_id", "session_date");
