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
    await p.account.createMany({ data: [acct(A, "Alpha"), acct(B, "Bravo"), acct(C, "Charlie"), acct(D, "Delta")] });
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
    // D: stored history 80 (−60 days), 70 (−30 days)
    const hs = (score: number, d: number) => ({ account_id: D, overall_score: score, payment_score: score, weights: {}, missing_components: ["usage", "engagement", "support", "satisfaction"], trend: "stable", band: "needs_attention", calculated_at: at(d) });
    await p.healthScore.createMany({ data: [hs(80, -60), hs(70, -30)] });
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

  it("spreads missing components' weight, reports them, trends and projects from stored history", async () => {
    const r = await services.healthScores.calculate({ client_id: D, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: true, limit: 50, offset: 0 });
    if (r.mode !== "single") throw new Error("single expected");
    const d = r.account;
    // one invoice 120 days overdue: 100 − 15 − 25 × 90/90 = 60; payment is the only component, so weight 1
    expect(d.components).toEqual({ usage: null, engagement: null, support: null, satisfaction: null, payment: 60 });
    expect(d.missing_components).toEqual(["usage", "engagement", "support", "satisfaction"]);
    expect(d.weights.payment).toBe(1);
    expect(d.overall_score).toBe(60);
    expect(d.previous_score).toBe(70);
    expect(d.trend).toBe("down");
    // 80, 70, 60 at −60, −30, 0 days: slope −10 per 30 days → 50 after one more window
    expect(d.prediction).toMatchObject({ projected_score: 50, points_used: 3, horizon_days: 30 });
    expect(d.alert).toBeNull(); // 60 is not under the default threshold 50
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
    expect(data.totals).toMatchObject({ accounts: 4, scored: 3, unscored: 1 });
    // A: everything; B: usage and engagement only; C: nothing; D: payment only
    expect(data.totals.missing_components).toEqual({ usage: 2, engagement: 2, support: 3, satisfaction: 3, payment: 2 });
    expect(Object.values(data.totals.by_band).reduce((a, b) => a + b, 0)).toBe(3);
    expect(data.accounts).toHaveLength(2);
    expect(data.accounts[0]!.overall_score!).toBeLessThanOrEqual(data.accounts[1]!.overall_score!);
    expect(data.next_offset).toBe(2);
    expect(seen[0]).toEqual([0, 4, "signals loaded for 4 accounts"]);
    expect(seen.at(-1)!.slice(0, 2)).toEqual([4, 4]);
    expect(res.content[0]!.type === "text" && res.content[0]!.text).toMatch(/^Scored 3 of 4 accounts/);
    const page2 = (await pipeline.call("calculate_health_score", { all: true, limit: 2, offset: 2 })).structuredContent as { accounts: Array<{ client_id: string }>; next_offset: number | null };
    expect(page2.accounts.map((a) => a.client_id)).toContain(C); // unscored last
    expect(page2.next_offset).toBeNull();
  });

  it("client_ids scores a list and refuses unknown ids naming the field", async () => {
    const r = await services.healthScores.calculate({ client_ids: [A, B], scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 50, offset: 0 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.accounts.map((a) => a.client_id).sort()).toEqual([A, B]);
    const e = errorOf(await pipeline.call("calculate_health_score", { client_ids: [A, "cs_1_ghost"] }));
    expect(e.message).toContain("client_ids: 1 unknown client_id(s): cs_1_ghost");
  });
});
