// Business logic of the core toolset: registering, reading, listing and updating accounts, and the
// account's timeline. Every write commits together with its timeline entry and audit record.
import type { PrismaClient, Tier, LifecycleStage, Prisma as P } from "../generated/prisma/client.ts";
import { AccountRepository, lockAccount, type AccountFilters, type AccountSort, type AccountSortField, type NewContract } from "../repositories/accounts.ts";
import { TimelineRepository, type TimelineCursor } from "../repositories/timeline.ts";
import { loadOverview } from "../repositories/overview.ts";

/** Stored health scores the overview carries for the account view's chart (bounded: a result stays small). */
export const HEALTH_HISTORY_POINTS = 12;
import type { Database } from "../db/database.ts";
import { writeAudit, writeTimeline } from "../repositories/audit.ts";
import { conflict, notFound, validationError } from "../server/errors.ts";
import { dateOnly, toIso, toIsoDate, toMoney } from "../security/validation.ts";
import { companyKey, pickClientId } from "./client-ids.ts";
import { clipText } from "./shared/clip-text.ts";

export interface RegisterInput {
  client_name: string;
  company_name: string;
  primary_contact_email: string;
  primary_contact_name?: string | undefined;
  industry?: string | undefined;
  tier: Tier;
  contract_value?: number | undefined;
  contract_start_date?: string | undefined;
  contract_end_date?: string | undefined;
  renewal_date?: string | undefined;
  billing_frequency?: "monthly" | "quarterly" | "annual" | undefined;
  auto_renew?: boolean | undefined;
  seats?: number | undefined;
  external_id?: string | undefined;
  csm_name?: string | undefined;
  csm_email?: string | undefined;
}

export const EDITABLE_FIELDS = [
  "client_name",
  "company_name",
  "industry",
  "tier",
  "primary_contact_email",
  "primary_contact_name",
  "csm_name",
  "csm_email",
  "seats",
  "external_id",
  "contract_value",
  "contract_start_date",
  "contract_end_date",
  "renewal_date",
  "billing_frequency",
  "auto_renew",
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type Updates = Partial<Record<EditableField, string | number | boolean | null>>;

const ACCOUNT_FIELDS = new Set<EditableField>(["client_name", "company_name", "industry", "tier", "primary_contact_email", "primary_contact_name", "csm_name", "csm_email", "seats", "external_id"]);
const CONTRACT_FIELDS: Partial<Record<EditableField, string>> = {
  contract_value: "contract_value",
  contract_start_date: "start_date",
  contract_end_date: "end_date",
  renewal_date: "renewal_date",
  billing_frequency: "billing_frequency",
  auto_renew: "auto_renew",
};
const DATE_FIELDS = new Set<EditableField>(["contract_start_date", "contract_end_date", "renewal_date"]);

export function healthBand(score: number, bands: { atRiskBelow: number; healthyFrom: number; championFrom: number }): string {
  if (score >= bands.championFrom) return "champion";
  if (score >= bands.healthyFrom) return "healthy";
  if (score < bands.atRiskBelow) return "at_risk";
  return "needs_attention";
}

export function npsCategory(score: number): "promoter" | "passive" | "detractor" {
  return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
}

/** Whole days elapsed from `from` to `to` (calendar dates at midnight UTC give exact day counts). */
function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 86_400_000);
}

// A list_clients cursor: the sort it belongs to and the last row's sort value and id.
function encodeCursor(sort: AccountSort, row: { key: string | null; id: string }): string {
  return Buffer.from(JSON.stringify([sort.by, sort.order, row.key, row.id])).toString("base64url");
}

function decodeCursor(cursor: string, sort: AccountSort): { key: string | null; id: string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parts = null;
  }
  const [by, order, key, id] = Array.isArray(parts) ? parts : [];
  if (typeof id !== "string" || (key !== null && typeof key !== "string")) {
    throw validationError("cursor: is not a cursor this server issued", "pass next_cursor from the previous list_clients answer unchanged");
  }
  if (by !== sort.by || order !== sort.order) {
    throw validationError(`cursor: belongs to sort_by '${String(by)}' ${String(order)}, not '${sort.by}' ${sort.order}`, "page with the sort the cursor came from, or start again without cursor");
  }
  return { key, id };
}

// A get_client_timeline cursor: the last event of the page (its time, source table and row id).
function encodeTimelineCursor(c: TimelineCursor): string {
  return Buffer.from(JSON.stringify([c.at.toISOString(), c.source, c.source_id])).toString("base64url");
}

function decodeTimelineCursor(cursor: string): TimelineCursor {
  try {
    const [at, source, source_id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown, unknown];
    if (typeof at === "string" && !Number.isNaN(Date.parse(at)) && typeof source === "string" && typeof source_id === "string") return { at: new Date(at), source, source_id };
  } catch {
    /* fall through */
  }
  throw validationError("cursor: is not a cursor this server issued", "pass next_cursor from the previous get_client_timeline answer unchanged");
}

// Event texts come from customer data of any length (notes, ticket subjects, survey reasons): a page shows
// the first TEXT_CLIP characters of each; the full row is in its source table (the ticket, the feedback, ...).
const TEXT_CLIP = 200;
const clip = (v: string) => clipText(v, TEXT_CLIP);
const clipValues = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "string" ? clip(v) : v]));

export class ClientService {
  private readonly accounts: AccountRepository;
  private readonly timeline: TimelineRepository;

  private readonly prisma: PrismaClient;

  constructor(
    private readonly db: Pick<Database, "prisma" | "query">,
    private readonly bands: { atRiskBelow: number; healthyFrom: number; championFrom: number },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.prisma = db.prisma;
    this.accounts = new AccountRepository(db.prisma);
    this.timeline = new TimelineRepository(db.prisma);
  }

  async requireAccount(id: string) {
    const account = await this.accounts.findById(id);
    if (!account) throw notFound("client", id, "use list_clients to find the client_id, or register_client to create the account");
    return account;
  }

  async register(input: RegisterInput) {
    const key = companyKey(input.company_name);
    const existing = await this.accounts.findByCompanyAndContact(key, input.primary_contact_email);
    if (existing) {
      throw conflict(
        `${input.company_name} is already registered with contact ${input.primary_contact_email} as ${existing.id}`,
        "use the existing client_id (get_client_overview, update_client_info) instead of registering again",
        { client_id: existing.id },
      );
    }
    const start = input.contract_start_date ? dateOnly(input.contract_start_date) : null;
    const end = input.contract_end_date ? dateOnly(input.contract_end_date) : null;
    if (start && end && end < start) throw validationError("contract_end_date: must not be before contract_start_date");
    if (start && input.renewal_date && dateOnly(input.renewal_date) < start) {
      throw validationError(`renewal_date: must not be before contract_start_date (${input.renewal_date} < ${toIsoDate(start)}); nothing was registered`);
    }
    const hasContract = input.contract_value !== undefined || start !== null || end !== null;
    const contract: NewContract | null = hasContract
      ? {
          contract_value: input.contract_value ?? 0,
          billing_frequency: input.billing_frequency ?? "annual",
          start_date: start,
          end_date: end,
          renewal_date: input.renewal_date ? dateOnly(input.renewal_date) : end,
          auto_renew: input.auto_renew ?? false,
          seats: input.seats ?? null,
        }
      : null;

    const now = this.now();
    for (let attempt = 0; ; attempt++) {
      const seconds = `cs_${Math.floor(now.getTime() / 1000)}_`;
      const id = pickClientId(input.company_name, now, await this.accounts.idsWithPrefix(seconds));
      try {
        const contractId = await this.prisma.$transaction(async (tx) => {
          const cid = await this.accounts.create(
            tx,
            {
              id,
              client_name: input.client_name,
              company_name: input.company_name,
              company_key: key,
              industry: input.industry ?? null,
              tier: input.tier,
              arr: input.contract_value ?? 0,
              seats: input.seats ?? null,
              external_id: input.external_id ?? null,
              primary_contact_email: input.primary_contact_email,
              primary_contact_name: input.primary_contact_name ?? null,
              csm_name: input.csm_name ?? null,
              csm_email: input.csm_email ?? null,
              created_at: now,
            },
            contract,
          );
          await writeTimeline(tx, { account_id: id, event_type: "registered", summary: `Account registered (${input.tier})`, data: { contract_id: cid }, occurred_at: now });
          await writeAudit(tx, { action: "register_client", entity_type: "account", entity_id: id, changes: { tier: input.tier, contract_id: cid } });
          return cid;
        });
        return this.describeRegistration(id, contractId);
      } catch (err) {
        // Another registration took the same id (same company, same second) or the same company+contact.
        if ((err as { code?: string }).code === "P2002" && attempt < 3) {
          const dup = await this.accounts.findByCompanyAndContact(key, input.primary_contact_email);
          if (dup) throw conflict(`${input.company_name} is already registered with contact ${input.primary_contact_email} as ${dup.id}`, "use the existing client_id", { client_id: dup.id });
          continue;
        }
        throw err;
      }
    }
  }

  private async describeRegistration(id: string, contractId: string | null) {
    const account = await this.requireAccount(id);
    const contract = contractId ? await this.accounts.currentContract(id) : null;
    return {
      client_id: account.id,
      client_name: account.client_name,
      company_name: account.company_name,
      tier: account.tier,
      lifecycle_stage: account.lifecycle_stage,
      arr: toMoney(account.arr),
      created_at: account.created_at.toISOString(),
      contract: contract ? this.contractView(contract) : null,
    };
  }

  private contractView(c: {
    id: string;
    contract_value: { toString(): string };
    currency: string;
    billing_frequency: string;
    start_date: Date | null;
    end_date: Date | null;
    renewal_date: Date | null;
    auto_renew: boolean;
    payment_status: string;
    seats: number | null;
    status: string;
  }) {
    const renewal = c.renewal_date ?? c.end_date;
    const today = dateOnly(this.now().toISOString());
    return {
      contract_id: c.id,
      contract_value: toMoney(c.contract_value),
      currency: c.currency,
      billing_frequency: c.billing_frequency,
      start_date: toIsoDate(c.start_date),
      end_date: toIsoDate(c.end_date),
      renewal_date: toIsoDate(renewal),
      days_to_renewal: renewal ? daysBetween(today, renewal) : null,
      auto_renew: c.auto_renew,
      payment_status: c.payment_status,
      seats: c.seats,
      status: c.status,
    };
  }

  async overview(id: string) {
    const now = this.now();
    const o = await loadOverview(this.db, id, now, new Date(now.getTime() - 90 * 86_400_000), HEALTH_HISTORY_POINTS);
    const account = o.account;
    if (!account) throw notFound("client", id, "use list_clients to find the client_id, or register_client to create the account");
    const iso = (s: string | null) => (s ? new Date(s).toISOString() : null);
    const today = dateOnly(now.toISOString());

    const byPriority = { P1: 0, P2: 0, P3: 0, P4: 0 };
    let oldestOpen: string | null = null;
    for (const g of o.open_by_priority) {
      byPriority[g.priority] = g.n;
      const oldest = iso(g.oldest);
      if (oldest && (!oldestOpen || oldest < oldestOpen)) oldestOpen = oldest;
    }
    const openCount = Object.values(byPriority).reduce((a, b) => a + b, 0);
    const c = o.contract;
    const renewal = c ? (c.renewal_date ?? c.end_date) : null;
    const lastAt = o.last_engagement ? new Date(o.last_engagement.at) : null;
    const createdAt = new Date(account.customer_since_effective);

    const missing: Array<{ section: string; how_to_supply: string }> = [];
    if (!c) missing.push({ section: "contract", how_to_supply: "update_client_info with contract_value and contract dates" });
    if (!o.health) missing.push({ section: "health", how_to_supply: "calculate_health_score for this client_id (needs usage, ticket, survey or invoice data)" });
    if (!o.latest_nps) missing.push({ section: "satisfaction", how_to_supply: "collect_feedback with feedback_type nps, or `cs-mcp import nps <file>`" });
    if (!o.plan) missing.push({ section: "onboarding", how_to_supply: "create_onboarding_plan" });
    if (!o.last_engagement) missing.push({ section: "last_engagement", how_to_supply: "import usage events, tickets or survey answers" });

    return {
      client_id: account.id,
      profile: {
        client_name: account.client_name,
        company_name: account.company_name,
        industry: account.industry,
        tier: account.tier,
        lifecycle_stage: account.lifecycle_stage,
        status: account.status,
        arr: toMoney(account.arr),
        currency: account.currency,
        seats: account.seats,
        external_id: account.external_id,
        primary_contact: { name: account.primary_contact_name, email: account.primary_contact_email },
        csm: account.csm_name || account.csm_email ? { name: account.csm_name, email: account.csm_email } : null,
        customer_since: createdAt.toISOString(),
        tenure_days: daysBetween(createdAt, now),
        status_since: account.churned_at ?? null,
        churn_reason: account.churn_reason ?? null,
        attributes: boundedAttributes(account.attributes),
        is_demo: account.is_demo,
      },
      contract: c
        ? {
            contract_id: c.id,
            contract_value: toMoney(c.contract_value),
            currency: c.currency,
            billing_frequency: c.billing_frequency,
            start_date: c.start_date,
            end_date: c.end_date,
            renewal_date: renewal,
            days_to_renewal: renewal ? daysBetween(today, dateOnly(renewal)) : null,
            auto_renew: c.auto_renew,
            payment_status: c.payment_status,
            seats: c.seats,
            status: c.status,
          }
        : null,
      health: o.health
        ? {
            overall_score: o.health.overall_score,
            band: o.health.band,
            trend: o.health.trend,
            components: {
              usage: o.health.usage_score,
              engagement: o.health.engagement_score,
              support: o.health.support_score,
              satisfaction: o.health.satisfaction_score,
              payment: o.health.payment_score,
            },
            missing_components: o.health.missing_components,
            calculated_at: iso(o.health.calculated_at)!,
            history: o.history.map((p) => ({ ...p, calculated_at: iso(p.calculated_at)! })),
          }
        : null,
      support: {
        open_tickets: openCount,
        by_priority: byPriority,
        oldest_open_at: oldestOpen,
        recent_open: o.recent_open.map((t) => ({
          ticket_id: t.id,
          subject: t.subject,
          priority: t.priority,
          status: t.status,
          created_at: iso(t.created_at)!,
          resolution_breached: t.resolution_breached,
        })),
      },
      risks: {
        open_risk_indicators: o.risks.map((r) => ({ risk_id: r.id, category: r.category, indicator: r.indicator, severity: r.severity, detected_at: iso(r.detected_at)! })),
        open_escalations: o.escalations.map((e) => ({ escalation_id: e.id, severity: e.severity, status: e.status, reason: e.reason, created_at: iso(e.created_at)! })),
      },
      satisfaction: {
        latest_nps: o.latest_nps
          ? { score: o.latest_nps.score, category: npsCategory(o.latest_nps.score), responded_at: iso(o.latest_nps.responded_at)! }
          : null,
        nps_last_90_days: o.nps_window.n
          ? { responses: o.nps_window.n, nps: Math.round(((o.nps_window.promoters - o.nps_window.detractors) / o.nps_window.n) * 1000) / 10 }
          : null,
      },
      onboarding: o.plan
        ? {
            plan_id: o.plan.id,
            status: o.plan.status,
            target_date: o.plan.target_date,
            milestones_total: o.plan.total,
            milestones_completed: o.plan.completed,
            percent_complete: o.plan.total ? Math.round((o.plan.completed / o.plan.total) * 1000) / 10 : 0,
            overdue_milestones: o.plan.overdue,
          }
        : null,
      expansion: {
        open_opportunities: o.opportunity_totals.n,
        total_estimated_value: toMoney(o.opportunity_totals.value),
        top: o.opportunities.map((x) => ({ opportunity_id: x.id, type: x.type, product: x.product, estimated_value: toMoney(x.estimated_value), score: Number(x.score) })),
      },
      last_engagement: lastAt && o.last_engagement ? { at: lastAt.toISOString(), kind: o.last_engagement.kind, days_ago: daysBetween(lastAt, now) } : null,
      missing_data: missing,
    };
  }

  async list(input: {
    tier_filter?: Tier | undefined;
    lifecycle_stage_filter?: LifecycleStage | undefined;
    health_score_min?: number | undefined;
    health_score_max?: number | undefined;
    sort_by?: AccountSortField | undefined;
    sort_order?: "asc" | "desc" | undefined;
    limit: number;
    offset: number;
    cursor?: string | undefined;
  }) {
    if (input.cursor && input.offset > 0) throw validationError("cursor: cannot be combined with offset; use one or the other");
    if (input.health_score_min !== undefined && input.health_score_max !== undefined && input.health_score_min > input.health_score_max) {
      throw validationError("health_score_min: must not exceed health_score_max");
    }
    const filters: AccountFilters = {
      ...(input.tier_filter ? { tier: input.tier_filter } : {}),
      ...(input.lifecycle_stage_filter ? { lifecycle_stage: input.lifecycle_stage_filter } : {}),
      ...(input.health_score_min !== undefined ? { health_min: input.health_score_min } : {}),
      ...(input.health_score_max !== undefined ? { health_max: input.health_score_max } : {}),
    };
    const sort: AccountSort = { by: input.sort_by ?? "company_name", order: input.sort_order ?? "asc" };
    const after = input.cursor ? decodeCursor(input.cursor, sort) : undefined;
    const [total, rows] = await Promise.all([
      this.accounts.count(filters),
      this.accounts.page(filters, sort, input.limit + 1, input.offset, after),
    ]);
    const page = rows.slice(0, input.limit);
    const more = rows.length > input.limit;
    const last = page[page.length - 1];
    return {
      total,
      count: page.length,
      clients: page.map((a) => ({
        client_id: a.id,
        client_name: a.client_name,
        company_name: a.company_name,
        industry: a.industry,
        tier: a.tier,
        lifecycle_stage: a.lifecycle_stage,
        status: a.status,
        arr: toMoney(a.arr),
        health_score: a.health_score,
        health_band: a.health_score === null ? null : healthBand(a.health_score, this.bands),
        churn_probability: a.churn_probability,
        renewal_date: a.renewal_date,
        created_at: new Date(a.created_at).toISOString(),
      })),
      sort: { by: sort.by, order: sort.order },
      filters_applied: {
        tier: input.tier_filter ?? null,
        lifecycle_stage: input.lifecycle_stage_filter ?? null,
        health_score_min: input.health_score_min ?? null,
        health_score_max: input.health_score_max ?? null,
      },
      ...(input.health_score_min !== undefined || input.health_score_max !== undefined
        ? { note: "accounts with no health score yet are left out when a health filter is given" }
        : {}),
      limit: input.limit,
      offset: after ? null : input.offset,
      next_cursor: more && last ? encodeCursor(sort, last) : null,
    };
  }

  async update(id: string, updates: Updates, reason?: string) {
    const fields = Object.keys(updates) as EditableField[];
    if (fields.length === 0) throw validationError(`updates: must name at least one field (${EDITABLE_FIELDS.join(", ")})`);
    return this.prisma.$transaction(async (tx) => {
      await lockAccount(tx, id);
      const account = await tx.account.findUnique({ where: { id } });
      if (!account) throw notFound("client", id, "use list_clients to find the client_id");
      const contract = await this.accounts.currentContract(id, tx);

      const accountData: Record<string, unknown> = {};
      const contractData: Record<string, unknown> = {};
      type Scalar = string | number | boolean | null;
      const changes: Array<{ field: EditableField; from: Scalar; to: Scalar }> = [];
      const unchanged: EditableField[] = [];

      for (const field of fields) {
        const value = updates[field];
        if (ACCOUNT_FIELDS.has(field)) {
          const before = ((account as Record<string, unknown>)[field] ?? null) as Scalar;
          if (before === value) {
            unchanged.push(field);
            continue;
          }
          accountData[field] = value;
          changes.push({ field, from: before, to: value ?? null });
        } else {
          const column = CONTRACT_FIELDS[field] as string;
          const raw = contract ? (contract as Record<string, unknown>)[column] : null;
          const before: Scalar =
            raw instanceof Date ? toIsoDate(raw) : raw !== null && raw !== undefined && typeof raw === "object" ? toMoney(raw as { toString(): string }) : ((raw ?? null) as Scalar);
          if (before === value) {
            unchanged.push(field);
            continue;
          }
          contractData[column] = DATE_FIELDS.has(field) && typeof value === "string" ? dateOnly(value) : value;
          changes.push({ field, from: before, to: value ?? null });
        }
      }
      if ("company_name" in accountData) accountData.company_key = companyKey(String(accountData.company_name));
      if ("contract_value" in contractData) accountData.arr = contractData.contract_value;
      // Seats are the contract's as well as the account's: the active contract follows the account.
      if ("seats" in accountData && contract) contractData.seats = accountData.seats;

      const newKey = (accountData.company_key as string | undefined) ?? account.company_key;
      const newEmail = (accountData.primary_contact_email as string | undefined) ?? account.primary_contact_email;
      if (("company_key" in accountData || "primary_contact_email" in accountData) && newEmail) {
        const dup = await tx.account.findFirst({ where: { company_key: newKey, primary_contact_email: newEmail, id: { not: id } }, select: { id: true } });
        if (dup) throw conflict(`another account (${dup.id}) already has this company and primary contact email`, "update that account instead", { client_id: dup.id });
      }

      const start = (contractData.start_date as Date | undefined) ?? contract?.start_date ?? null;
      const end = (contractData.end_date as Date | undefined) ?? contract?.end_date ?? null;
      if (start && end && end < start) throw validationError("contract_end_date: must not be before contract_start_date");
      const renewal = "renewal_date" in contractData ? (contractData.renewal_date as Date | null) : (contract?.renewal_date ?? null);
      if (start && renewal && renewal < start) {
        const [field, rule] = "renewal_date" in contractData ? ["renewal_date", "must not be before contract_start_date"] : ["contract_start_date", "must not be after renewal_date"];
        throw validationError(`${field}: ${rule} (renewal_date ${toIsoDate(renewal)}, contract_start_date ${toIsoDate(start)}); nothing was changed`);
      }

      if (Object.keys(accountData).length) await tx.account.update({ where: { id }, data: accountData as P.AccountUpdateInput });
      if (Object.keys(contractData).length) {
        if (contract) await tx.contract.update({ where: { id: contract.id }, data: contractData as P.ContractUpdateInput });
        else await tx.contract.create({ data: { account_id: id, contract_value: 0, ...contractData } as P.ContractUncheckedCreateInput });
      }
      if ("primary_contact_email" in accountData || "primary_contact_name" in accountData) {
        const email = newEmail as string;
        await tx.contact.updateMany({ where: { account_id: id, is_primary: true, email: { not: email } }, data: { is_primary: false } });
        await tx.contact.upsert({
          where: { account_id_email: { account_id: id, email } },
          create: { account_id: id, email, name: (accountData.primary_contact_name as string | undefined) ?? account.primary_contact_name, is_primary: true, role: "primary" },
          update: { is_primary: true, ...("primary_contact_name" in accountData ? { name: accountData.primary_contact_name as string | null } : {}) },
        });
      }
      for (const change of changes) {
        await writeTimeline(tx, {
          account_id: id,
          event_type: "updated",
          summary: `${change.field} changed`,
          data: { field: change.field, from: change.from, to: change.to, ...(reason ? { reason } : {}) },
          occurred_at: this.now(),
        });
      }
      if (changes.length) await writeAudit(tx, { action: "update_client_info", entity_type: "account", entity_id: id, changes: { changes, ...(reason ? { reason } : {}) } });
      return { client_id: id, changed: changes, unchanged, updated_at: changes.length ? this.now().toISOString() : account.updated_at.toISOString() };
    });
  }

  async timelineOf(id: string, input: { start_date?: string | undefined; end_date?: string | undefined; event_types?: string[] | undefined; limit: number; cursor?: string | undefined }) {
    await this.requireAccount(id);
    const start = input.start_date ? new Date(input.start_date.length === 10 ? `${input.start_date}T00:00:00Z` : input.start_date) : new Date(0);
    const end = input.end_date ? new Date(input.end_date.length === 10 ? `${input.end_date}T23:59:59.999Z` : input.end_date) : new Date(8.64e15);
    if (end < start) throw validationError("end_date: must not be before start_date");
    const before = input.cursor ? decodeTimelineCursor(input.cursor) : undefined;
    const types = input.event_types?.length ? input.event_types : null;
    // One more than the page tells whether another page follows.
    const { rows, total } = await this.timeline.newestPage(id, start, end, types, input.limit + 1, before);
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    const more = rows.length > input.limit;
    return {
      client_id: id,
      order: "newest_first" as const,
      events: page.map((r) => ({
        occurred_at: new Date(r.occurred_at).toISOString(),
        event_type: r.event_type,
        summary: clip(r.summary),
        source: r.source,
        source_id: r.source_id,
        data: clipValues((r.data ?? {}) as Record<string, unknown>),
      })),
      total,
      returned: page.length,
      truncated: more,
      next_cursor: more && last ? encodeTimelineCursor({ at: new Date(last.occurred_at), source: last.source, source_id: last.source_id }) : null,
      period: { start: input.start_date ?? null, end: input.end_date ?? null },
    };
  }

}

/** At most 20 attributes, by name, each value at most 80 characters: the overview stays small. */
function boundedAttributes(attrs: Record<string, string | number> | null | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of Object.keys(attrs ?? {}).sort().slice(0, 20)) {
    const v = attrs![k]!;
    out[k] = typeof v === "string" && v.length > 80 ? `${v.slice(0, 79)}…` : v;
  }
  return out;
}
