import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, fenceCustomerText } from "../shared/customer-text.ts";
import { PRIORITIES } from "../../services/feedback/model.ts";
import { feedbackType, feedbackView } from "./schemas.ts";

export const collectFeedback = defineTool({
  name: "collect_feedback",
  toolset: "feedback",
  title: "Record customer feedback",
  description:
    "Stores one piece of customer feedback with its sentiment. feedback_type nps, csat or ces is a survey answer: score is " +
    "required on the survey's scale (NPS 0–10, CSAT 1–5, CES 1–7) with submitter_email, and the answer is also stored in " +
    "survey_responses (what monitor_satisfaction and track_cs_metrics compute NPS/CSAT/CES from), in the same transaction; " +
    "content (the comment) is then optional. Other types (feature_request, bug_report, product_feedback, service_feedback, " +
    "general) need content and refuse a score. Sentiment: AFINN lexicon (npm sentiment), score = comparative ÷ 5 in −1…+1, " +
    "positive above 0.01, negative below −0.01, otherwise neutral. A survey answer already stored for the same respondent " +
    "and time is refused. New feedback starts with status open (see manage_voice_of_customer for the loop). Bug reports " +
    "are not turned into support tickets here: use the support tools for that. " +
    CUSTOMER_TEXT_NOTE +
    " Example: {client_id: 'cs_1700000000_acme_corp', feedback_type: 'nps', score: 9, submitter_email: 'ana@acme.com', content: 'Reporting saves us hours'}.",
  input: z.strictObject({
    client_id: clientId(),
    feedback_type: feedbackType().describe("nps, csat, ces (survey answers with a score) or feature_request, bug_report, product_feedback, service_feedback, general"),
    source: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,50}$/, "must be a short lower-case label such as survey, email, in_app, call, meeting, support, community, manual")
      .default("manual")
      .describe("Where the feedback came from: a short lower-case label, e.g. survey, email, in_app, call, meeting, support, community (default manual)"),
    submitter_email: email().optional().describe("Who gave the feedback; required for survey types (answers are stored per respondent), used to reply when the loop is closed"),
    submitter_name: text(200).optional().describe("Name of the person who gave the feedback"),
    title: text(300).optional().describe("Short summary of the feedback"),
    content: text(10_000).optional().describe("The feedback text as the customer wrote or said it; required except for survey answers without a comment"),
    category: text(100).optional().describe("Product area or topic, e.g. reporting, billing, onboarding (used as a theme)"),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("low, medium, high or critical"),
    tags: z.array(text(50)).max(20, "must have at most 20 tags").default([]).describe("Free labels (lower-cased, duplicates removed), at most 20"),
    score: z.number({ error: "must be a number" }).int("must be an integer").optional().describe("Survey answer: NPS 0–10, CSAT 1–5, CES 1–7; only for feedback_type nps, csat, ces"),
    submitted_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2026-05-01T14:30:00Z" }).optional().describe("When the feedback was given (default now); not in the future"),
  }),
  output: z.object({
    feedback: feedbackView,
    survey_response: z
      .object({ survey_response_id: z.string(), survey_type: z.string(), score: z.number().int(), classification: z.string(), responded_at: z.string() })
      .nullable(),
    sentiment: z
      .object({
        score: z.number(),
        comparative: z.number(),
        label: z.enum(["positive", "neutral", "negative"]),
        positive_words: z.array(z.string()),
        negative_words: z.array(z.string()),
        method: z.string(),
      })
      .nullable(),
    notes: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.feedback.collect.collect(args);
    const f = data.feedback;
    const s = data.sentiment ? `sentiment ${data.sentiment.label} (${data.sentiment.score})` : "no text to score";
    const survey = data.survey_response ? `; ${data.survey_response.survey_type.toUpperCase()} ${data.survey_response.score} (${data.survey_response.classification}) stored as survey response ${data.survey_response.survey_response_id}` : "";
    const body = f.content ? `\n${fenceCustomerText(f.content.customer_text, f.content.source)}` : "";
    return { data, text: `Recorded ${f.feedback_type} feedback ${f.feedback_id} for ${f.client_id}: ${s}${survey}.${body}` };
  },
});
