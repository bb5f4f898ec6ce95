// track_revenue_expansion: starting and ending ARR per account over a calendar period (UTC), each account
// classified as expansion, contraction, churn or flat, and the retention rates with their formulas written out:
//   GRR = (starting ARR − churned ARR − contraction) ÷ starting ARR, never above 100 %
//   NRR = (starting ARR + expansion − contraction − churned ARR) ÷ starting ARR
// The cohort is the accounts with ARR at the period start; accounts whose ARR began inside the period are new
// business, listed apart and excluded from both rates.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { ExpansionRevenueRepository } from "../../repositories/expansion-revenue.ts";
import { ArrMovementsRepository, EXPANSION_RATE_FORMULA, expansionRatePercent } from "../../repositories/arr-movements.ts";
import { validationError } from "../../server/errors.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { Decimal, ZERO, dec, fmt, money, sum, type Dec } from "./money.ts";

export const TIME_PERIODS = ["monthly", "quarterly", "annual"] as const;
export type TimePeriod = (typeof TIME_PERIODS)[number];

export interface RevenueInput {
  time_period: TimePeriod;
  period_start?: string | undefined;
  include_pipeline: boolean;
  limit: number;
}

const MONTHS: Record<TimePeriod, number> = { monthly: 1, quarterly: 3, annual: 12 };
const DAY_MS = 86_400_000;
const addMonths = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));

/** The first day of the period containing d. */
function periodOf(d: Date, p: TimePeriod): Date {
  const m = d.getUTCMonth();
  const first = p === "monthly" ? m : p === "quarterly" ? m - (m % 3) : 0;
  return new Date(Date.UTC(d.getUTCFullYear(), first, 1));
}

const pct = (num: Dec, den: Dec) => num.div(den).mul(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

export class RevenueService {
  private readonly repo: ExpansionRevenueRepository;
  private readonly movements: ArrMovementsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new ExpansionRevenueRepository(prisma);
    this.movements = new ArrMovementsRepository(prisma);
  }

  private period(input: RevenueInput, now: Date) {
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    let start: Date;
    if (input.period_start === undefined) start = addMonths(periodOf(now, input.time_period), -MONTHS[input.time_period]);
    else {
      start = new Date(`${input.period_start}T00:00:00.000Z`);
      if (periodOf(start, input.time_period).getTime() !== start.getTime()) {
        const rule = input.time_period === "monthly" ? "the first day of a month" : input.time_period === "quarterly" ? "the first day of a quarter (01-01, 04-01, 07-01 or 10-01)" : "the first day of a year (01-01)";
        throw validationError(`period_start: must be ${rule} for time_period '${input.time_period}' (got ${input.period_start})`, "give the period's first day, or leave period_start out for the latest complete period");
      }
      if (start.getTime() > today.getTime()) throw validationError(`period_start: ${input.period_start} is in the future; the period has not started yet`);
    }
    const next = addMonths(start, MONTHS[input.time_period]);
    const complete = next.getTime() <= now.getTime();
    const lastDay = new Date(next.getTime() - DAY_MS);
    const endDay = complete ? lastDay : today;
    const endCut = complete ? next : now;
    return { start, next, lastDay, endDay, endCut, complete };
  }

  async track(input: RevenueInput) {
    const now = this.now();
    const per = this.period(input, now);
    const rows = await this.movements.period(toIsoDate(per.start)!, toIsoDate(per.endDay)!, per.start, per.endCut);

    const cohort: Array<{ client_id: string; company_name: string; starting_arr: Dec; ending_arr: Dec; classification: "expansion" | "contraction" | "churned" | "flat"; change: Dec; churned_at: string | null }> = [];
    const fresh: Array<{ client_id: string; company_name: string; ending_arr: Dec }> = [];
    for (const r of rows) {
      const s = dec(r.start_arr);
      const e = dec(r.end_arr);
      if (r.movement === "new") fresh.push({ client_id: r.account_id, company_name: r.company_name, ending_arr: e });
      else cohort.push({ client_id: r.account_id, company_name: r.company_name, starting_arr: s, ending_arr: e, classification: r.movement, change: e.minus(s), churned_at: toIso(r.churned_at) });
    }
    const of = (c: string) => cohort.filter((x) => x.classification === c);
    const S = sum(cohort.map((x) => x.starting_arr));
    const E = sum(cohort.map((x) => x.ending_arr));
    const expansion = sum(of("expansion").map((x) => x.change));
    const contraction = sum(of("contraction").map((x) => x.change.neg()));
    const churned = sum(of("churned").map((x) => x.starting_arr));
    const newArr = sum(fresh.map((x) => x.ending_arr));

    let grr: Dec | null = null;
    let nrr: Dec | null = null;
    let grrFormula = "GRR = (starting ARR − churned ARR − contraction) ÷ starting ARR: no account had ARR at the period start";
    let nrrFormula = "NRR = (starting ARR + expansion − contraction − churned ARR) ÷ starting ARR: no account had ARR at the period start";
    if (S.gt(0)) {
      const g = pct(S.minus(churned).minus(contraction), S);
      grr = Decimal.min(g, 100);
      grrFormula = `GRR = (${fmt(S)} − ${fmt(churned)} − ${fmt(contraction)}) ÷ ${fmt(S)} = ${grr.toFixed(2)} %${g.gt(100) ? " (capped at 100 %)" : ""}`;
      nrr = pct(S.plus(expansion).minus(contraction).minus(churned), S);
      nrrFormula = `NRR = (${fmt(S)} + ${fmt(expansion)} − ${fmt(contraction)} − ${fmt(churned)}) ÷ ${fmt(S)} = ${nrr.toFixed(2)} %`;
    }

    let pipeline = undefined;
    if (input.include_pipeline) {
      const open = await this.repo.openPipeline();
      const inCohort = new Set(cohort.filter((c) => c.classification !== "churned").map((c) => c.client_id));
      const byType = new Map<string, { opportunities: number; value: Dec }>();
      for (const o of open) {
        const e = byType.get(o.type) ?? { opportunities: 0, value: ZERO };
        e.opportunities += o.n;
        e.value = e.value.plus(dec(o.value));
        byType.set(o.type, e);
      }
      const total = sum(open.map((o) => dec(o.value)));
      const cohortValue = sum(open.filter((o) => inCohort.has(o.account_id)).map((o) => dec(o.value)));
      const nrrWith = S.gt(0) ? pct(S.plus(expansion).plus(cohortValue).minus(contraction).minus(churned), S) : null;
      pipeline = {
        definition: "open expansion opportunities (status open) and their estimated value; 'NRR if the cohort's pipeline closed' adds the open value of the cohort's retained accounts to expansion",
        open_opportunities: open.reduce((a, o) => a + o.n, 0),
        open_value: money(total),
        by_type: [...byType].map(([type, e]) => ({ type, opportunities: e.opportunities, value: money(e.value) })),
        cohort_open_value: money(cohortValue),
        nrr_if_cohort_pipeline_closed_percent: nrrWith === null ? null : Number(nrrWith.toFixed(2)),
        formula: nrrWith === null ? null : `(${fmt(S)} + ${fmt(expansion)} + ${fmt(cohortValue)} − ${fmt(contraction)} − ${fmt(churned)}) ÷ ${fmt(S)} = ${nrrWith.toFixed(2)} %`,
      };
    }

    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (rows.length === 0) {
      missing.push({
        what: `no contract was in force between ${toIsoDate(per.start)} and ${toIsoDate(per.endDay)} (contracts need start_date, and end_date or none for open-ended)`,
        how_to_supply: "record contracts with register_client / update_client_info (contract_value, contract_start_date, contract_end_date) or `cs-mcp import accounts <file>`",
      });
    }
    const accounts = [...cohort].sort((a, b) => b.change.abs().comparedTo(a.change.abs()) || a.client_id.localeCompare(b.client_id));
    return {
      as_of: toIso(now)!,
      period: {
        time_period: input.time_period,
        start: toIsoDate(per.start)!,
        end: toIsoDate(per.lastDay)!,
        complete: per.complete,
        ending_arr_read_on: toIsoDate(per.endDay)!,
      },
      definitions: {
        arr: "ARR of an account on a day = Σ contract_value of its contracts in force that day (start_date ≤ day < end_date, open-ended without end_date); contract_value is stored as the annual contract value, so billing_frequency does not multiply it; 0 once the account has churned (churned_at)",
        starting_arr: "ARR on the period's first day",
        ending_arr: "ARR on the period's last day (today for a period still running)",
        cohort: "accounts with ARR on the period's first day; accounts whose ARR began inside the period are new business, excluded from GRR and NRR",
        churned: "ending ARR 0, or churned_at inside the period: churned ARR = the account's starting ARR",
        expansion: "ending ARR > starting ARR: expansion = ending − starting",
        contraction: "0 < ending ARR < starting ARR: contraction = starting − ending",
        grr: "GRR = (starting ARR − churned ARR − contraction) ÷ starting ARR × 100, capped at 100 %",
        nrr: "NRR = (starting ARR + expansion − contraction − churned ARR) ÷ starting ARR × 100",
        expansion_rate: EXPANSION_RATE_FORMULA,
      },
      totals: {
        cohort_accounts: cohort.length,
        starting_arr: money(S),
        ending_arr: money(E),
        expansion_arr: money(expansion),
        contraction_arr: money(contraction),
        churned_arr: money(churned),
        accounts_expanded: of("expansion").length,
        accounts_contracted: of("contraction").length,
        accounts_churned: of("churned").length,
        accounts_flat: of("flat").length,
        grr_percent: grr === null ? null : Number(grr.toFixed(2)),
        nrr_percent: nrr === null ? null : Number(nrr.toFixed(2)),
        expansion_rate_percent: expansionRatePercent(expansion.toString(), S.toString()),
        new_accounts_excluded: fresh.length,
        new_business_arr: money(newArr),
      },
      formulas: { grr: grrFormula, nrr: nrrFormula },
      accounts: accounts.slice(0, input.limit).map((a) => ({ client_id: a.client_id, company_name: a.company_name, starting_arr: money(a.starting_arr), ending_arr: money(a.ending_arr), change: money(a.change), classification: a.classification, churned_at: a.churned_at })),
      new_accounts: fresh.slice(0, input.limit).map((f) => ({ client_id: f.client_id, company_name: f.company_name, ending_arr: money(f.ending_arr) })),
      ...(pipeline ? { pipeline } : {}),
      missing_data: missing,
      limit: input.limit,
      truncated: accounts.length > input.limit || fresh.length > input.limit,
    };
  }
}
