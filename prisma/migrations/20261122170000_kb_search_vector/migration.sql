-- Knowledge-base search reads a stored document vector instead of parsing every matching article again.
-- ts_rank_cd needs the vector of each match, and the expression index held none: a search matching most of
-- the base re-ran to_tsvector over all of it (1.8 s for 9,822 matches of 10,000 in bench/toolsets.ts). The
-- generated column is kept by PostgreSQL on every write; the GIN index is built over it.
-- fastupdate off: the embedded database has no autovacuum, and entries left in a GIN pending list make the
-- planner avoid the index until something vacuums.
DROP INDEX "kb_articles_search_idx";
ALTER TABLE "kb_articles" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, "title"), 'A') || setweight(to_tsvector('english'::regconfig, "body"), 'B')
) STORED;
CREATE INDEX "kb_articles_search_idx" ON "kb_articles" USING GIN ("search_vector") WITH (fastupdate = off);
