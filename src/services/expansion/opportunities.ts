// identify_upsell_opportunities, identify_crosssell_opportunities, identify_expansion_opportunities: load the
// account facts in one statement, apply the rules in rules.ts, and store the candidates that reach the
// minimum score in one transaction, deduplicated against the open opportunities (same account, type and
// product: the open row is updated, never duplicated). The timeline derives "expansion opportunity
// identified" from the table itself, so only the audit log is written here.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";
import type { Config } from "../../config/load.ts";
import { ExpansionAccountsRepository, type AccountFacts } from "../../repositories/expansion-accounts.ts";
import { ExpansionOpportunityRepository, type StoredOutcome } from "../../repositories/expansion-opportunities.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { notFound } from "../../server/errors.ts";
import { HEALTH_RULE, fillHealth } from "./computed-health.ts";
import { toIso } from "../../security/validation.ts";
import {
  FORMULAS,
  OPPORTUNITY_TYPES,
  evaluateCrossSell,
  evaluateSeats,
  evaluateTierUpgrade,
  evaluateUpsell,
  tierBenchmarks,
  type Candidate,
  type Criteria,
  type Evaluation,
  type Missing,
  type OpportunityType,
} from "./rules.ts";
import { ZERO, fmt, money, sum, type Dec } from "./money.ts";

export const USAGE_WINDOW_DAYS = 30;

export interface CommonInput {
  client_id?: string | undefined;
  min_health_score?: number | undefined;
  min_tenure_days?: number | undefined;
  min_similar_accounts: number;
  limit: number;
}
export interface UpsellInput extends CommonInput {
  min_usage_threshold?: number | undefined;
  target_utilization?: number | undefined;
}
export interface CrossSellInput extends CommonInput {
  product_family?: string | undefined;
  include_add_ons: boolean;
}
export interface ExpansionInput extends UpsellInput {
  opportunity_types?: OpportunityType[] | undefined;
  product_family?: string | undefined;
  include_add_ons: boolean;
}

export interface OpportunityView {
  opportunity_id: string;
  client_id: string;
  company_name: string;
  type: OpportunityType;
  product: string;
  score: number;
  estimated_value: number;
  outcome: "created" | "updated" | "unchanged";
  previous_score: number | null;
  previous_value: number | null;
  rationale: string;
  signals: Record<string, number | string | null>;
}

export class OpportunityService {
  private readonly accounts: ExpansionAccountsRepository;
  private readonly opps: ExpansionOpportunityRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.accounts = new ExpansionAccountsRepository(prisma);
    this.opps = new ExpansionOpportunityRepository(prisma);
  }

  private criteria(input: Partial<UpsellInput> & CommonInput): Criteria {
    return {
      min_health_score: input.min_health_score ?? this.config.EXPANSION_MIN_HEALTH,
      min_usage_threshold: input.min_usage_threshold ?? this.config.EXPANSION_MIN_USAGE,
      min_tenure_days: input.min_tenure_days ?? this.config.EXPANSION_MIN_TENURE_DAYS,
      target_utilization: input.target_utilization ?? this.config.UPSELL_TARGET_UTILIZATION,
      usage_window_days: USAGE_WINDOW_DAYS,
      min_similar_accounts: input.min_similar_accounts,
    };
  }

  private minScore(type: OpportunityType): number {
    return type === "cross_sell" ? this.config.CROSSSELL_MIN_SCORE : this.config.UPSELL_MIN_SCORE;
  }

  /** The accounts to evaluate, and (for peer-based rules) every active account. */
  private async load(clientId: string | undefined, needPeers: boolean, now: Date) {
    const all = needPeers || clientId === undefined ? await this.accounts.facts(null, now, USAGE_WINDOW_DAYS) : [];
    let targets: AccountFacts[];
    if (clientId === undefined) targets = all;
    else {
      targets = all.filter((f) => f.account_id === clientId);
      if (targets.length === 0) targets = await this.accounts.facts([clientId], now, USAGE_WINDOW_DAYS);
      if (targets.length === 0) throw notFound("client", clientId, "use list_clients to find the client_id");
    }
    // Peers are judged by what they own and pay, targets also by health: only targets need a computed score.
    await fillHealth(this.prisma, this.config, now, targets);
    return { all, targets };
  }

  async upsell(input: UpsellInput, signal?: AbortSignal) {
    const now = this.now();
    const c = this.criteria(input);
    const { targets } = await this.load(input.client_id, false, now);
    const evals = targets.map((f) => evaluateUpsell(f, c, now));
    const run = await this.store("identify_upsell_opportunities", evals, now, input.limit, signal);
    return {
      as_of: toIso(now)!,
      criteria: { ...c, min_score: this.config.UPSELL_MIN_SCORE },
      formulas: { plan: FORMULAS.plan, usage: FORMULAS.usage, user_growth: FORMULAS.user_growth, health: HEALTH_RULE, gates: FORMULAS.gates, score: FORMULAS.upsell_score, estimated_value: FORMULAS.upsell_value },
      ...run,
    };
  }

  async crossSell(input: CrossSellInput, signal?: AbortSignal) {
    const now = this.now();
    const c = this.criteria(input);
    const { all, targets } = await this.load(input.client_id, true, now);
    const evals = targets.flatMap((f) => evaluateCrossSell(f, all, c, { product_family: input.product_family, include_add_ons: input.include_add_ons }, now));
    const run = await this.store("identify_crosssell_opportunities", evals, now, input.limit, signal);
    return {
      as_of: toIso(now)!,
      criteria: { min_health_score: c.min_health_score, min_tenure_days: c.min_tenure_days, min_similar_accounts: c.min_similar_accounts, min_score: this.config.CROSSSELL_MIN_SCORE, product_family: input.product_family ?? null, include_add_ons: input.include_add_ons },
      formulas: { similar_accounts: FORMULAS.crosssell_similar, health: HEALTH_RULE, gates: "eligible when health ≥ min_health_score and tenure ≥ min_tenure_days", score: FORMULAS.crosssell_score, estimated_value: FORMULAS.crosssell_value },
      ...run,
    };
  }

  async expansion(input: ExpansionInput, signal?: AbortSignal) {
    const now = this.now();
    const c = this.criteria(input);
    const types = input.opportunity_types && input.opportunity_types.length ? [...new Set(input.opportunity_types)] : [...OPPORTUNITY_TYPES];
    const needPeers = types.includes("cross_sell") || types.includes("tier_upgrade");
    const { all, targets } = await this.load(input.client_id, needPeers, now);
    const bench = types.includes("tier_upgrade") ? tierBenchmarks(all) : null;
    const evals: Evaluation[] = [];
    for (const f of targets) {
      if (types.includes("upsell")) evals.push(tag(evaluateUpsell(f, c, now), "upsell"));
      if (types.includes("seats")) evals.push(tag(evaluateSeats(f, c, now), "seats"));
      if (types.includes("tier_upgrade")) evals.push(tag(evaluateTierUpgrade(f, c, now, bench!), "tier_upgrade"));
      if (types.includes("cross_sell")) evals.push(...evaluateCrossSell(f, all, c, { product_family: input.product_family, include_add_ons: input.include_add_ons }, now).map((e) => tag(e, "cross_sell")));
    }
    const run = await this.store("identify_expansion_opportunities", evals, now, input.limit, signal);
    // Upsell and tier upgrade of one account are two routes to the same growth: count the larger once.
    const perAccount = new Map<string, { other: Dec; upsell: Dec; tier: Dec }>();
    for (const o of run.all) {
      const e = perAccount.get(o.client_id) ?? { other: ZERO, upsell: ZERO, tier: ZERO };
      const v = o.value;
      if (o.type === "upsell") e.upsell = e.upsell.plus(v);
      else if (o.type === "tier_upgrade") e.tier = e.tier.plus(v);
      else e.other = e.other.plus(v);
      perAccount.set(o.client_id, e);
    }
    const dedupedValue = sum([...perAccount.values()].map((e) => e.other.plus(e.upsell.gt(e.tier) ? e.upsell : e.tier)));
    const byType = Object.fromEntries(
      types.map((t) => {
        const list = run.all.filter((o) => o.type === t);
        return [t, { opportunities: list.length, created: list.filter((o) => o.outcome === "created").length, updated: list.filter((o) => o.outcome === "updated").length, unchanged: list.filter((o) => o.outcome === "unchanged").length, estimated_value: money(sum(list.map((o) => o.value))) }];
      }),
    );
    return {
      as_of: toIso(now)!,
      opportunity_types: types,
      criteria: { ...c, min_score: { upsell: this.config.UPSELL_MIN_SCORE, seats: this.config.UPSELL_MIN_SCORE, tier_upgrade: this.config.UPSELL_MIN_SCORE, cross_sell: this.config.CROSSSELL_MIN_SCORE }, product_family: input.product_family ?? null, include_add_ons: input.include_add_ons },
      formulas: {
        plan: FORMULAS.plan,
        usage: FORMULAS.usage,
        health: HEALTH_RULE,
        gates: FORMULAS.gates,
        upsell: `${FORMULAS.upsell_score}; ${FORMULAS.upsell_value}`,
        seats: `${FORMULAS.seats_score}; ${FORMULAS.seats_value}`,
        tier_upgrade: `${FORMULAS.tier_score}; ${FORMULAS.tier_value}`,
        cross_sell: `${FORMULAS.crosssell_similar}; ${FORMULAS.crosssell_score}; ${FORMULAS.crosssell_value}`,
        deduplication: "an open opportunity with the same account, type and product is updated (score, value, rationale) instead of inserting another; unchanged when score and value are the same",
        pipeline_value_without_overlap: "Σ per account of seats + cross_sell + the larger of upsell and tier_upgrade (two routes to the same growth)",
      },
      by_type: byType,
      pipeline_value_without_overlap: money(dedupedValue),
      ...run,
    };
  }

  /** Stores the candidates that reach their type's minimum score; reports the rest. */
  private async store(tool: string, evals: Evaluation[], now: Date, limit: number, signal?: AbortSignal) {
    const candidates = evals.filter((e): e is Extract<Evaluation, { kind: "candidate" }> => e.kind === "candidate").map((e) => e.candidate);
    const keep = candidates.filter((c) => c.score >= this.minScore(c.type));
    const below = candidates.filter((c) => c.score < this.minScore(c.type));
    const outcomes: StoredOutcome[] = keep.length
      ? await abortableTransaction(this.prisma, signal, async (tx) => {
          const out = await this.opps.upsert(
            tx,
            keep.map((c) => ({ account_id: c.account_id, type: c.type, product: c.product, score: c.score, estimated_value: fmt(c.estimated_value), rationale: c.rationale })),
            now,
          );
          const changed = out.filter((o) => o.outcome !== "unchanged");
          if (changed.length) {
            await writeAudit(tx, {
              action: tool,
              entity_type: "expansion_opportunity",
              entity_id: changed.length === 1 ? changed[0]!.opportunity_id : null,
              changes: {
                created: changed.filter((o) => o.outcome === "created").map((o) => o.opportunity_id),
                updated: changed.filter((o) => o.outcome === "updated").map((o) => ({ opportunity_id: o.opportunity_id, previous_score: o.previous_score, previous_value: o.previous_value })),
              },
            });
          }
          return out;
        })
      : [];
    const byKey = new Map(outcomes.map((o) => [`${o.account_id}|${o.type}|${o.product}`, o]));
    const all = keep
      .map((c) => {
        const o = byKey.get(`${c.account_id}|${c.type}|${c.product}`)!;
        return { ...view(c, o), value: c.estimated_value };
      })
      .sort((a, b) => b.score - a.score || b.estimated_value - a.estimated_value || a.client_id.localeCompare(b.client_id) || a.product.localeCompare(b.product));

    const notEligible = evals.filter((e): e is Extract<Evaluation, { kind: "not_eligible" }> => e.kind === "not_eligible");
    const missing = evals.filter((e): e is Extract<Evaluation, { kind: "missing" }> => e.kind === "missing");
    const reasonCounts = new Map<string, number>();
    for (const e of notEligible) for (const r of e.reasons) {
      // the rule without its figures: "health 70 < 75" and "health 61 < 75" are one reason
      const k = `${e.type ? `${e.type}: ` : ""}${r.replace(/\(.*\)/, "").replace(/[0-9]+(\.[0-9]+)?/g, "N").replace(/\s+/g, " ").trim()}`;
      reasonCounts.set(k, (reasonCounts.get(k) ?? 0) + 1);
    }
    const skipped = mergeMissing(missing);
    return {
      all,
      opportunities: all.slice(0, limit).map(({ value: _v, ...o }) => o),
      below_min_score: below
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map((c) => ({ client_id: c.account_id, type: c.type, product: c.product, score: c.score, min_score: this.minScore(c.type), estimated_value: money(c.estimated_value), rationale: c.rationale })),
      not_eligible: notEligible.slice(0, limit).map((e) => ({ client_id: e.account_id, ...(e.type ? { type: e.type } : {}), reasons: e.reasons })),
      not_eligible_by_reason: [...reasonCounts].map(([reason, accounts]) => ({ reason, accounts })).sort((a, b) => b.accounts - a.accounts),
      skipped_missing_data: skipped.slice(0, limit),
      totals: {
        accounts_evaluated: new Set(evals.map((e) => (e.kind === "candidate" ? e.candidate.account_id : e.account_id))).size,
        opportunities: all.length,
        created: all.filter((o) => o.outcome === "created").length,
        updated: all.filter((o) => o.outcome === "updated").length,
        unchanged: all.filter((o) => o.outcome === "unchanged").length,
        below_min_score: below.length,
        not_eligible: new Set(notEligible.map((e) => e.account_id)).size,
        skipped_missing_data: skipped.length,
        estimated_value: money(sum(keep.map((c) => c.estimated_value))),
      },
      limit,
      truncated: all.length > limit || below.length > limit || notEligible.length > limit || skipped.length > limit,
    };
  }
}

/** One entry per account, every missing input listed once (the union tool evaluates an account per type). */
function mergeMissing(list: Array<{ account_id: string; missing: Missing[] }>) {
  const by = new Map<string, Missing[]>();
  for (const m of list) {
    const cur = by.get(m.account_id) ?? [];
    for (const x of m.missing) if (!cur.some((y) => y.what === x.what)) cur.push(x);
    by.set(m.account_id, cur);
  }
  return [...by].map(([client_id, missing]) => ({ client_id, missing }));
}

/** Names the type on a not-eligible verdict, so the union tool says which rule the account failed. */
function tag(e: Evaluation, type: OpportunityType): Evaluation {
  return e.kind === "not_eligible" ? { ...e, type } : e;
}

function view(c: Candidate, o: StoredOutcome): OpportunityView {
  return {
    opportunity_id: o.opportunity_id,
    client_id: c.account_id,
    company_name: c.company_name,
    type: c.type,
    product: c.product,
    score: c.score,
    estimated_value: money(c.estimated_value),
    outcome: o.outcome,
    previous_score: o.previous_score,
    previous_value: o.previous_value === null ? null : Number(o.previous_value),
    rationale: c.rationale,
    signals: c.signals,
  };
}
