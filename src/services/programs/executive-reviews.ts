// conduct_executive_review: schedule an EBR, prepare it from stored data (ebr-prepare.ts), record its
// outcomes, cancel it, and list the upcoming ones with the accounts that have gone too long without one.
// The timeline shows reviews from the executive_reviews table itself, so no timeline rows are written here.
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { ExecutiveReviewRepository } from "../../repositories/programs-ebr.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { TIERS, toIso, toMoney } from "../../security/validation.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { ReviewAssembler, type PreparedReview, type StoredOutcomes } from "./ebr-prepare.ts";
import { lockAccount } from "../../repositories/accounts.ts";

export const EBR_ACTIONS = ["schedule_ebr", "get_ebr_details", "prepare_ebr", "complete_ebr", "cancel_ebr", "list_upcoming_ebrs"] as const;
export type EbrAction = (typeof EBR_ACTIONS)[number];
export const SENTIMENTS = ["very_positive", "positive", "neutral", "mixed", "negative"] as const;
export const DEFAULT_REVIEW_DAYS = 90;
export const DEFAULT_DAYS_AHEAD = 30;
export const DEFAULT_GAP_DAYS = 90;
export const DEFAULT_GAP_TIERS = ["enterprise"] as const;

type Tier = (typeof TIERS)[number];

export interface EbrInput {
  action: EbrAction;
  ebr_id?: string | undefined;
  client_id?: string | undefined;
  scheduled_at?: string | undefined;
  title?: string | undefined;
  attendees?: string[] | undefined;
  agenda?: string[] | undefined;
  period_start?: string | undefined;
  period_end?: string | undefined;
  sentiment?: (typeof SENTIMENTS)[number] | undefined;
  decisions?: string[] | undefined;
  action_items?: Array<{ description: string; owner: string; due_date?: string | undefined }> | undefined;
  notes?: string | undefined;
  next_review_date?: string | undefined;
  reason?: string | undefined;
  early_completion_reason?: string | undefined;
  days_ahead?: number | undefined;
  gap_days?: number | undefined;
  gap_tiers?: Tier[] | undefined;
  limit: number;
}

type Field = Exclude<keyof EbrInput, "action" | "limit">;
const FIELDS: Field[] = ["ebr_id", "client_id", "scheduled_at", "title", "attendees", "agenda", "period_start", "period_end", "sentiment", "decisions", "action_items", "notes", "next_review_date", "reason", "early_completion_reason", "days_ahead", "gap_days", "gap_tiers"];

const RULES: Record<EbrAction, ActionRule<Field>> = {
  schedule_ebr: { required: ["client_id", "scheduled_at"], allowed: ["client_id", "scheduled_at", "title", "attendees", "agenda"] },
  get_ebr_details: { required: ["ebr_id"], allowed: ["ebr_id"] },
  prepare_ebr: { required: ["ebr_id"], allowed: ["ebr_id", "period_start", "period_end"] },
  complete_ebr: { required: ["ebr_id", "sentiment"], allowed: ["ebr_id", "sentiment", "decisions", "action_items", "notes", "next_review_date", "attendees", "early_completion_reason"], atLeastOne: ["decisions", "action_items"] },
  cancel_ebr: { required: ["ebr_id", "reason"], allowed: ["ebr_id", "reason"] },
  list_upcoming_ebrs: { required: [], allowed: ["days_ahead", "client_id", "gap_days", "gap_tiers"] },
};

const parseWhen = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s);

type ReviewRow = Prisma.ExecutiveReviewGetPayload<{ include: { account: { select: { company_name: true; tier: true } } } }>;

function reviewView(r: ReviewRow) {
  const outcomes = (r.outcomes ?? null) as StoredOutcomes | null;
  return {
    ebr_id: r.id,
    client_id: r.account_id,
    company_name: r.account.company_name,
    tier: r.account.tier,
    title: r.title,
    status: r.status,
    scheduled_at: r.scheduled_at.toISOString(),
    attendees: r.attendees,
    agenda: (r.agenda ?? []) as string[],
    period_start: toIso(r.period_start),
    period_end: toIso(r.period_end),
    prepared_at: toIso(r.prepared_at),
    completed_at: toIso(r.completed_at),
    cancelled_at: toIso(r.cancelled_at),
    cancel_reason: r.cancel_reason,
    outcomes: outcomes ? { sentiment: outcomes.sentiment, decisions: outcomes.decisions, action_items: outcomes.action_items.map((a) => ({ description: a.description, owner: a.owner, due_date: a.due_date, status: a.status ?? "open" })), notes: outcomes.notes ?? null, next_review_date: outcomes.next_review_date ?? null } : null,
    created_at: r.created_at.toISOString(),
  };
}

export class ExecutiveReviewService {
  private readonly repo: ExecutiveReviewRepository;
  private readonly assembler: ReviewAssembler;

  constructor(
    private readonly prisma: PrismaClient,
    config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new ExecutiveReviewRepository(prisma);
    this.assembler = new ReviewAssembler(prisma, config);
  }

  checkFields(input: EbrInput): void {
    checkActionFields(input.action, input, FIELDS, RULES);
    const now = this.now();
    const problems: string[] = [];
    if (input.action === "schedule_ebr" && input.scheduled_at && parseWhen(input.scheduled_at).getTime() < now.getTime()) problems.push(`scheduled_at: must not be in the past (now is ${now.toISOString()})`);
    if (input.period_end && parseWhen(input.period_end).getTime() > now.getTime()) problems.push("period_end: must not be in the future (a review reports stored data up to now)");
    if (input.period_start && input.period_end && parseWhen(input.period_start).getTime() >= parseWhen(input.period_end).getTime()) problems.push("period_start: must be before period_end");
    if ((input.decisions !== undefined || input.action_items !== undefined) && (input.decisions?.length ?? 0) + (input.action_items?.length ?? 0) === 0) problems.push("decisions: give at least one decision or action item");
    if (problems.length) throw validationError(problems.join("; "), "nothing was changed");
  }

  async handle(input: EbrInput) {
    this.checkFields(input);
    switch (input.action) {
      case "schedule_ebr":
        return this.schedule(input);
      case "get_ebr_details":
        return this.details(input);
      case "prepare_ebr":
        return this.prepare(input);
      case "complete_ebr":
        return this.complete(input);
      case "cancel_ebr":
        return this.cancel(input);
      case "list_upcoming_ebrs":
        return this.upcoming(input);
    }
  }

  private async find(tx: Prisma.TransactionClient | PrismaClient, id: string) {
    const r = await tx.executiveReview.findUnique({ where: { id }, include: { account: { select: { company_name: true, tier: true } } } });
    if (!r) throw notFound("executive review", id, "use conduct_executive_review with action 'list_upcoming_ebrs' to find the ebr_id");
    return r;
  }

  private async schedule(input: EbrInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      await lockAccount(tx, input.client_id!);
      const account = await tx.account.findUnique({ where: { id: input.client_id! }, select: { id: true, company_name: true, status: true } });
      if (!account) throw notFound("client", input.client_id!, "use list_clients to find the client_id");
      if (account.status === "churned") throw conflict(`${account.company_name} has churned; no executive review can be scheduled`);
      const open = await tx.executiveReview.findFirst({ where: { account_id: account.id, status: { in: ["scheduled", "prepared"] } }, orderBy: { scheduled_at: "asc" } });
      if (open) throw conflict(`${account.company_name} already has an open executive review ${open.id} (${open.status}, ${open.scheduled_at.toISOString()})`, "complete or cancel it first (complete_ebr / cancel_ebr); nothing was changed", { ebr_id: open.id });
      const r = await tx.executiveReview.create({
        data: { account_id: account.id, title: input.title ?? null, scheduled_at: parseWhen(input.scheduled_at!), status: "scheduled", attendees: input.attendees ?? [], agenda: input.agenda ?? [], created_at: now },
        include: { account: { select: { company_name: true, tier: true } } },
      });
      await writeAudit(tx, { action: "schedule_ebr", entity_type: "executive_review", entity_id: r.id, changes: { client_id: account.id, scheduled_at: r.scheduled_at.toISOString(), attendees: r.attendees.length } });
      return { action: "schedule_ebr" as const, review: reviewView(r) };
    });
  }

  private async details(input: EbrInput) {
    const r = await this.find(this.prisma, input.ebr_id!);
    return { action: "get_ebr_details" as const, review: reviewView(r), prepared_data: (r.prepared_data ?? null) as PreparedReview | null };
  }

  private async prepare(input: EbrInput) {
    const now = this.now();
    const r = await this.find(this.prisma, input.ebr_id!);
    if (r.status === "completed" || r.status === "cancelled") throw conflict(`executive review ${r.id} is ${r.status}; only a scheduled or prepared review can be prepared`, "schedule a new review with schedule_ebr");
    const account = await this.prisma.account.findUniqueOrThrow({ where: { id: r.account_id }, select: { id: true, company_name: true, tier: true, arr: true, currency: true } });
    const end = input.period_end ? parseWhen(input.period_end) : now;
    let start: Date;
    let basis: string;
    if (input.period_start) {
      start = parseWhen(input.period_start);
      basis = "given period_start";
    } else {
      const previous = await this.repo.previousCompleted(r.account_id, end, r.id);
      if (previous?.completed_at && previous.completed_at.getTime() < end.getTime()) {
        start = previous.completed_at;
        basis = `since the previous completed review ${previous.id} (${previous.completed_at.toISOString().slice(0, 10)})`;
      } else {
        start = new Date(end.getTime() - DEFAULT_REVIEW_DAYS * 86_400_000);
        basis = `the last ${DEFAULT_REVIEW_DAYS} days (no earlier completed review)`;
      }
    }
    if (start.getTime() >= end.getTime()) throw validationError(`period_start: must be before the period end ${end.toISOString()}`);
    const prepared = await this.assembler.assemble(account, { start, end, basis }, r.id, now);
    const updated = await this.prisma.$transaction(async (tx) => {
      // Re-checked inside the transaction: a review completed meanwhile is not overwritten.
      const n = await tx.executiveReview.updateMany({
        where: { id: r.id, status: { in: ["scheduled", "prepared"] } },
        data: { status: "prepared", prepared_data: prepared as unknown as Prisma.InputJsonValue, period_start: start, period_end: end, prepared_at: now },
      });
      if (n.count === 0) throw conflict(`executive review ${r.id} changed while it was being prepared`, "get_ebr_details shows its state");
      await writeAudit(tx, { action: "prepare_ebr", entity_type: "executive_review", entity_id: r.id, changes: { period_start: start.toISOString(), period_end: end.toISOString(), sections_missing: prepared.summary.sections_missing } });
      return this.find(tx, r.id);
    });
    return { action: "prepare_ebr" as const, review: reviewView(updated), prepared_data: prepared };
  }

  private async complete(input: EbrInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const r = await this.find(tx, input.ebr_id!);
      if (r.status === "completed" || r.status === "cancelled") throw conflict(`executive review ${r.id} is already ${r.status}${r.completed_at ? ` (${r.completed_at.toISOString()})` : ""}`, "nothing was changed");
      // A review is completed once it has taken place: before its date only when the caller says why.
      const early = r.scheduled_at.getTime() > now.getTime();
      if (early && !input.early_completion_reason) {
        throw validationError(
          `ebr_id: review ${r.id} is scheduled for ${r.scheduled_at.toISOString()}, after now (${now.toISOString()}); a review cannot be completed before its date`,
          "if it was held earlier, pass early_completion_reason saying so; otherwise complete it after it happens; nothing was changed",
        );
      }
      const outcomes: StoredOutcomes = {
        sentiment: input.sentiment!,
        decisions: input.decisions ?? [],
        action_items: (input.action_items ?? []).map((a) => ({ description: a.description, owner: a.owner, due_date: a.due_date ?? null, status: "open" })),
        notes: input.notes ?? null,
        next_review_date: input.next_review_date ?? null,
      };
      await tx.executiveReview.update({
        where: { id: r.id },
        data: { status: "completed", completed_at: now, outcomes: outcomes as unknown as Prisma.InputJsonValue, ...(input.attendees ? { attendees: input.attendees } : {}) },
      });
      await writeAudit(tx, {
        action: "complete_ebr",
        entity_type: "executive_review",
        entity_id: r.id,
        changes: { from_status: r.status, sentiment: outcomes.sentiment, decisions: outcomes.decisions.length, action_items: outcomes.action_items.length, ...(early ? { completed_before_scheduled_at: r.scheduled_at.toISOString(), early_completion_reason: input.early_completion_reason } : {}) },
      });
      const warnings = r.status === "scheduled" ? ["the review was completed without prepare_ebr: no prepared data is stored with it"] : [];
      if (early) warnings.push(`completed before its scheduled time ${r.scheduled_at.toISOString()}: ${input.early_completion_reason}`);
      return { action: "complete_ebr" as const, review: reviewView(await this.find(tx, r.id)), warnings };
    });
  }

  private async cancel(input: EbrInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const r = await this.find(tx, input.ebr_id!);
      if (r.status === "completed" || r.status === "cancelled") throw conflict(`executive review ${r.id} is already ${r.status}`, "nothing was changed");
      await tx.executiveReview.update({ where: { id: r.id }, data: { status: "cancelled", cancelled_at: now, cancel_reason: input.reason! } });
      await writeAudit(tx, { action: "cancel_ebr", entity_type: "executive_review", entity_id: r.id, changes: { from_status: r.status, reason: input.reason } });
      return { action: "cancel_ebr" as const, review: reviewView(await this.find(tx, r.id)) };
    });
  }

  private async upcoming(input: EbrInput) {
    const now = this.now();
    const daysAhead = input.days_ahead ?? DEFAULT_DAYS_AHEAD;
    const gapDays = input.gap_days ?? DEFAULT_GAP_DAYS;
    const tiers = input.gap_tiers ?? [...DEFAULT_GAP_TIERS];
    if (input.client_id) {
      const exists = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!exists) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const to = new Date(now.getTime() + daysAhead * 86_400_000);
    const since = new Date(now.getTime() - gapDays * 86_400_000);
    const [upcoming, overdue, gaps] = await Promise.all([
      this.repo.upcoming(now, to, input.client_id ?? null, input.limit),
      this.repo.overdue(now, input.client_id ?? null, input.limit),
      input.client_id ? Promise.resolve([]) : this.repo.gaps(tiers, since, now, input.limit),
    ]);
    const day = 86_400_000;
    return {
      action: "list_upcoming_ebrs" as const,
      window: { from: now.toISOString(), to: to.toISOString(), days_ahead: daysAhead },
      upcoming: upcoming.map((r) => ({ ebr_id: r.id, client_id: r.account_id, company_name: r.company_name, tier: r.tier, arr: toMoney(r.arr), title: r.title, status: r.status, scheduled_at: r.scheduled_at.toISOString(), days_until: Math.floor((r.scheduled_at.getTime() - now.getTime()) / day), prepared: r.status === "prepared", attendees: r.attendees })),
      overdue: overdue.map((r) => ({ ebr_id: r.id, client_id: r.account_id, company_name: r.company_name, status: r.status, scheduled_at: r.scheduled_at.toISOString(), days_overdue: Math.floor((now.getTime() - r.scheduled_at.getTime()) / day) })),
      gaps: {
        rule: `active ${tiers.join("/")} accounts with no completed executive review in the last ${gapDays} days`,
        tiers,
        gap_days: gapDays,
        total: gaps.length ? Number(gaps[0]!.total) : 0,
        accounts: gaps.map((g) => ({
          client_id: g.account_id,
          company_name: g.company_name,
          tier: g.tier,
          arr: toMoney(g.arr),
          csm_name: g.csm_name,
          last_review_completed_at: toIso(g.last_completed_at),
          days_since_last_review: g.last_completed_at ? Math.floor((now.getTime() - g.last_completed_at.getTime()) / day) : null,
          next_scheduled_ebr_id: g.next_ebr_id,
          next_scheduled_at: toIso(g.next_scheduled_at),
        })),
        ...(input.client_id ? { note: "the gap list covers the portfolio; leave client_id out to see it" } : {}),
      },
    };
  }
}
