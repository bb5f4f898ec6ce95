import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { isoDate } from "../../security/validation.ts";
import { TIME_PERIODS } from "../../services/expansion/revenue.ts";
import { missingData } from "./schemas.ts";

export const trackRevenueExpansion = defineTool({
  name: "track_revenue_expansion",
  toolset: "expansion",
  title: "Track revenue expansion, GRR and NRR",
  description:
    "Expansion, contraction and churned ARR over a calendar period (UTC) with gross and net revenue retention, the " +
    "formulas written out with the figures. Period: the latest complete month / quarter / year (time_period), or the one " +
    "starting at period_start (its first day). ARR of an account on a day = Σ contract_value of its contracts in force " +
    "that day (start_date ≤ day < end_date; contract_value is the annual value, so billing_frequency does not multiply " +
    "it), 0 once churned. Cohort = accounts with ARR on the first day; accounts whose ARR began inside the period are new " +
    "business, listed apart and EXCLUDED. Per account: churned (ending ARR 0 or churned_at in the period: churned = its " +
    "starting ARR), expansion (ending > starting), contraction (0 < ending < starting), flat. GRR = (starting − churned − " +
    "contraction) ÷ starting, never above 100 %; NRR = (starting + expansion − contraction − churned) ÷ starting. " +
    "include_pipeline adds open expansion opportunities and the NRR if the cohort's pipeline closed. Read-only. " +
    "Example: {time_period: 'quarterly', period_start: '2026-01-01', include_pipeline: true}.",
  input: z.strictObject({
    time_period: z.enum(TIME_PERIODS, { error: `must be one of ${TIME_PERIODS.join(", ")}` }).default("monthly").describe("monthly, quarterly or annual calendar periods (default monthly)"),
    period_start: isoDate().optional().describe("First day of the period (YYYY-MM-DD: a month's 1st, a quarter's 01-01/04-01/07-01/10-01, a year's 01-01); default the latest complete period"),
    include_pipeline: z.boolean().default(false).describe("Add open expansion opportunities' value and the NRR if the cohort's pipeline closed"),
    limit: z.number().int().min(1).max(150).default(50).describe("Accounts listed, largest ARR change first, 1–150 (default 50); totals cover all"),
  }),
  output: z.object({
    as_of: z.string(),
    period: z.object({ time_period: z.enum(TIME_PERIODS), start: z.string(), end: z.string(), complete: z.boolean(), ending_arr_read_on: z.string() }),
    definitions: z.record(z.string(), z.string()),
    totals: z.object({
      cohort_accounts: z.number().int(),
      starting_arr: z.number(),
      ending_arr: z.number(),
      expansion_arr: z.number(),
      contraction_arr: z.number(),
      churned_arr: z.number(),
      accounts_expanded: z.number().int(),
      accounts_contracted: z.number().int(),
      accounts_churned: z.number().int(),
      accounts_flat: z.number().int(),
      grr_percent: z.number().max(100).nullable(),
      nrr_percent: z.number().nullable(),
      expansion_rate_percent: z.number().nullable().describe("expansion_arr ÷ starting_arr × 100; the expansion_rate of track_cs_metrics for the same period"),
      new_accounts_excluded: z.number().int(),
      new_business_arr: z.number(),
    }),
    formulas: z.object({ grr: z.string(), nrr: z.string() }),
    accounts: z.array(
      z.object({
        client_id: z.string(),
        company_name: z.string(),
        starting_arr: z.number(),
        ending_arr: z.number(),
        change: z.number(),
        classification: z.enum(["expansion", "contraction", "churned", "flat"]),
        churned_at: z.string().nullable(),
      }),
    ),
    new_accounts: z.array(z.object({ client_id: z.string(), company_name: z.string(), ending_arr: z.number() })),
    pipeline: z
      .object({
        definition: z.string(),
        open_opportunities: z.number().int(),
        open_value: z.number(),
        by_type: z.array(z.object({ type: z.string(), opportunities: z.number().int(), value: z.number() })),
        cohort_open_value: z.number(),
        nrr_if_cohort_pipeline_closed_percent: z.number().nullable(),
        formula: z.string().nullable(),
      })
      .optional(),
    missing_data: missingData,
    limit: z.number().int(),
    truncated: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.expansion.revenue.track(args);
    const t = data.totals;
    return {
      data,
      text:
        `${data.period.time_period} ${data.period.start}..${data.period.end}${data.period.complete ? "" : " (in progress)"}: starting ARR ${t.starting_arr} over ${t.cohort_accounts} accounts; ` +
        `expansion ${t.expansion_arr}, contraction ${t.contraction_arr}, churned ${t.churned_arr}. ${data.formulas.grr}. ${data.formulas.nrr}. ` +
        `${t.new_accounts_excluded} new accounts (${t.new_business_arr}) excluded.`,
    };
  },
});
