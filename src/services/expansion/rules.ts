// The expansion rules, pure functions over AccountFacts. Each returns an opportunity candidate, or why the
// account is not one (a gate it fails, or the stored data it lacks). The formulas here are the ones the
// tools print in their `formulas` output; change one → change the text next to it.
import type { AccountFacts } from "../../repositories/expansion-accounts.ts";
import { TIERS } from "../../security/validation.ts";
import { USAGE_IMPORT_HINT } from "../health/usage.ts";
import { Decimal, ZERO, cents, clamp01, dec, fmt, median, r4, type Dec } from "./money.ts";

export const OPPORTUNITY_TYPES = ["upsell", "cross_sell", "seats", "tier_upgrade"] as const;
export type OpportunityType = (typeof OPPORTUNITY_TYPES)[number];

export interface Missing {
  what: string;
  how_to_supply: string;
}

export interface Criteria {
  min_health_score: number;
  min_usage_threshold: number;
  min_tenure_days: number;
  target_utilization: number;
  usage_window_days: number;
  min_similar_accounts: number;
}

export interface Candidate {
  account_id: string;
  company_name: string;
  type: OpportunityType;
  product: string;
  score: number;
  estimated_value: Dec;
  rationale: string;
  signals: Record<string, number | string | null>;
}

export type Evaluation =
  | { kind: "candidate"; candidate: Candidate }
  | { kind: "not_eligible"; account_id: string; reasons: string[]; type?: OpportunityType }
  | { kind: "missing"; account_id: string; missing: Missing[] };

export const FORMULAS = {
  plan: "plan limit = seats of the active contract, else accounts.seats; ARR = contract_value of the active contract (stored as the annual value), else accounts.arr; ARR per seat = ARR ÷ seats",
  usage: "usage = distinct users with any usage event in the last usage_window_days (30) ÷ plan seats",
  user_growth: "user growth = clamp((active users − active users of the 30 days before) ÷ max(1, active users of the 30 days before), 0, 1)",
  gates: "eligible when health ≥ min_health_score, tenure (days since customer_since) ≥ min_tenure_days and, for upsell and tier upgrade, usage ≥ min_usage_threshold",
  upsell_score: "upsell score = 0.5 × min(1, usage) + 0.3 × health ÷ 100 + 0.2 × user growth",
  upsell_value:
    "upsell extra seats = ceil(active users ÷ target_utilization) − max(seats, active users); value = extra seats × ARR per seat (seats already in use beyond the contract are the separate 'seats' opportunity, so the two never count the same seat)",
  seats_score: "seats score = min(1, 0.7 + 0.3 × (active users − seats) ÷ seats)",
  seats_value: "seats (true-up) value = (active users − seats) × ARR per seat, when active users > seats",
  crosssell_similar:
    "similar accounts = other active accounts with an active contract on the same tier and, when the account's industry is set, the same industry (case-insensitive); if that leaves fewer than min_similar_accounts, the same tier only (similarity_basis says which)",
  crosssell_score: "cross-sell score = share of similar accounts owning the product × (0.5 + 0.5 × health ÷ 100)",
  crosssell_value:
    "cross-sell value = median, over similar accounts owning the product, of their contract ARR ÷ number of products and add-ons on that contract (each owner's ARR split evenly over what it buys)",
  tier_score: "tier upgrade score = 0.5 × min(1, active users ÷ median active users of the next tier) + 0.3 × health ÷ 100 + 0.2 × min(1, usage)",
  tier_value:
    "tier upgrade: eligible when active users ≥ the median active users of active accounts on the next tier (needs min_similar_accounts of them); value = median ARR of those accounts − this account's ARR, when positive",
} as const;

const DAY_MS = 86_400_000;

export interface Plan {
  seats: number | null;
  seats_source: "contract" | "account" | null;
  arr: Dec;
  arr_source: "contract" | "account";
}

export function planOf(f: AccountFacts): Plan {
  const seats = f.contract_seats ?? f.account_seats;
  return {
    seats: seats !== null && seats > 0 ? seats : null,
    seats_source: f.contract_seats !== null && f.contract_seats > 0 ? "contract" : f.account_seats !== null && f.account_seats > 0 ? "account" : null,
    arr: f.contract_value !== null ? dec(f.contract_value) : dec(f.account_arr),
    arr_source: f.contract_value !== null ? "contract" : "account",
  };
}

export const tenureDays = (f: AccountFacts, now: Date) => Math.max(0, Math.floor((now.getTime() - f.customer_since.getTime()) / DAY_MS));
export const userGrowth = (f: AccountFacts) => clamp01((f.users_cur - f.users_prev) / Math.max(1, f.users_prev));

const HOW = {
  health: "import usage events, tickets, surveys or invoices so a health score can be computed, then run calculate_health_score to store it",
  seats: "set seats with update_client_info (contract seats, or the account's seats)",
  arr: "set the contract value with update_client_info (contract_value)",
  contract: "record the contract with update_client_info (contract_value, seats, dates) or `cs-mcp import accounts <file>`",
};

/** Missing inputs of the seat-based rules (upsell, seats, tier upgrade). */
export function seatDataMissing(f: AccountFacts, plan: Plan): Missing[] {
  const m: Missing[] = [];
  if (f.health === null) m.push({ what: "no health score: none is stored and no component has data to compute one", how_to_supply: HOW.health });
  if (plan.seats === null) m.push({ what: `no seat count: ${f.contract_id ? "the active contract has no seats and" : "no active contract, and"} the account has no seats`, how_to_supply: HOW.seats });
  if (plan.arr.lte(0)) m.push({ what: `ARR is 0 (${f.contract_id ? "the active contract's value is 0" : "no active contract and accounts.arr is 0"}), so no value per seat`, how_to_supply: f.contract_id ? HOW.arr : HOW.contract });
  if (!f.has_usage) m.push({ what: "no usage events are stored, so active users are unknown", how_to_supply: USAGE_IMPORT_HINT });
  return m;
}

/** Health and tenure gates (every type); usage gate added by the seat rules that need it. */
export function gateReasons(f: AccountFacts, c: Criteria, now: Date): string[] {
  const reasons: string[] = [];
  if (f.status !== "active") reasons.push(`account status is ${f.status}`);
  if (f.health !== null && f.health < c.min_health_score) reasons.push(`health ${f.health} < ${c.min_health_score}`);
  const tenure = tenureDays(f, now);
  if (tenure < c.min_tenure_days) reasons.push(`tenure ${tenure} days < ${c.min_tenure_days}`);
  return reasons;
}

/** usage ≥ threshold, compared exactly (active users ≥ threshold × seats in decimal, no float rounding). */
export const usageAtLeast = (users: number, seats: number, threshold: number) => new Decimal(users).gte(new Decimal(threshold).mul(seats));

function seatSignals(f: AccountFacts, plan: Plan, now: Date) {
  const seats = plan.seats!;
  return {
    health: f.health,
    health_source: f.health_source,
    active_users: f.users_cur,
    active_users_previous: f.users_prev,
    seats,
    seats_source: plan.seats_source,
    usage_ratio: r4(f.users_cur / seats),
    user_growth: r4(userGrowth(f)),
    tenure_days: tenureDays(f, now),
    arr: Number(fmt(plan.arr)),
    arr_source: plan.arr_source,
    arr_per_seat: Number(fmt(plan.arr.div(seats))),
  };
}

export function evaluateUpsell(f: AccountFacts, c: Criteria, now: Date): Evaluation {
  const plan = planOf(f);
  const missing = seatDataMissing(f, plan);
  if (missing.length) return { kind: "missing", account_id: f.account_id, missing };
  const seats = plan.seats!;
  const reasons = gateReasons(f, c, now);
  if (!usageAtLeast(f.users_cur, seats, c.min_usage_threshold)) reasons.push(`usage ${r4(f.users_cur / seats)} (${f.users_cur} of ${seats} seats) < ${c.min_usage_threshold}`);
  if (reasons.length) return { kind: "not_eligible", account_id: f.account_id, reasons };
  const needed = new Decimal(f.users_cur).div(new Decimal(c.target_utilization)).ceil().toNumber();
  const extra = needed - Math.max(seats, f.users_cur);
  if (extra <= 0) return { kind: "not_eligible", account_id: f.account_id, reasons: [`no extra seats needed at target utilisation ${c.target_utilization} (${f.users_cur} users fit ${seats} seats)`] };
  const usage = f.users_cur / seats;
  const score = r4(0.5 * Math.min(1, usage) + 0.3 * (f.health! / 100) + 0.2 * userGrowth(f));
  const perSeat = plan.arr.div(seats);
  const value = cents(perSeat.mul(extra));
  const s = seatSignals(f, plan, now);
  return {
    kind: "candidate",
    candidate: {
      account_id: f.account_id,
      company_name: f.company_name,
      type: "upsell",
      product: "",
      score,
      estimated_value: value,
      rationale:
        `${f.users_cur} active users on ${seats} seats (usage ${s.usage_ratio}), health ${f.health}, user growth ${s.user_growth}: ` +
        `score 0.5×${r4(Math.min(1, usage))} + 0.3×${f.health! / 100} + 0.2×${s.user_growth} = ${score}; ` +
        `${extra} extra seats (ceil(${f.users_cur} ÷ ${c.target_utilization}) − ${Math.max(seats, f.users_cur)}) × ${fmt(perSeat)} ARR per seat = ${fmt(value)}`,
      signals: { ...s, target_utilization: c.target_utilization, extra_seats: extra },
    },
  };
}

export function evaluateSeats(f: AccountFacts, c: Criteria, now: Date): Evaluation {
  const plan = planOf(f);
  const missing = seatDataMissing(f, plan);
  if (missing.length) return { kind: "missing", account_id: f.account_id, missing };
  const seats = plan.seats!;
  const reasons = gateReasons(f, c, now);
  if (f.users_cur <= seats) reasons.push(`no seat overage (${f.users_cur} active users on ${seats} seats)`);
  if (reasons.length) return { kind: "not_eligible", account_id: f.account_id, reasons };
  const over = f.users_cur - seats;
  const score = r4(Math.min(1, 0.7 + 0.3 * (over / seats)));
  const perSeat = plan.arr.div(seats);
  const value = cents(perSeat.mul(over));
  return {
    kind: "candidate",
    candidate: {
      account_id: f.account_id,
      company_name: f.company_name,
      type: "seats",
      product: "",
      score,
      estimated_value: value,
      rationale: `${f.users_cur} active users on ${seats} contracted seats: ${over} seats over; score min(1, 0.7 + 0.3×${over}/${seats}) = ${score}; value ${over} × ${fmt(perSeat)} ARR per seat = ${fmt(value)}`,
      signals: { ...seatSignals(f, plan, now), overage_seats: over },
    },
  };
}

const nextTier = (tier: string): string | null => {
  const i = (TIERS as readonly string[]).indexOf(tier);
  return i >= 0 && i < TIERS.length - 1 ? TIERS[i + 1]! : null;
};

export interface TierBenchmarks {
  /** tier → active accounts on it with their active users and ARR. */
  byTier: Map<string, { accounts: number; median_users: number | null; median_arr: Dec | null }>;
}

export function tierBenchmarks(all: AccountFacts[]): TierBenchmarks {
  const groups = new Map<string, AccountFacts[]>();
  for (const f of all) {
    if (f.status !== "active") continue;
    groups.set(f.tier, [...(groups.get(f.tier) ?? []), f]);
  }
  const byTier = new Map<string, { accounts: number; median_users: number | null; median_arr: Dec | null }>();
  for (const [tier, list] of groups) {
    const users = median(list.map((f) => new Decimal(f.users_cur)));
    const arrs = list.map((f) => planOf(f).arr).filter((a) => a.gt(0));
    byTier.set(tier, { accounts: list.length, median_users: users === null ? null : users.toNumber(), median_arr: median(arrs) });
  }
  return { byTier };
}

export function evaluateTierUpgrade(f: AccountFacts, c: Criteria, now: Date, bench: TierBenchmarks): Evaluation {
  const target = nextTier(f.tier);
  if (target === null) return { kind: "not_eligible", account_id: f.account_id, reasons: [`already on the top tier (${f.tier})`] };
  const plan = planOf(f);
  const missing = seatDataMissing(f, plan);
  const b = bench.byTier.get(target);
  if (!b || b.accounts < c.min_similar_accounts || b.median_users === null || b.median_arr === null) {
    missing.push({
      what: `only ${b?.accounts ?? 0} active accounts are on the ${target} tier; at least ${c.min_similar_accounts} are needed to benchmark an upgrade`,
      how_to_supply: "register or import more accounts with tiers and contracts, or lower min_similar_accounts",
    });
  }
  if (missing.length) return { kind: "missing", account_id: f.account_id, missing };
  const seats = plan.seats!;
  const reasons = gateReasons(f, c, now);
  if (!usageAtLeast(f.users_cur, seats, c.min_usage_threshold)) reasons.push(`usage ${r4(f.users_cur / seats)} (${f.users_cur} of ${seats} seats) < ${c.min_usage_threshold}`);
  if (f.users_cur < b!.median_users!) reasons.push(`${f.users_cur} active users < ${b!.median_users} (median of the ${target} tier)`);
  const value = cents(b!.median_arr!.minus(plan.arr));
  if (value.lte(0)) reasons.push(`ARR ${fmt(plan.arr)} already ≥ the ${target} tier's median ARR ${fmt(b!.median_arr!)}`);
  if (reasons.length) return { kind: "not_eligible", account_id: f.account_id, reasons };
  const usage = f.users_cur / seats;
  const ratio = Math.min(1, f.users_cur / b!.median_users!);
  const score = r4(0.5 * ratio + 0.3 * (f.health! / 100) + 0.2 * Math.min(1, usage));
  return {
    kind: "candidate",
    candidate: {
      account_id: f.account_id,
      company_name: f.company_name,
      type: "tier_upgrade",
      product: target,
      score,
      estimated_value: value,
      rationale:
        `${f.tier} account with ${f.users_cur} active users (median of ${target}: ${b!.median_users}), usage ${r4(usage)}, health ${f.health}: ` +
        `score 0.5×${r4(ratio)} + 0.3×${f.health! / 100} + 0.2×${r4(Math.min(1, usage))} = ${score}; value ${fmt(b!.median_arr!)} (median ${target} ARR) − ${fmt(plan.arr)} = ${fmt(value)}`,
      signals: { ...seatSignals(f, plan, now), target_tier: target, next_tier_accounts: b!.accounts, next_tier_median_users: b!.median_users, next_tier_median_arr: Number(fmt(b!.median_arr!)) },
    },
  };
}

// ---------------------------------------------------------------- cross-sell

const norm = (s: string) => s.trim().toLowerCase();
const items = (f: AccountFacts, withAddOns: boolean) => [...f.products, ...(withAddOns ? f.add_ons : [])].map((p) => p.trim()).filter((p) => p.length > 0);

/** product_family matches the name itself or the name followed by a separator: 'analytics' matches 'Analytics', 'analytics-pro', 'analytics:ai'. */
export function inFamily(product: string, family: string | undefined): boolean {
  if (!family) return true;
  const p = norm(product);
  const f = norm(family);
  return p === f || (p.startsWith(f) && /[\s:/_.-]/.test(p.charAt(f.length)));
}

export interface CrossSellOptions {
  product_family?: string | undefined;
  include_add_ons: boolean;
}

export function evaluateCrossSell(f: AccountFacts, all: AccountFacts[], c: Criteria, o: CrossSellOptions, now: Date): Evaluation[] {
  const missing: Missing[] = [];
  if (f.health === null) missing.push({ what: "no health score: none is stored and no component has data to compute one", how_to_supply: HOW.health });
  if (f.contract_id === null) missing.push({ what: "no active contract, so the products the account owns are unknown", how_to_supply: HOW.contract });
  const tierPeers = all.filter((p) => p.account_id !== f.account_id && p.status === "active" && p.contract_id !== null && p.tier === f.tier);
  const industryPeers = f.industry ? tierPeers.filter((p) => p.industry !== null && norm(p.industry) === norm(f.industry!)) : [];
  const useIndustry = industryPeers.length >= c.min_similar_accounts;
  const peers = useIndustry ? industryPeers : tierPeers;
  if (peers.length < c.min_similar_accounts) {
    missing.push({
      what: `only ${peers.length} similar accounts (active, with a contract, tier ${f.tier}) exist; at least ${c.min_similar_accounts} are needed`,
      how_to_supply: "register or import more accounts with contracts (products, add_ons), or lower min_similar_accounts",
    });
  }
  if (missing.length) return [{ kind: "missing", account_id: f.account_id, missing }];
  const reasons = gateReasons(f, c, now);
  if (reasons.length) return [{ kind: "not_eligible", account_id: f.account_id, reasons }];

  const owned = new Set(items(f, true).map(norm));
  const byProduct = new Map<string, { name: string; owners: AccountFacts[] }>();
  for (const p of peers) {
    for (const name of new Set(items(p, o.include_add_ons))) {
      const k = norm(name);
      if (owned.has(k) || !inFamily(name, o.product_family)) continue;
      const entry = byProduct.get(k) ?? { name, owners: [] };
      if (!entry.owners.some((x) => x.account_id === p.account_id)) entry.owners.push(p);
      byProduct.set(k, entry);
    }
  }
  const basis = useIndustry ? `tier ${f.tier} + industry ${f.industry}` : `tier ${f.tier}`;
  const out: Evaluation[] = [];
  for (const { name, owners } of [...byProduct.values()].sort((a, b) => b.owners.length - a.owners.length || a.name.localeCompare(b.name))) {
    const share = owners.length / peers.length;
    const score = r4(share * (0.5 + 0.5 * (f.health! / 100)));
    const shares = owners.map((p) => planOf(p).arr.div(Math.max(1, items(p, true).length)));
    const value = cents(median(shares) ?? ZERO);
    out.push({
      kind: "candidate",
      candidate: {
        account_id: f.account_id,
        company_name: f.company_name,
        type: "cross_sell",
        product: name,
        score,
        estimated_value: value,
        rationale:
          `${owners.length} of ${peers.length} similar accounts (${basis}) own ${name}: score ${r4(share)} × (0.5 + 0.5×${f.health! / 100}) = ${score}; ` +
          `value = median ARR share per product of the owners = ${fmt(value)}`,
        signals: {
          health: f.health,
          tenure_days: tenureDays(f, now),
          similarity_basis: basis,
          similar_accounts: peers.length,
          owners: owners.length,
          ownership_share: r4(share),
          median_owner_arr_share: Number(fmt(value)),
        },
      },
    });
  }
  if (out.length === 0) out.push({ kind: "not_eligible", account_id: f.account_id, reasons: [`owns every product${o.product_family ? ` of family '${o.product_family}'` : ""} its ${peers.length} similar accounts own`] });
  return out;
}

export { Decimal };
