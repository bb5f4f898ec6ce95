// The outbox's queries: claiming due deliveries (many dispatchers at once, crash-safe), recording each
// attempt with its outcome, and the admin views (list, retry). The claim is plain PostgreSQL and runs
// the same on a PostgreSQL server and on the embedded PGlite.
import type { Prisma as P, PrismaClient, OutboxStatus } from "../generated/prisma/client.ts";

export interface ClaimedMessage {
  id: string;
  integration: string;
  operation: string;
  payload: Record<string, unknown>;
  idempotency_key: string;
  /** Already counts the attempt being made now. */
  attempts: number;
  max_attempts: number;
  /** The row was left in_flight by a dispatcher whose lock passed (it crashed or hung). */
  recovered: boolean;
}

export type AttemptOutcome = "delivered" | "retryable_error" | "permanent_error";

export interface OutboxListFilter {
  status?: OutboxStatus;
  integration?: string;
  limit: number;
  offset: number;
}

export class OutboxRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Claims up to `limit` due deliveries of the given integrations: pending rows whose time has come,
   * and in_flight rows whose lock has passed (their dispatcher died). Each claimed row is locked for
   * `lockMs` and its attempt counted. SKIP LOCKED lets several dispatchers claim side by side without
   * taking the same row.
   */
  async claim(integrations: readonly string[], limit: number, lockMs: number, recoverable?: readonly string[]): Promise<ClaimedMessage[]> {
    if (integrations.length === 0 || limit <= 0) return [];
    const list = integrations.map((_, i) => `$${i + 3}`).join(", ");
    // Only these operations are taken over from a dead dispatcher (all when not given): see parkUnknownOutcomes.
    const takeover = !recoverable ? "TRUE" : recoverable.length === 0 ? "FALSE" : `m2.operation IN (${recoverable.map((_, i) => `$${i + 3 + integrations.length}`).join(", ")})`;
    const rows = await this.prisma.$queryRawUnsafe<Array<Omit<ClaimedMessage, "recovered"> & { prev_status: string }>>(
      `UPDATE outbox_messages m
          SET status = 'in_flight',
              locked_until = now() + ($1::int * interval '1 millisecond'),
              attempts = m.attempts + 1
         FROM (SELECT id, status::text AS prev_status
                 FROM outbox_messages m2
                WHERE ((status = 'pending' AND next_attempt_at <= now())
                       OR (status = 'in_flight' AND locked_until < now() AND ${takeover}))
                  AND attempts < max_attempts
                  AND integration IN (${list})
                ORDER BY next_attempt_at
                LIMIT $2
                  FOR UPDATE SKIP LOCKED) c
        WHERE m.id = c.id
    RETURNING m.id, m.integration, m.operation, m.payload, m.idempotency_key, m.attempts, m.max_attempts, c.prev_status`,
      lockMs,
      limit,
      ...integrations,
      ...(recoverable ?? []),
    );
    return rows.map(({ prev_status, ...r }) => ({
      ...r,
      payload: (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
      attempts: Number(r.attempts),
      max_attempts: Number(r.max_attempts),
      recovered: prev_status === "in_flight",
    }));
  }

  /**
   * Rows left in_flight by a dead dispatcher (lock passed) whose operation is not in `recoverable`: the
   * vendor may have applied the request and has no idempotency key to make a second one a no-op (SendGrid
   * mail send), so they become unknown_outcome and wait for an operator (retry_outbox_delivery) instead of
   * being sent again. Returns how many.
   */
  async parkUnknownOutcomes(recoverable: readonly string[]): Promise<number> {
    const skip = recoverable.length ? `AND operation NOT IN (${recoverable.map((_, i) => `$${i + 1}`).join(", ")})` : "";
    return this.prisma.$executeRawUnsafe(
      `UPDATE outbox_messages
          SET status = 'unknown_outcome', locked_until = NULL,
              last_error = 'outcome unknown: the dispatcher stopped during the request and this vendor has no idempotency key, so it may have arrived; check the vendor, then re-send it with retry_outbox_delivery only if it did not'
        WHERE status = 'in_flight' AND locked_until < now() ${skip}`,
      ...recoverable,
    );
  }

  /**
   * Rows left in_flight by a dead dispatcher on their last allowed attempt cannot be claimed again
   * without exceeding the limit: they become failed (an operator can retry them).
   */
  async failAbandonedAtLimit(): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `UPDATE outbox_messages
          SET status = 'failed', locked_until = NULL,
              last_error = 'delivery interrupted on its last allowed attempt (the dispatcher stopped); check the vendor, then retry it with retry_outbox_delivery'
        WHERE status = 'in_flight' AND locked_until < now() AND attempts >= max_attempts`,
    );
  }

  /** Delivered: the vendor's id and result stored. A delivery always wins over a stale failure. */
  /**
   * Marks the row delivered. `after` (a delivery effect's write-back) runs in the same transaction, and only
   * when this call is the one that delivered it, so a write-back is applied exactly once.
   */
  async recordDelivered(
    id: string,
    durationMs: number,
    externalId: string | null,
    result: Record<string, unknown> | null,
    after?: (tx: P.TransactionClient) => Promise<void>,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.outboxAttempt.create({ data: { message_id: id, outcome: "delivered", duration_ms: durationMs } });
      const { count } = await tx.outboxMessage.updateMany({
        where: { id, status: { not: "delivered" } },
        data: {
          status: "delivered",
          delivered_at: new Date(),
          locked_until: null,
          last_error: null,
          external_id: externalId,
          result: result === null ? undefined : (result as P.InputJsonValue),
        },
      });
      if (count === 1 && after) await after(tx);
    });
  }

  /**
   * A failed attempt: back to pending at `nextAttemptAt`, or failed for good. Fenced on the attempt
   * number, so a dispatcher whose lock passed cannot overwrite the row another one has taken over.
   */
  async recordFailure(
    id: string,
    attempt: number,
    durationMs: number,
    outcome: "retryable_error" | "permanent_error",
    error: string,
    next: { status: "pending"; nextAttemptAt: Date; refundAttempt?: boolean } | { status: "failed" },
  ): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.outboxAttempt.create({ data: { message_id: id, outcome, duration_ms: durationMs, error } }),
      this.prisma.outboxMessage.updateMany({
        where: { id, status: "in_flight", attempts: attempt },
        data:
          next.status === "pending"
            ? {
                status: "pending",
                next_attempt_at: next.nextAttemptAt,
                locked_until: null,
                last_error: error,
                ...(next.refundAttempt ? { attempts: { decrement: 1 } } : {}),
              }
            : { status: "failed", locked_until: null, last_error: error },
      }),
    ]);
  }

  async list(filter: OutboxListFilter) {
    const where: P.OutboxMessageWhereInput = {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.integration ? { integration: filter.integration } : {}),
    };
    const [total, rows] = await Promise.all([
      this.prisma.outboxMessage.count({ where }),
      this.prisma.outboxMessage.findMany({
        where,
        orderBy: [{ created_at: "desc" }, { id: "desc" }],
        take: filter.limit,
        skip: filter.offset,
        select: {
          id: true,
          integration: true,
          operation: true,
          idempotency_key: true,
          account_id: true,
          status: true,
          attempts: true,
          max_attempts: true,
          next_attempt_at: true,
          last_error: true,
          external_id: true,
          created_at: true,
          delivered_at: true,
        },
      }),
    ]);
    return { total, rows };
  }

  async countsByStatus(): Promise<Record<OutboxStatus, number>> {
    const groups = await this.prisma.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
    const out: Record<OutboxStatus, number> = { pending: 0, in_flight: 0, delivered: 0, failed: 0, unknown_outcome: 0 };
    for (const g of groups) out[g.status] = g._count._all;
    return out;
  }

  findById(id: string) {
    return this.prisma.outboxMessage.findUnique({
      where: { id },
      select: { id: true, integration: true, operation: true, idempotency_key: true, status: true, attempts: true, max_attempts: true, last_error: true },
    });
  }

  recentAttempts(messageId: string, take: number) {
    return this.prisma.outboxAttempt.findMany({
      where: { message_id: messageId },
      orderBy: { attempted_at: "desc" },
      take,
      select: { attempted_at: true, outcome: true, error: true, duration_ms: true },
    });
  }

  /**
   * Puts a failed or unknown_outcome delivery back in the queue, due now, with a fresh attempt budget.
   * Returns false when the row is in neither state (pending, in flight or delivered rows are left alone).
   */
  async retryFailed(id: string): Promise<boolean> {
    const n = await this.prisma.$executeRawUnsafe(
      `UPDATE outbox_messages SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL
        WHERE id = $1 AND status IN ('failed', 'unknown_outcome')`,
      id,
    );
    return n === 1;
  }
}
