import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, fenceCustomerText } from "../shared/customer-text.ts";
import { deliveryReport } from "../shared/delivery.ts";
import { INSIGHT_STATUSES } from "../../services/feedback/model.ts";
import { VOC_ACTIONS } from "../../services/feedback/voc.ts";
import { affectedAccount, feedbackId, feedbackView, insightView, missingData, windowEnd, windowStart } from "./schemas.ts";

const period = z.object({ start: z.string(), end: z.string(), days: z.number().optional() });
const statusRow = z.object({
  status: z.string(),
  count: z.number().int(),
  share: z.number().nullable(),
  mean_age_days: z.number().nullable(),
  median_age_days: z.number().nullable(),
  max_age_days: z.number().nullable(),
});
const npsGroup = z.object({
  accounts: z.number().int(),
  nps: z.number().nullable(),
  nps_responses: z.number().int(),
  previous_nps: z.number().nullable(),
  previous_nps_responses: z.number().int(),
  nps_change: z.number().nullable(),
});

export const manageVoiceOfCustomer = defineTool({
  name: "manage_voice_of_customer",
  toolset: "feedback",
  title: "Voice-of-customer program: reports, feedback loop, roadmap",
  description:
    `The voice-of-customer loop: create_voc_report, track_feedback_loop, measure_program_effectiveness, generate_executive_summary, acknowledge_feedback, close_feedback_loop (answer, optionally sent) and update_customer_roadmap (link feedback to an insight). ${CUSTOMER_TEXT_NOTE} Example: {action: 'close_feedback_loop', feedback_id: '0197…', response: 'Shipped in 4.2'}.`,
  input: z.strictObject({
    action: z.enum(VOC_ACTIONS, { error: `must be one of ${VOC_ACTIONS.join(", ")}` }),
    client_id: clientId().optional().describe("Only this account"),
    period_start: windowStart().describe("Exclusive; default 90 days before end"),
    period_end: windowEnd().describe("Inclusive; default now"),
    title: text(300).optional().describe("create_voc_report"),
    report_id: z.uuid({ error: "must be a report_id (a UUID) from create_voc_report" }).optional().describe("Default latest"),
    feedback_id: feedbackId().optional().describe("close_feedback_loop"),
    feedback_ids: z.array(feedbackId()).min(1, "must not be empty").max(1000, "must have at most 1000 ids").optional().describe("acknowledge or link"),
    response: text(5000).optional().describe("Answer to the customer"),
    responded_by: text(200).optional().describe("Default the CSM"),
    notify_submitter: z.boolean().optional().describe("Send the response"),
    notify_channel: z.enum(["email", "in_app"]).optional().describe("Default email"),
    insight_id: z.uuid({ error: "must be an insight_id (a UUID) from share_product_insights" }).optional().describe("update_customer_roadmap"),
    roadmap_item: text(300).optional().describe("Name or tracker key"),
    insight_status: z.enum(INSIGHT_STATUSES, { error: `must be one of ${INSIGHT_STATUSES.join(", ")}` }).optional().describe("Default planned"),
    limit: z.number().int().min(1).max(30).default(20).describe("Most oldest-unclosed listed"),
  }),
  output: z.object({
    action: z.enum(VOC_ACTIONS),
    // create_voc_report
    report_id: z.string().optional(),
    sentiment_analysis_id: z.string().optional(),
    title: z.string().optional(),
    created_at: z.string().optional(),
    content: z.record(z.string(), z.unknown()).optional().describe("The stored report: scope, period, sentiment, nps, themes, top_requests, insights, feedback_loop"),
    // track_feedback_loop / measure_program_effectiveness
    scope: z.object({ client_id: z.string().nullable() }).optional(),
    period: period.optional(),
    previous_period: period.optional(),
    feedback_count: z.number().int().optional().describe("Feedback created in the period (track_feedback_loop)"),
    by_status: z.array(statusRow).optional(),
    closure_rate: z.number().nullable().optional(),
    acknowledged_or_later_rate: z.number().nullable().optional(),
    oldest_unclosed: z.object({ total: z.number().int(), items: z.array(feedbackView) }).optional(),
    response_volume: z
      .object({
        feedback: z.number().int(),
        previous_feedback: z.number().int(),
        feedback_change: z.number().int(),
        survey_responses: z.number().int(),
        previous_survey_responses: z.number().int(),
        accounts_responding: z.number().int(),
        active_accounts: z.number().int(),
        account_response_rate: z.number().nullable(),
      })
      .optional(),
    closure: z
      .object({
        feedback_created: z.number().int(),
        created_and_closed: z.number().int(),
        closure_rate: z.number().nullable(),
        loops_closed_in_period: z.number().int(),
        median_days_to_close: z.number().nullable(),
        mean_days_to_close: z.number().nullable(),
        acknowledged_in_period: z.number().int(),
        median_days_to_acknowledge: z.number().nullable(),
      })
      .optional(),
    nps_by_loop_closure: z.object({ closed: npsGroup, not_closed: npsGroup }).optional(),
    definitions: z.record(z.string(), z.string()).optional(),
    // generate_executive_summary
    report_created_at: z.string().optional(),
    figures: z
      .object({
        feedback: z.number().int(),
        mean_sentiment: z.number().nullable(),
        positive_share: z.number().nullable(),
        negative_share: z.number().nullable(),
        nps: z.number().nullable(),
        nps_responses: z.number().int(),
        closure_rate: z.number().nullable(),
      })
      .optional(),
    vs_previous_report: z
      .object({
        report_id: z.string(),
        period,
        feedback: z.number().int(),
        mean_sentiment: z.number().nullable(),
        negative_share: z.number().nullable(),
        nps: z.number().nullable(),
        closure_rate: z.number().nullable(),
      })
      .nullable()
      .optional(),
    top_themes: z.array(z.string()).optional(),
    top_requests: z.array(z.object({ category: z.string(), feedback: z.number().int(), accounts: z.number().int(), affected_arr: z.number() })).optional(),
    open_insights: z.array(z.object({ insight_id: z.string(), title: z.string(), status: z.string(), priority: z.string(), affected_arr: z.number() })).optional(),
    headlines: z.array(z.string()).optional(),
    source: z.string().optional(),
    // acknowledge_feedback
    acknowledged: z.array(z.string()).optional(),
    unchanged: z.array(z.string()).optional(),
    note: z.string().optional(),
    // close_feedback_loop
    feedback: feedbackView.optional().describe("The feedback after the change (close_feedback_loop)"),
    notification: deliveryReport.nullable().optional(),
    // update_customer_roadmap
    insight: insightView.optional(),
    linked_feedback_ids: z.array(z.string()).optional(),
    feedback_moved_to_in_roadmap: z.array(z.string()).optional(),
    affected_accounts: z.array(affectedAccount).optional(),
    churned_affected_arr: z.number().optional().describe("Σ ARR of affected accounts that have churned (not in affected_arr)"),
    arr_basis: z.string().optional(),
    notes: z.array(z.string()).optional(),
    missing_data: missingData.optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: false },
  async handler(args, { services }) {
    const d = await services.feedback.voc.handle(args);
    const pct = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${Math.round(v * 1000) / 10} %`);
    switch (d.action) {
      case "create_voc_report": {
        const c = d.content;
        return { data: d, text: `Stored VOC report ${d.report_id} "${d.title}": ${c.sentiment.feedback_count} feedback, mean sentiment ${c.sentiment.mean_sentiment ?? "n/a"}, NPS ${c.nps?.score ?? "n/a"}, ${c.top_requests.length} request categories, loop closure ${pct(c.feedback_loop.closure_rate)}.` };
      }
      case "track_feedback_loop":
        return { data: d, text: `${d.feedback_count} feedback in the period: ${d.by_status.map((b) => `${b.status} ${b.count}`).join(", ")}; closure rate ${pct(d.closure_rate)}; ${d.oldest_unclosed.total} unclosed.` };
      case "measure_program_effectiveness":
        return {
          data: d,
          text: `${d.response_volume.feedback} feedback (${d.response_volume.feedback_change >= 0 ? "+" : ""}${d.response_volume.feedback_change} vs previous period), closure rate ${pct(d.closure.closure_rate)}, median ${d.closure.median_days_to_close ?? "n/a"} days to close; NPS change: closed ${d.nps_by_loop_closure.closed.nps_change ?? "n/a"}, not closed ${d.nps_by_loop_closure.not_closed.nps_change ?? "n/a"}.`,
        };
      case "generate_executive_summary":
        return { data: d, text: `Executive summary of VOC report ${d.report_id} (${d.period.start} … ${d.period.end}):\n- ${d.headlines.join("\n- ")}` };
      case "acknowledge_feedback":
        return { data: d, text: `Acknowledged ${d.acknowledged.length} feedback${d.unchanged.length ? `; ${d.unchanged.length} unchanged (already further along)` : ""}.` };
      case "close_feedback_loop": {
        const f = d.feedback;
        const n = d.notification ? ` ${d.notification.integration === "intercom" ? "In-app message" : "Email"}: ${d.notification.status}${d.notification.status === "not_configured" ? ` (set ${d.notification.missing_variables.join(", ")})` : d.notification.status === "skipped" ? ` (${d.notification.reason})` : ""}.` : "";
        const quoted = f.content ? `\n${fenceCustomerText(f.content.customer_text, f.content.source)}` : "";
        return { data: d, text: `Closed the loop on feedback ${f.feedback_id} (${f.client_id}).${n}${quoted}` };
      }
      case "update_customer_roadmap":
        return { data: d, text: `Insight ${d.insight.insight_id} "${d.insight.title}" now ${d.insight.status}${d.insight.roadmap_item ? ` on roadmap item ${d.insight.roadmap_item}` : ""}: ${d.linked_feedback_ids.length} feedback linked, ${d.feedback_moved_to_in_roadmap.length} moved to in_roadmap, affected ARR ${d.insight.affected_arr}.${d.notes.length ? ` ${d.notes.join(" ")}` : ""}` };
    }
  },
});
