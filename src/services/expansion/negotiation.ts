// negotiate_renewals: a renewal negotiation brief for one account, built only from stored facts — value
// delivered (usage growth, adoption breadth, time-to-value milestones, support outcomes, NPS), health, the
// price history of its contracts, the risks (churn factors, open tickets and escalations, payment), and from
// those the leverage points and the asks of each strategy. Every ask names the facts it rests on.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { ExpansionAccountsRepository } from "../../repositories/expansion-accounts.ts";
import { ExpansionOpportunityRepository } from "../../repositories/expansion-opportunities.ts";
import { ExpansionNegotiationRepository, type ContractHistoryRow } from "../../repositories/expansion-negotiation.ts";
import { notFound } from "../../server/errors.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { MilestoneService } from "../health/milestones.ts";
import { USAGE_IMPORT_HINT } from "../health/usage.ts";
import { churnProbabilities } from "./churn-probabilities.ts";
import { HEALTH_RULE, fillHealth } from "./computed-health.ts";
import { CHURN_SOURCE_RULE } from "./renewals.ts";
import { planOf } from "./rules.ts";
import { Decimal, ZERO, cents, dec, fmt, money, r4, sum, type Dec } from "./money.ts";

export const NEGOTIATION_STRATEGIES = ["value_based", "multi_year", "expansion_bundle", "retention_save"] as const;
export type NegotiationStrategy = (typeof NEGOTIATION_STRATEGIES)[number];

export interface NegotiationInput {
  client_id: string;
  negotiation_strategy?: NegotiationStrategy | undefined;
  prediction_max_age_days: number;
}

interface Point {
  point: string;
  evidence: string;
}
interface Ask {
  ask: string;
  figure: string | null;
  basis: string;
}

const DAY_MS = 86_400_000;
const pctChange = (from: Dec, to: Dec) => (from.gt(0) ? Number(to.minus(from).div(from).mul(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2)) : null);
const growth = (from: number, to: number) => (from > 0 ? r4((to - from) / from) : null);

export class NegotiationService {
  private readonly accounts: ExpansionAccountsRepository;
  private readonly opps: ExpansionOpportunityRepository;
  private readonly repo: ExpansionNegotiationRepository;
  private readonly milestones: MilestoneService;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.accounts = new ExpansionAccountsRepository(prisma);
    this.opps = new ExpansionOpportunityRepository(prisma);
    this.repo = new ExpansionNegotiationRepository(prisma);
    this.milestones = new MilestoneService(prisma, config, now);
  }

  async brief(input: NegotiationInput) {
    const now = this.now();
    const [f] = await fillHealth(this.prisma, this.config, now, await this.accounts.facts([input.client_id], now, 30));
    if (!f) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    const [contracts, k, churnMap, open, ms] = await Promise.all([
      this.repo.contracts(f.account_id),
      this.repo.counters(f.account_id, now),
      churnProbabilities(this.prisma, this.config, now, [f.account_id], input.prediction_max_age_days),
      this.opps.open([f.account_id]),
      this.milestones.track({ client_id: f.account_id, milestone_framework: "default", custom_milestones: [], activation_users: 3, full_value_features: 3, full_value_users_per_feature: 2, limit: 1, offset: 0 }),
    ]);
    const churn = churnMap.get(f.account_id)!;
    const plan = planOf(f);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

    // ---- contract and price history
    const current = contracts.find((c) => c.id === f.contract_id) ?? null;
    if (!current) missing.push({ what: "no active contract: there is no renewal to negotiate and no current price", how_to_supply: "record the contract with update_client_info (contract_value, seats, renewal_date) or `cs-mcp import accounts <file>`" });
    const perSeat = (c: ContractHistoryRow) => (c.seats && c.seats > 0 ? dec(c.contract_value).div(c.seats) : null);
    const history = contracts.map((c, i) => {
      const prev = i > 0 ? contracts[i - 1]! : null;
      const ps = perSeat(c);
      const pps = prev ? perSeat(prev) : null;
      return {
        contract_id: c.id,
        status: c.status,
        start_date: toIsoDate(c.start_date),
        end_date: toIsoDate(c.end_date),
        contract_value: money(dec(c.contract_value)),
        seats: c.seats,
        discount_percent: Number(dec(c.discount_percent).toFixed(2)),
        per_seat_price: ps ? money(ps) : null,
        products: c.products,
        add_ons: c.add_ons,
        value_change_percent: prev ? pctChange(dec(prev.contract_value), dec(c.contract_value)) : null,
        per_seat_change_percent: ps && pps ? pctChange(pps, ps) : null,
      };
    });
    const renewalDate = current ? (current.renewal_date ?? current.end_date) : null;
    const noticeDeadline = current && renewalDate ? new Date(renewalDate.getTime() - current.notice_period_days * DAY_MS) : null;

    // ---- value delivered
    const seats = plan.seats;
    const utilisation = seats ? r4(k.users_30d / seats) : null;
    const g30 = growth(k.users_prev_30d, k.users_30d);
    const g90 = growth(k.users_90d_ago, k.users_30d);
    const account = ms.accounts[0];
    const reached = account ? account.milestones.filter((m) => m.reached_at !== null).map((m) => m.name) : [];
    const overdue = account ? account.overdue : [];
    // NPS = % promoters − % detractors, one decimal (as monitor_satisfaction shows it)
    const nps = k.nps_n ? Math.round(((k.nps_promoters - k.nps_detractors) / k.nps_n) * 1000) / 10 : null;
    if (!f.has_usage) missing.push({ what: "no usage events are stored: usage growth and adoption cannot be shown", how_to_supply: USAGE_IMPORT_HINT });
    if (k.nps_n === 0) missing.push({ what: "no NPS answer in the last 365 days", how_to_supply: "record NPS answers (`cs-mcp import nps <file>` or the feedback tools)" });
    if (f.health === null) missing.push({ what: "no health score: none stored and no component has data to compute one", how_to_supply: "run calculate_health_score after importing usage, tickets, surveys or invoices" });

    // ---- leverage (for us) and pressure points (for the customer)
    const leverage: Point[] = [];
    const pressure: Point[] = [];
    if (g90 !== null && g90 > 0) leverage.push({ point: "usage grew", evidence: `${k.users_90d_ago} → ${k.users_30d} active users (30-day windows, 90 days apart): +${r4(g90 * 100)} %` });
    if (g90 !== null && g90 < 0) pressure.push({ point: "usage fell", evidence: `${k.users_90d_ago} → ${k.users_30d} active users (30-day windows, 90 days apart): ${r4(g90 * 100)} %` });
    if (utilisation !== null && utilisation >= this.config.EXPANSION_MIN_USAGE) leverage.push({ point: "seats are nearly or fully used", evidence: `${k.users_30d} active users on ${seats} seats (utilisation ${utilisation})` });
    if (reached.length) leverage.push({ point: "time-to-value milestones reached", evidence: `${reached.length} of ${account!.milestones.length}: ${reached.join(", ")}` });
    if (nps !== null && nps > 0) leverage.push({ point: "promoters outweigh detractors", evidence: `NPS ${nps} from ${k.nps_n} answers in 365 days` });
    if (nps !== null && nps < 0) pressure.push({ point: "detractors outweigh promoters", evidence: `NPS ${nps} from ${k.nps_n} answers in 365 days` });
    if (k.resolved_365d > 0 && k.csat_avg !== null && k.csat_avg >= 4) leverage.push({ point: "support delivered", evidence: `${k.resolved_365d} tickets resolved in 365 days, CSAT ${r4(k.csat_avg)} of 5 (${k.csat_n} ratings)` });
    if (k.invoices_paid_365d > 0 && k.invoices_paid_late_365d === 0 && k.overdue_invoices === 0) leverage.push({ point: "clean payment record", evidence: `${k.invoices_paid_365d} invoices paid on time in 365 days, none overdue` });
    if (f.health !== null && f.health >= this.config.HEALTH_HEALTHY_FROM) leverage.push({ point: "healthy account", evidence: `health ${f.health} (healthy from ${this.config.HEALTH_HEALTHY_FROM})` });
    if (f.health !== null && f.health < this.config.HEALTH_AT_RISK_BELOW) pressure.push({ point: "account at risk", evidence: `health ${f.health} (at risk under ${this.config.HEALTH_AT_RISK_BELOW})` });
    if (k.open_p1 + k.open_p2) pressure.push({ point: "open critical tickets", evidence: `${k.open_p1} P1 and ${k.open_p2} P2 open, ${k.open_sla_breached} past their resolution target` });
    if (k.open_escalations) pressure.push({ point: "open escalations", evidence: `${k.open_escalations} open` });
    if (k.overdue_invoices) pressure.push({ point: "overdue invoices", evidence: `${k.overdue_invoices} overdue, ${fmt(dec(k.overdue_amount))} outstanding` });
    if (overdue.length) pressure.push({ point: "milestones overdue", evidence: overdue.join(", ") });
    if (churn.risk_level === "high" || churn.risk_level === "medium") pressure.push({ point: `churn risk ${churn.risk_level}`, evidence: `probability ${churn.probability}; top factors ${churn.factors.slice(0, 3).map((x) => x.factor).join(", ") || "none"}` });

    // ---- asks per strategy, from the facts above
    const value = current ? dec(current.contract_value) : plan.arr;
    const ps = current ? perSeat(current) : null;
    const discount = current ? dec(current.discount_percent) : ZERO;
    const openValue = sum(open.map((o) => dec(o.estimated_value)));
    const target = this.config.UPSELL_TARGET_UTILIZATION;
    const seatsNeeded = seats ? Math.max(seats, new Decimal(k.users_30d).div(target).ceil().toNumber()) : null;
    const asks: Record<NegotiationStrategy, Ask[]> = { value_based: [], multi_year: [], expansion_bundle: [], retention_save: [] };
    if (seats && ps && seatsNeeded! > seats) {
      asks.value_based.push({ ask: `right-size to ${seatsNeeded} seats at the current per-seat price`, figure: `${seatsNeeded! - seats} × ${fmt(ps)} = +${fmt(cents(ps.mul(seatsNeeded! - seats)))} ARR`, basis: `${k.users_30d} active users on ${seats} seats; seats for utilisation ${target} = ceil(${k.users_30d} ÷ ${target})` });
    }
    if (discount.gt(0) && leverage.length > pressure.length) {
      const list = cents(value.div(new Decimal(1).minus(discount.div(100))));
      asks.value_based.push({ ask: `renew without the ${discount.toFixed(2)} % discount`, figure: `list value ${fmt(list)} vs ${fmt(value)} (+${fmt(list.minus(value))})`, basis: `more leverage points (${leverage.length}) than pressure points (${pressure.length}); list = value ÷ (1 − discount)` });
    }
    if (ps) asks.value_based.push({ ask: "anchor the renewal on delivered value", figure: `per-seat price ${fmt(ps)}`, basis: leverage.map((l) => l.point).join("; ") || "no value signal is stored yet" });
    if (ps) {
      asks.multi_year.push({ ask: "offer a multi-year term with the per-seat price locked", figure: `${fmt(ps)} per seat, ${fmt(value)} per year`, basis: `per-seat price history: ${history.map((h) => h.per_seat_price ?? "n/a").join(" → ")}` });
    }
    if (discount.gt(0)) asks.multi_year.push({ ask: `keep the ${discount.toFixed(2)} % discount only against a multi-year commitment`, figure: `${fmt(cents(value.div(new Decimal(1).minus(discount.div(100))).minus(value)))} per year of discount`, basis: "the discount on the current contract" });
    if (current?.auto_renew === false) asks.multi_year.push({ ask: "add auto-renewal to the multi-year term", figure: null, basis: "the current contract does not auto-renew" });
    if (open.length) {
      asks.expansion_bundle.push({ ask: "bundle the renewal with the open expansion opportunities", figure: `ARR ${fmt(value)} → ${fmt(value.plus(openValue))} (+${fmt(openValue)})`, basis: open.map((o) => `${o.type}${o.product ? ` ${o.product}` : ""} ${fmt(dec(o.estimated_value))}`).join("; ") });
    } else asks.expansion_bundle.push({ ask: "find expansion to bundle first", figure: null, basis: "no open expansion opportunity is stored: run identify_expansion_opportunities" });
    if (k.open_p1 + k.open_p2 + k.open_escalations) asks.retention_save.push({ ask: "resolve open critical tickets and escalations before the renewal call", figure: `${k.open_p1 + k.open_p2} P1/P2 tickets, ${k.open_escalations} escalations`, basis: "open problems are the customer's strongest counter-argument" });
    if (k.overdue_invoices) asks.retention_save.push({ ask: "agree a plan for the overdue invoices as part of the renewal", figure: `${fmt(dec(k.overdue_amount))} overdue`, basis: `${k.overdue_invoices} unpaid invoices past due` });
    if (ps) asks.retention_save.push({ ask: "hold the per-seat price flat instead of an increase", figure: `${fmt(ps)} per seat`, basis: `churn probability ${churn.probability} (${churn.risk_level})` });
    for (const x of churn.factors.slice(0, 3)) asks.retention_save.push({ ask: `address churn factor ${x.factor}`, figure: `${r4(x.contribution * 100)} % of the risk`, basis: x.detail });

    const chosen: NegotiationStrategy =
      input.negotiation_strategy ?? (churn.risk_level === "high" || churn.risk_level === "medium" ? "retention_save" : open.length ? "expansion_bundle" : "value_based");
    const reason = input.negotiation_strategy
      ? "as requested"
      : chosen === "retention_save"
        ? `churn risk is ${churn.risk_level} (${churn.probability})`
        : chosen === "expansion_bundle"
          ? `churn risk is ${churn.risk_level} and ${open.length} expansion opportunities are open`
          : `churn risk is ${churn.risk_level} and no expansion opportunity is open`;

    return {
      as_of: toIso(now)!,
      client: { client_id: f.account_id, company_name: f.company_name, tier: f.tier, industry: f.industry, lifecycle_stage: f.lifecycle_stage },
      strategy: { chosen, reason, recommended_asks: asks[chosen] },
      other_strategies: NEGOTIATION_STRATEGIES.filter((s) => s !== chosen).map((s) => ({ strategy: s, recommended_asks: asks[s] })),
      renewal: current
        ? {
            contract_id: current.id,
            renewal_date: toIsoDate(renewalDate),
            days_until_renewal: renewalDate ? Math.round((renewalDate.getTime() - today.getTime()) / DAY_MS) : null,
            notice_deadline: toIsoDate(noticeDeadline),
            auto_renew: current.auto_renew,
            arr: money(value),
            seats: current.seats,
            per_seat_price: ps ? money(ps) : null,
            discount_percent: Number(discount.toFixed(2)),
            payment_status: current.payment_status,
          }
        : null,
      value_delivered: {
        usage: { active_users_30d: k.users_30d, active_users_previous_30d: k.users_prev_30d, active_users_90_days_ago: k.users_90d_ago, growth_30d: g30, growth_90d: g90, seats, seat_utilization: utilisation },
        adoption: { features_used_90d: k.features_90d, portfolio_features_90d: k.portfolio_features_90d, breadth: k.portfolio_features_90d ? r4(k.features_90d / k.portfolio_features_90d) : null },
        milestones: { reached, overdue, total: account ? account.milestones.length : 0 },
        support: { tickets_365d: k.tickets_365d, resolved_365d: k.resolved_365d, csat_avg: k.csat_avg === null ? null : r4(k.csat_avg), csat_ratings: k.csat_n, escalations_resolved_365d: k.resolved_escalations_365d },
        nps: { answers_365d: k.nps_n, promoters: k.nps_promoters, detractors: k.nps_detractors, nps, latest_answer: k.latest_nps },
      },
      health: { score: f.health, source: f.health_source, calculated_at: toIso(f.health_at) },
      price_history: history,
      risks: {
        churn: { probability: churn.probability, risk_level: churn.risk_level, source: churn.source, model_version: churn.model_version, top_factors: churn.factors.slice(0, 5) },
        open_tickets: k.open_tickets,
        open_p1: k.open_p1,
        open_p2: k.open_p2,
        open_sla_breached: k.open_sla_breached,
        open_escalations: k.open_escalations,
        payment: { status: current?.payment_status ?? null, overdue_invoices: k.overdue_invoices, overdue_amount: money(dec(k.overdue_amount)), paid_late_365d: k.invoices_paid_late_365d },
      },
      leverage_points: leverage,
      pressure_points: pressure,
      open_expansion: open.map((o) => ({ opportunity_id: o.id, type: o.type, product: o.product, score: Number(o.score), estimated_value: money(dec(o.estimated_value)) })),
      definitions: {
        usage: "active users = distinct users with a usage event in a 30-day window; growth_90d compares the last 30 days with the 30 days ending 90 days ago",
        per_seat_price: "contract_value ÷ seats of each contract; changes are against the previous contract",
        churn: CHURN_SOURCE_RULE,
        health: HEALTH_RULE,
        strategy_default: "retention_save when churn risk is high or medium; else expansion_bundle when expansion opportunities are open; else value_based",
      },
      missing_data: missing,
    };
  }
}
