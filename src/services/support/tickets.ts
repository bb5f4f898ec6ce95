// handle_support_ticket: create, update, comment on, read, list, resolve, close and escalate tickets.
//
// Each action checks the fields it needs before anything is written; every write runs in one transaction
// that first locks the ticket row, so a status transition is decided on the current state. Status rules:
// - open, pending, in_progress are the working states (update moves between them);
// - resolve: from a working state; sets resolved_at. A requester's comment or an update to a working status
//   reopens a resolved ticket (resolved_at cleared);
// - close: only from resolved; a closed ticket takes no further change or comment;
// - escalate: only a ticket still being worked on, and not while it has an open escalation.
// A public comment by an agent sets first_response_at, once. Changes are mirrored to Zendesk through the
// outbox when Zendesk is configured (zendesk-mirror.ts).
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { EscalationRepository } from "../../repositories/escalations.ts";
import { SupportTicketRepository } from "../../repositories/support-tickets.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { SEVERITIES, type Severity } from "../retention/escalations.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { escalationReasons, isOpen, slaDueDates, type Priority, type TicketStatus } from "./sla.ts";
import { commentView, ticketView, type StoredTicket } from "./ticket-view.ts";
import { ZendeskMirror, type MirrorReport, type ZendeskChange } from "./zendesk-mirror.ts";
import { clipText } from "../shared/clip-text.ts";

type Tx = P.TransactionClient;

export const TICKET_ACTIONS = ["create", "update", "comment", "get", "list", "resolve", "close", "escalate"] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];
export const AUTHOR_TYPES = ["agent", "requester"] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];
export const WORKING_STATUSES = ["open", "pending", "in_progress"] as const;
export { SEVERITIES };
/** Default severity of an escalation, from the ticket's priority. */
export const SEVERITY_BY_PRIORITY: Record<Priority, Severity> = { P1: "critical", P2: "high", P3: "medium", P4: "low" };

export interface TicketInput {
  action: TicketAction;
  ticket_id?: string | undefined;
  client_id?: string | undefined;
  subject?: string | undefined;
  description?: string | undefined;
  priority?: Priority | undefined;
  category?: string | undefined;
  requester_email?: string | undefined;
  assigned_agent?: string | undefined;
  team?: string | undefined;
  status?: TicketStatus | undefined;
  notes?: string | undefined;
  satisfaction_rating?: number | undefined;
  escalate?: boolean | undefined;
  tags?: string[] | undefined;
  author?: string | undefined;
  author_type?: AuthorType | undefined;
  is_public?: boolean | undefined;
  severity?: Severity | undefined;
  owner?: string | undefined;
  escalation_due_only?: boolean | undefined;
  include_comments: boolean;
  limit: number;
  offset: number;
}

type Field = Exclude<keyof TicketInput, "action" | "include_comments" | "limit" | "offset">;
const FIELDS: Field[] = [
  "ticket_id", "client_id", "subject", "description", "priority", "category", "requester_email", "assigned_agent", "team", "status", "notes",
  "satisfaction_rating", "escalate", "tags", "author", "author_type", "is_public", "severity", "owner", "escalation_due_only",
];
const EDITABLE: Field[] = ["subject", "description", "priority", "category", "requester_email", "assigned_agent", "team", "tags", "status", "satisfaction_rating"];
const ESCALATION: Field[] = ["escalate", "notes", "severity", "owner"];

const RULES: Record<TicketAction, ActionRule<Field>> = {
  create: { required: ["client_id", "subject", "description"], allowed: ["client_id", "subject", "description", "priority", "category", "requester_email", "assigned_agent", "team", "tags", ...ESCALATION] },
  update: { required: ["ticket_id"], allowed: ["ticket_id", ...EDITABLE, ...ESCALATION], atLeastOne: [...EDITABLE, "escalate"] },
  comment: { required: ["ticket_id", "notes"], allowed: ["ticket_id", "notes", "author", "author_type", "is_public"] },
  get: { required: ["ticket_id"], allowed: ["ticket_id"] },
  list: { required: [], allowed: ["client_id", "status", "priority", "category", "assigned_agent", "team", "escalation_due_only"] },
  resolve: { required: ["ticket_id"], allowed: ["ticket_id", "notes", "satisfaction_rating", "author", "is_public"] },
  close: { required: ["ticket_id"], allowed: ["ticket_id", "notes", "satisfaction_rating", "author", "is_public"] },
  escalate: { required: ["ticket_id"], allowed: ["ticket_id", "notes", "severity", "owner"] },
};

type Ticket = StoredTicket & { account: { company_name: string } };
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const LIST_DESCRIPTION_CHARS = 200;
const COMMENTS_SHOWN = 20;
const COMMENT_BODY_CHARS = 1_000;

export class TicketService {
  private readonly repo: SupportTicketRepository;
  private readonly escalations: EscalationRepository;
  private readonly mirror: ZendeskMirror;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new SupportTicketRepository(prisma);
    this.escalations = new EscalationRepository(prisma);
    this.mirror = new ZendeskMirror(config);
  }

  /** Field rules that do not need the stored ticket. */
  checkFields(input: TicketInput): void {
    checkActionFields(input.action, input, FIELDS, RULES);
    if (input.action === "update" && (input.status === "resolved" || input.status === "closed")) {
      throw validationError(`status: use action '${input.status === "resolved" ? "resolve" : "close"}' to make a ticket ${input.status}`, "update moves a ticket between open, pending and in_progress");
    }
    const escalating = input.action === "escalate" || input.escalate === true;
    if (!escalating) {
      const stray = (["notes", "severity", "owner"] as const).filter((f) => input[f] !== undefined && (input.action === "create" || input.action === "update"));
      if (stray.length) throw validationError(`action '${input.action}' uses ${stray.join(", ")} only with escalate: true`, "set escalate: true to escalate in the same call, or leave them out");
    }
    if (input.action === "create" && input.escalate === true && input.notes === undefined) {
      throw validationError("notes: escalating a new ticket needs notes (the reason for the escalation)", "add notes with the reason");
    }
  }

  async handle(input: TicketInput) {
    this.checkFields(input);
    switch (input.action) {
      case "create":
        return this.create(input);
      case "update":
        return this.update(input);
      case "comment":
        return this.comment(input);
      case "get":
        return this.get(input);
      case "list":
        return this.list(input);
      case "resolve":
        return this.resolve(input);
      case "close":
        return this.close(input);
      case "escalate":
        return this.escalate(input);
    }
  }

  private view(t: StoredTicket) {
    return ticketView(t, this.now(), this.config);
  }

  private async locked(tx: Tx, id: string): Promise<Ticket> {
    const t = await this.repo.lock(tx, id);
    if (!t) throw notFound("ticket", id, "use handle_support_ticket with action 'list' to find the ticket_id");
    return t as Ticket;
  }

  private refuseClosed(t: Ticket, what: string): void {
    if (t.status === "closed") {
      throw conflict(`ticket ${t.id} is closed (since ${iso(t.closed_at)}); a closed ticket takes no ${what}`, `create a new ticket with action 'create' and mention ${t.id}`);
    }
  }

  private refuseRatingWhileOpen(t: { id: string }, status: TicketStatus, rating: number | undefined): void {
    if (rating !== undefined && status !== "resolved" && status !== "closed") {
      throw conflict(`satisfaction_rating: ticket ${t.id} is ${status}; a rating is recorded once the ticket is resolved`, "give satisfaction_rating with action 'resolve' or 'close', or on update of a resolved ticket");
    }
  }

  /** Opens an escalation for the ticket (in `tx`) and marks the ticket escalated. */
  private async openEscalation(tx: Tx, t: Ticket, input: TicketInput, now: Date) {
    if (!isOpen(t.status)) throw conflict(`ticket ${t.id} is ${t.status}; only a ticket still being worked on (open, pending, in_progress) can be escalated`, "reopen it with action 'update' and status 'open' first");
    const existing = await this.repo.openEscalation(tx, t.id);
    if (existing) throw conflict(`ticket ${t.id} already has an open escalation ${existing.id} (since ${existing.created_at.toISOString()})`, "change it with manage_escalations action 'update'");
    const ruleReasons = escalationReasons(t, now, this.config);
    const reason = input.notes ?? (ruleReasons.length ? `Escalation rule: ${ruleReasons.join("; ")}` : undefined);
    if (!reason) {
      throw validationError(`notes: escalating ticket ${t.id} needs notes (the reason); the escalation rule does not call for it yet (no first response within ${this.config.ESCALATE_NO_RESPONSE_MINUTES} minutes or no resolution within ${this.config.ESCALATE_NO_RESOLUTION_DAYS} days)`, "add notes with the reason");
    }
    const e = await this.escalations.create(tx, {
      account_id: t.account_id,
      ticket_id: t.id,
      severity: input.severity ?? SEVERITY_BY_PRIORITY[t.priority],
      reason,
      owner: input.owner ?? null,
      status: "open",
      created_at: now,
      updated_at: now,
    });
    await tx.supportTicket.update({ where: { id: t.id }, data: { escalated: true, escalated_at: t.escalated_at ?? now, updated_at: now } });
    return {
      escalation_id: e.id,
      severity: e.severity,
      reason: e.reason,
      owner: e.owner,
      status: e.status,
      created_at: e.created_at.toISOString(),
      triggered_by_rule: ruleReasons,
    };
  }

  private async create(input: TicketInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { id: input.client_id! }, select: { id: true } });
      if (!account) throw notFound("client", input.client_id!, "use list_clients to find the client_id");
      const priority = input.priority ?? "P3";
      const created = await tx.supportTicket.create({
        data: {
          account_id: account.id,
          subject: input.subject!,
          description: input.description!,
          priority,
          category: input.category ?? null,
          status: "open",
          requester_email: input.requester_email ?? null,
          assigned_agent: input.assigned_agent ?? null,
          team: input.team ?? null,
          tags: input.tags ?? [],
          ...slaDueDates(this.config, priority, now),
          created_at: now,
          updated_at: now,
        },
        include: { account: { select: { company_name: true } } },
      });
      let ticket = created as Ticket;
      const zendesk: MirrorReport[] = await this.mirror.create(tx, ticket);
      let escalation;
      if (input.escalate) {
        escalation = await this.openEscalation(tx, ticket, input, now);
        ticket = (await this.repo.find(ticket.id, tx)) as Ticket;
        zendesk.push(...(await this.mirror.update(tx, ticket, "escalate", { comment: { body: `Escalated (${escalation.severity}): ${escalation.reason}`, public: false } })));
      }
      // Opening (and escalating) appear on the timeline from the tickets and escalations tables themselves.
      await writeAudit(tx, { action: "create_ticket", entity_type: "support_ticket", entity_id: ticket.id, changes: { client_id: ticket.account_id, priority, escalation_id: escalation?.escalation_id ?? null } });
      return { action: "create" as const, ticket: this.view(ticket), ...(escalation ? { escalation } : {}), zendesk };
    });
  }

  private async update(input: TicketInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      let t = await this.locked(tx, input.ticket_id!);
      this.refuseClosed(t, "changes");
      const data: P.SupportTicketUncheckedUpdateInput = {};
      const changes: Array<{ field: string; from: unknown; to: unknown }> = [];
      const set = (field: keyof StoredTicket & string, to: unknown) => {
        const from = (t as unknown as Record<string, unknown>)[field];
        const same = Array.isArray(to) ? JSON.stringify(to) === JSON.stringify(from) : to === from;
        if (same) return;
        (data as Record<string, unknown>)[field] = to;
        changes.push({ field, from, to });
      };
      for (const f of ["subject", "description", "priority", "category", "requester_email", "assigned_agent", "team", "tags", "status", "satisfaction_rating"] as const) {
        if (input[f] !== undefined) set(f, input[f]);
      }
      const status = input.status ?? t.status;
      this.refuseRatingWhileOpen(t, status, input.satisfaction_rating);
      const reopened = t.status === "resolved" && isOpen(status);
      if (reopened) data.resolved_at = null;
      if (data.priority) data.resolution_due_at = slaDueDates(this.config, data.priority as Priority, t.created_at).resolution_due_at;
      if (changes.length) {
        await tx.supportTicket.update({ where: { id: t.id }, data: { ...data, updated_at: now } });
        await writeTimeline(tx, {
          account_id: t.account_id,
          event_type: "note",
          summary: reopened ? `${t.priority} ticket reopened` : `${t.priority} ticket updated: ${changes.map((c) => c.field).join(", ")}`,
          data: { ticket_id: t.id, fields: changes.map((c) => c.field) },
          occurred_at: now,
        });
      }
      let escalation;
      if (input.escalate) {
        t = (await this.repo.find(t.id, tx)) as Ticket;
        escalation = await this.openEscalation(tx, t, input, now);
      }
      if (!changes.length && !escalation) return { action: "update" as const, ticket: this.view(t), changed: [] as string[], reopened: false, zendesk: [] as MirrorReport[] };
      const after = (await this.repo.find(t.id, tx)) as Ticket;
      const change: ZendeskChange = {};
      if (data.status) change.status = data.status as TicketStatus;
      if (data.priority) change.priority = data.priority as Priority;
      if (data.subject) change.subject = data.subject as string;
      if (data.tags) change.tags = data.tags as string[];
      const zendesk = changes.length ? await this.mirror.update(tx, after, "update", change) : [];
      if (escalation) zendesk.push(...(await this.mirror.update(tx, after, "escalate", { comment: { body: `Escalated (${escalation.severity}): ${escalation.reason}`, public: false } })));
      await writeAudit(tx, {
        action: "update_ticket",
        entity_type: "support_ticket",
        entity_id: t.id,
        // Texts are not copied into the audit log: it records which fields changed, and the values of the others.
        changes: { changes: changes.map((c) => (["subject", "description"].includes(c.field) ? { field: c.field } : c)), reopened, escalation_id: escalation?.escalation_id ?? null },
      });
      return { action: "update" as const, ticket: this.view(after), changed: [...changes.map((c) => c.field), ...(escalation ? ["escalated"] : [])], reopened, ...(escalation ? { escalation } : {}), zendesk };
    });
  }

  /** Stores a comment; a public agent comment is the first response when none was recorded yet. */
  private async addComment(tx: Tx, t: Ticket, body: string, authorType: AuthorType, author: string | undefined, isPublic: boolean, now: Date) {
    const c = await tx.ticketComment.create({
      data: {
        ticket_id: t.id,
        author: author ?? (authorType === "agent" ? (t.assigned_agent ?? "support agent (unnamed)") : (t.requester_email ?? "requester (unnamed)")),
        author_type: authorType,
        body,
        is_public: isPublic,
        created_at: now,
      },
    });
    const firstResponse = authorType === "agent" && isPublic && !t.first_response_at;
    return { comment: c, firstResponse };
  }

  private async comment(input: TicketInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const t = await this.locked(tx, input.ticket_id!);
      this.refuseClosed(t, "comments");
      const authorType = input.author_type ?? "agent";
      const isPublic = input.is_public ?? true;
      const { comment, firstResponse } = await this.addComment(tx, t, input.notes!, authorType, input.author, isPublic, now);
      // A customer writing back on a resolved ticket means it is not solved for them: reopen it.
      const reopened = authorType === "requester" && t.status === "resolved";
      await tx.supportTicket.update({
        where: { id: t.id },
        data: { updated_at: now, ...(firstResponse ? { first_response_at: now } : {}), ...(reopened ? { status: "open", resolved_at: null } : {}) },
      });
      await writeTimeline(tx, {
        account_id: t.account_id,
        event_type: "note",
        summary: `${t.priority} ticket: ${authorType === "agent" ? "agent" : "requester"} ${isPublic ? "reply" : "internal note"}${firstResponse ? " (first response)" : ""}${reopened ? "; ticket reopened" : ""}`,
        data: { ticket_id: t.id, comment_id: comment.id },
        occurred_at: now,
      });
      await writeAudit(tx, { action: "comment_ticket", entity_type: "support_ticket", entity_id: t.id, changes: { comment_id: comment.id, author_type: authorType, is_public: isPublic, first_response: firstResponse, reopened } });
      const after = (await this.repo.find(t.id, tx)) as Ticket;
      // Zendesk would show a comment by the API user as the agent's: a requester's words go in as an internal note.
      const zendesk =
        authorType === "requester"
          ? await this.mirror.comment(tx, after, comment.id, `Requester ${comment.author} wrote:\n\n${comment.body}`, false)
          : await this.mirror.comment(tx, after, comment.id, comment.body, isPublic);
      if (reopened) zendesk.push(...(await this.mirror.update(tx, after, "reopen", { status: "open" })));
      return { action: "comment" as const, ticket: this.view(after), comment: commentView(comment), first_response_recorded: firstResponse, reopened, zendesk };
    });
  }

  private async get(input: TicketInput) {
    const t = await this.repo.find(input.ticket_id!);
    if (!t) throw notFound("ticket", input.ticket_id!, "use handle_support_ticket with action 'list' to find the ticket_id");
    // A long thread is hundreds of comments: the answer holds the newest COMMENTS_SHOWN, bodies cut at
    // COMMENT_BODY_CHARS, with the total.
    const all = input.include_comments ? await this.repo.comments(t.id) : undefined;
    const comments = all?.slice(-COMMENTS_SHOWN).map((c) => commentView({ ...c, body: clipText(c.body, COMMENT_BODY_CHARS) }));
    return { action: "get" as const, ticket: this.view(t as Ticket), ...(comments ? { comments, comments_total: all!.length } : {}) };
  }

  private async list(input: TicketInput) {
    if (input.client_id) {
      const exists = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!exists) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const now = this.now();
    const { total, rows } = await this.repo.page(
      {
        account_id: input.client_id,
        status: input.status,
        priority: input.priority,
        category: input.category,
        assigned_agent: input.assigned_agent,
        team: input.team,
        escalation_due: input.escalation_due_only
          ? {
              no_response_before: new Date(now.getTime() - this.config.ESCALATE_NO_RESPONSE_MINUTES * 60_000),
              no_resolution_before: new Date(now.getTime() - this.config.ESCALATE_NO_RESOLUTION_DAYS * 86_400_000),
            }
          : undefined,
      },
      input.limit,
      input.offset,
    );
    return {
      action: "list" as const,
      // A page shows the start of each description; get gives the whole text.
      tickets: rows.map((r) => this.view({ ...(r as Ticket), description: clipText((r as Ticket).description, LIST_DESCRIPTION_CHARS) })),
      total,
      count: rows.length,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
    };
  }

  private async resolve(input: TicketInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const t = await this.locked(tx, input.ticket_id!);
      this.refuseClosed(t, "changes");
      if (t.status === "resolved") throw conflict(`ticket ${t.id} is already resolved (at ${iso(t.resolved_at)})`, "close it with action 'close', or reopen it with action 'update' and status 'open'");
      const note = input.notes !== undefined ? await this.addComment(tx, t, input.notes, "agent", input.author, input.is_public ?? true, now) : undefined;
      await tx.supportTicket.update({
        where: { id: t.id },
        data: {
          status: "resolved",
          resolved_at: now,
          updated_at: now,
          ...(note?.firstResponse ? { first_response_at: now } : {}),
          ...(input.satisfaction_rating !== undefined ? { satisfaction_rating: input.satisfaction_rating } : {}),
        },
      });
      // The resolution appears on the timeline from the ticket's resolved_at.
      await writeAudit(tx, { action: "resolve_ticket", entity_type: "support_ticket", entity_id: t.id, changes: { from_status: t.status, satisfaction_rating: input.satisfaction_rating ?? null, comment_id: note?.comment.id ?? null } });
      const after = (await this.repo.find(t.id, tx)) as Ticket;
      const zendesk = await this.mirror.update(tx, after, "resolve", { status: "resolved", ...(note ? { comment: { body: note.comment.body, public: note.comment.is_public } } : {}) });
      return { action: "resolve" as const, ticket: this.view(after), ...(note ? { comment: commentView(note.comment) } : {}), first_response_recorded: note?.firstResponse ?? false, zendesk };
    });
  }

  private async close(input: TicketInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const t = await this.locked(tx, input.ticket_id!);
      if (t.status === "closed") throw conflict(`ticket ${t.id} is already closed (at ${iso(t.closed_at)})`, "nothing to do; create a new ticket if the problem came back");
      if (t.status !== "resolved") throw conflict(`ticket ${t.id} is ${t.status}; resolve it before closing (action 'resolve')`, "call handle_support_ticket with action 'resolve' first");
      const note = input.notes !== undefined ? await this.addComment(tx, t, input.notes, "agent", input.author, input.is_public ?? true, now) : undefined;
      await tx.supportTicket.update({
        where: { id: t.id },
        data: { status: "closed", closed_at: now, updated_at: now, ...(input.satisfaction_rating !== undefined ? { satisfaction_rating: input.satisfaction_rating } : {}) },
      });
      await writeTimeline(tx, { account_id: t.account_id, event_type: "note", summary: `${t.priority} ticket closed`, data: { ticket_id: t.id }, occurred_at: now });
      await writeAudit(tx, { action: "close_ticket", entity_type: "support_ticket", entity_id: t.id, changes: { satisfaction_rating: input.satisfaction_rating ?? null, comment_id: note?.comment.id ?? null } });
      const after = (await this.repo.find(t.id, tx)) as Ticket;
      const zendesk = await this.mirror.update(tx, after, "close", { status: "closed", ...(note ? { comment: { body: note.comment.body, public: note.comment.is_public } } : {}) });
      return { action: "close" as const, ticket: this.view(after), ...(note ? { comment: commentView(note.comment) } : {}), zendesk };
    });
  }

  private async escalate(input: TicketInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const t = await this.locked(tx, input.ticket_id!);
      this.refuseClosed(t, "escalation");
      const escalation = await this.openEscalation(tx, t, input, now);
      // The escalation appears on the timeline from the escalations table and the ticket's escalated_at.
      await writeAudit(tx, { action: "escalate_ticket", entity_type: "support_ticket", entity_id: t.id, changes: { escalation_id: escalation.escalation_id, severity: escalation.severity, by_rule: escalation.triggered_by_rule.length > 0 } });
      const after = (await this.repo.find(t.id, tx)) as Ticket;
      const zendesk = await this.mirror.update(tx, after, "escalate", { comment: { body: `Escalated (${escalation.severity}): ${escalation.reason}`, public: false } });
      return { action: "escalate" as const, ticket: this.view(after), escalation, zendesk };
    });
  }
}
