// Delivery effects: what the database learns from a delivery, and what a delivery needs from the database.
//
// Some outbox operations depend on rows the tools wrote: a Zendesk comment needs the Zendesk id of a ticket
// whose own create may still be queued; a delivered SendGrid batch marks the email_sends it carried as sent.
// The vendor handlers (registry.ts) stay database-free; these hooks run in the dispatcher around them.
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import type { DeliveryResult } from "../types.ts";

export interface EffectRow {
  id: string;
  operation: string;
  payload: Record<string, unknown>;
  idempotency_key: string;
}

export interface DeliveryEffect {
  /**
   * Runs before the vendor call and returns the payload to deliver (e.g. with the vendor id of an object
   * created by an earlier row filled in). Throw `DependencyPending` to try again later without counting an
   * attempt, or `DependencyFailed` to fail the row for good.
   */
  prepare?: (prisma: PrismaClient, row: EffectRow) => Promise<Record<string, unknown>>;
  /** Runs in the transaction that marks the row delivered: write back what the vendor returned. */
  delivered?: (tx: P.TransactionClient, row: EffectRow, result: DeliveryResult) => Promise<void>;
}

/** Effects keyed by operation name ("zendesk.create_ticket", "sendgrid.send_batch", …). */
export type DeliveryEffects = Record<string, DeliveryEffect>;

/** The row this one depends on has not been delivered yet: retry later, the attempt does not count. */
export class DependencyPending extends Error {
  constructor(message: string, readonly retryInMs = 5_000) {
    super(message);
    this.name = "DependencyPending";
  }
}

/** The row this one depends on can never be delivered: this one cannot either. */
export class DependencyFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DependencyFailed";
  }
}
