import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE } from "../shared/customer-text.ts";
import { INSIGHT_STATUSES, INSIGHT_TYPES, PRIORITIES } from "../../services/feedback/model.ts";
import { FEEDBACK_STATUS_UPDATES, INSIGHT_ACTIONS } from "../../services/feedback/insights.ts";
import { affectedAccount, feedbackId, feedbackView, insightView } from "./schemas.ts";

export const shareProductInsights = defineTool({
  name: "share_product_insights",
  toolset: "feedback",
  title: "Share product insights backed by feedback",
  description:
    "Records an insight for the product team (action create, the default), lists them (list) or shows one (get). create " +
    "needs insight_type, title and description; supporting_feedback_ids must be stored feedback and affected_customers " +
    "existing client ids (unknown ones are named and nothing is written). Affected accounts = affected_customers ∪ the " +
    "accounts of the supporting feedback, each counted once; affected_arr = Σ their current ARR (churned accounts count 0, shown " +
    "apart as churned_affected_arr), summed exactly and stored with the insight. The supporting feedback moves to status acknowledged (feedback_status, default), or in_roadmap when " +
    "the product team has committed, or stays unchanged; feedback never moves back. list filters by insight_type, " +
    "priority, status and client_id (insights affecting the account), largest affected ARR first. get needs insight_id " +
    "and returns the supporting feedback. Link more feedback or a roadmap item later with manage_voice_of_customer " +
    "update_customer_roadmap. " +
    CUSTOMER_TEXT_NOTE +
    " Example: {insight_type: 'feature_request', title: 'Bulk CSV export', description: 'Finance teams export monthly', supporting_feedback_ids: ['0197…'], priority: 'high'}.",
  input: z.strictObject({
    action: z.enum(INSIGHT_ACTIONS, { error: `must be one of ${INSIGHT_ACTIONS.join(", ")}` }).default("create").describe("create (default), list or get"),
    insight_id: z.uuid({ error: "must be an insight_id (a UUID) from create or list" }).optional().describe("The insight to show (get)"),
    insight_type: z.enum(INSIGHT_TYPES, { error: `must be one of ${INSIGHT_TYPES.join(", ")}` }).optional().describe(`Kind of insight: ${INSIGHT_TYPES.join(", ")} (create; filter for list)`),
    title: text(300).optional().describe("Short name of the insight (create)"),
    description: text(5000).optional().describe("What the feedback shows (create)"),
    supporting_feedback_ids: z.array(feedbackId()).max(1000, "must have at most 1000 ids").optional().describe("Stored feedback behind the insight (create); their accounts count as affected"),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("low, medium (default), high or critical (create; filter for list)"),
    affected_customers: z.array(clientId()).max(1000, "must have at most 1000 client ids").optional().describe("Further affected accounts by client_id (create)"),
    customer_impact: text(2000).optional().describe("How customers are affected (create)"),
    business_impact: text(2000).optional().describe("What it means for revenue or retention (create)"),
    recommended_action: text(2000).optional().describe("What the product team should do (create)"),
    feedback_status: z.enum(FEEDBACK_STATUS_UPDATES, { error: `must be one of ${FEEDBACK_STATUS_UPDATES.join(", ")}` }).optional().describe("Where the supporting feedback moves (create): acknowledged (default), in_roadmap, or unchanged"),
    status: z.enum(INSIGHT_STATUSES, { error: `must be one of ${INSIGHT_STATUSES.join(", ")}` }).optional().describe("Filter for list: open, planned, in_progress, shipped, declined"),
    client_id: clientId().optional().describe("Filter for list: insights affecting this account"),
    limit: z.number().int().min(1).max(40).default(25).describe("Page size for list, 1–40 (default 25); texts cut at 300 characters"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("Rows to skip for list (default 0)"),
  }),
  output: z.object({
    action: z.enum(INSIGHT_ACTIONS),
    insight: insightView.optional(),
    affected_accounts: z.array(affectedAccount).optional(),
    current_affected_arr: z.number().optional(),
    churned_affected_arr: z.number().optional().describe("Σ ARR of affected accounts that have churned (not in affected_arr)"),
    arr_basis: z.string().optional(),
    feedback_status_updated: z.object({ to: z.string(), count: z.number().int(), feedback_ids: z.array(z.string()).describe("the first 20") }).optional(),
    supporting_feedback: z.array(feedbackView).optional(),
    notes: z.array(z.string()).optional(),
    insights: z.array(insightView).optional(),
    total: z.number().int().optional(),
    count: z.number().int().optional(),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
    order: z.string().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const d = await services.feedback.insights.handle(args);
    if (d.action === "list") {
      return { data: d, text: `${d.total} insights match; showing ${d.count}${d.insights.length ? `: ${d.insights.slice(0, 10).map((i) => `${i.insight_id} "${i.title}" (${i.priority}, ${i.status}, ARR ${i.affected_arr})`).join("; ")}` : ""}.${d.next_offset !== null ? ` More: offset ${d.next_offset}.` : ""}` };
    }
    const i = d.insight;
    if (d.action === "get") return { data: d, text: `Insight ${i.insight_id} "${i.title}" (${i.insight_type}, ${i.priority}, ${i.status}${i.roadmap_item ? `, roadmap: ${i.roadmap_item}` : ""}): ${i.affected_accounts} accounts, ARR ${i.affected_arr} stored (${d.current_affected_arr} today), ${d.supporting_feedback.length} supporting feedback.` };
    return {
      data: d,
      text: `Shared insight ${i.insight_id} "${i.title}": ${i.affected_accounts} affected accounts, affected ARR ${i.affected_arr}; ${d.feedback_status_updated.count} supporting feedback moved to ${d.feedback_status_updated.to}.${d.notes.length ? ` ${d.notes.join(" ")}` : ""}`,
    };
  },
});
