// optimize_customer_lifetime_value: CLV = ARR × GROSS_MARGIN × expected remaining lifetime, lifetime =
// 1 ÷ annual churn probability capped at CLV_MAX_LIFETIME_YEARS, per account or for the portfolio; and the
// levers that move it, each computed by recomputing CLV with one input changed, ranked by the change.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { ExpansionAccountsRepository } from "../../repositories/expansion-accounts.ts";
import { ExpansionOpportunityRepository } from "../../repositories/expansion-opportunities.ts";
import { notFound } from "../../server/errors.ts";
import { toIso } from "../../security/validation.ts";
import { churnProbabilities } from "./churn-probabilities.ts";
import { CHURN_SOURCE_RULE } from "./renewals.ts";
import { planOf } from "./rules.ts";
import { Decimal, ZERO, cents, dec, fmt, money, r4, sum, type Dec } from "./money.ts";

export const CLV_FOCUS = ["balanced", "retention", "expansion", "margin"] as const;
export type ClvFocus = (typeof CLV_FOCUS)[number];
type Lever = "retention" | "expansion" | "margin";

export interface ClvInput {
  client_id?: string | undefined;
  optimization_focus: ClvFocus;
  churn_reduction_points: number;
  margin_change_points: number;
  prediction_max_age_days: number;
  limit: number;
}

/** Expected remaining lifetime in years: 1 ÷ p, capped; the cap when p is 0. */
export function lifetime(p: number, cap: number): { years: Dec; capped: boolean } {
  if (p <= 0) return { years: new Decimal(cap), capped: true };
  const raw = new Decimal(1).div(p.toFixed(4));
  return raw.gt(cap) ? { years: new Decimal(cap), capped: true } : { years: raw, capped: false };
}

export const clv = (arr: Dec, margin: number, years: Dec) => cents(arr.mul(margin.toFixed(4)).mul(years));

export class ClvService {
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

  async optimize(input: ClvInput) {
    const now = this.now();
    const facts = await this.accounts.facts(input.client_id ? [input.client_id] : null, now, 30);
    if (input.client_id && facts.length === 0) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    const ids = facts.map((f) => f.account_id);
    const churn = await churnProbabilities(this.prisma, this.config, now, ids, input.prediction_max_age_days);
    const open = await this.opps.open(input.client_id ? ids : null);
    const openBy = new Map<string, Dec>();
    for (const o of open) openBy.set(o.account_id, (openBy.get(o.account_id) ?? ZERO).plus(dec(o.estimated_value)));

    const margin = this.config.GROSS_MARGIN;
    const cap = this.config.CLV_MAX_LIFETIME_YEARS;
    const dp = input.churn_reduction_points / 100;
    const dm = input.margin_change_points / 100;
    const newMargin = Math.min(1, r4(margin + dm));
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    const zeroArr: string[] = [];

    const rows = facts.map((f) => {
      const plan = planOf(f);
      const c = churn.get(f.account_id)!;
      const p = c.probability;
      const life = lifetime(p, cap);
      const base = clv(plan.arr, margin, life.years);
      if (plan.arr.lte(0)) zeroArr.push(f.account_id);
      const pNew = Math.max(0, r4(p - dp));
      const lifeNew = lifetime(pNew, cap);
      const retention = clv(plan.arr, margin, lifeNew.years).minus(base);
      const openValue = openBy.get(f.account_id) ?? ZERO;
      const expansion = clv(plan.arr.plus(openValue), margin, life.years).minus(base);
      const marginGain = clv(plan.arr, newMargin, life.years).minus(base);
      const levers: Array<{ lever: Lever; change: string; clv_after: number; clv_change: number; formula: string; note?: string }> = [
        {
          lever: "retention",
          change: `churn probability ${p} → ${pNew} (−${input.churn_reduction_points} points)`,
          clv_after: money(base.plus(retention)),
          clv_change: money(retention),
          formula: `${fmt(plan.arr)} × ${margin} × ${lifeNew.years.toDecimalPlaces(4).toString()} years${lifeNew.capped ? " (capped)" : ""} − ${fmt(base)}`,
          ...(life.capped ? { note: `lifetime already at the ${cap}-year cap: lower churn cannot lengthen it` } : {}),
        },
        {
          lever: "expansion",
          change: `ARR ${fmt(plan.arr)} → ${fmt(plan.arr.plus(openValue))} (+ open expansion opportunities ${fmt(openValue)})`,
          clv_after: money(base.plus(expansion)),
          clv_change: money(expansion),
          formula: `${fmt(openValue)} × ${margin} × ${life.years.toDecimalPlaces(4).toString()} years`,
          ...(openValue.lte(0) ? { note: "no open expansion opportunities: run identify_expansion_opportunities to find them" } : {}),
        },
        {
          lever: "margin",
          change: `gross margin ${margin} → ${newMargin} (+${input.margin_change_points} points)`,
          clv_after: money(base.plus(marginGain)),
          clv_change: money(marginGain),
          formula: `${fmt(plan.arr)} × (${newMargin} − ${margin}) × ${life.years.toDecimalPlaces(4).toString()} years`,
        },
      ];
      levers.sort((a, b) => b.clv_change - a.clv_change || a.lever.localeCompare(b.lever));
      return {
        f,
        plan,
        base,
        deltas: { retention, expansion, margin: marginGain },
        view: {
          client_id: f.account_id,
          company_name: f.company_name,
          tier: f.tier,
          arr: money(plan.arr),
          arr_source: plan.arr_source,
          churn_probability: p,
          churn_source: c.source,
          expected_lifetime_years: Number(life.years.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2)),
          lifetime_capped: life.capped,
          clv: money(base),
          formula: `CLV = ${fmt(plan.arr)} × ${margin} × ${life.capped ? `min(${cap}, 1 ÷ ${p})` : `1 ÷ ${p}`} = ${fmt(base)}`,
          open_expansion_value: money(openValue),
          levers,
          top_lever: levers[0]!.lever,
        },
      };
    });
    if (zeroArr.length) {
      missing.push({
        what: `ARR is 0 for ${zeroArr.length} accounts (${zeroArr.slice(0, 10).join(", ")}${zeroArr.length > 10 ? ", …" : ""}): no active contract value and no accounts.arr, so their CLV is 0`,
        how_to_supply: "set contract_value with update_client_info or `cs-mcp import accounts <file>`",
      });
    }
    const totals = {
      accounts: rows.length,
      arr: money(sum(rows.map((r) => r.plan.arr))),
      clv: money(sum(rows.map((r) => r.base))),
      lever_impact: (["retention", "expansion", "margin"] as const)
        .map((l) => ({ lever: l, clv_change: money(sum(rows.map((r) => r.deltas[l]))) }))
        .sort((a, b) => b.clv_change - a.clv_change || a.lever.localeCompare(b.lever)),
      lifetime_capped_accounts: rows.filter((r) => r.view.lifetime_capped).length,
    };
    const key = (r: (typeof rows)[number]) =>
      input.optimization_focus === "balanced" ? Decimal.max(r.deltas.retention, r.deltas.expansion, r.deltas.margin) : r.deltas[input.optimization_focus];
    const ranked = [...rows].sort((a, b) => key(b).comparedTo(key(a)) || b.base.comparedTo(a.base) || a.f.account_id.localeCompare(b.f.account_id));
    return {
      as_of: toIso(now)!,
      mode: input.client_id ? ("account" as const) : ("portfolio" as const),
      optimization_focus: input.optimization_focus,
      settings: { gross_margin: margin, max_lifetime_years: cap, churn_reduction_points: input.churn_reduction_points, margin_change_points: input.margin_change_points },
      definitions: {
        clv: "CLV = ARR × GROSS_MARGIN × expected remaining lifetime",
        lifetime: `expected remaining lifetime (years) = 1 ÷ annual churn probability, capped at CLV_MAX_LIFETIME_YEARS (${cap}); the cap when the probability is 0`,
        arr: "ARR = contract_value of the active contract (the annual value), else accounts.arr",
        churn: `${CHURN_SOURCE_RULE}; its probability is read as the annual churn probability`,
        levers: "each lever recomputes CLV with one input changed: retention lowers the churn probability by churn_reduction_points, expansion adds the account's open expansion opportunities to ARR, margin raises the gross margin by margin_change_points (at most 1); ranked by the CLV change",
        ranking: "accounts ranked by the CLV change of the optimization_focus lever (balanced: the largest of the three)",
      },
      totals,
      accounts: ranked.slice(0, input.limit).map((r) => r.view),
      missing_data: missing,
      limit: input.limit,
      truncated: ranked.length > input.limit,
    };
  }
}
