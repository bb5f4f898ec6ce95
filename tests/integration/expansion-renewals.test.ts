// Renewals on both back ends: the window's boundaries (today and today + 90 in, today + 91 and yesterday out),
// renewal_date else end_date, the notice deadline and the reminder dates at 90/60/30/14/7 days with their status;
// the forecast's per-renewal probability from stored churn predictions and auto_renew, and totals (due, expected,
// at risk) that equal the sums of the rows, stored in renewal_forecasts; the negotiation brief's price history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { expansionTools } from "../../src/tools/expansion/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const TODAY = new Date("2026-06-15T00:00:00.000Z");
const DAY = 86_400_000;
const day = (offset: number) => new Date(TODAY.getTime() + offset * DAY);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
const cents = (v: number) => Math.round(v * 100) / 100;

describe.each(BACKENDS)("renewals on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function renewal(o: { renewal?: number | null; end?: number | null; value: number; autoRenew?: boolean; notice?: number; payment?: string; churn?: number | null; seats?: number; discount?: number }) {
    const slug = `ren_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    const prisma = t.db.prisma;
    await prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, created_at: day(-500), arr: o.value } });
    await prisma.contract.create({
      data: {
        account_id: id,
        contract_value: o.value,
        seats: o.seats ?? 10,
        start_date: day(-300),
        end_date: o.end === null ? null : day(o.end ?? o.renewal ?? 0),
        renewal_date: o.renewal === null || o.renewal === undefined ? null : day(o.renewal),
        auto_renew: o.autoRenew ?? false,
        notice_period_days: o.notice ?? 30,
        payment_status: o.payment ?? "current",
        discount_percent: o.discount ?? 0,
        status: "active",
      },
    });
    if (o.churn !== null && o.churn !== undefined) {
      await prisma.churnPrediction.create({ data: { account_id: id, probability: o.churn, risk_level: "low", factors: [{ factor: "usage_decline", contribution: 1, value: 0.5, detail: "usage 50 % below the previous window" }], model_version: "churn-logit-1.0.0", predicted_at: day(-2) } });
    }
    return id;
  }

  let inToday: string, in90: string, out91: string, outYesterday: string, byEnd: string, computed: string, undated: string;

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, expansionTools, NOW);
    inToday = await renewal({ renewal: 0, value: 10000, churn: 0.2, notice: 30 });
    in90 = await renewal({ renewal: 90, value: 20000, churn: 0.5, autoRenew: true, notice: 60 });
    out91 = await renewal({ renewal: 91, value: 5000, churn: 0.1 });
    outYesterday = await renewal({ renewal: -1, value: 5000, churn: 0.1 });
    byEnd = await renewal({ renewal: null, end: 30, value: 8000, churn: 0.8, payment: "overdue" });
    computed = await renewal({ renewal: 150, value: 12000, churn: null, autoRenew: true });
    undated = await renewal({ renewal: null, end: null, value: 1000 });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("track_renewals: today and today + 90 are in, today + 91 and yesterday are out; end_date stands in for renewal_date", async () => {
    const out = await call(p, "track_renewals", {});
    expect(out.window).toEqual({ from: "2026-06-15", to: iso(day(90)), days_until_renewal: 90 });
    const ids = out.renewals.map((r: { client_id: string }) => r.client_id);
    expect(ids).toEqual([inToday, byEnd, in90]);
    expect(ids).not.toContain(out91);
    expect(ids).not.toContain(outYesterday);
    expect(out.renewals[1]).toMatchObject({ renewal_date: iso(day(30)), renewal_date_source: "end_date", days_until_renewal: 30, payment_status: "overdue" });
    expect(out.totals).toMatchObject({ renewals: 3, arr_due: 10000 + 8000 + 20000, payment_issues: 1, churn_from_stored_predictions: 3, churn_computed_now: 0 });
    expect(out.totals.by_risk_level.high).toEqual({ renewals: 1, arr: 8000 });
    expect(out.totals.by_risk_level.medium).toEqual({ renewals: 1, arr: 20000 });
    expect(out.totals.auto_renew).toEqual({ renewals: 1, arr: 20000 });
    expect(out.missing_data[0].what).toContain(undated);
  });

  it("track_renewals: notice deadline and the reminder dates with past / due_today / upcoming", async () => {
    const out = await call(p, "track_renewals", { client_id: byEnd });
    const r = out.renewals[0];
    expect(r.notice_deadline).toBe(iso(day(30 - 30)));
    expect(r.notice_deadline_passed).toBe(false);
    expect(r.days_until_notice_deadline).toBe(0);
    const expected = [90, 60, 30, 14, 7].map((d) => {
      const date = day(30 - d);
      return { days_before: d, date: iso(date), status: date < TODAY ? "past" : date.getTime() === TODAY.getTime() ? "due_today" : "upcoming" };
    });
    expect(r.reminders).toEqual(expected);
    expect(expected.map((e) => e.status)).toEqual(["past", "past", "due_today", "upcoming", "upcoming"]);
    expect(r.next_reminder).toEqual(expected[2]);
    expect(out.totals.reminders_due_today).toBe(1);
    const far = await call(p, "track_renewals", { client_id: in90 });
    expect(far.renewals[0]).toMatchObject({ notice_deadline: iso(day(30)), reminders: [{ days_before: 90, date: iso(TODAY), status: "due_today" }, ...[60, 30, 14, 7].map((d) => ({ days_before: d, date: iso(day(90 - d)), status: "upcoming" }))] });
    const narrow = await call(p, "track_renewals", { days_until_renewal: 0 });
    expect(narrow.renewals.map((x: { client_id: string }) => x.client_id)).toEqual([inToday]);
  });

  it("forecast_renewals: probability 1 − churn (+0.05 auto_renew), forecast ARR per row, totals equal the sums, stored", async () => {
    const out = await call(p, "forecast_renewals", { include_risk_analysis: true });
    expect(out.window.to).toBe(iso(day(180)));
    const rows = out.renewals as Array<{ client_id: string; arr: number; renewal_probability: number; forecast_arr: number; renewal_risk_level: string; churn: { probability: number; source: string }; auto_renew: boolean; forecast_id: string }>;
    expect(rows.map((r) => r.client_id)).toEqual([inToday, byEnd, in90, out91, computed]);
    const churnOf: Record<string, number> = { [inToday]: 0.2, [byEnd]: 0.8, [in90]: 0.5, [out91]: 0.1 };
    for (const r of rows) {
      const c = churnOf[r.client_id] ?? r.churn.probability;
      if (r.client_id === computed) expect(r.churn.source).toBe("computed_now");
      const prob = r4(Math.min(1, 1 - c + (r.auto_renew ? 0.05 : 0)));
      expect(r.renewal_probability).toBe(prob);
      expect(r.forecast_arr).toBe(cents(r.arr * prob));
      const risk = r4(1 - prob);
      expect(r.renewal_risk_level).toBe(risk >= 0.7 ? "high" : risk >= 0.4 ? "medium" : risk >= 0.15 ? "low" : "minimal");
    }
    // in90: 1 − 0.5 + 0.05 = 0.55 → 11000; byEnd: 0.2 → 1600 (high risk)
    expect(rows.find((r) => r.client_id === in90)).toMatchObject({ renewal_probability: 0.55, forecast_arr: 11000, renewal_risk_level: "medium" });
    expect(rows.find((r) => r.client_id === byEnd)).toMatchObject({ renewal_probability: 0.2, forecast_arr: 1600, renewal_risk_level: "high" });
    const sum = (xs: number[]) => cents(xs.reduce((a, b) => a + b, 0));
    expect(out.totals.due).toBe(sum(rows.map((r) => r.arr)));
    expect(out.totals.due).toBe(10000 + 8000 + 20000 + 5000 + 12000);
    expect(out.totals.expected).toBe(sum(rows.map((r) => r.forecast_arr)));
    expect(out.totals.at_risk).toBe(sum(rows.filter((r) => r.renewal_risk_level === "high" || r.renewal_risk_level === "medium").map((r) => r.arr)));
    expect(out.totals.expected_loss).toBe(cents(out.totals.due - out.totals.expected));
    expect(out.risk_analysis.payment_issues).toEqual([{ client_id: byEnd, payment_status: "overdue", arr: 8000 }]);

    const stored = await t.db.prisma.renewalForecast.findMany({ where: { forecast_at: NOW } });
    expect(stored).toHaveLength(5);
    for (const r of rows) {
      const s = stored.find((x) => x.id === r.forecast_id)!;
      expect([s.account_id, Number(s.probability), Number(s.forecast_arr), Number(s.arr), s.risk_level]).toEqual([r.client_id, r.renewal_probability, r.forecast_arr, r.arr, r.renewal_risk_level]);
    }
    expect(await t.db.prisma.auditLog.count({ where: { action: "forecast_renewals" } })).toBe(1);
  });

  it("negotiate_renewals: price history per seat, and a retention_save default at high churn risk", async () => {
    const prisma = t.db.prisma;
    await prisma.contract.create({ data: { account_id: byEnd, contract_value: 6000, seats: 8, start_date: day(-665), end_date: day(-300), status: "renewed", discount_percent: 10 } });
    const out = await call(p, "negotiate_renewals", { client_id: byEnd });
    expect(out.strategy.chosen).toBe("retention_save");
    expect(out.price_history.map((h: { per_seat_price: number | null; value_change_percent: number | null; per_seat_change_percent: number | null }) => [h.per_seat_price, h.value_change_percent, h.per_seat_change_percent])).toEqual([
      [750, null, null],
      [800, cents(((8000 - 6000) / 6000) * 100), cents(((800 - 750) / 750) * 100)],
    ]);
    expect(out.risks.churn).toMatchObject({ probability: 0.8, risk_level: "high", source: "stored_prediction" });
    expect(out.strategy.recommended_asks.some((a: { ask: string }) => a.ask === "hold the per-seat price flat instead of an increase")).toBe(true);
    const multi = await call(p, "negotiate_renewals", { client_id: byEnd, negotiation_strategy: "multi_year" });
    expect(multi.strategy).toMatchObject({ chosen: "multi_year", reason: "as requested" });
    expect(multi.strategy.recommended_asks[0]).toMatchObject({ figure: "800.00 per seat, 8000.00 per year" });
    expect(out.missing_data.map((m: { what: string }) => m.what)).toContain("no usage events are stored: usage growth and adoption cannot be shown");
  });

  it("bad input: window out of range, unknown client", async () => {
    const e = await callError(p, "track_renewals", { days_until_renewal: -1 });
    expect(e.message).toMatch(/^invalid arguments: days_until_renewal: /);
    const e2 = await callError(p, "forecast_renewals", { client_id: "cs_1700000000_nobody" });
    expect(e2.code).toBe("not_found");
    const e3 = await callError(p, "negotiate_renewals", { client_id: inToday, negotiation_strategy: "bully" });
    expect(e3.message).toContain("negotiation_strategy: must be one of value_based, multi_year, expansion_bundle, retention_save");
    expect(await t.db.prisma.renewalForecast.count({ where: { account_id: "cs_1700000000_nobody" } })).toBe(0);
  });
});
