// The churn model's math: the published logistic formula, contributions as shares of the positive
// log-odds, monotonic risk signals, and the configured levels.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { INTERCEPT, MODEL_VERSION, SIGNALS, predictChurn, riskLevel, sigmoid, type ChurnInputs } from "../../src/services/retention/churn-model.ts";

const healthy: ChurnInputs = {
  health: 85,
  health_drop: 0,
  usage_decline: 0,
  days_since_usage: 1,
  recent_usage: true,
  detractor_share: 0,
  latest_nps: 9,
  open_p1: 0,
  open_p2: 0,
  sla_breaches: 0,
  open_escalations: 0,
  overdue_invoices: 0,
  max_days_overdue: 0,
  payment_status: "current",
  days_to_renewal: 200,
  tenure_days: 400,
  lifecycle_stage: "maturity",
};

const inputsArb: fc.Arbitrary<ChurnInputs> = fc.record({
  health: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
  health_drop: fc.nat(60),
  usage_decline: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  days_since_usage: fc.option(fc.nat(400), { nil: null }),
  recent_usage: fc.boolean(),
  detractor_share: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  latest_nps: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
  open_p1: fc.nat(5),
  open_p2: fc.nat(5),
  sla_breaches: fc.nat(8),
  open_escalations: fc.nat(4),
  overdue_invoices: fc.nat(5),
  max_days_overdue: fc.nat(200),
  payment_status: fc.constantFrom("current", "overdue", "failed", null),
  days_to_renewal: fc.option(fc.integer({ min: -30, max: 400 }), { nil: null }),
  tenure_days: fc.nat(2000),
  lifecycle_stage: fc.constantFrom("onboarding", "adoption", "growth", "maturity", "renewal", "at_risk"),
});

describe("churn model", () => {
  it("has a version string and a healthy account sits at the baseline σ(intercept)", () => {
    expect(MODEL_VERSION).toMatch(/^churn-logit-\d+\.\d+\.\d+$/);
    const r = predictChurn(healthy);
    expect(r.factors).toEqual([]);
    expect(r.probability).toBeCloseTo(1 / (1 + Math.exp(-INTERCEPT)), 4);
  });

  it("probability = σ(intercept + Σ βᵢxᵢ), contributions are shares of the positive log-odds summing to 1", () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        const r = predictChurn(i);
        const hand = SIGNALS.reduce((a, s) => a + s.coefficient * s.x(i), 0);
        expect(r.probability).toBeCloseTo(sigmoid(INTERCEPT + hand), 4);
        expect(r.probability).toBeGreaterThanOrEqual(0);
        expect(r.probability).toBeLessThanOrEqual(1);
        if (r.factors.length) expect(r.factors.reduce((a, f) => a + f.contribution, 0)).toBeCloseTo(1, 2);
        for (const f of r.factors) expect(f.log_odds).toBeGreaterThanOrEqual(0);
        for (let k = 1; k < r.factors.length; k++) expect(r.factors[k - 1]!.log_odds).toBeGreaterThanOrEqual(r.factors[k]!.log_odds);
      }),
    );
  });

  it("worse signals never lower the probability", () => {
    fc.assert(
      fc.property(inputsArb, (i) => {
        const p = predictChurn(i).probability;
        expect(predictChurn({ ...i, open_p1: i.open_p1 + 1 }).probability).toBeGreaterThanOrEqual(p);
        expect(predictChurn({ ...i, overdue_invoices: i.overdue_invoices + 1 }).probability).toBeGreaterThanOrEqual(p);
        expect(predictChurn({ ...i, usage_decline: Math.min(1, (i.usage_decline ?? 0) + 0.2) }).probability).toBeGreaterThanOrEqual(p);
        if (i.health !== null) expect(predictChurn({ ...i, health: Math.max(0, i.health - 10) }).probability).toBeGreaterThanOrEqual(p);
      }),
    );
  });

  it("the documented worked example", () => {
    // docs/health-and-churn.md: health 42, dropped 12, usage −50 %, 1 of 2 NPS answers detractor (latest 4),
    // one open P1, one overdue invoice 30 days, renewal in 45 days, tenure 400 days, stage maturity.
    const i: ChurnInputs = { ...healthy, health: 42, health_drop: 12, usage_decline: 0.5, detractor_share: 0.5, latest_nps: 4, open_p1: 1, overdue_invoices: 1, max_days_overdue: 30, days_to_renewal: 45 };
    const z = -3.2 + 1.2 * (33 / 25) + 0.6 * 1.2 + 2.2 * 0.5 + 1.6 * 1.0 + 0.7 * 1 + 0.7 * 1.5 + 0.5 * 0.5;
    const r = predictChurn(i);
    expect(r.log_odds).toBeCloseTo(z, 4);
    expect(r.probability).toBeCloseTo(1 / (1 + Math.exp(-z)), 4);
    expect(r.log_odds).toBe(3.804);
    expect(r.probability).toBe(0.9782);
    expect(r.factors.map((f) => f.factor)).toEqual(["detractor_nps", "low_health_score", "usage_decline", "overdue_payment", "declining_health", "open_critical_tickets", "renewal_approaching"]);
    expect(r.factors[0]!.contribution).toBe(Math.round((1.6 / 7.004) * 10000) / 10000);
  });

  it("a never-activated account is not 'minimal': the never_activated signal, scaled by tenure up to 30 days", () => {
    const levels = { high: 0.7, medium: 0.4, low: 0.15 };
    const never: ChurnInputs = { ...healthy, health: null, usage_decline: null, days_since_usage: null, recent_usage: false };
    const r = predictChurn(never);
    // σ(−3.2 + 3.0 × 1) computed by hand
    expect(r.probability).toBeCloseTo(1 / (1 + Math.exp(0.2)), 4);
    expect(riskLevel(r.probability, levels)).toBe("medium");
    expect(r.factors).toEqual([expect.objectContaining({ factor: "never_activated", contribution: 1, value: null })]);
    // a week-old account: x = 7/30 (plus short_tenure 0.4 × 173/180); usage in a recent window removes the signal
    expect(predictChurn({ ...never, tenure_days: 7 }).log_odds).toBeCloseTo(-3.2 + (3.0 * 7) / 30 + (0.4 * 173) / 180, 4);
    expect(predictChurn({ ...never, recent_usage: true, days_since_usage: 3 }).factors.map((f) => f.factor)).not.toContain("never_activated");
    expect(MODEL_VERSION).toBe("churn-logit-1.1.0");
  });

  it("levels follow the configured thresholds", () => {
    const l = { high: 0.7, medium: 0.4, low: 0.15 };
    expect([0.7, 0.69, 0.4, 0.39, 0.15, 0.149, 0].map((p) => riskLevel(p, l))).toEqual(["high", "medium", "medium", "low", "low", "minimal", "minimal"]);
  });
});
