import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, fenceCustomerText, customerText } from "../shared/customer-text.ts";
import { KB_MANAGE_ACTIONS, KB_STATUSES } from "../../services/support/knowledge-base.ts";
import { KB_SORTS } from "../../repositories/support-kb.ts";
import { articleSummarySchema } from "./kb-schemas.ts";

const tag = z.string().trim().min(1, "must not be empty").max(60, "must be at most 60 characters");
const page = { total: z.number().int().optional(), count: z.number().int().optional(), limit: z.number().int().optional(), offset: z.number().int().optional(), next_offset: z.number().int().nullable().optional() };

export const manageKnowledgeBase = defineTool({
  name: "manage_knowledge_base",
  toolset: "support",
  title: "Search and add knowledge-base articles",
  description:
    `The knowledge base: search (full-text, web-search syntax, ranked snippets), get, create (draft, or publish: true), list. Edit, publish, archive or vote: update_knowledge_base. ${CUSTOMER_TEXT_NOTE} Example: {action: 'search', search_query: 'reset password sso'}.`,
  input: z.strictObject({
    action: z.enum(KB_MANAGE_ACTIONS, { error: `must be one of ${KB_MANAGE_ACTIONS.join(", ")}` }),
    article_id: z.uuid({ error: "must be an article_id (a UUID) from search, list or create" }).optional().describe("get"),
    title: text(300).optional().describe("create"),
    body: text(100_000).optional().describe("create; text or Markdown"),
    category: text(100).optional().describe("create; filter"),
    tags: z.array(tag).max(30, "must have at most 30 tags").optional().describe("create"),
    author: text(200).optional().describe("create"),
    publish: z.boolean().optional().describe("create: publish now, else draft"),
    search_query: text(500).optional().describe("Web-search syntax"),
    status: z.enum(KB_STATUSES, { error: `must be one of ${KB_STATUSES.join(", ")}` }).optional().describe("list filter"),
    include_unpublished: z.boolean().optional().describe("search: drafts and archived too"),
    sort: z.enum(KB_SORTS, { error: `must be one of ${KB_SORTS.join(", ")}` }).optional().describe("list order"),
    limit: z.number().int().min(1).max(100).default(20),
    offset: z.number().int().min(0).max(100_000).default(0),
  }),
  output: z.object({
    action: z.enum(KB_MANAGE_ACTIONS),
    search_query: z.string().optional(),
    parsed_query: z.string().optional(),
    ranking: z.string().optional(),
    scope: z.string().optional(),
    results: z.array(articleSummarySchema.extend({ rank: z.number(), snippet: z.string() })).optional(),
    article: articleSummarySchema.extend({ body: z.string() }).optional(),
    versions: z.array(z.object({ version: z.number().int(), title: z.string(), editor: z.string().nullable(), created_at: z.string() })).optional(),
    recent_feedback: z.array(z.object({ vote_id: z.string(), helpful: z.boolean(), voted_at: z.string(), feedback: customerText })).optional(),
    articles: z.array(articleSummarySchema).optional(),
    sort: z.string().optional(),
    helpfulness_formula: z.string().optional(),
    ...page,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.support.knowledgeBase.manage(args);
    switch (data.action) {
      case "search":
        return {
          data,
          text: `${data.total} articles match '${data.search_query}' (${data.scope}).${data.results.length ? `\n${data.results.map((r, i) => `${data.offset + i + 1}. ${r.title} (${r.article_id}, rank ${r.rank}): ${r.snippet}`).join("\n")}` : ""}`,
        };
      case "get": {
        const fb = data.recent_feedback.map((f) => `\n${f.helpful ? "helpful" : "not helpful"}, ${f.voted_at}:\n${fenceCustomerText(f.feedback.customer_text, f.feedback.source)}`).join("");
        const h = data.article.helpfulness;
        return { data, text: `${data.article.title} (${data.article.status}, version ${data.article.version}, ${h.total_votes} votes${h.score !== null ? `, ${Math.round(h.score * 100)} % helpful` : ""}).\n${data.article.body}${fb}` };
      }
      case "create":
        return { data, text: `Created article ${data.article.article_id} '${data.article.title}' as ${data.article.status} (version 1).` };
      case "list":
        return { data, text: `${data.total} articles; showing ${data.count} by ${data.sort}.${data.articles.length ? `\n${data.articles.map((a) => `- ${a.title} (${a.article_id}, ${a.status}, v${a.version}, ${a.helpfulness.total_votes} votes)`).join("\n")}` : ""}` };
    }
  },
});
