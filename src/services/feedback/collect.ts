// collect_feedback: one piece of feedback, scored for sentiment, stored with (for survey types) its survey
// answer in survey_responses — the table NPS/CSAT/CES are computed from — in one transaction.
//
// Rules: a survey type (nps, csat, ces) needs a score on its scale (NPS 0–10, CSAT 1–5, CES 1–7, the scales
// of repositories/satisfaction.ts) and the respondent's email; any other type refuses a score rather than
// silently dropping it. Content is required except for survey answers given without a comment. The
// timeline shows the feedback and the survey answer from their own tables (repositories/timeline.ts), so
// nothing is written to timeline_events here.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { SCALE } from "../../repositories/satisfaction.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { classifyAnswer, feedbackView, isSurveyType, type FeedbackType, type Priority } from "./model.ts";
import { scoreSentiment, SENTIMENT_METHOD } from "./sentiment.ts";

export interface CollectInput {
  client_id: string;
  feedback_type: FeedbackType;
  source: string;
  submitter_email?: string | undefined;
  submitter_name?: string | undefined;
  title?: string | undefined;
  content?: string | undefined;
  category?: string | undefined;
  priority?: Priority | undefined;
  tags: string[];
  score?: number | undefined;
  submitted_at?: string | undefined;
}

export class FeedbackCollectService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every rule that needs no database, checked before anything is written. */
  check(input: CollectInput, now: Date): Date {
    const type = input.feedback_type;
    if (isSurveyType(type)) {
      const s = SCALE[type];
      if (input.score === undefined) throw validationError(`score: is required for feedback_type '${type}' (an integer from ${s.min} to ${s.max})`);
      if (!Number.isInteger(input.score) || input.score < s.min || input.score > s.max) {
        throw validationError(`score: must be an integer from ${s.min} to ${s.max} for feedback_type '${type}' (got ${input.score})`);
      }
      if (!input.submitter_email) throw validationError(`submitter_email: is required for feedback_type '${type}' (survey answers are stored per respondent)`);
    } else {
      if (input.score !== undefined) throw validationError(`score: only survey feedback (nps, csat, ces) takes a score; feedback_type '${type}' does not`, "omit score, or use feedback_type nps, csat or ces for a survey answer");
      if (!input.content) throw validationError(`content: is required for feedback_type '${type}'`);
    }
    const at = input.submitted_at ? new Date(input.submitted_at) : now;
    if (at.getTime() > now.getTime()) throw validationError("submitted_at: must not be in the future");
    return at;
  }

  async collect(input: CollectInput) {
    const now = this.now();
    const at = this.check(input, now);
    const content = input.content ?? "";
    const text = [input.title, content].filter(Boolean).join(". ");
    const sentiment = text ? scoreSentiment(text) : null;
    const type = input.feedback_type;
    const tags = [...new Set(input.tags.map((t) => t.toLowerCase()))];

    return this.prisma.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { id: input.client_id }, select: { id: true, company_name: true } });
      if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
      if (isSurveyType(type)) {
        const dup = await tx.surveyResponse.findFirst({
          where: { account_id: account.id, survey_type: type, respondent_email: input.submitter_email!, responded_at: at },
          select: { id: true, feedback_id: true },
        });
        if (dup) {
          throw conflict(
            `a ${type} answer from ${input.submitter_email} at ${at.toISOString()} is already stored for ${account.id} (survey response ${dup.id}${dup.feedback_id ? `, feedback ${dup.feedback_id}` : ""})`,
            "nothing was written; give a different submitted_at for a new answer",
            { survey_response_id: dup.id, feedback_id: dup.feedback_id },
          );
        }
      }
      const f = await tx.feedback.create({
        data: {
          account_id: account.id,
          feedback_type: type,
          source: input.source,
          submitter_email: input.submitter_email ?? null,
          submitter_name: input.submitter_name ?? null,
          title: input.title ?? null,
          content,
          category: input.category ?? null,
          priority: input.priority ?? null,
          tags,
          score: input.score ?? null,
          sentiment_score: sentiment ? sentiment.score : null,
          sentiment_label: sentiment ? sentiment.label : null,
          status: "open",
          created_at: at,
          updated_at: now,
        },
      });
      let survey = null;
      if (isSurveyType(type)) {
        const r = await tx.surveyResponse.create({
          data: { account_id: account.id, survey_type: type, respondent_email: input.submitter_email!, score: input.score!, reason: content || null, responded_at: at, feedback_id: f.id },
        });
        survey = { survey_response_id: r.id, survey_type: type, score: r.score, classification: classifyAnswer(type, r.score), responded_at: r.responded_at.toISOString() };
      }
      await writeAudit(tx, {
        action: "collect_feedback",
        entity_type: "feedback",
        entity_id: f.id,
        changes: { client_id: account.id, feedback_type: type, source: input.source, score: input.score ?? null, sentiment_label: f.sentiment_label, survey_response_id: survey?.survey_response_id ?? null },
      });
      const notes: string[] = [];
      if (!sentiment) notes.push("no title or content was given, so no sentiment was scored");
      if (survey) notes.push(`the answer is stored in survey_responses (${survey.survey_response_id}) and counts in monitor_satisfaction and track_cs_metrics`);
      return {
        feedback: feedbackView(f, now, account.company_name),
        survey_response: survey,
        sentiment: sentiment
          ? { score: sentiment.score, comparative: Math.round(sentiment.comparative * 10_000) / 10_000, label: sentiment.label, positive_words: sentiment.positive_words, negative_words: sentiment.negative_words, method: SENTIMENT_METHOD }
          : null,
        notes,
      };
    });
  }
}
