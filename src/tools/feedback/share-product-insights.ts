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
    `Record an insight for the product team (create), list them by affected ARR, or get one with its feedback; create sums affected accounts' ARR and moves the supporting feedback on. More links later: manage_voice_of_customer. ${CUSTOMER_TEXT_NOTE} Example: {insight_type: 'feature_request', title: 'Bulk CSV export', description: 'Finance exports monthly'}.`,
  input: z.strictObject({
    action: z.enum(INSIGHT_ACTIONS, { error: `must be one of ${INSIGHT_ACTIONS.join(", ")}` }).default("create"),
    insight_id: z.uuid({ error: "must be an insight_id (a UUID) from create or list" }).optional().describe("get"),
    insight_type: z.enum(INSIGHT_TYPES, { error: `must be one of ${INSIGHT_TYPES.join(", ")}` }).optional().describe("create; list filter"),
    title: text(300).optional().describe("create"),
    description: text(5000).optional().describe("create"),
    supporting_feedback_ids: z.array(feedbackId()).max(1000, "must have at most 1000 ids").optional().describe("Their accounts count as affected"),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("Default medium"),
    affected_customers: z.array(clientId()).max(1000, "must have at most 1000 client ids").optional().describe("More affected accounts"),
    customer_impact: text(2000).optional().describe("create"),
    business_impact: text(2000).optional().describe("create"),
    recommended_action: text(2000).optional().describe("create"),
    feedback_status: z.enum(FEEDBACK_STATUS_UPDATES, { error: `must be one of ${FEEDBACK_STATUS_UPDATES.join(", ")}` }).optional().describe("Default acknowledged"),
    status: z.enum(INSIGHT_STATUSES, { error: `must be one of ${INSIGHT_STATUSES.join(", ")}` }).optional().describe("list filter"),
    client_id: clientId().optional().describe("list filter"),
    limit: z.number().int().min(1).max(40).default(25).describe("list: page size"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("list: rows to skip"),
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
