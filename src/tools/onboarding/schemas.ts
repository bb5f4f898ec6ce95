// Output shapes shared by the onboarding tools.
import { z } from "zod";

export const missingData = z
  .array(z.object({ what: z.string(), how_to_supply: z.string() }))
  .describe("What stored data is missing for a complete answer, and how to supply it");

export const taskOut = z.object({
  task_id: z.string(),
  title: z.string(),
  owner: z.string().nullable(),
  due_date: z.string(),
  status: z.string(),
  completed_at: z.string().nullable(),
  overdue: z.boolean(),
  days_overdue: z.number().int(),
});

export const milestoneOut = z.object({
  milestone_id: z.string(),
  sequence: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  due_date: z.string(),
  status: z.string(),
  completed_at: z.string().nullable(),
  overdue: z.boolean(),
  days_overdue: z.number().int(),
  tasks: z.array(taskOut).optional(),
});

export const planOut = z.object({
  plan_id: z.string(),
  client_id: z.string(),
  status: z.string(),
  product_tier: z.string().nullable(),
  team_size: z.number().int().nullable(),
  technical_complexity: z.string().nullable(),
  timeline_weeks: z.number().int(),
  customer_goals: z.array(z.string()),
  success_criteria: z.array(z.string()),
  start_date: z.string(),
  target_date: z.string(),
  completed_at: z.string().nullable(),
  created_at: z.string(),
});

export { deliveryReport } from "../shared/delivery.ts";
