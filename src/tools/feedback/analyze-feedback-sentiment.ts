import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, customerText, fenceCustomerText } from "../shared/customer-text.ts";
import { distribution, feedbackType, missingData, windowEnd, windowStart } from "./schemas.ts";

const typeRow = z.object({ feedback_type: z.string(), count: z.number().int(), scored: z.number().int(), mean_sentiment: z.number().nullable(), positive: z.number().int(), neutral: z.number().int(), negative: z.number().int() });
const groupTheme = z.object({ name: z.string(), feedback_count: z.number().int(), mean_sentiment: z.number().nullable(), positive: z.number().int(), negative: z.number().int() });

export const analyzeFeedbackSentiment = defineTool({
  name: "analyze_feedback_sentiment",
  toolset: "feedback",
  title: "Feedback sentiment, themes and NPS over a period",
  description:
    `Sentiment of stored feedback (one account or all) over a period: distribution and mean per type, themes, NPS, change against the previous period, most negative items. Read-only; manage_voice_of_customer stores reports. ${CUSTOMER_TEXT_NOTE} Example: {client_id: 'cs_1700000000_acme_corp', feedback_types: ['bug_report']}.`,
  input: z.strictObject({
    client_id: clientId().optional().describe("Omit for the portfolio"),
    period_start: windowStart().describe("Exclusive; default 30 days before end"),
    period_end: windowEnd().describe("Inclusive; default now"),
    feedback_types: z.array(feedbackType()).max(8).optional().describe("Default all"),
    include_nps: z.boolean().default(true).describe("Period's NPS"),
    include_themes: z.boolean().default(true).describe("Themes"),
    compare_to_previous: z.boolean().default(true).describe("Deltas vs previous period"),
    theme_limit: z.number().int().min(1).max(50).default(15).describe("Most themes listed"),
    negative_examples: z.number().int().min(0).max(50).default(5).describe("Most negative items listed"),
  }),
  output: z.object({
    scope: z.object({ client_id: z.string().nullable(), feedback_types: z.array(z.string()).nullable() }),
    period: z.object({ start: z.string(), end: z.string(), days: z.number(), bounds: z.string() }),
    method: z.string(),
    feedback_count: z.number().int(),
    scored_count: z.number().int(),
    distribution,
    mean_sentiment: z.number().nullable(),
    by_type: z.array(typeRow),
    themes: z
      .object({
        method: z.string(),
        analysed_feedback: z.number().int(),
        truncated: z.boolean(),
        distinct_terms: z.number().int(),
        terms: z.array(
          z.object({
            term: z.string(),
            feedback_count: z.number().int(),
            mean_sentiment: z.number().nullable(),
            positive: z.number().int(),
            neutral: z.number().int(),
            negative: z.number().int(),
            previous_feedback_count: z.number().int().nullable(),
          }),
        ),
        categories: z.array(groupTheme),
        tags: z.array(groupTheme),
      })
      .nullable(),
    nps: z
      .object({
        score: z.number().nullable(),
        responses: z.number().int(),
        promoters: z.number().int(),
        passives: z.number().int(),
        detractors: z.number().int(),
        accounts_responding: z.number().int(),
        formula: z.string(),
      })
      .nullable(),
    comparison: z
      .object({
        previous_period: z.object({ start: z.string(), end: z.string() }),
        previous: z.object({ feedback_count: z.number().int(), mean_sentiment: z.number().nullable(), distribution, nps: z.number().nullable(), nps_responses: z.number().int().nullable() }),
        deltas: z.object({
          feedback_count: z.number().int(),
          mean_sentiment: z.number().nullable(),
          positive_share: z.number().nullable(),
          neutral_share: z.number().nullable(),
          negative_share: z.number().nullable(),
          nps: z.number().nullable(),
        }),
      })
      .nullable(),
    most_negative: z.array(
      z.object({
        feedback_id: z.string(),
        client_id: z.string(),
        company_name: z.string(),
        feedback_type: z.string(),
        sentiment_score: z.number(),
        created_at: z.string(),
        title: customerText.nullable(),
        content: customerText,
      }),
    ),
    labels: z.array(z.string()),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.feedback.sentiment.analyze(args);
    const pct = (v: number | null) => (v === null ? "n/a" : `${Math.round(v * 1000) / 10} %`);
    const who = d.scope.client_id ?? "the portfolio";
    const parts = [
      `${d.feedback_count} feedback for ${who} (${d.period.start} … ${d.period.end}): ${pct(d.distribution.positive.share)} positive, ${pct(d.distribution.neutral.share)} neutral, ${pct(d.distribution.negative.share)} negative, mean ${d.mean_sentiment ?? "n/a"}`,
    ];
    if (d.nps) parts.push(d.nps.score === null ? "no NPS answers" : `NPS ${d.nps.score} from ${d.nps.responses} answers`);
    if (d.comparison) parts.push(`vs previous period: mean ${d.comparison.deltas.mean_sentiment ?? "n/a"}, negative share ${d.comparison.deltas.negative_share ?? "n/a"}, NPS ${d.comparison.deltas.nps ?? "n/a"}`);
    if (d.themes?.terms.length) parts.push(`top terms: ${d.themes.terms.slice(0, 8).map((t) => `${t.term} (${t.feedback_count})`).join(", ")}`);
    const negatives = d.most_negative.map((n) => fenceCustomerText(n.content.customer_text, n.content.source)).join("\n");
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    return { data: d, text: `${parts.join("; ")}.${miss}${negatives ? `\nMost negative:\n${negatives}` : ""}` };
  },
});
