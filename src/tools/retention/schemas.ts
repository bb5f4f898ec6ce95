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

export const outreachReport = z.union([
  z.object({ integration: z.string(), status: z.literal("queued"), outbox_id: z.string(), idempotency_key: z.string() }),
  z.object({ integration: z.string(), status: z.literal("not_configured"), missing_variables: z.array(z.string()) }),
  z.object({ integration: z.string(), status: z.literal("skipped"), reason: z.string() }),
]);
