// manage_escalations: create, list, update and resolve escalations. Each action checks the fields it
// needs (naming the missing ones) and refuses the ones it does not use; writes commit with their
// timeline entry and audit record.
import { checkActionFields } from "../shared/action-fields.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { EscalationRepository } from "../../repositories/escalations.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { clipText } from "../shared/clip-text.ts";

export const ESCALATION_ACTIONS = ["create", "list", "update", "resolve"] as const;
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ESCALATION_STATUSES = ["open", "in_progress", "resolved"] as const;

export interface EscalationInput {
  action: EscalationAction;
  escalation_id?: string | undefined;
  client_id?: string | undefined;
  severity?: Severity | undefined;
  reason?: string | undefined;
  owner?: string | undefined;
  status?: (typeof ESCALATION_STATUSES)[number] | undefined;
  resolution?: string | undefined;
  ticket_id?: string | undefined;
  limit: number;
  offset: number;
}

type Field = "escalation_id" | "client_id" | "severity" | "reason" | "owner" | "status" | "resolution" | "ticket_id";
const FIELDS: Field[] = ["escalation_id", "client_id", "severity", "reason", "owner", "status", "resolution", "ticket_id"];

/** Per action: the fields it requires, and the fields it accepts at all. */
const RULES: Record<EscalationAction, { required: Field[]; allowed: Field[]; atLeastOne?: Field[] }> = {
  create: { required: ["client_id", "severity", "reason"], allowed: ["client_id", "severity", "reason", "owner", "ticket_id"] },
  list: { required: [], allowed: ["client_id", "severity", "status", "owner"] },
  update: { required: ["escalation_id"], allowed: ["escalation_id", "severity", "reason", "owner", "status", "ticket_id"], atLeastOne: ["severity", "reason", "owner", "status", "ticket_id"] },
  resolve: { required: ["escalation_id", "resolution"], allowed: ["escalation_id", "resolution", "owner"] },
};

const LIST_TEXT_CHARS = 300;

function view(e: { id: string; account_id: string; ticket_id: string | null; severity: string; reason: string; status: string; owner: string | null; resolution: string | null; created_at: Date; updated_at: Date; resolved_at: Date | null }, now: Date, company?: string) {
  return {
    escalation_id: e.id,
    client_id: e.account_id,
    ...(company !== undefined ? { company_name: company } : {}),
    ticket_id: e.ticket_id,
    severity: e.severity,
    reason: e.reason,
    status: e.status,
    owner: e.owner,
    resolution: e.resolution,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
    resolved_at: e.resolved_at ? e.resolved_at.toISOString() : null,
    age_days: Math.floor(((e.resolved_at ?? now).getTime() - e.created_at.getTime()) / 86_400_000),
  };
}

export class EscalationService {
  private readonly repo: EscalationRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new EscalationRepository(prisma);
  }

  /** Names every missing required field and every field the action does not use, in one message. */
  checkFields(input: EscalationInput): void {
    const extra = input.action === "update" && input.status === "resolved" ? ["status: use action 'resolve' with a resolution to resolve an escalation"] : [];
    checkActionFields(input.action, input, FIELDS, RULES, extra);
  }

  async handle(input: EscalationInput) {
    this.checkFields(input);
    switch (input.action) {
      case "create":
        return this.create(input);
      case "list":
        return this.list(input);
      case "update":
        return this.update(input);
      case "resolve":
        return this.resolve(input);
    }
  }

  private async checkTicket(tx: Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0], ticketId: string, accountId: string) {
    const ticket = await tx.supportTicket.findUnique({ where: { id: ticketId }, select: { id: true, account_id: true, escalated: true } });
    if (!ticket) throw notFound("ticket", ticketId, "use handle_support_ticket to find or create the ticket");
    if (ticket.account_id !== accountId) throw validationError(`ticket_id: ticket ${ticketId} belongs to another account`);
    if (!ticket.escalated) await tx.supportTicket.update({ where: { id: ticketId }, data: { escalated: true, escalated_at: this.now() } });
  }

  private async create(input: EscalationInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { id: input.client_id! }, select: { id: true, company_name: true } });
      if (!account) throw notFound("client", input.client_id!, "use list_clients to find the client_id");
      if (input.ticket_id) await this.checkTicket(tx, input.ticket_id, account.id);
      const e = await this.repo.create(tx, {
        account_id: account.id,
        severity: input.severity!,
        reason: input.reason!,
        owner: input.owner ?? null,
        ticket_id: input.ticket_id ?? null,
        status: "open",
        created_at: now,
        updated_at: now,
      });
      // Opening and resolving appear on the timeline from the escalations table itself.
      await writeAudit(tx, { action: "create_escalation", entity_type: "escalation", entity_id: e.id, changes: { client_id: account.id, severity: e.severity, owner: e.owner, ticket_id: e.ticket_id } });
      return { action: "create" as const, escalation: view(e, now, account.company_name), changed: ["severity", "reason", ...(e.owner ? ["owner"] : []), ...(e.ticket_id ? ["ticket_id"] : [])] };
    });
  }

  private async list(input: EscalationInput) {
    if (input.client_id) {
      const exists = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!exists) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const { total, rows } = await this.repo.page({ account_id: input.client_id, severity: input.severity, status: input.status, owner: input.owner }, input.limit, input.offset);
    return {
      action: "list" as const,
      // Reasons and resolutions may be 2,000–4,000 characters: a page shows their start (update/resolve show all).
      escalations: rows.map((r) => view({ ...r, reason: clipText(r.reason, LIST_TEXT_CHARS), resolution: clipText(r.resolution, LIST_TEXT_CHARS) }, this.now(), r.account.company_name)),
      total,
      count: rows.length,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
      filters_applied: { client_id: input.client_id ?? null, severity: input.severity ?? null, status: input.status ?? null, owner: input.owner ?? null },
    };
  }

  private async update(input: EscalationInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const e = await this.repo.find(input.escalation_id!, tx);
      if (!e) throw notFound("escalation", input.escalation_id!, "use manage_escalations with action 'list' to find the escalation_id");
      if (e.status === "resolved") throw conflict(`escalation ${e.id} is resolved (${e.resolved_at?.toISOString()}); it can no longer be changed`, "create a new escalation if the problem came back");
      const changes: Array<{ field: string; from: string | null; to: string | null }> = [];
      const data: Record<string, string> = {};
      for (const f of ["severity", "reason", "owner", "status", "ticket_id"] as const) {
        const v = input[f];
        if (v === undefined || v === (e as Record<string, unknown>)[f]) continue;
        data[f] = v;
        changes.push({ field: f, from: ((e as Record<string, unknown>)[f] as string | null) ?? null, to: v });
      }
      if (data.ticket_id) await this.checkTicket(tx, data.ticket_id, e.account_id);
      const updated = changes.length ? await this.repo.update(tx, e.id, { ...data, updated_at: now }) : e;
      if (changes.length) {
        await writeTimeline(tx, { account_id: e.account_id, event_type: "note", summary: `Escalation updated: ${changes.map((c) => c.field).join(", ")}`, data: { escalation_id: e.id, changes }, occurred_at: now });
        await writeAudit(tx, { action: "update_escalation", entity_type: "escalation", entity_id: e.id, changes: { changes } });
      }
      return { action: "update" as const, escalation: view(updated, now), changed: changes.map((c) => c.field) };
    });
  }

  private async resolve(input: EscalationInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const e = await this.repo.find(input.escalation_id!, tx);
      if (!e) throw notFound("escalation", input.escalation_id!, "use manage_escalations with action 'list' to find the escalation_id");
      if (e.status === "resolved") throw conflict(`escalation ${e.id} is already resolved (${e.resolved_at?.toISOString()})`, "nothing to do; create a new escalation if the problem came back");
      const updated = await this.repo.update(tx, e.id, { status: "resolved", resolution: input.resolution!, resolved_at: now, updated_at: now, ...(input.owner ? { owner: input.owner } : {}) });
      await writeAudit(tx, { action: "resolve_escalation", entity_type: "escalation", entity_id: e.id, changes: { from_status: e.status, resolution_length: input.resolution!.length } });
      return { action: "resolve" as const, escalation: view(updated, now), changed: ["status", "resolution", ...(input.owner && input.owner !== e.owner ? ["owner"] : [])] };
    });
  }
}
