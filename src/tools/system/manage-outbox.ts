// The outbox for operators, as two tools so that read-only mode keeps the listing:
// list_outbox_deliveries (read-only) and retry_outbox_delivery (puts a failed delivery back in the queue).
import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { INTEGRATIONS } from "../../integrations/status.ts";

const STATUSES = ["pending", "in_flight", "delivered", "failed", "unknown_outcome"] as const;
const breakerState = z.enum(["closed", "open", "half_open"]).nullable();

const delivery = z.object({
  id: z.string(),
  integration: z.string(),
  operation: z.string(),
  idempotency_key: z.string(),
  account_id: z.string().nullable(),
  status: z.enum(STATUSES),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  next_attempt_at: z.string(),
  last_error: z.string().nullable(),
  external_id: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
});

export const listOutboxDeliveries = defineTool({
  name: "list_outbox_deliveries",
  toolset: "system",
  title: "List outbox deliveries",
  description:
    "Side effects queued for outside services (SendGrid, Zendesk, Intercom, Mixpanel) with status, " +
    "attempts and last error, newest first, counts per status and circuit-breaker states. Use it to check" +
    " a 'queued' delivery or find failed ones for retry_outbox_delivery. Example: {status: 'failed', " +
    "integration: 'sendgrid'}.",
  input: z.strictObject({
    status: z.enum(STATUSES).optional().describe("Only this status"),
    integration: z.enum(INTEGRATIONS).optional().describe("Only this integration"),
    limit: z.number().int().min(1).max(100).default(20),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("next_offset of the previous page"),
  }),
  output: z.object({
    deliveries: z.array(delivery),
    total: z.number().int(),
    counts: z.object({ pending: z.number().int(), in_flight: z.number().int(), delivered: z.number().int(), failed: z.number().int(), unknown_outcome: z.number().int() }),
    breakers: z.record(z.string(), breakerState),
    next_offset: z.number().int().nullable(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.outbox.list(args);
    const lines = data.deliveries.map(
      (d) => `- ${d.id} ${d.integration} ${d.operation} ${d.status} (attempt ${d.attempts}/${d.max_attempts})${d.last_error ? `: ${d.last_error}` : ""}`,
    );
    const open = Object.entries(data.breakers).filter(([, s]) => s && s !== "closed").map(([i, s]) => `${i} ${s}`);
    return {
      data,
      text:
        `${data.total} deliver${data.total === 1 ? "y" : "ies"} match (queue: ${data.counts.pending} pending, ${data.counts.in_flight} in flight, ` +
        `${data.counts.failed} failed, ${data.counts.unknown_outcome} unknown outcome, ${data.counts.delivered} delivered)${open.length ? `; breakers: ${open.join(", ")}` : ""}.` +
        (lines.length ? `\n${lines.join("\n")}` : "") +
        (data.next_offset !== null ? `\nMore: call again with offset ${data.next_offset}.` : ""),
    };
  },
});

export const retryOutboxDelivery = defineTool({
  name: "retry_outbox_delivery",
  toolset: "system",
  title: "Retry a failed delivery",
  description:
    "Requeue one failed or unknown_outcome outbox delivery now with a fresh attempt budget and its " +
    "original idempotency key. Fix the cause of a 4xx first. unknown_outcome may already have arrived " +
    "(SendGrid has no idempotency key): check the vendor before retrying. Example: {id: '0197…'}.",
  input: z.strictObject({
    id: z.string().min(1).max(64).describe("From list_outbox_deliveries"),
  }),
  output: z.object({
    id: z.string(),
    integration: z.string(),
    operation: z.string(),
    idempotency_key: z.string(),
    status: z.literal("pending"),
    previous_error: z.string().nullable(),
    recent_attempts: z.array(z.object({ attempted_at: z.string(), outcome: z.string(), error: z.string().nullable(), duration_ms: z.number().int() })),
    breaker: breakerState,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.outbox.retry(args.id);
    return {
      data,
      text:
        `Delivery ${data.id} (${data.integration} ${data.operation}) is queued again and will be sent shortly` +
        `${data.breaker === "open" ? ` once the ${data.integration} circuit breaker closes` : ""}. Previous error: ${data.previous_error ?? "none"}.`,
    };
  },
});
