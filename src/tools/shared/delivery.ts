// The output shape of one side effect a tool asked for (src/integrations/outbox.ts DeliveryReport), shared
// by every toolset that sends through the outbox, plus `skipped` for a side effect a tool chose not to make.
import { z } from "zod";

export const queuedDelivery = z.object({
  integration: z.string(),
  status: z.literal("queued"),
  outbox_id: z.string(),
  idempotency_key: z.string(),
  /** Present when the delivery is scheduled for later (a reminder, a campaign's send time). */
  deliver_after: z.string().optional(),
});

export const notConfiguredDelivery = z.object({ integration: z.string(), status: z.literal("not_configured"), missing_variables: z.array(z.string()) });

export const skippedDelivery = z.object({ integration: z.string(), status: z.literal("skipped"), reason: z.string() });

export const deliveryReport = z.union([queuedDelivery, notConfiguredDelivery, skippedDelivery]);
