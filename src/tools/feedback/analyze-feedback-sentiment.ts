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
    "Analyses the stored feedback of one account (client_id) or the portfolio over a period (default the last 30 days; " +
    "the period is (period_start, period_end]: a date as period_end means the end of that day): the distribution of " +
    "sentiment labels (counts and shares of the feedback with a stored sentiment), the mean sentiment (−1…+1) and the same " +
    "per feedback type; themes (include_themes) — the most frequent terms (lower-cased, English stopwords and tokens under " +
    "3 characters removed, counted once per feedback) and the categories and tags, each with its count and mean sentiment; " +
    "NPS of the period (include_nps) from the stored NPS answers = % promoters (9–10) − % detractors (0–6); and " +
    "(compare_to_previous) the same figures for the previous period of equal length with the deltas. Also lists the most " +
    "negative feedback. Read-only: nothing is stored (manage_voice_of_customer create_voc_report stores a snapshot). " +
    CUSTOMER_TEXT_NOTE +
    " Example: {client_id: 'cs_1700000000_acme_corp', period_start: '2026-04-01', period_end: '2026-06-30', feedback_types: ['feature_request', 'bug_report']}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Only this account; omit for the whole portfolio"),
    period_start: windowStart().describe("Start of the period, exclusive: a date (that day 00:00 UTC) or an ISO date-time (default: 30 days before period_end)"),
    period_end: windowEnd().describe("End of the period, inclusive: a date (the end of that day, UTC) or an ISO date-time (default: now)"),
    feedback_types: z.array(feedbackType()).max(8).optional().describe("Only these feedback types (default all)"),
    include_nps: z.boolean().default(true).describe("Include the NPS of the period from the stored NPS answers"),
    include_themes: z.boolean().default(true).describe("Include the most frequent terms, categories and tags with their sentiment"),
    compare_to_previous: z.boolean().default(true).describe("Compare with the previous period of the same length (deltas)"),
    theme_limit: z.number().int().min(1).max(50).default(15).describe("Most terms, categories and tags listed, 1–50 (default 15)"),
    negative_examples: z.number().int().min(0).max(50).default(5).describe("Most negative feedback items to list, 0–50 (default 5)"),
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
