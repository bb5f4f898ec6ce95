// manage_advocacy_program: enroll eligible contacts as advocates, record their contributions (points from
// the documented table), manual awards with a reason, status changes, profiles, lists and the program's
// analytics — every total summed from the stored contribution and award rows.
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import { CURRENT_ARR_RULE } from "../../repositories/current-arr.ts";
import type { Config } from "../../config/load.ts";
import { AdvocacyRepository, type AdvocateRow } from "../../repositories/programs-advocacy.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { toIso, toMoney } from "../../security/validation.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { percent, resolvePeriod } from "./fields.ts";
import { CONTRIBUTION_TYPES, evaluateEligibility, pointsTable, type ContributionType } from "./advocacy-rules.ts";

export const ADVOCACY_ACTIONS = ["enroll_advocate", "get_advocate_profile", "list_advocates", "track_contribution", "award_points", "set_status", "get_program_analytics"] as const;
export type AdvocacyAction = (typeof ADVOCACY_ACTIONS)[number];
export const ADVOCATE_STATUSES = ["active", "paused", "retired"] as const;
export const RENEWAL_OUTCOMES = ["renewed", "not_renewed", "churned", "unrecorded", "upcoming", "no_contract"] as const;
export const RENEWAL_RULE =
  "per account with an active advocate: churned if the account churned; else the latest contract whose renewal date has passed — renewed (status renewed), " +
  "not_renewed (cancelled or expired), unrecorded (still active); else upcoming (a renewal date ahead) or no_contract. Renewal rate = renewed ÷ (renewed + not_renewed + churned).";
const DEFAULT_PERIOD_DAYS = 90;
const LEADERBOARD = 10;

export interface AdvocacyInput {
  action: AdvocacyAction;
  advocate_id?: string | undefined;
  client_id?: string | undefined;
  email?: string | undefined;
  advocate_name?: string | undefined;
  override_reason?: string | undefined;
  status?: (typeof ADVOCATE_STATUSES)[number] | undefined;
  contribution_type?: ContributionType | undefined;
  description?: string | undefined;
  occurred_at?: string | undefined;
  referred_client_id?: string | undefined;
  points?: number | undefined;
  reason?: string | undefined;
  awarded_by?: string | undefined;
  period_days?: number | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  limit: number;
  offset: number;
}

type Field = Exclude<keyof AdvocacyInput, "action" | "limit" | "offset">;
const FIELDS: Field[] = ["advocate_id", "client_id", "email", "advocate_name", "override_reason", "status", "contribution_type", "description", "occurred_at", "referred_client_id", "points", "reason", "awarded_by", "period_days", "start_date", "end_date"];

const RULES: Record<AdvocacyAction, ActionRule<Field>> = {
  enroll_advocate: { required: ["client_id", "email"], allowed: ["client_id", "email", "advocate_name", "override_reason"] },
  get_advocate_profile: { required: [], allowed: ["advocate_id", "client_id", "email"], atLeastOne: ["advocate_id", "email"] },
  list_advocates: { required: [], allowed: ["status", "client_id"] },
  track_contribution: { required: ["advocate_id", "contribution_type"], allowed: ["advocate_id", "contribution_type", "description", "occurred_at", "referred_client_id"] },
  award_points: { required: ["advocate_id", "points", "reason"], allowed: ["advocate_id", "points", "reason", "awarded_by"] },
  set_status: { required: ["advocate_id", "status", "reason"], allowed: ["advocate_id", "status", "reason"] },
  get_program_analytics: { required: [], allowed: ["period_days", "start_date", "end_date"] },
};

function advocateView(a: AdvocateRow) {
  const contributionPoints = Number(a.contribution_points);
  const awardPoints = Number(a.award_points);
  return {
    advocate_id: a.id,
    client_id: a.account_id,
    company_name: a.company_name,
    email: a.email,
    name: a.name,
    status: a.status,
    status_reason: a.status_reason,
    points: { total: contributionPoints + awardPoints, from_contributions: contributionPoints, from_awards: awardPoints },
    contributions: Number(a.contributions),
    last_contribution_at: toIso(a.last_contribution_at),
    enrolled_at: a.enrolled_at.toISOString(),
  };
}

const page = (total: number, count: number, limit: number, offset: number) => ({ total, count, limit, offset, next_offset: offset + count < total ? offset + count : null });

export class AdvocacyService {
  private readonly repo: AdvocacyRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new AdvocacyRepository(prisma);
  }

  /** The points per contribution type in force (ADVOCACY_POINTS). */
  get points() {
    return pointsTable(this.config);
  }

  checkFields(input: AdvocacyInput): void {
    checkActionFields(input.action, input, FIELDS, RULES);
    const problems: string[] = [];
    if (input.action === "get_advocate_profile") {
      if (input.advocate_id === undefined && input.client_id === undefined) problems.push("action 'get_advocate_profile' with email needs client_id (missing)");
      if (input.advocate_id !== undefined && (input.email !== undefined || input.client_id !== undefined)) problems.push("action 'get_advocate_profile': give advocate_id, or client_id with email, not both");
    }
    if (input.referred_client_id !== undefined && input.contribution_type !== undefined && input.contribution_type !== "referral") problems.push(`referred_client_id: only a 'referral' contribution names a referred account (contribution_type is '${input.contribution_type}')`);
    if (input.occurred_at !== undefined && new Date(input.occurred_at.length === 10 ? `${input.occurred_at}T00:00:00Z` : input.occurred_at).getTime() > this.now().getTime()) problems.push("occurred_at: must not be in the future");
    if (input.points === 0) problems.push("points: must not be 0");
    if (input.action === "get_program_analytics" && input.period_days !== undefined && input.start_date !== undefined) problems.push("action 'get_program_analytics': give period_days or start_date, not both");
    if (problems.length) throw validationError(problems.join("; "), "nothing was changed");
  }

  async handle(input: AdvocacyInput) {
    this.checkFields(input);
    switch (input.action) {
      case "enroll_advocate":
        return this.enroll(input);
      case "get_advocate_profile":
        return this.profile(input);
      case "list_advocates":
        return this.list(input);
      case "track_contribution":
        return this.track(input);
      case "award_points":
        return this.award(input);
      case "set_status":
        return this.setStatus(input);
      case "get_program_analytics":
        return this.analytics(input);
    }
  }

  private async enroll(input: AdvocacyInput) {
    const now = this.now();
    const email = input.email!;
    return this.prisma.$transaction(async (tx) => {
      const signals = await this.repo.eligibilitySignals(input.client_id!, email, tx);
      if (!signals) throw notFound("client", input.client_id!, "use list_clients to find the client_id");
      const existing = await tx.advocate.findUnique({ where: { account_id_email: { account_id: input.client_id!, email } } });
      if (existing) throw conflict(`${email} is already an advocate of ${signals.company_name} (advocate_id ${existing.id}, status ${existing.status})`, existing.status === "active" ? "use get_advocate_profile" : "use action 'set_status' to make the advocate active again", { advocate_id: existing.id });
      const eligibility = evaluateEligibility(signals, this.config);
      if (!eligibility.eligible && !input.override_reason) {
        throw conflict(
          `${email} at ${signals.company_name} is not eligible for the advocacy program: ${eligibility.reasons.join("; ")}`,
          `rules: ${eligibility.rules}. Pass override_reason to enroll anyway (recorded with the enrollment and audited); nothing was changed`,
          { reasons: eligibility.reasons, checks: eligibility.checks },
        );
      }
      const contact = await tx.contact.findFirst({ where: { account_id: input.client_id!, email: { equals: email, mode: "insensitive" } }, select: { id: true, name: true } });
      const stored = { ...eligibility, checked_at: now.toISOString(), override_reason: eligibility.eligible ? null : input.override_reason! };
      const a = await tx.advocate.create({
        data: { account_id: input.client_id!, email, name: input.advocate_name ?? contact?.name ?? null, status: "active", points: 0, eligibility: stored as unknown as Prisma.InputJsonValue, enrolled_at: now },
      });
      await writeTimeline(tx, { account_id: a.account_id, event_type: "note", summary: `Advocate enrolled: ${email}${eligibility.eligible ? "" : " (eligibility overridden)"}`, data: { advocate_id: a.id }, occurred_at: now });
      await writeAudit(tx, { action: "enroll_advocate", entity_type: "advocate", entity_id: a.id, changes: { client_id: a.account_id, eligible: eligibility.eligible, reasons: eligibility.reasons, override_reason: stored.override_reason } });
      const warnings = [
        ...(eligibility.eligible ? [] : eligibility.reasons.map((r) => `enrolled despite: ${r} (override: ${input.override_reason})`)),
        ...(contact ? [] : [`${email} is not a stored contact of ${signals.company_name}; add the contact with update_client_info`]),
      ];
      const row = await this.repo.advocate(a.id, tx);
      return { action: "enroll_advocate" as const, advocate: advocateView(row!), eligibility: { eligible: eligibility.eligible, checks: eligibility.checks, reasons: eligibility.reasons, rules: eligibility.rules, override_reason: stored.override_reason }, warnings };
    });
  }

  private async findAdvocate(input: AdvocacyInput) {
    if (input.advocate_id) {
      const a = await this.repo.advocate(input.advocate_id);
      if (!a) throw notFound("advocate", input.advocate_id, "use manage_advocacy_program with action 'list_advocates' to find the advocate_id");
      return a;
    }
    const exists = await this.prisma.account.findUnique({ where: { id: input.client_id! }, select: { id: true } });
    if (!exists) throw notFound("client", input.client_id!, "use list_clients to find the client_id");
    const a = await this.repo.advocateByEmail(input.client_id!, input.email!);
    if (!a) throw notFound("advocate", `${input.email} at ${input.client_id}`, "enroll the contact with action 'enroll_advocate' first");
    return a;
  }

  private async profile(input: AdvocacyInput) {
    const a = await this.findAdvocate(input);
    const [contributions, awards, signals, stored] = await Promise.all([
      this.repo.recentContributions(a.id, 20),
      this.repo.recentAwards(a.id, 20),
      this.repo.eligibilitySignals(a.account_id, a.email),
      this.prisma.advocate.findUnique({ where: { id: a.id }, select: { eligibility: true } }),
    ]);
    const now = evaluateEligibility(signals!, this.config);
    return {
      action: "get_advocate_profile" as const,
      advocate: advocateView(a),
      account: { client_id: a.account_id, company_name: a.company_name, tier: a.tier, arr: toMoney(a.arr), health_score: signals!.health_score, latest_nps: signals!.nps_score },
      recent_contributions: contributions.map((c) => ({ contribution_id: c.id, contribution_type: c.type, description: c.description, points: c.points, occurred_at: c.occurred_at.toISOString(), referred_client_id: c.referred_account_id, referred_company: c.referred_company })),
      recent_awards: awards.map((w) => ({ award_id: w.id, points: w.points, reason: w.reason, awarded_by: w.awarded_by, awarded_at: w.awarded_at.toISOString() })),
      eligibility_now: { eligible: now.eligible, checks: now.checks, reasons: now.reasons, rules: now.rules },
      enrollment_override_reason: ((stored?.eligibility as { override_reason?: string | null } | null)?.override_reason ?? null),
      points_table: this.points,
    };
  }

  private async list(input: AdvocacyInput) {
    if (input.client_id) {
      const exists = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!exists) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const rows = await this.repo.list({ status: input.status, account_id: input.client_id }, input.limit, input.offset);
    const total = rows.length ? Number(rows[0]!.total) : 0;
    return { action: "list_advocates" as const, advocates: rows.map(advocateView), ...page(total, rows.length, input.limit, input.offset) };
  }

  private async requireAdvocate(tx: Prisma.TransactionClient, id: string) {
    const a = await tx.advocate.findUnique({ where: { id } });
    if (!a) throw notFound("advocate", id, "use manage_advocacy_program with action 'list_advocates' to find the advocate_id");
    return a;
  }

  private async track(input: AdvocacyInput) {
    const now = this.now();
    const type = input.contribution_type!;
    const points = this.points[type];
    return this.prisma.$transaction(async (tx) => {
      const a = await this.requireAdvocate(tx, input.advocate_id!);
      if (a.status !== "active") throw conflict(`advocate ${a.id} is ${a.status}${a.status_reason ? ` (${a.status_reason})` : ""}; contributions are recorded for active advocates`, "use action 'set_status' to make the advocate active first");
      if (input.referred_client_id) {
        const referred = await tx.account.findUnique({ where: { id: input.referred_client_id }, select: { id: true } });
        if (!referred) throw notFound("client", input.referred_client_id, "register the referred company with register_client first, or leave referred_client_id out");
        if (referred.id === a.account_id) throw validationError("referred_client_id: must be another account than the advocate's own");
      }
      const occurredAt = input.occurred_at ? new Date(input.occurred_at.length === 10 ? `${input.occurred_at}T00:00:00Z` : input.occurred_at) : now;
      const c = await tx.advocateContribution.create({ data: { advocate_id: a.id, type, description: input.description ?? null, points, occurred_at: occurredAt, referred_account_id: input.referred_client_id ?? null } });
      await tx.advocate.update({ where: { id: a.id }, data: { points: { increment: points } } });
      await writeTimeline(tx, { account_id: a.account_id, event_type: "note", summary: `Advocate contribution: ${type} by ${a.email} (+${points} points)`, data: { advocate_id: a.id, contribution_id: c.id }, occurred_at: occurredAt });
      await writeAudit(tx, { action: "track_advocate_contribution", entity_type: "advocate_contribution", entity_id: c.id, changes: { advocate_id: a.id, type, points, referred_client_id: c.referred_account_id } });
      const row = await this.repo.advocate(a.id, tx);
      return {
        action: "track_contribution" as const,
        contribution: { contribution_id: c.id, contribution_type: type, description: c.description, points, occurred_at: c.occurred_at.toISOString(), referred_client_id: c.referred_account_id, referred_company: null },
        advocate: advocateView(row!),
        points_rule: `${type} = ${points} points (ADVOCACY_POINTS)`,
      };
    });
  }

  private async award(input: AdvocacyInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const a = await this.requireAdvocate(tx, input.advocate_id!);
      const row = await this.repo.advocate(a.id, tx);
      const balance = Number(row!.contribution_points) + Number(row!.award_points);
      if (balance + input.points! < 0) throw conflict(`advocate ${a.id} has ${balance} points; a correction of ${input.points} would leave ${balance + input.points!}`, "points cannot go below 0; nothing was changed");
      const w = await tx.advocatePointAward.create({ data: { advocate_id: a.id, points: input.points!, reason: input.reason!, awarded_by: input.awarded_by ?? null, awarded_at: now } });
      await tx.advocate.update({ where: { id: a.id }, data: { points: { increment: input.points! } } });
      await writeAudit(tx, { action: "award_advocate_points", entity_type: "advocate", entity_id: a.id, changes: { award_id: w.id, points: w.points, reason: w.reason, awarded_by: w.awarded_by } });
      const after = await this.repo.advocate(a.id, tx);
      return { action: "award_points" as const, award: { award_id: w.id, points: w.points, reason: w.reason, awarded_by: w.awarded_by, awarded_at: w.awarded_at.toISOString() }, advocate: advocateView(after!) };
    });
  }

  private async setStatus(input: AdvocacyInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const a = await this.requireAdvocate(tx, input.advocate_id!);
      if (a.status === input.status) throw conflict(`advocate ${a.id} is already ${a.status}`, "nothing was changed");
      await tx.advocate.update({ where: { id: a.id }, data: { status: input.status!, status_reason: input.reason! } });
      await writeAudit(tx, { action: "set_advocate_status", entity_type: "advocate", entity_id: a.id, changes: { from: a.status, to: input.status, reason: input.reason, at: now.toISOString() } });
      const row = await this.repo.advocate(a.id, tx);
      return { action: "set_status" as const, advocate: advocateView(row!), from_status: a.status };
    });
  }

  private async analytics(input: AdvocacyInput) {
    const now = this.now();
    const period = resolvePeriod(now, input.period_days ?? DEFAULT_PERIOD_DAYS, input.start_date, input.end_date);
    const [statuses, enrolled, byType, awards, leaders, accounts, referrals] = await Promise.all([
      this.repo.statusCounts(),
      this.repo.enrolledBetween(period.start, period.end),
      this.repo.contributionsByType(period.start, period.end),
      this.repo.awardsBetween(period.start, period.end),
      this.repo.leaderboard(period.start, period.end, LEADERBOARD),
      this.repo.advocateAccounts(now),
      this.repo.referrals(period.start, period.end),
    ]);
    const table = this.points;
    const typeRows = CONTRIBUTION_TYPES.map((t) => {
      const r = byType.find((x) => x.type === t);
      return { contribution_type: t, contributions: r ? Number(r.contributions) : 0, points: r ? Number(r.points) : 0, advocates: r ? Number(r.advocates) : 0, points_each_now: table[t] };
    });
    // ARR sums in decimal (numeric text from SQL), rounded for display only.
    const sumArr = (xs: Array<string | null>) => xs.reduce((acc, v) => (v === null ? acc : acc.plus(new Prisma.Decimal(v))), new Prisma.Decimal(0));
    const outcomes = RENEWAL_OUTCOMES.map((o) => {
      const rows = accounts.filter((a) => a.outcome === o);
      return { outcome: o, accounts: rows.length, arr: toMoney(sumArr(rows.map((r) => r.arr))) };
    });
    const count = (o: string) => accounts.filter((a) => a.outcome === o).length;
    const decided = count("renewed") + count("not_renewed") + count("churned");
    const linked = referrals.filter((r) => r.referred_account_id !== null);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (!statuses.length) missing.push({ what: "no advocates enrolled", how_to_supply: "enroll contacts with manage_advocacy_program action 'enroll_advocate'" });
    if (statuses.length && !byType.length) missing.push({ what: "no contributions recorded in the period", how_to_supply: "record them with action 'track_contribution'" });
    if (count("no_contract") > 0) missing.push({ what: `${count("no_contract")} advocate accounts have no contract with a renewal date: their renewal outcome is unknown`, how_to_supply: "record the contract with update_client_info (contract_value, renewal_date) or `cs-mcp import accounts`" });
    return {
      action: "get_program_analytics" as const,
      period: { start: period.start.toISOString(), end: period.end.toISOString(), days: period.days },
      advocates_by_status: ADVOCATE_STATUSES.map((s) => ({ status: s, advocates: Number(statuses.find((x) => x.status === s)?.advocates ?? 0) })),
      enrolled_in_period: enrolled,
      contributions_by_type: typeRows,
      contributions_total: { contributions: typeRows.reduce((n, r) => n + r.contributions, 0), points: typeRows.reduce((n, r) => n + r.points, 0) },
      manual_awards: { awards: Number(awards.awards), points: Number(awards.points) },
      leaderboard: leaders.map((l, i) => ({ rank: i + 1, advocate_id: l.advocate_id, email: l.email, name: l.name, status: l.status, client_id: l.account_id, company_name: l.company_name, total_points: Number(l.total_points), period_points: Number(l.period_points), contributions: Number(l.contributions) })),
      advocate_accounts: {
        accounts: accounts.length,
        total_arr: toMoney(sumArr(accounts.filter((a) => a.outcome !== "churned").map((a) => a.arr))),
        churned_arr: toMoney(sumArr(accounts.filter((a) => a.outcome === "churned").map((a) => a.arr))),
        arr_basis: CURRENT_ARR_RULE,
        renewal_outcomes: outcomes,
        renewal_rate_percent: percent(count("renewed"), decided),
        renewal_rule: RENEWAL_RULE,
        list: accounts.slice(0, 50).map((a) => ({ client_id: a.account_id, company_name: a.company_name, tier: a.tier, arr: toMoney(a.arr), active_advocates: Number(a.advocates), renewal_outcome: a.outcome, renewal_date: a.renewal_date ? a.renewal_date.toISOString().slice(0, 10) : null })),
      },
      referrals: {
        referrals: referrals.length,
        points: referrals.reduce((n, r) => n + Number(r.points), 0),
        linked_accounts: linked.length,
        referred_arr: toMoney(sumArr(linked.map((r) => r.referred_arr))),
        list: referrals.slice(0, 50).map((r) => ({ contribution_id: r.contribution_id, advocate_id: r.advocate_id, advocate_email: r.advocate_email, client_id: r.account_id, occurred_at: r.occurred_at.toISOString(), referred_client_id: r.referred_account_id, referred_company: r.referred_company, referred_arr: r.referred_arr === null ? null : toMoney(r.referred_arr) })),
      },
      points_table: table,
      missing,
    };
  }
}
