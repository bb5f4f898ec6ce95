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
    "Expansion, contraction and churned ARR over a calendar month, quarter or year, with GRR and NRR and " +
    "their formulas filled in; new business is listed apart. include_pipeline adds open opportunities. " +
    "Read-only. Formulas: cs://docs/formulas. Example: {time_period: 'quarterly', period_start: " +
    "'2026-01-01'}.",
  input: z.strictObject({
    time_period: z.enum(TIME_PERIODS, { error: `must be one of ${TIME_PERIODS.join(", ")}` }).default("monthly").describe("Calendar period"),
    period_start: isoDate().optional().describe("Period's first day; default latest complete"),
    include_pipeline: z.boolean().default(false).describe("Add open pipeline"),
    limit: z.number().int().min(1).max(150).default(50).describe("Most listed"),
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
