-- Knowledge base (manage_knowledge_base, update_knowledge_base).

-- Full-text search: one GIN index over the weighted document the search query uses verbatim
-- (title weight A, body weight B), so websearch_to_tsquery + ts_rank_cd are served by the index.
CREATE INDEX "kb_articles_search_idx" ON "kb_articles" USING GIN (
  (setweight(to_tsvector('english'::regconfig, "title"), 'A') || setweight(to_tsvector('english'::regconfig, "body"), 'B'))
);

ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_status_check" CHECK ("status" IN ('draft', 'published', 'archived'));
ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_votes_nonnegative" CHECK ("helpful_votes" >= 0 AND "unhelpful_votes" >= 0);

-- One row per vote. A voter who gives an email votes once per article (a second vote replaces the first);
-- anonymous votes (no email) are separate rows. feedback is customer-written text.
CREATE TABLE "kb_article_votes" (
    "id" TEXT NOT NULL,
    "article_id" TEXT NOT NULL,
    "helpful" BOOLEAN NOT NULL,
    "voter_email" TEXT,
    "feedback" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kb_article_votes_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "kb_article_votes_article_id_voter_email_key" ON "kb_article_votes"("article_id", "voter_email");
CREATE INDEX "kb_article_votes_article_id_created_at_idx" ON "kb_article_votes"("article_id", "created_at");
ALTER TABLE "kb_article_votes" ADD CONSTRAINT "kb_article_votes_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "kb_articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;
