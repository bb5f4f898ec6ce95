// Revenue retention and lifetime value on both back ends: a quarter with one expanding, one contracting, one
// churned, one flat and one new account (excluded) — exact GRR and NRR with the formulas written out; GRR stays at
// or under 100 % with a large expansion; the pipeline's NRR; CLV with the lifetime cap and the levers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { expansionTools } from "../../src/tools/expansion/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const d = (s: string) => new Date(`${s}T00:00:00.000Z`);
const pct = (num: number, den: number) => Math.round((num / den) * 10_000) / 100;

describe.each(BACKENDS)("revenue retention and CLV on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(contracts: Array<{ value: number; start: string; end?: string; status?: string }>, over: Record<string, unknown> = {}) {
    const slug = `rev_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, created_at: d("2022-01-01"), ...over } });
    for (const c of contracts) {
      await t.db.prisma.contract.create({ data: { account_id: id, contract_value: c.value, start_date: d(c.start), end_date: c.end ? d(c.end) : null, status: c.status ?? "active", seats: 10 } });
    }
    return id;
  }

  let expander: string, contractor: string, churner: string, flat: string, fresh: string;

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, expansionTools, NOW);
    // Q1 2026: [2026-01-01, 2026-04-01)
    expander = await account([{ value: 10000, start: "2025-07-01", end: "2026-02-01", status: "renewed" }, { value: 15000, start: "2026-02-01", end: "2027-02-01" }]);
    contractor = await account([{ value: 20000, start: "2025-01-01", end: "2026-03-01", status: "renewed" }, { value: 16000, start: "2026-03-01", end: "2027-03-01" }]);
    churner = await account([{ value: 8000, start: "2025-06-01", end: "2026-02-15", status: "cancelled" }], { status: "churned", churned_at: new Date("2026-02-15T09:00:00.000Z") });
    flat = await account([{ value: 7000, start: "2025-01-01", end: "2027-01-01" }]);
    fresh = await account([{ value: 5000, start: "2026-02-01", end: "2027-02-01" }], { created_at: d("2026-01-20") });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("NRR and GRR over a quarter: one expansion, one contraction, one churn; the new account is excluded", async () => {
    const out = await call(p, "track_revenue_expansion", { time_period: "quarterly", period_start: "2026-01-01" });
    expect(out.period).toEqual({ time_period: "quarterly", start: "2026-01-01", end: "2026-03-31", complete: true, ending_arr_read_on: "2026-03-31" });
    const start = 10000 + 20000 + 8000 + 7000;
    const expansion = 15000 - 10000;
    const contraction = 20000 - 16000;
    const churned = 8000;
    expect(out.totals).toMatchObject({
      cohort_accounts: 4,
      starting_arr: start,
      ending_arr: 15000 + 16000 + 0 + 7000,
      expansion_arr: expansion,
      contraction_arr: contraction,
      churned_arr: churned,
      accounts_expanded: 1,
      accounts_contracted: 1,
      accounts_churned: 1,
      accounts_flat: 1,
      grr_percent: pct(start - churned - contraction, start),
      nrr_percent: pct(start + expansion - contraction - churned, start),
      new_accounts_excluded: 1,
      new_business_arr: 5000,
    });
    expect(out.totals.grr_percent).toBe(73.33);
    expect(out.totals.nrr_percent).toBe(84.44);
    expect(out.formulas.grr).toBe("GRR = (45000.00 − 8000.00 − 4000.00) ÷ 45000.00 = 73.33 %");
    expect(out.formulas.nrr).toBe("NRR = (45000.00 + 5000.00 − 4000.00 − 8000.00) ÷ 45000.00 = 84.44 %");
    const cls = Object.fromEntries(out.accounts.map((a: { client_id: string; classification: string }) => [a.client_id, a.classification]));
    expect(cls).toEqual({ [expander]: "expansion", [contractor]: "contraction", [churner]: "churned", [flat]: "flat" });
    expect(out.new_accounts).toEqual([{ client_id: fresh, company_name: expect.any(String), ending_arr: 5000 }]);
  });

  it("the pipeline adds the cohort's open opportunities to a what-if NRR", async () => {
    await t.db.prisma.expansionOpportunity.create({ data: { account_id: expander, type: "upsell", score: 0.8, estimated_value: 3000, rationale: "test" } });
    await t.db.prisma.expansionOpportunity.create({ data: { account_id: fresh, type: "seats", score: 0.9, estimated_value: 1000, rationale: "test" } });
    const out = await call(p, "track_revenue_expansion", { time_period: "quarterly", period_start: "2026-01-01", include_pipeline: true });
    expect(out.pipeline).toMatchObject({ open_opportunities: 2, open_value: 4000, cohort_open_value: 3000, nrr_if_cohort_pipeline_closed_percent: pct(45000 + 5000 + 3000 - 4000 - 8000, 45000) });
    expect(out.pipeline.nrr_if_cohort_pipeline_closed_percent).toBe(91.11);
  });

  it("GRR never exceeds 100 % even with a large expansion; NRR shows it", async () => {
    const big = await account([{ value: 1000, start: "2022-01-01", end: "2023-06-01", status: "renewed" }, { value: 100000, start: "2023-06-01", end: "2024-06-01", status: "expired" }]);
    const steady = await account([{ value: 1000, start: "2022-01-01", end: "2024-01-01", status: "expired" }]);
    const out = await call(p, "track_revenue_expansion", { time_period: "annual", period_start: "2023-01-01" });
    expect(out.accounts.map((a: { client_id: string }) => a.client_id).sort()).toEqual([big, steady].sort());
    expect(out.totals.grr_percent).toBe(100);
    expect(out.totals.nrr_percent).toBe(pct(2000 + 99000, 2000));
    expect(out.formulas.grr).toBe("GRR = (2000.00 − 0.00 − 0.00) ÷ 2000.00 = 100.00 %");
  });

  it("defaults to the latest complete period and refuses a period_start that is not a period's first day", async () => {
    const m = await call(p, "track_revenue_expansion", {});
    expect(m.period).toMatchObject({ time_period: "monthly", start: "2026-05-01", end: "2026-05-31", complete: true });
    const q = await call(p, "track_revenue_expansion", { time_period: "quarterly" });
    expect(q.period).toMatchObject({ start: "2026-01-01", end: "2026-03-31" });
    const e = await callError(p, "track_revenue_expansion", { time_period: "quarterly", period_start: "2026-02-01" });
    expect(e).toMatchObject({ code: "validation_error", message: "period_start: must be the first day of a quarter (01-01, 04-01, 07-01 or 10-01) for time_period 'quarterly' (got 2026-02-01)" });
    const e2 = await callError(p, "track_revenue_expansion", { time_period: "weekly" });
    expect(e2.message).toContain("time_period: must be one of monthly, quarterly, annual");
  });

  it("CLV = ARR × margin × min(cap, 1 ÷ churn); the levers are recomputed CLVs ranked by gain", async () => {
    const prisma = t.db.prisma;
    const predict = (id: string, probability: number) => prisma.churnPrediction.create({ data: { account_id: id, probability, risk_level: "low", factors: [], model_version: "churn-logit-1.0.0", predicted_at: new Date(NOW.getTime() - 86_400_000) } });
    const capped = await account([{ value: 10000, start: "2026-01-01", end: "2027-01-01" }]);
    const short = await account([{ value: 20000, start: "2026-01-01", end: "2027-01-01" }]);
    await predict(capped, 0.05);
    await predict(short, 0.25);
    await prisma.expansionOpportunity.create({ data: { account_id: short, type: "cross_sell", product: "analytics", score: 0.7, estimated_value: 2500, rationale: "test" } });
    expect([t.config.GROSS_MARGIN, t.config.CLV_MAX_LIFETIME_YEARS]).toEqual([0.8, 10]);

    const a = (await call(p, "optimize_customer_lifetime_value", { client_id: capped })).accounts[0];
    // 1 ÷ 0.05 = 20 years, capped at 10: 10000 × 0.8 × 10
    expect(a).toMatchObject({ clv: 10000 * 0.8 * 10, expected_lifetime_years: 10, lifetime_capped: true, churn_source: "stored_prediction" });
    expect(a.formula).toBe("CLV = 10000.00 × 0.8 × min(10, 1 ÷ 0.05) = 80000.00");
    expect(a.levers.map((l: { lever: string; clv_change: number }) => [l.lever, l.clv_change])).toEqual([["margin", 10000 * 0.05 * 10], ["expansion", 0], ["retention", 0]]);

    const b = (await call(p, "optimize_customer_lifetime_value", { client_id: short, optimization_focus: "retention" })).accounts[0];
    const base = 20000 * 0.8 * (1 / 0.25);
    expect(b).toMatchObject({ clv: base, expected_lifetime_years: 4, lifetime_capped: false, open_expansion_value: 2500 });
    expect(b.levers.map((l: { lever: string; clv_change: number }) => [l.lever, l.clv_change])).toEqual([
      ["retention", 20000 * 0.8 * (1 / 0.2) - base],
      ["expansion", 2500 * 0.8 * 4],
      ["margin", 20000 * 0.05 * 4],
    ]);
    expect(b.top_lever).toBe("retention");
  });

  it("CLV names the missing data: an account with no contract and no ARR", async () => {
    const slug = `rev_${backend}_nocontract`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: slug, company_key: slug, created_at: d("2025-01-01") } });
    const out = await call(p, "optimize_customer_lifetime_value", { client_id: id });
    expect(out.accounts[0]).toMatchObject({ clv: 0, arr: 0, arr_source: "account", churn_source: "computed_now" });
    expect(out.missing_data[0].what).toContain(id);
    expect(out.missing_data[0].what).toMatch(/^ARR is 0 for 1 accounts/);
  });
});
