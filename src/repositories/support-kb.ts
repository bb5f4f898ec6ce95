// Knowledge-base queries: PostgreSQL full-text search over the stored, weighted document vector (title weight A,
// body weight B; a generated column with the GIN index kb_articles_search_idx, migration 20261122170000), the
// filtered list with its sort orders, and votes.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;

/** The stored document vector the index is built on: ranking reads it instead of parsing each article again. */
export const KB_SEARCH_DOCUMENT = `a.search_vector`;

/** 95 % Wilson lower bound of helpful ÷ votes, in SQL (kb-helpfulness.ts has the same formula for display). */
const WILSON = `CASE WHEN a.helpful_votes + a.unhelpful_votes = 0 THEN NULL ELSE
  ((a.helpful_votes::float8 / (a.helpful_votes + a.unhelpful_votes)) + 3.8416 / (2 * (a.helpful_votes + a.unhelpful_votes))
   - 1.96 * sqrt((a.helpful_votes::float8 / (a.helpful_votes + a.unhelpful_votes)) * (a.unhelpful_votes::float8 / (a.helpful_votes + a.unhelpful_votes)) / (a.helpful_votes + a.unhelpful_votes)
                 + 3.8416 / (4 * (a.helpful_votes + a.unhelpful_votes)::float8 ^ 2)))
  / (1 + 3.8416 / (a.helpful_votes + a.unhelpful_votes)) END`;

export const KB_SORTS = ["helpfulness", "updated", "title"] as const;
export type KbSort = (typeof KB_SORTS)[number];
const ORDER: Record<KbSort, string> = {
  helpfulness: `${WILSON} DESC NULLS LAST, a.updated_at DESC, a.id`,
  updated: `a.updated_at DESC, a.id`,
  title: `lower(a.title), a.id`,
};

export interface ArticleRow {
  id: string;
  title: string;
  category: string | null;
  tags: string[];
  status: string;
  version: number;
  helpful_votes: number;
  unhelpful_votes: number;
  author: string | null;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  total: bigint | number;
}

const COLUMNS = `a.id, a.title, a.category, a.tags, a.status, a.version, a.helpful_votes, a.unhelpful_votes, a.author, a.created_at, a.updated_at, a.published_at`;

export class KnowledgeBaseRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The parsed query and how many search terms it kept (0: only stop words or punctuation). */
  async parse(query: string): Promise<{ terms: number; tsquery: string }> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ terms: number; tsquery: string }>>(
      `SELECT numnode(websearch_to_tsquery('english', $1)) AS terms, websearch_to_tsquery('english', $1)::text AS tsquery`,
      query,
    );
    return { terms: Number(rows[0]?.terms ?? 0), tsquery: rows[0]?.tsquery ?? "" };
  }

  /** Matching articles ranked by ts_rank_cd (cover density over the weighted document), with a ts_headline snippet. */
  async search(query: string, f: { includeUnpublished: boolean; category?: string | undefined }, limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<Array<ArticleRow & { rank: number; snippet: string }>>(
      // Ranked and paged first; the snippet (ts_headline parses the body) only for the page's articles.
      `WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query),
       hits AS (
         SELECT a.id, ts_rank_cd(${KB_SEARCH_DOCUMENT}, q.query)::float8 AS rank, count(*) OVER () AS total
           FROM kb_articles a, q
          WHERE ${KB_SEARCH_DOCUMENT} @@ q.query
            AND ($2::boolean OR a.status = 'published')
            AND ($3::text IS NULL OR lower(a.category) = lower($3::text))
          ORDER BY rank DESC, a.updated_at DESC, a.id
          LIMIT $4 OFFSET $5)
       SELECT ${COLUMNS}, hits.rank,
              ts_headline('english', a.body, q.query, 'StartSel=**, StopSel=**, MaxWords=35, MinWords=12, MaxFragments=2') AS snippet,
              hits.total
         FROM hits JOIN kb_articles a ON a.id = hits.id, q
        ORDER BY hits.rank DESC, a.updated_at DESC, a.id`,
      query,
      f.includeUnpublished,
      f.category ?? null,
      limit,
      offset,
    );
  }

  async list(f: { status?: string | undefined; category?: string | undefined }, sort: KbSort, limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<ArticleRow[]>(
      `SELECT ${COLUMNS}, count(*) OVER () AS total
         FROM kb_articles a
        WHERE ($1::text IS NULL OR a.status = $1::text) AND ($2::text IS NULL OR lower(a.category) = lower($2::text))
        ORDER BY ${ORDER[sort]}
        LIMIT $3 OFFSET $4`,
      f.status ?? null,
      f.category ?? null,
      limit,
      offset,
    );
  }

  /** Locks the article row for the rest of the transaction. */
  async lock(tx: Tx, id: string) {
    await tx.$queryRawUnsafe(`SELECT id FROM kb_articles WHERE id = $1 FOR UPDATE`, id);
    return tx.kbArticle.findUnique({ where: { id } });
  }

  versions(articleId: string) {
    return this.prisma.kbArticleVersion.findMany({ where: { article_id: articleId }, orderBy: { version: "desc" }, select: { version: true, title: true, editor: true, created_at: true } });
  }

  /** The latest votes that came with feedback text. */
  feedback(articleId: string, limit: number) {
    return this.prisma.kbArticleVote.findMany({ where: { article_id: articleId, feedback: { not: null } }, orderBy: [{ updated_at: "desc" }, { id: "desc" }], take: limit });
  }
}
