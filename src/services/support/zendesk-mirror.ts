// The Zendesk mirror of our support tickets: every change handle_support_ticket makes is queued in the
// outbox (same transaction as the change) as one Zendesk call. Payloads follow the handlers in
// src/integrations/registry.ts; the Zendesk ticket id of updates and comments is filled at delivery time by
// the support delivery effects (src/integrations/effects/support.ts), since the create may still be queued.
//
// Keys: `zendesk:ticket:<id>:create` (once per ticket), `zendesk:ticket:<id>:comment:<comment id>`, and
// `zendesk:ticket:<id>:<action>:<n>` for updates, n = the ticket's count of mirror rows so far. The caller
// holds the ticket's row lock, so n is a per-ticket sequence; a retried call that had not committed gets
// the same key, and one that had committed changes nothing and queues nothing.
import type { Prisma as P } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { enqueue, type DeliveryReport } from "../../integrations/outbox.ts";
import { integrationStatus } from "../../integrations/status.ts";
import { zendeskCreateKey } from "../../integrations/effects/support.ts";
import type { Priority, TicketStatus } from "./sla.ts";

type Tx = P.TransactionClient;

export const ZENDESK_PRIORITY: Record<Priority, "urgent" | "high" | "normal" | "low"> = { P1: "urgent", P2: "high", P3: "normal", P4: "low" };
/** Zendesk has no "in progress": a ticket being worked on is "open" there. */
export const ZENDESK_STATUS: Record<TicketStatus, "open" | "pending" | "solved" | "closed"> = {
  open: "open",
  pending: "pending",
  in_progress: "open",
  resolved: "solved",
  closed: "closed",
};

/** What one mirror step reports: the outbox's answer, or why nothing was queued. */
export type MirrorReport = DeliveryReport | { integration: "zendesk"; status: "skipped"; reason: string };

export interface MirroredTicket {
  id: string;
  account_id: string;
  zendesk_id: string | null;
  subject: string;
  description: string | null;
  priority: Priority;
  status: TicketStatus;
  requester_email: string | null;
  tags: string[];
}

export interface ZendeskChange {
  status?: TicketStatus;
  priority?: Priority;
  subject?: string;
  tags?: string[];
  comment?: { body: string; public: boolean };
}

export class ZendeskMirror {
  constructor(private readonly config: Config) {}

  private notConfigured(): DeliveryReport | null {
    const s = integrationStatus(this.config).find((x) => x.integration === "zendesk")!;
    return s.state === "configured" ? null : { integration: "zendesk", status: "not_configured", missing_variables: s.missing_variables };
  }

  private createRequest(t: MirroredTicket) {
    return {
      integration: "zendesk" as const,
      operation: "zendesk.create_ticket",
      idempotency_key: zendeskCreateKey(t.id),
      account_id: t.account_id,
      payload: {
        support_ticket_id: t.id,
        external_id: t.id,
        subject: t.subject,
        // Zendesk needs a first comment; a ticket stored without a description opens with its subject.
        body: t.description ?? t.subject,
        ...(t.requester_email ? { requester_email: t.requester_email } : {}),
        priority: ZENDESK_PRIORITY[t.priority],
        ...(t.tags.length ? { tags: t.tags } : {}),
        public: true,
      },
    };
  }

  /** Queues the ticket's creation in Zendesk. */
  async create(tx: Tx, t: MirroredTicket): Promise<MirrorReport[]> {
    return [await enqueue(tx, this.config, this.createRequest(t))];
  }

  /**
   * A ticket stored before Zendesk was configured (or imported) has no Zendesk twin yet: queue its create
   * first, so the change that follows has a ticket to land on. Nothing when it exists or is queued.
   */
  private async ensureCreated(tx: Tx, t: MirroredTicket): Promise<MirrorReport[]> {
    if (t.zendesk_id) return [];
    const queued = await tx.outboxMessage.findUnique({ where: { idempotency_key: zendeskCreateKey(t.id) }, select: { id: true } });
    return queued ? [] : this.create(tx, t);
  }

  private async sequence(tx: Tx, t: MirroredTicket): Promise<number> {
    const rows = await tx.$queryRawUnsafe<Array<{ n: bigint | number }>>(
      `SELECT count(*) AS n FROM outbox_messages WHERE account_id = $1 AND idempotency_key LIKE $2`,
      t.account_id,
      `zendesk:ticket:${t.id}:%`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Queues a field change (status, priority, subject, tags; optionally with a comment) for `action`. */
  async update(tx: Tx, t: MirroredTicket, action: string, change: ZendeskChange): Promise<MirrorReport[]> {
    const off = this.notConfigured();
    if (off) return [off];
    const payload: Record<string, unknown> = { support_ticket_id: t.id };
    if (change.status) payload.status = ZENDESK_STATUS[change.status];
    if (change.priority) payload.priority = ZENDESK_PRIORITY[change.priority];
    if (change.subject) payload.subject = change.subject;
    if (change.tags) payload.tags = change.tags;
    if (change.comment) payload.comment = change.comment;
    if (Object.keys(payload).length === 1) {
      return [{ integration: "zendesk", status: "skipped", reason: "nothing Zendesk keeps changed (the mirror carries subject, priority, status, tags and comments)" }];
    }
    const before = await this.ensureCreated(tx, t);
    const n = await this.sequence(tx, t);
    const report = await enqueue(tx, this.config, { integration: "zendesk", operation: "zendesk.update_ticket", idempotency_key: `zendesk:ticket:${t.id}:${action}:${n}`, account_id: t.account_id, payload });
    return [...before, report];
  }

  /** Queues a comment. */
  async comment(tx: Tx, t: MirroredTicket, commentId: string, body: string, isPublic: boolean): Promise<MirrorReport[]> {
    const off = this.notConfigured();
    if (off) return [off];
    const before = await this.ensureCreated(tx, t);
    const report = await enqueue(tx, this.config, {
      integration: "zendesk",
      operation: "zendesk.add_comment",
      idempotency_key: `zendesk:ticket:${t.id}:comment:${commentId}`,
      account_id: t.account_id,
      payload: { support_ticket_id: t.id, body, public: isPublic },
    });
    return [...before, report];
  }
}
