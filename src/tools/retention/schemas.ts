// Output shapes shared by the retention tools.
import { z } from "zod";

export const campaignStep = z.object({
  step: z.number().int(),
  action: z.string(),
  channel: z.string(),
  owner: z.string(),
  due_date: z.string(),
  status: z.enum(["pending", "queued", "not_sent"]),
  description: z.string(),
});

export { deliveryReport as outreachReport } from "../shared/delivery.ts";
