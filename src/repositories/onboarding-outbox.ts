// The onboarding automation's rows in the durable outbox. Every key starts with `onboarding:<plan_id>:`, so a
// plan's messages are found (and superseded) by prefix, narrowed first by the account index.
//
// Superseding: a pending message that is no longer wanted (the milestone was completed, the plan completed or
// was replaced, or the automation was re-activated with other preferences) is marked failed with a
// last_error starting "superseded:" in the same transaction as the change that made it stale. It is then
// never claimed, and list_outbox_deliveries shows why it was not sent.
import type { Prisma as P } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;

export const SUPERSEDED_PREFIX = "superseded:";

export const planKeyPrefix = (planId: string) => `onboarding:${planId}:`;
/** The part of a key naming the milestone slot: `m<sequence>`, or `plan` for plan-wide messages. */
export const milestoneSlot = (sequence: number) => `m${sequence}`;

export interface PlanOutboxRow {
  id: string;
  idempotency_key: string;
  status: string;
  integration: string;
  operation: string;
  next_attempt_at: Date;
  delivered_at: Date | null;
  last_error: string | null;
}

/** LIKE pattern for a literal prefix (escapes %, _ and \). */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function planOutboxRows(tx: Tx, accountId: string, planId: string): Promise<PlanOutboxRow[]> {
  return tx.$queryRawUnsafe<PlanOutboxRow[]>(
    `SELECT id, idempotency_key, status::text AS status, integration, operation, next_attempt_at, delivered_at, last_error
       FROM outbox_messages
      WHERE account_id = $1 AND idempotency_key LIKE $2
      ORDER BY next_attempt_at, idempotency_key`,
    accountId,
    likePrefix(planKeyPrefix(planId)),
  );
}

/**
 * Marks the plan's pending rows failed (superseded) with `reason`; with `slot`, only that milestone's rows.
 * Returns what it superseded.
 */
export async function supersedePending(
  tx: Tx,
  accountId: string,
  planId: string,
  reason: string,
  opts: { slot?: string; keys?: string[] } = {},
): Promise<Array<{ id: string; idempotency_key: string }>> {
  const prefix = opts.slot ? `${planKeyPrefix(planId)}${opts.slot}:` : planKeyPrefix(planId);
  return tx.$queryRawUnsafe<Array<{ id: string; idempotency_key: string }>>(
    `UPDATE outbox_messages SET status = 'failed', last_error = $3, locked_until = NULL
      WHERE account_id = $1 AND idempotency_key LIKE $2 AND status = 'pending'
        AND ($4::text[] IS NULL OR idempotency_key = ANY($4::text[]))
      RETURNING id, idempotency_key`,
    accountId,
    likePrefix(prefix),
    `${SUPERSEDED_PREFIX} ${reason}`,
    opts.keys ?? null,
  );
}

/** Brings a superseded row back to pending with a new payload and send time (re-activation with the old preferences). */
export async function reviveSuperseded(tx: Tx, id: string, payload: Record<string, unknown>, notBefore: Date): Promise<void> {
  await tx.outboxMessage.update({
    where: { id },
    data: { status: "pending", attempts: 0, last_error: null, locked_until: null, next_attempt_at: notBefore, payload: payload as P.InputJsonValue },
  });
}
