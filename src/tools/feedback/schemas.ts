// Input and output shapes shared by the feedback tools.
import { z } from "zod";
import { customerText } from "../shared/customer-text.ts";
import { isoDateOrDateTime } from "../../security/validation.ts";
import { FEEDBACK_TYPES } from "../../services/feedback/model.ts";
import { PERIOD_PRESETS } from "../../services/feedback/periods.ts";

export { missingData } from "../health/schemas.ts";

export const feedbackType = () => z.enum(FEEDBACK_TYPES, { error: `must be one of ${FEEDBACK_TYPES.join(", ")}` });
export const feedbackId = (what = "a feedback id (a UUID) from collect_feedback") => z.uuid({ error: `must be ${what}` });

/** The (start, end] window of the sentiment and voice-of-customer tools. */
export const windowStart = () => isoDateOrDateTime().optional();
export const windowEnd = () => isoDateOrDateTime().optional();

export const periodPreset = () =>
  z
    .enum(PERIOD_PRESETS, { error: `must be one of ${PERIOD_PRESETS.join(", ")}` })
    .optional()
    .describe("Ends today or at period_end; custom uses period_start");

export const feedbackView = z.object({
  feedback_id: z.string(),
  client_id: z.string(),
  company_name: z.string().optional(),
  feedback_type: z.string(),
  source: z.string(),
  submitter_email: z.string().nullable(),
  submitter_name: z.string().nullable(),
  title: customerText.nullable(),
  content: customerText.nullable(),
  category: z.string().nullable(),
  priority: z.string().nullable(),
  tags: z.array(z.string()),
  score: z.number().int().nullable(),
  classification: z.string().nullable().describe("NPS promoter/passive/detractor, CSAT satisfied/neutral/dissatisfied, CES easy/neutral/hard"),
  sentiment_score: z.number().nullable().describe("−1…+1 (AFINN comparative ÷ 5)"),
  sentiment_label: z.string().nullable(),
  status: z.string().describe("open, acknowledged, in_roadmap or closed_loop"),
  created_at: z.string(),
  acknowledged_at: z.string().nullable(),
  in_roadmap_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  response: z.string().nullable().describe("What the team answered when the loop was closed"),
  responded_by: z.string().nullable(),
  age_days: z.number().int(),
});

export const insightView = z.object({
  insight_id: z.string(),
  insight_type: z.string(),
  title: z.string(),
  description: z.string(),
  priority: z.string(),
  status: z.string(),
  roadmap_item: z.string().nullable(),
  supporting_feedback_ids: z.array(z.string()).describe("the first 20"),
  supporting_feedback: z.number().int(),
  affected_account_ids: z.array(z.string()).describe("the first 20"),
  affected_accounts: z.number().int(),
  affected_arr: z.number(),
  customer_impact: z.string().nullable(),
  business_impact: z.string().nullable(),
  recommended_action: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const affectedAccount = z.object({
  client_id: z.string(),
  company_name: z.string(),
  arr: z.number(),
  status: z.string(),
  source: z.enum(["affected_customers", "supporting_feedback", "both"]),
});

export const labelCount = z.object({ count: z.number().int(), share: z.number().nullable() });
export const distribution = z.object({ positive: labelCount, neutral: labelCount, negative: labelCount });
