// Property tests of the health math: monotonic components, weights applied exactly, missing components
// reported (never invented), trend/band boundaries, and the least-squares projection.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  COMPONENTS,
  bandOf,
  composite,
  coverageOf,
  isInsufficient,
  MIN_COVERAGE,
  normaliseWeights,
  paymentScore,
  projectScore,
  satisfactionScore,
  supportScore,
  trendOf,
  usageScore,
  engagementScore,
  type ComponentScores,
  type Weights,
} from "../../src/services/health/components.ts";
import { customWeights } from "../../src/services/health/health-score-service.ts";
import { ToolError } from "../../src/server/errors.ts";
import type { InvoiceSignals, SurveySignals, UsageSignals } from "../../src/repositories/health-signals.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");

const usageArb = fc
  .record({
    users_cur: fc.nat(200),
    users_prev: fc.nat(200),
    user_days_cur: fc.nat(3000),
    user_days_prev: fc.nat(3000),
    days_cur: fc.nat(30),
    features_cur: fc.nat(20),
    since_days: fc.double({ min: 0, max: 60, noNaN: true }),
  })
  .map(
    (r): UsageSignals => ({
      users_cur: r.users_cur,
      users_prev: r.users_prev,
      events_cur: r.user_days_cur * 2,
      events_prev: r.user_days_prev * 2,
      user_days_cur: Math.max(r.user_days_cur, r.users_cur),
      user_days_prev: r.user_days_prev,
      days_cur: r.days_cur,
      features_cur: r.features_cur,
      last_at: new Date(NOW.getTime() - r.since_days * 86_400_000),
    }),
  );

const surveyArb = fc
  .record({ promoters: fc.nat(20), passives: fc.nat(20), detractors: fc.nat(20), csat_n: fc.nat(20), csat_pos_share: fc.double({ min: 0, max: 1, noNaN: true }), ces_n: fc.nat(10), ces: fc.double({ min: 1, max: 7, noNaN: true }) })
  .map(
    (r): SurveySignals => ({
      nps_n: r.promoters + r.passives + r.detractors,
      promoters: r.promoters,
      detractors: r.detractors,
      detractors_cur: 0,
      nps_cur_n: 0,
      latest_nps: null,
      csat_n: r.csat_n,
      csat_pos: Math.floor(r.csat_n * r.csat_pos_share),
      ces_n: r.ces_n,
      ces_avg: r.ces_n ? r.ces : null,
    }),
  );

const invoiceArb = fc
  .record({ invoices_n: fc.integer({ min: 1, max: 30 }), overdue: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 5 }), paid_late_n: fc.nat(10) })
  .map(
    (r): InvoiceSignals => ({
      invoices_n: r.invoices_n + r.overdue.length,
      overdue_n: r.overdue.length,
      overdue_days_capped: r.overdue.reduce((a, d) => a + Math.min(d, 90), 0),
      max_days_overdue: r.overdue.length ? Math.max(...r.overdue) : 0,
      overdue_amount: 0,
      paid_late_n: r.paid_late_n,
    }),
  );

const weightsArb = fc
  .tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000))
  .filter((t) => t.some((x) => x > 0))
  .map(([a, b, c, d, e]) => normaliseWeights({ usage: a, engagement: b, support: c, satisfaction: d, payment: e }));
const scoreOrNull = fc.option(fc.integer({ min: 0, max: 100 }), { nil: null });
const scoresArb = fc.record({ usage: scoreOrNull, engagement: scoreOrNull, support: scoreOrNull, satisfaction: scoreOrNull, payment: scoreOrNull }) as fc.Arbitrary<ComponentScores>;

describe("health components (properties)", () => {
  it("more usage in the window never lowers the usage score", () => {
    fc.assert(
      fc.property(usageArb, fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }), fc.integer({ min: 7, max: 365 }), fc.nat(20), fc.nat(200), (u, seats, L, moreUsers, moreDays) => {
        const more: UsageSignals = { ...u, users_cur: u.users_cur + moreUsers, user_days_cur: u.user_days_cur + moreUsers + moreDays, events_cur: u.events_cur + moreDays };
        const a = usageScore(u, seats, L).score!;
        const b = usageScore(more, seats, L).score!;
        expect(a).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThanOrEqual(100);
        expect(b).toBeGreaterThanOrEqual(a);
      }),
    );
  });

  it("more activity (days, features, recency) never lowers engagement", () => {
    fc.assert(
      fc.property(usageArb, fc.nat(30), fc.nat(5), fc.nat(5), fc.integer({ min: 7, max: 90 }), (u, catalogExtra, moreFeatures, moreDays, L) => {
        const catalog = u.features_cur + catalogExtra;
        const more: UsageSignals = { ...u, features_cur: u.features_cur + moreFeatures, days_cur: u.days_cur + moreDays, last_at: NOW };
        // a new feature also grows the portfolio catalog by at most the same amount
        const a = engagementScore(u, catalog, L, NOW).score!;
        const b = engagementScore(more, catalog + moreFeatures, L, NOW).score!;
        expect(b).toBeGreaterThanOrEqual(a);
      }),
    );
  });

  it("a detractor answer never raises satisfaction", () => {
    fc.assert(
      fc.property(surveyArb, fc.integer({ min: 1, max: 5 }), (s, n) => {
        const before = satisfactionScore(s, 180).score;
        const after = satisfactionScore({ ...s, nps_n: s.nps_n + n, detractors: s.detractors + n }, 180).score!;
        if (before !== null) expect(after).toBeLessThanOrEqual(before);
        expect(after).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("a promoter answer never lowers satisfaction", () => {
    fc.assert(
      fc.property(surveyArb, (s) => {
        const before = satisfactionScore(s, 180).score;
        const after = satisfactionScore({ ...s, nps_n: s.nps_n + 1, promoters: s.promoters + 1 }, 180).score!;
        if (before !== null && s.nps_n > 0) expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  it("an overdue invoice never raises payment (with or without a contract status)", () => {
    fc.assert(
      fc.property(fc.option(invoiceArb, { nil: null }), fc.integer({ min: 1, max: 400 }), fc.constantFrom("current", "overdue", "failed", null), (inv, days, status) => {
        const contract = { has_contract: status !== null, payment_status: status };
        const before = paymentScore(inv, contract).score;
        const base = inv ?? { invoices_n: 0, overdue_n: 0, overdue_days_capped: 0, max_days_overdue: 0, overdue_amount: 0, paid_late_n: 0 };
        const after = paymentScore({ ...base, invoices_n: base.invoices_n + 1, overdue_n: base.overdue_n + 1, overdue_days_capped: base.overdue_days_capped + Math.min(days, 90), max_days_overdue: Math.max(base.max_days_overdue, days) }, contract).score!;
        if (before !== null) expect(after).toBeLessThanOrEqual(before);
        expect(after).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("an open P1 ticket or an escalation never raises support", () => {
    fc.assert(
      fc.property(fc.record({ open_p1: fc.nat(3), open_p2: fc.nat(3), open_p3: fc.nat(5), open_p4: fc.nat(5), sla_breaches: fc.nat(6), tickets_cur: fc.nat(10), csat_n: fc.nat(5), csat_avg: fc.double({ min: 1, max: 5, noNaN: true }), open_escalations: fc.nat(3), escalations_cur: fc.nat(3) }), (s) => {
        const a = supportScore(s).score!;
        expect(supportScore({ ...s, open_p1: s.open_p1 + 1 }).score!).toBeLessThanOrEqual(a);
        expect(supportScore({ ...s, open_escalations: s.open_escalations + 1 }).score!).toBeLessThanOrEqual(a);
      }),
    );
  });

  it("applies the weights exactly: overall = round(Σ w′ᵢ·cᵢ) with missing weights spread over the present ones", () => {
    fc.assert(
      fc.property(scoresArb, weightsArb, (scores, w) => {
        const r = composite(scores, w);
        const present = COMPONENTS.filter((c) => scores[c] !== null);
        expect(r.missing).toEqual(COMPONENTS.filter((c) => scores[c] === null));
        if (!present.length) {
          expect(r.overall).toBeNull();
          return;
        }
        const sum = present.reduce((a, c) => a + w[c], 0);
        const hand = present.reduce((a, c) => a + (sum > 0 ? w[c] / sum : 1 / present.length) * scores[c]!, 0);
        expect(r.overall).toBe(Math.round(hand));
        for (const c of r.missing) expect(r.weights[c]).toBe(0);
        expect(present.reduce((a, c) => a + r.weights[c], 0)).toBeCloseTo(1, 10);
        expect(r.overall).toBeGreaterThanOrEqual(Math.min(...present.map((c) => scores[c]!)));
        expect(r.overall).toBeLessThanOrEqual(Math.max(...present.map((c) => scores[c]!)));
      }),
    );
  });

  it("a component without data is null — never a made-up value", () => {
    expect(usageScore(null, 10, 30).score).toBeNull();
    expect(engagementScore(null, 5, 30, NOW).score).toBeNull();
    expect(supportScore(null).score).toBeNull();
    expect(satisfactionScore(null, 180).score).toBeNull();
    expect(paymentScore(null, { has_contract: false, payment_status: null }).score).toBeNull();
  });

  it("the default weights reproduce the DOMAIN example by hand", () => {
    const w: Weights = { usage: 0.35, engagement: 0.25, support: 0.15, satisfaction: 0.15, payment: 0.1 };
    expect(composite({ usage: 80, engagement: 60, support: 100, satisfaction: 50, payment: 100 }, w).overall).toBe(Math.round(0.35 * 80 + 0.25 * 60 + 0.15 * 100 + 0.15 * 50 + 0.1 * 100));
    // support missing: its 0.15 spread over the other 0.85 in proportion
    const r = composite({ usage: 80, engagement: 60, support: null, satisfaction: 50, payment: 100 }, w);
    expect(r.weights.usage).toBeCloseTo(0.35 / 0.85, 12);
    expect(r.overall).toBe(Math.round((0.35 * 80 + 0.25 * 60 + 0.15 * 50 + 0.1 * 100) / 0.85));
  });

  it("custom weights must sum to 1 ± 0.01 (error names component_weights) and are normalised", () => {
    const err = (() => {
      try {
        customWeights({ usage: 0.5, engagement: 0.3 });
      } catch (e) {
        return e as ToolError;
      }
    })();
    expect(err).toBeInstanceOf(ToolError);
    expect(err!.code).toBe("validation_error");
    expect(err!.message).toMatch(/^component_weights: must sum to 1/);
    const w = customWeights({ usage: 0.5, engagement: 0.3, support: 0.205 });
    expect(w.usage + w.engagement + w.support + w.satisfaction + w.payment).toBeCloseTo(1, 12);
    expect(w.payment).toBe(0);
  });

  it("coverage is the share of weight backed by data; no usage data or coverage under 0.5 is insufficient_data", () => {
    const w = { usage: 0.35, engagement: 0.25, support: 0.15, satisfaction: 0.15, payment: 0.1 };
    // no usage events: support, satisfaction and payment carry 0.15 + 0.15 + 0.10 of the weight
    const noUsage = { usage: null, engagement: null, support: 100, satisfaction: 100, payment: 100 };
    expect(coverageOf(noUsage, w)).toBe(0.4);
    expect(composite(noUsage, w).overall).toBe(100); // renormalised: still computed…
    expect(isInsufficient(noUsage, 0.4)).toBe(true); // …but not a rating
    // usage-only custom weights with usage present: full coverage, rated
    const rated = { usage: 40, engagement: 50, support: null, satisfaction: null, payment: null };
    expect(coverageOf(rated, w)).toBe(0.6);
    expect(isInsufficient(rated, 0.6)).toBe(false);
    // usage present but only 0.35 of the weight backed: under MIN_COVERAGE
    const thin = { usage: 40, engagement: null, support: null, satisfaction: null, payment: null };
    expect(coverageOf(thin, w)).toBe(0.35);
    expect(MIN_COVERAGE).toBe(0.5);
    expect(isInsufficient(thin, 0.35)).toBe(true);
    // custom weights that ignore usage still need usage data for a rating
    const custom = { usage: 0, engagement: 0, support: 0.5, satisfaction: 0.5, payment: 0 };
    expect(coverageOf(noUsage, custom)).toBe(1);
    expect(isInsufficient(noUsage, 1)).toBe(true);
  });

  it("trend and band follow the configured boundaries", () => {
    expect(trendOf(53, 50, 2)).toBe("up");
    expect(trendOf(52, 50, 2)).toBe("stable");
    expect(trendOf(47, 50, 2)).toBe("down");
    expect(trendOf(48, 50, 2)).toBe("stable");
    expect(trendOf(10, null, 2)).toBe("stable");
    const b = { atRiskBelow: 50, healthyFrom: 75, championFrom: 90 };
    expect([49, 50, 74, 75, 89, 90].map((s) => bandOf(s, b))).toEqual(["at_risk", "needs_attention", "needs_attention", "healthy", "healthy", "champion"]);
  });

  it("projects with a least-squares line over days, clamped 0–100; refused with the reason under 3 points or a short span", () => {
    const day = (d: number) => new Date(NOW.getTime() + d * 86_400_000);
    expect(projectScore([{ score: 50, at: NOW }, { score: 60, at: day(-30) }], NOW, 30)).toMatchObject({ projected_score: null, points_used: 2 });
    // scores taken seconds apart: no slope is fitted (it would be arbitrary), the note says why
    const sec = (s: number) => new Date(NOW.getTime() - s * 1000);
    const quick = projectScore([{ score: 13, at: NOW }, { score: 60, at: sec(5) }, { score: 61, at: sec(10) }], NOW, 30);
    expect(quick.projected_score).toBeNull();
    expect(quick).toMatchObject({ points_used: 3, span_days: 0 });
    expect("note" in quick && quick.note).toContain("at least 14 days");
    // x is time in days, not the index: unevenly spaced points 0, −10, −40 days on the line score = 60 + d/3
    const uneven = projectScore([{ score: 60, at: NOW }, { score: 60 - 10 / 3, at: day(-10) }, { score: 60 - 40 / 3, at: day(-40) }], NOW, 30);
    expect(uneven).toMatchObject({ projected_score: 70, slope_per_30_days: 10, span_days: 40 });
    // exact line: 80, 70, 60 at −60, −30, 0 days → slope −1/3 per day → 50 after 30 days
    const p = projectScore([{ score: 60, at: NOW }, { score: 70, at: day(-30) }, { score: 80, at: day(-60) }], NOW, 30);
    expect(p).toMatchObject({ projected_score: 50, points_used: 3, slope_per_30_days: -10, horizon_days: 30 });
    const steep = projectScore([{ score: 5, at: NOW }, { score: 50, at: day(-7) }, { score: 95, at: day(-14) }], NOW, 30);
    expect(steep.projected_score).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.record({ s: fc.integer({ min: 0, max: 100 }), d: fc.integer({ min: -400, max: 0 }) }), { minLength: 3, maxLength: 6 }), fc.integer({ min: 7, max: 365 }), (pts, h) => {
        const r = projectScore(pts.map((x) => ({ score: x.s, at: day(x.d) })), NOW, h);
        const ds = pts.map((x) => x.d);
        if (Math.max(...ds) - Math.min(...ds) < 14) {
          expect(r.projected_score).toBeNull();
        } else {
          expect(r.projected_score).toBeGreaterThanOrEqual(0);
          expect(r.projected_score).toBeLessThanOrEqual(100);
        }
        expect(r.points_used).toBe(pts.length);
      }),
    );
  });
});
