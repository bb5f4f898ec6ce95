// The knowledge base: manage_knowledge_base (search, get, create, list) and update_knowledge_base (update,
// publish, archive, vote).
// - Search is PostgreSQL full-text search (websearch_to_tsquery syntax: words, "phrases", OR, -excluded),
//   ranked by ts_rank_cd over title (weight A) and body (weight B); only published articles unless asked.
// - Versions: creating stores version 1 in kb_article_versions; every change of title or body stores the
//   new content as the next version and bumps kb_articles.version. Category and tags are not content.
// - Status: draft → published ⇄ archived (publish also restores an archived article); an archived article
//   is not edited or voted on.
// - Votes: one row per vote; a voter who gives an email votes once per article (voting again replaces the
//   vote); the counters on kb_articles follow the rows in the same transaction. Helpfulness: kb-helpfulness.ts.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { KnowledgeBaseRepository, type ArticleRow, type KbSort } from "../../repositories/support-kb.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { asCustomerText } from "../../tools/shared/customer-text.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { helpfulness, HELPFULNESS_FORMULA } from "./kb-helpfulness.ts";

export const KB_MANAGE_ACTIONS = ["search", "get", "create", "list"] as const;
export type KbManageAction = (typeof KB_MANAGE_ACTIONS)[number];
export const KB_UPDATE_ACTIONS = ["update", "publish", "archive", "vote"] as const;
export type KbUpdateAction = (typeof KB_UPDATE_ACTIONS)[number];
export const KB_STATUSES = ["draft", "published", "archived"] as const;
export type KbStatus = (typeof KB_STATUSES)[number];

export interface KbManageInput {
  action: KbManageAction;
  article_id?: string | undefined;
  title?: string | undefined;
  body?: string | undefined;
  category?: string | undefined;
  tags?: string[] | undefined;
  author?: string | undefined;
  publish?: boolean | undefined;
  search_query?: string | undefined;
  status?: KbStatus | undefined;
  include_unpublished?: boolean | undefined;
  sort?: KbSort | undefined;
  limit: number;
  offset: number;
}

type ManageField = Exclude<keyof KbManageInput, "action" | "limit" | "offset">;
const MANAGE_FIELDS: ManageField[] = ["article_id", "title", "body", "category", "tags", "author", "publish", "search_query", "status", "include_unpublished", "sort"];
const MANAGE_RULES: Record<KbManageAction, ActionRule<ManageField>> = {
  search: { required: ["search_query"], allowed: ["search_query", "category", "include_unpublished"] },
  get: { required: ["article_id"], allowed: ["article_id"] },
  create: { required: ["title", "body"], allowed: ["title", "body", "category", "tags", "author", "publish"] },
  list: { required: [], allowed: ["status", "category", "sort"] },
};

export interface KbUpdateInput {
  action: KbUpdateAction;
  article_id: string;
  fields?: { title?: string | undefined; body?: string | undefined; category?: string | undefined; tags?: string[] | undefined } | undefined;
  editor?: string | undefined;
  helpful_vote?: boolean | undefined;
  voter_email?: string | undefined;
  feedback?: string | undefined;
}

type UpdateField = "fields" | "editor" | "helpful_vote" | "voter_email" | "feedback";
const UPDATE_FIELDS: UpdateField[] = ["fields", "editor", "helpful_vote", "voter_email", "feedback"];
const UPDATE_RULES: Record<KbUpdateAction, ActionRule<UpdateField>> = {
  update: { required: ["fields"], allowed: ["fields", "editor"] },
  publish: { required: [], allowed: ["editor"] },
  archive: { required: [], allowed: ["editor"] },
  vote: { required: ["helpful_vote"], allowed: ["helpful_vote", "voter_email", "feedback"] },
};

type Article = Omit<ArticleRow, "total">;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summary(a: Article) {
  return {
    article_id: a.id,
    title: a.title,
    category: a.category,
    tags: a.tags,
    status: a.status,
    version: a.version,
    author: a.author,
    created_at: a.created_at.toISOString(),
    updated_at: a.updated_at.toISOString(),
    published_at: iso(a.published_at),
    helpfulness: helpfulness(a.helpful_votes, a.unhelpful_votes),
  };
}

export class KnowledgeBaseService {
  private readonly repo: KnowledgeBaseRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new KnowledgeBaseRepository(prisma);
  }

  async manage(input: KbManageInput) {
    checkActionFields(input.action, input, MANAGE_FIELDS, MANAGE_RULES);
    switch (input.action) {
      case "search":
        return this.search(input);
      case "get":
        return this.get(input.article_id!);
      case "create":
        return this.create(input);
      case "list":
        return this.list(input);
    }
  }

  private async search(input: KbManageInput) {
    const parsed = await this.repo.parse(input.search_query!);
    if (parsed.terms === 0) {
      throw validationError(`search_query: '${input.search_query}' has no searchable words (only stop words or punctuation)`, "search for the words that matter, e.g. 'reset password'");
    }
    const rows = await this.repo.search(input.search_query!, { includeUnpublished: input.include_unpublished ?? false, category: input.category }, input.limit, input.offset);
    const total = rows.length ? Number(rows[0]!.total) : 0;
    return {
      action: "search" as const,
      search_query: input.search_query!,
      parsed_query: parsed.tsquery,
      ranking: "ts_rank_cd over title (weight A) and body (weight B), English stemming; ties: most recently updated first",
      results: rows.map((r) => ({ ...summary(r), rank: Math.round(r.rank * 10_000) / 10_000, snippet: r.snippet })),
      total,
      count: rows.length,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
      scope: input.include_unpublished ? "all statuses" : "published articles only",
    };
  }

  private async get(id: string) {
    const a = await this.prisma.kbArticle.findUnique({ where: { id } });
    if (!a) throw notFound("article", id, "use manage_knowledge_base with action 'list' or 'search' to find the article_id");
    const [versions, feedback] = await Promise.all([this.repo.versions(id), this.repo.feedback(id, 10)]);
    return {
      action: "get" as const,
      article: { ...summary(a), body: a.body },
      versions: versions.map((v) => ({ version: v.version, title: v.title, editor: v.editor, created_at: v.created_at.toISOString() })),
      recent_feedback: feedback.map((v) => ({ vote_id: v.id, helpful: v.helpful, voted_at: v.updated_at.toISOString(), feedback: asCustomerText(v.feedback!, `article ${id} vote ${v.id} feedback`) })),
      helpfulness_formula: HELPFULNESS_FORMULA,
    };
  }

  private async create(input: KbManageInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const status: KbStatus = input.publish ? "published" : "draft";
      const a = await tx.kbArticle.create({
        data: {
          title: input.title!,
          body: input.body!,
          category: input.category ?? null,
          tags: input.tags ?? [],
          status,
          version: 1,
          author: input.author ?? null,
          created_at: now,
          updated_at: now,
          published_at: input.publish ? now : null,
        },
      });
      await tx.kbArticleVersion.create({ data: { article_id: a.id, version: 1, title: a.title, body: a.body, editor: input.author ?? null, created_at: now } });
      // Articles belong to no account, so there is no account timeline to write; the audit log records it.
      await writeAudit(tx, { action: "create_kb_article", entity_type: "kb_article", entity_id: a.id, changes: { status, category: a.category } });
      return { action: "create" as const, article: { ...summary(a), body: a.body } };
    });
  }

  private async list(input: KbManageInput) {
    const sort = input.sort ?? "helpfulness";
    const rows = await this.repo.list({ status: input.status, category: input.category }, sort, input.limit, input.offset);
    const total = rows.length ? Number(rows[0]!.total) : 0;
    return {
      action: "list" as const,
      articles: rows.map(summary),
      total,
      count: rows.length,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
      sort,
      helpfulness_formula: HELPFULNESS_FORMULA,
    };
  }

  async update(input: KbUpdateInput) {
    checkActionFields(input.action, input, UPDATE_FIELDS, UPDATE_RULES);
    if (input.action === "update") {
      const f = input.fields!;
      if (f.title === undefined && f.body === undefined && f.category === undefined && f.tags === undefined) {
        throw validationError("fields: give at least one of title, body, category, tags", "e.g. fields: {body: '…'}");
      }
    }
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const a = await this.repo.lock(tx, input.article_id);
      if (!a) throw notFound("article", input.article_id, "use manage_knowledge_base with action 'list' or 'search' to find the article_id");
      switch (input.action) {
        case "update": {
          if (a.status === "archived") throw conflict(`article ${a.id} is archived; publish it again (action 'publish') before editing`);
          const f = input.fields!;
          const changed: string[] = [];
          const data: Record<string, unknown> = {};
          if (f.title !== undefined && f.title !== a.title) (data.title = f.title), changed.push("title");
          if (f.body !== undefined && f.body !== a.body) (data.body = f.body), changed.push("body");
          if (f.category !== undefined && f.category !== a.category) (data.category = f.category), changed.push("category");
          if (f.tags !== undefined && JSON.stringify(f.tags) !== JSON.stringify(a.tags)) (data.tags = f.tags), changed.push("tags");
          if (!changed.length) return { action: "update" as const, article: summary(a), changed, new_version: null };
          const content = changed.includes("title") || changed.includes("body");
          const version = content ? a.version + 1 : a.version;
          const updated = await tx.kbArticle.update({ where: { id: a.id }, data: { ...data, version, updated_at: now } });
          if (content) await tx.kbArticleVersion.create({ data: { article_id: a.id, version, title: updated.title, body: updated.body, editor: input.editor ?? null, created_at: now } });
          await writeAudit(tx, { action: "update_kb_article", entity_type: "kb_article", entity_id: a.id, changes: { fields: changed, version, editor: input.editor ?? null } });
          return { action: "update" as const, article: summary(updated), changed, new_version: content ? version : null };
        }
        case "publish": {
          if (a.status === "published") throw conflict(`article ${a.id} is already published (since ${iso(a.published_at)})`);
          const updated = await tx.kbArticle.update({ where: { id: a.id }, data: { status: "published", published_at: now, updated_at: now } });
          await writeAudit(tx, { action: "publish_kb_article", entity_type: "kb_article", entity_id: a.id, changes: { from_status: a.status, editor: input.editor ?? null } });
          return { action: "publish" as const, article: summary(updated), changed: ["status"], previous_status: a.status };
        }
        case "archive": {
          if (a.status === "archived") throw conflict(`article ${a.id} is already archived`);
          const updated = await tx.kbArticle.update({ where: { id: a.id }, data: { status: "archived", updated_at: now } });
          await writeAudit(tx, { action: "archive_kb_article", entity_type: "kb_article", entity_id: a.id, changes: { from_status: a.status, editor: input.editor ?? null } });
          return { action: "archive" as const, article: summary(updated), changed: ["status"], previous_status: a.status };
        }
        case "vote": {
          if (a.status !== "published") throw conflict(`article ${a.id} is ${a.status}; only published articles take votes`);
          const helpful = input.helpful_vote!;
          const previous = input.voter_email ? await tx.kbArticleVote.findUnique({ where: { article_id_voter_email: { article_id: a.id, voter_email: input.voter_email } } }) : null;
          let vote;
          let delta = { helpful: 0, unhelpful: 0 };
          if (previous) {
            vote = await tx.kbArticleVote.update({ where: { id: previous.id }, data: { helpful, ...(input.feedback !== undefined ? { feedback: input.feedback } : {}), updated_at: now } });
            if (previous.helpful !== helpful) delta = helpful ? { helpful: 1, unhelpful: -1 } : { helpful: -1, unhelpful: 1 };
          } else {
            vote = await tx.kbArticleVote.create({ data: { article_id: a.id, helpful, voter_email: input.voter_email ?? null, feedback: input.feedback ?? null, created_at: now, updated_at: now } });
            delta = helpful ? { helpful: 1, unhelpful: 0 } : { helpful: 0, unhelpful: 1 };
          }
          // updated_at is left alone on purpose: a vote is not an edit of the article.
          const updated = await tx.kbArticle.update({ where: { id: a.id }, data: { helpful_votes: { increment: delta.helpful }, unhelpful_votes: { increment: delta.unhelpful }, updated_at: a.updated_at } });
          await writeAudit(tx, { action: "vote_kb_article", entity_type: "kb_article", entity_id: a.id, changes: { vote_id: vote.id, helpful, replaced_previous: !!previous, with_feedback: vote.feedback !== null } });
          return {
            action: "vote" as const,
            article: summary(updated),
            vote: {
              vote_id: vote.id,
              helpful,
              voter_email: vote.voter_email,
              replaced_previous_vote: !!previous,
              feedback: vote.feedback === null ? null : asCustomerText(vote.feedback, `article ${a.id} vote ${vote.id} feedback`),
            },
            helpfulness_formula: HELPFULNESS_FORMULA,
          };
        }
      }
    });
  }
}
