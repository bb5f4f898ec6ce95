// Audit log and timeline entries, written inside the caller's transaction so that a change and its
// record of who/what/when commit together or not at all.
import type { Prisma as P } from "../generated/prisma/client.ts";
import { currentRequest } from "../observability/context.ts";

type Tx = P.TransactionClient;

export async function writeAudit(
  tx: Tx,
  entry: { action: string; entity_type: string; entity_id: string | null; changes?: Record<string, unknown> },
): Promise<void> {
  const ctx = currentRequest();
  await tx.auditLog.create({
    data: {
      action: entry.action,
      entity_type: entry.entity_type,
      entity_id: entry.entity_id,
      changes: (entry.changes ?? {}) as P.InputJsonValue,
      request_id: ctx?.request_id ?? null,
      tool: ctx?.tool ?? null,
      // Without a principal (stdio, the CLI, the worker) the column's default, "mcp-client", applies.
      ...(ctx?.actor ? { actor: ctx.actor } : {}),
    },
  });
}

export async function writeTimeline(
  tx: Tx,
  entry: { account_id: string; event_type: string; summary: string; data?: Record<string, unknown>; occurred_at?: Date },
): Promise<void> {
  await tx.timelineEvent.create({
    data: {
      account_id: entry.account_id,
      event_type: entry.event_type,
      summary: entry.summary,
      data: (entry.data ?? {}) as P.InputJsonValue,
      ...(entry.occurred_at ? { occurred_at: entry.occurred_at } : {}),
    },
  });
}
