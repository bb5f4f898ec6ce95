import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { email, text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, customerText } from "../shared/customer-text.ts";
import { KB_UPDATE_ACTIONS } from "../../services/support/knowledge-base.ts";
import { articleSummarySchema } from "./kb-schemas.ts";

const tag = z.string().trim().min(1, "must not be empty").max(60, "must be at most 60 characters");

export const updateKnowledgeBase = defineTool({
  name: "update_knowledge_base",
  toolset: "support",
  title: "Edit, publish, archive and vote on articles",
  description:
    `Change a knowledge-base article: update (title or body make a new version), publish, archive, or vote (helpful or not, one per voter). Search or create: manage_knowledge_base. ${CUSTOMER_TEXT_NOTE} Example: {article_id: '0190…', action: 'vote', helpful_vote: false, feedback: 'Step 3 is outdated'}.`,
  input: z.strictObject({
    article_id: z.uuid({ error: "must be an article_id (a UUID) from manage_knowledge_base" }).describe("The article"),
    action: z.enum(KB_UPDATE_ACTIONS, { error: `must be one of ${KB_UPDATE_ACTIONS.join(", ")}` }),
    fields: z
      .strictObject({
        title: text(300).optional(),
        body: text(100_000).optional(),
        category: text(100).optional(),
        tags: z.array(tag).max(30, "must have at most 30 tags").optional(),
      })
      .optional()
      .describe("update: fields to change"),
    editor: text(200).optional().describe("Stored with the version"),
    helpful_vote: z.boolean().optional().describe("vote"),
    voter_email: email().optional().describe("vote: one per voter"),
    feedback: text(2000).optional().describe("vote: reader's comment"),
  }),
  output: z.object({
    action: z.enum(KB_UPDATE_ACTIONS),
    article: articleSummarySchema,
    changed: z.array(z.string()).optional(),
    new_version: z.number().int().nullable().optional(),
    previous_status: z.string().optional(),
    vote: z.object({ vote_id: z.string(), helpful: z.boolean(), voter_email: z.string().nullable(), replaced_previous_vote: z.boolean(), feedback: customerText.nullable() }).optional(),
    helpfulness_formula: z.string().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.support.knowledgeBase.update(args);
    const a = data.article;
    const h = a.helpfulness;
    switch (data.action) {
      case "update":
        return { data, text: data.changed!.length ? `Updated ${data.changed!.join(", ")} of '${a.title}'${data.new_version ? `; now version ${data.new_version}` : ""}.` : `Nothing changed on '${a.title}'.` };
      case "publish":
      case "archive":
        return { data, text: `Article '${a.title}' ${data.action === "publish" ? "published" : "archived"} (was ${data.previous_status}).` };
      case "vote":
        return { data, text: `Vote recorded (${data.vote!.helpful ? "helpful" : "not helpful"}${data.vote!.replaced_previous_vote ? ", replacing this voter's earlier vote" : ""}). '${a.title}': ${h.helpful_votes} helpful, ${h.unhelpful_votes} not; score ${h.score}, Wilson lower bound ${h.wilson_lower_bound}.` };
    }
  },
});
