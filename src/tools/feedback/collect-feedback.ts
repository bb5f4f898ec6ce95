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
    `Store one piece of customer feedback with its sentiment. Survey types (nps, csat, ces) need score and submitter_email and also feed monitor_satisfaction; other types need content. Close the loop with manage_voice_of_customer. ${CUSTOMER_TEXT_NOTE} Example: {client_id: 'cs_1700000000_acme_corp', feedback_type: 'nps', score: 9, submitter_email: 'ana@acme.com'}.`,
  input: z.strictObject({
    client_id: clientId(),
    feedback_type: feedbackType().describe("Survey types need a score"),
    source: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,50}$/, "must be a short lower-case label such as survey, email, in_app, call, meeting, support, community, manual")
      .default("manual")
      .describe("Label, e.g. survey, email, call"),
    submitter_email: email().optional().describe("Required for survey types"),
    submitter_name: text(200).optional().describe("Submitter's name"),
    title: text(300).optional().describe("Short summary"),
    content: text(10_000).optional().describe("The customer's words"),
    category: text(100).optional().describe("Topic, e.g. reporting"),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional().describe("Priority"),
    tags: z.array(text(50)).max(20, "must have at most 20 tags").default([]).describe("Labels"),
    score: z.number({ error: "must be a number" }).int("must be an integer").optional().describe("NPS 0–10, CSAT 1–5, CES 1–7"),
    submitted_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2026-05-01T14:30:00Z" }).optional().describe("Default now"),
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
