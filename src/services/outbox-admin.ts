// The outbox seen by an operator: deliveries by status and integration with their attempts and last
// error, and putting a failed (or unknown_outcome, on the operator's decision) delivery back in the queue.
import type { PrismaClient, OutboxStatus } from "../generated/prisma/client.ts";
import { OutboxRepository } from "../repositories/outbox.ts";
import { ToolError, notFound } from "../server/errors.ts";
import type { Resilience } from "../integrations/resilience/index.ts";
import { INTEGRATIONS, type Integration } from "../integrations/status.ts";

export interface ListDeliveriesInput {
  status?: OutboxStatus;
  integration?: Integration;
  limit: number;
  offset: number;
}

export class OutboxAdminService {
  private readonly repo: OutboxRepository;

  constructor(
    prisma: PrismaClient,
    private readonly resilience: Resilience | null,
  ) {
    this.repo = new OutboxRepository(prisma);
  }

  async list(input: ListDeliveriesInput) {
    const [{ total, rows }, counts] = await Promise.all([this.repo.list(input), this.repo.countsByStatus()]);
    const deliveries = rows.map((r) => ({
      ...r,
      next_attempt_at: r.next_attempt_at.toISOString(),
      created_at: r.created_at.toISOString(),
      delivered_at: r.delivered_at?.toISOString() ?? null,
    }));
    const nextOffset = input.offset + rows.length;
    return {
      deliveries,
      total,
      counts,
      breakers: this.resilience ? this.resilience.states() : Object.fromEntries(INTEGRATIONS.map((i) => [i, null])),
      next_offset: nextOffset < total ? nextOffset : null,
    };
  }

  async retry(id: string) {
    const row = await this.repo.findById(id);
    if (!row) throw notFound("outbox delivery", id, "list deliveries with list_outbox_deliveries (status 'failed') to find the id");
    if (row.status !== "failed" && row.status !== "unknown_outcome") {
      throw new ToolError(
        "conflict",
        `delivery ${id} is ${row.status}: only failed or unknown_outcome deliveries can be retried`,
        row.status === "delivered" ? "it was already delivered; nothing to do" : "it is still queued; the dispatcher delivers it when it is due",
      );
    }
    if (!(await this.repo.retryFailed(id))) throw new ToolError("conflict", `delivery ${id} changed state meanwhile`, "list it again");
    const attempts = await this.repo.recentAttempts(id, 5);
    return {
      id,
      integration: row.integration,
      operation: row.operation,
      idempotency_key: row.idempotency_key,
      status: "pending" as const,
      previous_error: row.last_error,
      recent_attempts: attempts.map((a) => ({ ...a, attempted_at: a.attempted_at.toISOString() })),
      breaker: this.resilience ? this.resilience.breakerState(row.integration as Integration) : null,
    };
  }
}
