// The durable outbox: a side effect a tool asks for (send an email, create a ticket) is written as a row
// in the same transaction as the domain change, with an idempotency key, and delivered later by the
// dispatcher. A crash or an outage loses nothing; the key makes a second delivery a no-op.
import type { Prisma as P } from "../generated/prisma/client.ts";
import type { Config } from "../config/load.ts";
import { integrationStatus, type Integration } from "./status.ts";

export interface OutboxRequest {
  integration: Integration;
  /** What the dispatcher does with the payload, e.g. "sendgrid.send", "zendesk.create_ticket". */
  operation: string;
  payload: Record<string, unknown>;
  /** Stable for the same logical side effect: a retried tool call must produce the same key. */
  idempotency_key: string;
  account_id?: string | null;
  /** Deliver no earlier than this (a scheduled reminder, a campaign's send time). Default: now. */
  not_before?: Date;
}

/** What a tool reports for one side effect it asked for. */
export type DeliveryReport =
  | { integration: Integration; status: "queued"; outbox_id: string; idempotency_key: string; deliver_after?: string }
  | { integration: Integration; status: "not_configured"; missing_variables: string[] };

/**
 * Queues the side effect inside `tx` when the integration is configured; otherwise records nothing and
 * reports `not_configured` with the variables to set. A second request with the same key returns the
 * existing row instead of a duplicate.
 */
export async function enqueue(tx: P.TransactionClient, config: Config, request: OutboxRequest): Promise<DeliveryReport> {
  const status = integrationStatus(config).find((s) => s.integration === request.integration)!;
  if (status.state !== "configured") {
    return { integration: request.integration, status: "not_configured", missing_variables: status.missing_variables };
  }
  const row = await tx.outboxMessage.upsert({
    where: { idempotency_key: request.idempotency_key },
    create: {
      integration: request.integration,
      operation: request.operation,
      payload: request.payload as P.InputJsonValue,
      idempotency_key: request.idempotency_key,
      account_id: request.account_id ?? null,
      max_attempts: config.OUTBOX_MAX_ATTEMPTS,
      ...(request.not_before ? { next_attempt_at: request.not_before } : {}),
    },
    update: {},
    select: { id: true },
  });
  return {
    integration: request.integration,
    status: "queued",
    outbox_id: row.id,
    idempotency_key: request.idempotency_key,
    ...(request.not_before ? { deliver_after: request.not_before.toISOString() } : {}),
  };
}
