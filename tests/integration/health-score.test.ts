// calculate_health_score against a real database, on both back ends: every component hand-computed in
// the test from the rows it inserts, weights and missing components, storage of the history and of the
// account's score/trend, trend and projection from stored history, custom weights, the portfolio pass
// through the ToolPipeline (progress notifications, validation errors naming the field).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number, hours = 0) => new Date(NOW.getTime() + days * DAY + hours * 3_600_000);
const dateAt = (days: number) => new Date(`${at(days).toISOString().slice(0, 10)}T00:00:00.000Z`);

const A = "cs_1700000000_alpha";
const B = "cs_1700000000_bravo";
const C = "cs_1700000000_charlie";
const D = "cs_1700000000_delta";
const E = "cs_1700000000_echo";
const F = "cs_1700000000_foxtrot";

function errorOf(r: { isError?: boolean; content: Array<{ type: string; text?: string }> }) {
  expect(r.isError).toBe(true);
  return (JSON.parse(r.content[0]!.text!) as { error: { code: string; message: string } }).error;
}

describe.each(BACKENDS)("calculate_health_score on %s", (backend) => {
  let t: TestDb;
  let services: Services;
  let pipeline: ToolPipeline;

  beforeAll(async () => {
    t = await openTestDb(backend);
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    pipeline = new ToolPipeline([calculateHealthScore], { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 30_000 });
    const p = t.db.prisma;
    const acct = (id: string, name: string) => ({ id, client_name: name, company_name: name, company_key: name.toLowerCase(), primary_contact_email: `${name.toLowerCase()}@x.io`, created_at: at(-400) });
    await p.account.createMany({ data: [acct(A, "Alpha"), acct(B, "Bravo"), acct(C, "Charlie"), acct(D, "Delta"), acct(E, "Echo"), acct(F, "Foxtrot")] });
    await p.contract.create({ data: { account_id: A, contract_value: 12000, seats: 4, payment_status: "current", start_date: dateAt(-400), renewal_date: dateAt(200) } });

    // A: usage. Current window (30 days): u1 on days −1…−5 (features f1, f2), u2 on −1, −10, −20, u3 on −25 (f3).
    const ev = (user: string, d: number, event: string, feature: string | null = null, account = A) => ({ account_id: account, user_id: user, event, feature, occurred_at: at(d) });
    await p.usageEvent.createMany({
      data: [
        ev("u1", -1, "feature_used", "f1"), ev("u1", -2, "feature_used", "f2"), ev("u1", -3, "login"), ev("u1", -4, "login"), ev("u1", -5, "login"),
        ev("u1", -1, "login", null), // same user and day: still one user-day
        ev("u2", -1, "session_start"), ev("u2", -10, "session_start"), ev("u2", -20, "session_start"),
        ev("u3", -25, "feature_used", "f3"),
        // previous window: 4 users
        ev("u1", -35, "login"), ev("u2", -40, "login"), ev("u4", -45, "login"), ev("u5", -50, "login"),
        // B: one user, one feature in the window (the portfolio's feature catalog becomes f1–f4)
        ev("b1", -2, "feature_used", "f4", B),
        // E and F: one user on days −1 and −2, and on −35 (previous window); no feature, no other data
        ev("e1", -1, "login", null, E), ev("e1", -2, "login", null, E), ev("e1", -35, "login", null, E),
        ev("f1", -1, "login", null, F), ev("f1", -2, "login", null, F), ev("f1", -35, "login", null, F),
      ],
    });
    // A: support. An open P1 past both SLA targets; a resolved P3 on time rated 4; an open escalation.
    await p.supportTicket.createMany({
      data: [
        { account_id: A, subject: "down", priority: "P1", status: "open", created_at: at(-2), first_response_due_at: at(-2, 0.25), resolution_due_at: at(-2, 4) },
        { account_id: A, subject: "q", priority: "P3", status: "resolved", created_at: at(-6), first_response_due_at: at(-6, 0.25), first_response_at: at(-6, 0.1), resolution_due_at: at(-5), resolved_at: at(-5, -2), satisfaction_rating: 4 },
      ],
    });
    await p.escalation.create({ data: { account_id: A, severity: "high", reason: "outage", status: "open", created_at: at(-2) } });
    // A: surveys in the last 180 days: NPS 10, 9, 3; CSAT 5, 2. An NPS 0 from 200 days ago is outside.
    const sr = (type: "nps" | "csat", score: number, d: number, i: number) => ({ account_id: A, survey_type: type, respondent_email: `r${i}@alpha.io`, score, responded_at: at(d) });
    await p.surveyResponse.createMany({ data: [sr("nps", 10, -10, 1), sr("nps", 9, -50, 2), sr("nps", 3, -100, 3), sr("csat", 5, -3, 4), sr("csat", 2, -4, 5), sr("nps", 0, -200, 6)] });
    // A: invoices: paid on time, paid late, 20 days overdue, not yet due.
    await p.invoice.createMany({
      data: [
        { account_id: A, external_id: "i1", amount: 1000, issued_at: dateAt(-90), due_date: dateAt(-60), paid_at: at(-61) },
        { account_id: A, external_id: "i2", amount: 1000, issued_at: dateAt(-70), due_date: dateAt(-40), paid_at: at(-35) },
        { account_id: A, external_id: "i3", amount: 1000, issued_at: dateAt(-50), due_date: dateAt(-20), paid_at: null },
        { account_id: A, external_id: "i4", amount: 1000, issued_at: dateAt(-20), due_date: dateAt(10), paid_at: null },
        // D: one invoice 120 days overdue; its only data
        { account_id: D, external_id: "d1", amount: 500, issued_at: dateAt(-150), due_date: dateAt(-120), paid_at: null },
      ],
    });
    // D and E: stored history 80 (−60 days), 70 (−30 days)
    const hs = (account_id: string, score: number, d: number) => ({ account_id, overall_score: score, payment_score: score, weights: {}, missing_components: ["usage", "engagement", "support", "satisfaction"], trend: "stable", band: "needs_attention", calculated_at: at(d) });
    await p.healthScore.createMany({ data: [hs(D, 80, -60), hs(D, 70, -30), hs(E, 80, -60), hs(E, 70, -30)] });
    await p.account.update({ where: { id: D }, data: { health_score: 70 } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  // Hand computation of A from the rows above (formulas in docs/health-and-churn.md).
  const L = 30;
  const usageA = Math.round(100 * (0.6 * Math.min(1, 3 / 4) + 0.4 * Math.min(1, 9 / ((4 * 3 * L) / 7))));
  const engagementA = Math.round(100 * (0.4 * (3 / 4) + 0.35 * Math.min(1, 8 / ((L * 5) / 7)) + 0.25 * (1 - 1 / L)));
  const supportA = 100 - 20 - 8 - 15 + 5 * (4 - 3);
  const satisfactionA = Math.round(((((2 - 1) / 3) * 100 + 100) / 2 + 50) / 2);
  const paymentA = Math.round(100 - (15 + (25 * 20) / 90) - 5 * 1);
  // E (and F): baseline max(1, 1 previous user) = 1; 2 user-days vs 1 × 3 × 30/7; catalog f1–f4, none used;
  // 2 active days of 30 × 5/7; last event 1 day ago. Only usage and engagement: coverage 0.35 + 0.25 = 0.6.
  const usageE = Math.round(100 * (0.6 * 1 + 0.4 * (2 / ((3 * L) / 7))));
  const engagementE = Math.round(100 * (0.4 * 0 + 0.35 * (2 / ((L * 5) / 7)) + 0.25 * (1 - 1 / L)));
  const overallE = Math.round((0.35 * usageE + 0.25 * engagementE) / 0.6);

  it("scores one account with every component computed from its rows, stores it and updates the account", async () => {
    const r = await services.healthScores.calculate({ client_id: A, scoring_model: "weighted_composite", lookback_period_days: L, include_predictions: false, limit: 50, offset: 0 });
    expect(r.mode).toBe("single");
    if (r.mode !== "single") return;
    const a = r.account;
    expect(a.components).toEqual({ usage: usageA, engagement: engagementA, support: supportA, satisfaction: satisfactionA, payment: paymentA });
    expect([usageA, engagementA, supportA, satisfactionA, paymentA]).toEqual([52, 67, 62, 58, 74]);
    const overall = Math.round(0.35 * usageA + 0.25 * engagementA + 0.15 * supportA + 0.15 * satisfactionA + 0.1 * paymentA);
    expect(overall).toBe(60);
    expect(a.overall_score).toBe(overall);
    expect(a.missing_components).toEqual([]);
    expect(a.weights.usage).toBeCloseTo(0.35, 10);
    expect(a.trend).toBe("stable");
    expect(a.previous_score).toBeNull();
    expect(a.band).toBe("needs_attention");
    expect(a.alert).toBeNull();

    const rows = await t.db.prisma.healthScore.findMany({ where: { account_id: A } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ overall_score: overall, usage_score: usageA, support_score: supportA, payment_score: paymentA, trend: "stable", band: "needs_attention", scoring_model: "weighted_composite", lookback_days: 30 });
    const acc = await t.db.prisma.account.findUniqueOrThrow({ where: { id: A } });
    expect(acc.health_score).toBe(overall);
    expect(acc.health_trend).toBe("stable");
  });

  it("custom weights are applied exactly; a sum off by more than 0.01 names component_weights", async () => {
    const r = await services.healthScores.calculate({ client_id: A, scoring_model: "custom", component_weights: { usage: 0.5, support: 0.5 }, lookback_period_days: L, include_predictions: false, risk_threshold: 80, limit: 50, offset: 0 });
    if (r.mode !== "single") throw new Error("single expected");
    expect(r.account.overall_score).toBe(Math.round(0.5 * usageA + 0.5 * supportA));
    expect(r.account.weights).toEqual({ usage: 0.5, engagement: 0, support: 0.5, satisfaction: 0, payment: 0 });
    expect(r.account.alert?.threshold).toBe(80);
    const bad = errorOf(await pipeline.call("calculate_health_score", { client_id: A, scoring_model: "custom", component_weights: { usage: 0.5, support: 0.4 } }));
    expect(bad.code).toBe("validation_error");
    expect(bad.message).toContain("component_weights: must sum to 1 ± 0.01");
    const both = errorOf(await pipeline.call("calculate_health_score", { client_id: A, all: true }));
    expect(both.message).toContain("client_id: give exactly one of client_id, client_ids or all");
    const unknown = errorOf(await pipeline.call("calculate_health_score", { client_id: "cs_1_nobody" }));
    expect(unknown.code).toBe("not_found");
  });

  it("an account without usage is insufficient_data: figure and coverage shown, no band, alert, trend or projection; stored as unknown", async () => {
    const r = await services.healthScores.calculate({ client_id: D, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: true, limit: 50, offset: 0 });
    if (r.mode !== "single") throw new Error("single expected");
    const d = r.account;
    // one invoice 120 days overdue: 100 − 15 − 25 × 90/90 = 60; payment is the only component, so weight 1
    expect(d.components).toEqual({ usage: null, engagement: null, support: null, satisfaction: null, payment: 60 });
    expect(d.missing_components).toEqual(["usage", "engagement", "support", "satisfaction"]);
    expect(d.weights.payment).toBe(1);
    expect(d.overall_score).toBe(60); // renormalised figure kept…
    expect(d.coverage).toBe(0.1); // …but only the payment weight (0.10) is backed by data
    expect(d.band).toBe("insufficient_data");
    expect(d.trend).toBeNull();
    expect(d.alert).toBeNull();
    expect(d.prediction).toMatchObject({ projected_score: null });
    expect(d.stored).toBe(true);
    const row = await t.db.prisma.healthScore.findFirstOrThrow({ where: { account_id: D }, orderBy: { calculated_at: "desc" } });
    expect(row).toMatchObject({ overall_score: null, coverage: 0.1, band: "insufficient_data", trend: null, payment_score: 60 });
    // the account's stored score (read by lists and segments) becomes unknown, not a confident figure
    expect((await t.db.prisma.account.findUniqueOrThrow({ where: { id: D } })).health_score).toBeNull();
  });

  it("trends and projects a rated account over its stored history, x in days", async () => {
    const r = await services.healthScores.calculate({ client_id: E, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: true, limit: 50, offset: 0 });
    if (r.mode !== "single") throw new Error("single expected");
    const e = r.account;
    expect([usageE, engagementE, overallE]).toEqual([66, 27, 50]);
    expect(e).toMatchObject({ overall_score: overallE, coverage: 0.6, band: "needs_attention", previous_score: 70, trend: "down" });
    // least squares through (−60, 80), (−30, 70), (0, 50): slope −0.5/day, mean (−30, 66.67) → 66.67 − 0.5 × 60 at +30 days
    const projected = Math.round((80 + 70 + 50) / 3 - 0.5 * 60);
    expect(e.prediction).toMatchObject({ projected_score: projected, points_used: 3, horizon_days: 30, span_days: 60, slope_per_30_days: -15 });
  });

  it("an account without any data is not scored, not stored, and says what is missing", async () => {
    const r = await services.healthScores.calculate({ client_id: C, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: true, limit: 50, offset: 0 });
    if (r.mode !== "single") throw new Error("single expected");
    expect(r.account.overall_score).toBeNull();
    expect(r.account.missing_components).toHaveLength(5);
    expect(r.account.stored).toBe(false);
    expect(await t.db.prisma.healthScore.count({ where: { account_id: C } })).toBe(0);
  });

  it("scores the portfolio in one pass through the pipeline, lowest first, with totals and progress", async () => {
    const seen: Array<[number, number | undefined, string | undefined]> = [];
    const res = await pipeline.call("calculate_health_score", { all: true, limit: 2 }, { sendProgress: async (p, total, m) => void seen.push([p, total, m]) });
    expect(res.isError).toBeUndefined();
    const data = res.structuredContent as { mode: string; totals: { accounts: number; scored: number; unscored: number; by_band: Record<string, number>; missing_components: Record<string, number> }; accounts: Array<{ client_id: string; overall_score: number | null }>; next_offset: number | null };
    expect(data.mode).toBe("portfolio");
    // A: everything; B, E, F: usage and engagement only (rated); C: nothing; D: payment only (insufficient)
    expect(data.totals).toMatchObject({ accounts: 6, scored: 4, insufficient_data: 1, unscored: 1 });
    expect(data.totals.missing_components).toEqual({ usage: 2, engagement: 2, support: 5, satisfaction: 5, payment: 4 });
    expect(data.totals.by_band.insufficient_data).toBe(1);
    expect(data.totals.by_band.champion).toBe(0);
    expect(Object.values(data.totals.by_band).reduce((a, b) => a + b, 0)).toBe(5);
    expect(data.accounts).toHaveLength(2);
    expect(data.accounts[0]!.overall_score!).toBeLessThanOrEqual(data.accounts[1]!.overall_score!);
    expect(data.next_offset).toBe(2);
    expect(seen[0]).toEqual([0, 6, "scoring 6 accounts"]); // then one notification per scoring statement (chunk), and the store
    expect(seen.at(-1)!.slice(0, 2)).toEqual([6, 6]);
    expect(res.content[0]!.type === "text" && res.content[0]!.text).toMatch(/^Scored 4 of 6 accounts/);
    const page2 = (await pipeline.call("calculate_health_score", { all: true, limit: 2, offset: 4 })).structuredContent as { accounts: Array<{ client_id: string }>; next_offset: number | null };
    expect(page2.accounts.map((a) => a.client_id)).toEqual([D, C]); // insufficient data, then unscored, last
    expect(page2.next_offset).toBeNull();
  });

  it("client_ids scores a list and refuses unknown ids naming the field", async () => {
    const r = await services.healthScores.calculate({ client_ids: [A, B], scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 50, offset: 0 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.accounts.map((a) => a.client_id).sort()).toEqual([A, B]);
    const e = errorOf(await pipeline.call("calculate_health_score", { client_ids: [A, "cs_1_ghost"] }));
    expect(e.message).toContain("client_ids: 1 unknown client_id(s): cs_1_ghost");
  });

  it("what-ifs (custom weights, another lookback) are answered but never stored, nor the next run's previous score", async () => {
    const later = (sec: number) => createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => new Date(NOW.getTime() + sec * 1000) });
    const before = await t.db.prisma.healthScore.count({ where: { account_id: E } });
    const column = (await t.db.prisma.account.findUniqueOrThrow({ where: { id: E } })).health_score;
    expect(column).toBe(overallE);
    const whatIf = await later(10).healthScores.calculate({ client_id: E, scoring_model: "custom", component_weights: { engagement: 1 }, lookback_period_days: 30, include_predictions: false, limit: 50, offset: 0 });
    if (whatIf.mode !== "single") throw new Error("single expected");
    expect(whatIf.account.overall_score).toBe(engagementE);
    expect(whatIf).toMatchObject({ what_if: true, account: { stored: false } });
    const lookback = await later(20).healthScores.calculate({ client_id: E, scoring_model: "weighted_composite", lookback_period_days: 60, include_predictions: false, limit: 50, offset: 0 });
    expect(lookback).toMatchObject({ what_if: true, account: { stored: false } });
    expect(await t.db.prisma.healthScore.count({ where: { account_id: E } })).toBe(before);
    expect((await t.db.prisma.account.findUniqueOrThrow({ where: { id: E } })).health_score).toBe(column);
    const next = await later(30).healthScores.calculate({ client_id: E, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 50, offset: 0 });
    if (next.mode !== "single") throw new Error("single expected");
    expect(next).toMatchObject({ what_if: false, account: { previous_score: overallE, trend: "stable", stored: true } });
    const text = (await pipeline.call("calculate_health_score", { client_id: E, scoring_model: "custom", component_weights: { engagement: 1 } })).content[0];
    expect(text?.type === "text" && text.text).toContain("What-if: not stored.");
  });

  it("scores taken seconds apart are not projected, and the churn tool's trend probability is null with the reason", async () => {
    const later = (sec: number) => createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => new Date(NOW.getTime() + 100_000 + sec * 1000) });
    const run = (sec: number) => later(sec).healthScores.calculate({ client_id: F, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: true, limit: 50, offset: 0 });
    await run(1);
    await run(2);
    const third = await run(3);
    if (third.mode !== "single") throw new Error("single expected");
    // the three runs and the portfolio runs at NOW: all within two minutes
    expect(third.account.prediction).toMatchObject({ projected_score: null, span_days: 0 });
    expect(third.account.prediction!.points_used).toBeGreaterThanOrEqual(4);
    expect(third.account.prediction && "note" in third.account.prediction && third.account.prediction.note).toContain("at least 14 days");
    const churn = await later(4).churn.identify({ client_id: F, days_lookback: 30, include_predictions: true, limit: 50 });
    if (churn.mode !== "single") throw new Error("single expected");
    expect(churn.account).toMatchObject({ health_source: "stored", projection: { projected_health: null, probability_if_trend_continues: null } });
    expect(churn.account.projection?.note).toContain("at least 14 days");
  });
});
