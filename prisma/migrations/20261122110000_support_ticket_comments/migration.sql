-- Support tickets (handle_support_ticket): who wrote a comment. A public comment by an agent is the
-- ticket's first response; a requester's comment is not. Rows written before this column existed keep
-- NULL (unknown) rather than a guessed value.
ALTER TABLE "ticket_comments" ADD COLUMN "author_type" TEXT;
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_author_type_check" CHECK ("author_type" IN ('agent', 'requester'));

-- A satisfaction rating is a CSAT answer: 1–5 only.
ALTER TABLE "support_tickets" ADD CONSTRAINT "support_tickets_satisfaction_rating_check" CHECK ("satisfaction_rating" BETWEEN 1 AND 5);
