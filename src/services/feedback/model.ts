// The feedback vocabulary (types, statuses, priorities, insight kinds) and the one view of a feedback row
// every feedback tool returns. Customer-written fields (title, content, the response quoted back) travel
// as customer_text objects, never as bare strings.
import { SCALE, type SurveyKind } from "../../repositories/satisfaction.ts";
import { asCustomerText, type CustomerText } from "../../tools/shared/customer-text.ts";

export const FEEDBACK_TYPES = ["nps", "csat", "ces", "feature_request", "bug_report", "product_feedback", "service_feedback", "general"] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];
export const SURVEY_TYPES: readonly SurveyKind[] = ["nps", "csat", "ces"];
export const isSurveyType = (t: string): t is SurveyKind => (SURVEY_TYPES as readonly string[]).includes(t);

/** The loop a piece of feedback goes through; it only moves forward. */
export const FEEDBACK_STATUSES = ["open", "acknowledged", "in_roadmap", "closed_loop"] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];
export const statusRank = (s: string) => FEEDBACK_STATUSES.indexOf(s as FeedbackStatus);

export const PRIORITIES = ["low", "medium", "high", "critical"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const INSIGHT_TYPES = ["feature_request", "pain_point", "bug_trend", "usability", "performance", "integration", "pricing", "churn_driver", "praise", "other"] as const;
export const INSIGHT_STATUSES = ["open", "planned", "in_progress", "shipped", "declined"] as const;
export type InsightStatus = (typeof INSIGHT_STATUSES)[number];

/** Where an answer sits on its scale: NPS promoter 9–10 / passive 7–8 / detractor 0–6; CSAT satisfied 4–5 / dissatisfied 1–2; CES easy 5–7 / hard 1–3. */
export function classifyAnswer(kind: SurveyKind, score: number): string {
  const s = SCALE[kind];
  const [high, mid, low] = kind === "nps" ? ["promoter", "passive", "detractor"] : kind === "csat" ? ["satisfied", "neutral", "dissatisfied"] : ["easy", "neutral", "hard"];
  return score >= s.high ? high! : score <= s.low ? low! : mid!;
}

export interface FeedbackRow {
  id: string;
  account_id: string;
  feedback_type: string;
  source: string;
  submitter_email: string | null;
  submitter_name: string | null;
  title: string | null;
  content: string;
  category: string | null;
  priority: string | null;
  tags: string[];
  score: number | null;
  sentiment_score: { toString(): string } | number | null;
  sentiment_label: string | null;
  status: string;
  created_at: Date;
  acknowledged_at?: Date | null;
  in_roadmap_at?: Date | null;
  closed_at?: Date | null;
  response?: string | null;
  responded_by?: string | null;
}

export interface FeedbackView {
  feedback_id: string;
  client_id: string;
  company_name?: string;
  feedback_type: string;
  source: string;
  submitter_email: string | null;
  submitter_name: string | null;
  title: CustomerText | null;
  content: CustomerText | null;
  category: string | null;
  priority: string | null;
  tags: string[];
  score: number | null;
  classification: string | null;
  sentiment_score: number | null;
  sentiment_label: string | null;
  status: string;
  created_at: string;
  acknowledged_at: string | null;
  in_roadmap_at: string | null;
  closed_at: string | null;
  response: string | null;
  responded_by: string | null;
  age_days: number;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function feedbackView(f: FeedbackRow, now: Date, company?: string): FeedbackView {
  const end = f.closed_at ? new Date(f.closed_at) : now;
  return {
    feedback_id: f.id,
    client_id: f.account_id,
    ...(company !== undefined ? { company_name: company } : {}),
    feedback_type: f.feedback_type,
    source: f.source,
    submitter_email: f.submitter_email,
    submitter_name: f.submitter_name,
    title: f.title ? asCustomerText(f.title, `feedback ${f.id} title`) : null,
    content: f.content ? asCustomerText(f.content, `feedback ${f.id} content`) : null,
    category: f.category,
    priority: f.priority,
    tags: f.tags,
    score: f.score,
    classification: f.score !== null && isSurveyType(f.feedback_type) ? classifyAnswer(f.feedback_type, f.score) : null,
    sentiment_score: f.sentiment_score === null ? null : Number(f.sentiment_score.toString()),
    sentiment_label: f.sentiment_label,
    status: f.status,
    created_at: new Date(f.created_at).toISOString(),
    acknowledged_at: iso(f.acknowledged_at),
    in_roadmap_at: iso(f.in_roadmap_at),
    closed_at: iso(f.closed_at),
    // Written by the team, not the customer: returned as plain text.
    response: f.response ?? null,
    responded_by: f.responded_by ?? null,
    age_days: Math.max(0, Math.floor((end.getTime() - new Date(f.created_at).getTime()) / 86_400_000)),
  };
}
