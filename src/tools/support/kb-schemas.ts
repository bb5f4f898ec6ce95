// Output shapes of the knowledge-base tools.
import { z } from "zod";

export const helpfulnessSchema = z.object({
  helpful_votes: z.number().int(),
  unhelpful_votes: z.number().int(),
  total_votes: z.number().int(),
  score: z.number().nullable().describe("helpful ÷ (helpful + unhelpful); null with no votes"),
  wilson_lower_bound: z.number().nullable().describe("95 % Wilson lower bound of the score: the ranking figure"),
});

export const articleSummarySchema = z.object({
  article_id: z.string(),
  title: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  status: z.string(),
  version: z.number().int(),
  author: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  published_at: z.string().nullable(),
  helpfulness: helpfulnessSchema,
});
