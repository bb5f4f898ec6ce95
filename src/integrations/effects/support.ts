// Delivery effects of the support toolset's Zendesk mirror (handle_support_ticket).
//
// A support ticket is created in Zendesk by one outbox row (key `zendesk:ticket:<our id>:create`); its later
// updates and comments are separate rows that carry our ticket id (`support_ticket_id`) but cannot know the
// Zendesk id yet. So:
// - zendesk.create_ticket delivered → the Zendesk id is written into support_tickets.zendesk_id;
// - zendesk.update_ticket / zendesk.add_comment prepare → `ticket_id` is filled from support_tickets.zendesk_id;
//   while the create is still queued the row waits (DependencyPending), and it fails with the create
//   (DependencyFailed).
// Rows without `support_ticket_id` (another toolset's Zendesk calls) pass through untouched.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { DependencyFailed, DependencyPending, type DeliveryEffects, type EffectRow } from "./types.ts";

/** The idempotency key of the outbox row that creates our ticket in Zendesk. */
export const zendeskCreateKey = (ticketId: string): string => `zendesk:ticket:${ticketId}:create`;

async function fillZendeskTicketId(prisma: PrismaClient, row: EffectRow): Promise<Record<string, unknown>> {
  const ours = row.payload.support_ticket_id;
  if (typeof ours !== "string" || row.payload.ticket_id !== undefined) return row.payload;
  const ticket = await prisma.supportTicket.findUnique({ where: { id: ours }, select: { zendesk_id: true } });
  if (ticket?.zendesk_id) return { ...row.payload, ticket_id: ticket.zendesk_id };
  const create = await prisma.outboxMessage.findUnique({ where: { idempotency_key: zendeskCreateKey(ours) }, select: { id: true, status: true, external_id: true } });
  if (!create) throw new DependencyFailed(`support ticket ${ours} has no Zendesk ticket and no queued Zendesk create`);
  if (create.status === "failed") throw new DependencyFailed(`the Zendesk create of support ticket ${ours} failed (outbox ${create.id})`);
  if (create.status === "delivered" && create.external_id) return { ...row.payload, ticket_id: create.external_id };
  throw new DependencyPending(`waiting for the Zendesk create of support ticket ${ours} (outbox ${create.id} is ${create.status})`);
}

export const SUPPORT_EFFECTS: DeliveryEffects = {
  "zendesk.create_ticket": {
    async delivered(tx, row, result) {
      const ours = row.payload.support_ticket_id;
      if (typeof ours !== "string" || !result.external_id) return;
      // Raw SQL on purpose: recording the vendor id is not a change of the ticket (updated_at stays).
      await tx.$executeRawUnsafe(`UPDATE support_tickets SET zendesk_id = $1 WHERE id = $2 AND zendesk_id IS NULL`, result.external_id, ours);
    },
  },
  "zendesk.update_ticket": { prepare: fillZendeskTicketId },
  "zendesk.add_comment": { prepare: fillZendeskTicketId },
};
