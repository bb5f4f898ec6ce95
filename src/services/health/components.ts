// The five health components, each 0–100 (integer) or null when the account has no data for it.
// Pure functions of the stored signals (src/repositories/health-signals.ts); every formula is written
// out in docs/health-and-churn.md so a CS lead can recompute a score by hand. Each function is
// monotonic in the direction the property tests check: more usage never lowers usage, a detractor
// never raises satisfaction, an overdue invoice never raises payment.
import type { AccountSignals, InvoiceSignals, SupportSignals, SurveySignals, UsageSignals } from "../../repositories/health-signals.ts";

export const COMPONENTS = ["usage", "engagement", "support", "satisfaction", "payment"] as const;
export type Component = (typeof COMPONENTS)[number];
export type ComponentScores = Record<Component, number | null>;
export type Weights = Record<Component, number>;

export interface ComponentResult {
  score: number | null;
  /** One line: the inputs and how they became the score (or why there is no score). */
  basis: string;
}

const clamp = (v: number, lo = 0, hi = 100) => Math.min(hi, Math.max(lo, v));
const pct = (v: number) => Math.round(clamp(v * 100));
const r2 = (v: number) => Math.round(v * 100) / 100;

/** Active days a user is expected to have per 7 days for full intensity. */
export const USAGE_TARGET_DAYS_PER_WEEK = 3;

/**
 * usage = 100 × (0.6 × min(1, active users ÷ B) + 0.4 × min(1, active user-days ÷ (B × 3 × L ÷ 7)))
 * B (the baseline) = contracted seats when known, else max(1, active users of the previous window).
 * null when the account has never had a usage event.
 */
export function usageScore(u: UsageSignals | null, seats: number | null, lookbackDays: number): ComponentResult {
  if (!u) return { score: null, basis: "no usage events stored for this account (import usage or connect Mixpanel)" };
  const baseline = seats && seats > 0 ? seats : Math.max(1, u.users_prev);
  const breadth = Math.min(1, u.users_cur / baseline);
  const target = baseline * USAGE_TARGET_DAYS_PER_WEEK * (lookbackDays / 7);
  const intensity = Math.min(1, u.user_days_cur / target);
  const score = pct(0.6 * breadth + 0.4 * intensity);
  const base = seats && seats > 0 ? `${seats} seats` : `${baseline} user(s) active in the previous window`;
  return {
    score,
    basis: `${u.users_cur} active users vs ${base} (${r2(breadth)}), ${u.user_days_cur} active user-days vs a target of ${r2(target)} (${r2(intensity)})`,
  };
}

/**
 * engagement = 100 × weighted mean of: feature breadth 0.40 (features used ÷ features used anywhere in
 * the portfolio in the window; left out when no feature is recorded anywhere), active days 0.35
 * (min(1, days with activity ÷ (L × 5/7))), recency 0.25 (max(0, 1 − days since last activity ÷ L)).
 * null when the account has never had a usage event.
 */
export function engagementScore(u: UsageSignals | null, featureCatalog: number, lookbackDays: number, now: Date): ComponentResult {
  if (!u) return { score: null, basis: "no usage events stored for this account" };
  const parts: Array<[number, number]> = [];
  const notes: string[] = [];
  if (featureCatalog > 0) {
    const breadth = Math.min(1, u.features_cur / featureCatalog);
    parts.push([0.4, breadth]);
    notes.push(`${u.features_cur} of ${featureCatalog} features (${r2(breadth)})`);
  }
  const days = Math.min(1, u.days_cur / ((lookbackDays * 5) / 7));
  parts.push([0.35, days]);
  notes.push(`${u.days_cur} active days (${r2(days)})`);
  const since = Math.max(0, (now.getTime() - u.last_at.getTime()) / 86_400_000);
  const recency = Math.max(0, 1 - since / lookbackDays);
  parts.push([0.25, recency]);
  notes.push(`last activity ${r2(since)} days ago (${r2(recency)})`);
  const wsum = parts.reduce((a, [w]) => a + w, 0);
  const score = pct(parts.reduce((a, [w, v]) => a + w * v, 0) / wsum);
  return { score, basis: notes.join(", ") };
}

export const SUPPORT_PENALTIES = { P1: 20, P2: 10, P3: 4, P4: 2, open_cap: 60, sla_breach: 8, sla_cap: 32, escalation: 15, escalation_cap: 30 } as const;

/**
 * support = clamp(100 − min(60, 20·P1 + 10·P2 + 4·P3 + 2·P4 open) − min(32, 8·SLA breaches)
 *                 − min(30, 15·open escalations) + 5 × (mean CSAT of tickets resolved in the window − 3))
 * (the CSAT term only when rated tickets exist). null when the account has never had a ticket or escalation.
 */
export function supportScore(s: SupportSignals | null): ComponentResult {
  if (!s) return { score: null, basis: "no support tickets or escalations stored for this account" };
  const P = SUPPORT_PENALTIES;
  const open = Math.min(P.open_cap, P.P1 * s.open_p1 + P.P2 * s.open_p2 + P.P3 * s.open_p3 + P.P4 * s.open_p4);
  const sla = Math.min(P.sla_cap, P.sla_breach * s.sla_breaches);
  const esc = Math.min(P.escalation_cap, P.escalation * s.open_escalations);
  const csat = s.csat_n > 0 && s.csat_avg !== null ? 5 * (s.csat_avg - 3) : 0;
  const score = Math.round(clamp(100 - open - sla - esc + csat));
  return {
    score,
    basis: `open P1/P2/P3/P4 ${s.open_p1}/${s.open_p2}/${s.open_p3}/${s.open_p4} (−${open}), ${s.sla_breaches} SLA breaches (−${sla}), ${s.open_escalations} open escalations (−${esc})${s.csat_n > 0 ? `, ticket CSAT ${r2(s.csat_avg ?? 0)} of 5 over ${s.csat_n} (${csat >= 0 ? "+" : ""}${r2(csat)})` : ""}`,
  };
}

/**
 * satisfaction = mean of the survey types answered in the window (max(L, 180) days):
 * NPS part = (NPS + 100) ÷ 2 with NPS = % promoters − % detractors; CSAT part = % of answers 4–5;
 * CES part = (mean − 1) ÷ 6 × 100. null when there is no answer in the window.
 */
export function satisfactionScore(s: SurveySignals | null, windowDays: number): ComponentResult {
  if (!s || s.nps_n + s.csat_n + s.ces_n === 0) return { score: null, basis: `no NPS, CSAT or CES answers in the last ${windowDays} days (collect_feedback or import surveys)` };
  const parts: number[] = [];
  const notes: string[] = [];
  if (s.nps_n > 0) {
    const nps = ((s.promoters - s.detractors) / s.nps_n) * 100;
    parts.push((nps + 100) / 2);
    notes.push(`NPS ${r2(nps)} from ${s.nps_n} answers (${s.promoters} promoters, ${s.detractors} detractors)`);
  }
  if (s.csat_n > 0) {
    parts.push((s.csat_pos / s.csat_n) * 100);
    notes.push(`CSAT ${r2((s.csat_pos / s.csat_n) * 100)} % of ${s.csat_n}`);
  }
  if (s.ces_n > 0 && s.ces_avg !== null) {
    parts.push(((s.ces_avg - 1) / 6) * 100);
    notes.push(`CES mean ${r2(s.ces_avg)} of ${s.ces_n}`);
  }
  const score = Math.round(clamp(parts.reduce((a, b) => a + b, 0) / parts.length));
  return { score, basis: notes.join(", ") };
}

export const PAYMENT_RULES = { per_overdue: 15, per_overdue_day: 25 / 90, day_cap: 90, per_paid_late: 5, paid_late_cap: 4, cap_overdue_status: 60, cap_failed_status: 40 } as const;

/**
 * payment = min(cap, 100 − Σ over unpaid overdue invoices (15 + 25 × min(days overdue, 90) ÷ 90)
 *                    − 5 × min(4, invoices of the last 365 days paid late)), floored at 0;
 * cap = 60 when the contract's payment_status is overdue, 40 when failed, else 100.
 * Without invoices, from the contract's payment_status alone (current 100, overdue 60, failed 40).
 * null when there is neither an invoice nor a contract.
 */
export function paymentScore(inv: InvoiceSignals | null, contract: { has_contract: boolean; payment_status: string | null }): ComponentResult {
  const R = PAYMENT_RULES;
  const status = contract.has_contract ? (contract.payment_status ?? "current") : null;
  const cap = status === "failed" ? R.cap_failed_status : status === "overdue" ? R.cap_overdue_status : 100;
  if (!inv || inv.invoices_n === 0) {
    if (!status) return { score: null, basis: "no invoices and no contract stored for this account (import invoices)" };
    return { score: cap, basis: `no invoices; contract payment_status ${status}` };
  }
  const overdue = R.per_overdue * inv.overdue_n + R.per_overdue_day * inv.overdue_days_capped;
  const late = R.per_paid_late * Math.min(R.paid_late_cap, inv.paid_late_n);
  const score = Math.round(clamp(100 - overdue - late, 0, cap));
  return {
    score,
    basis: `${inv.overdue_n} overdue invoices (max ${inv.max_days_overdue} days, −${r2(overdue)}), ${inv.paid_late_n} paid late (−${late})${status && status !== "current" ? `, contract payment_status ${status} caps at ${cap}` : ""}`,
  };
}

export function computeComponents(a: AccountSignals, opts: { lookbackDays: number; satisfactionDays: number; featureCatalog: number; now: Date }) {
  const results: Record<Component, ComponentResult> = {
    usage: usageScore(a.usage, a.seats, opts.lookbackDays),
    engagement: engagementScore(a.usage, opts.featureCatalog, opts.lookbackDays, opts.now),
    support: supportScore(a.support),
    satisfaction: satisfactionScore(a.surveys, opts.satisfactionDays),
    payment: paymentScore(a.invoices, a),
  };
  return results;
}

/**
 * Normalises weights so that they sum to 1 (after the ± 0.01 check the caller made).
 */
export function normaliseWeights(w: Weights): Weights {
  const sum = COMPONENTS.reduce((a, c) => a + w[c], 0);
  const out = {} as Weights;
  for (const c of COMPONENTS) out[c] = sum > 0 ? w[c] / sum : 1 / COMPONENTS.length;
  return out;
}

export interface Composite {
  overall: number | null;
  /** The weights actually applied: missing components 0, the others renormalised to sum to 1. */
  weights: Weights;
  missing: Component[];
}

/**
 * Overall = round(Σ wᵢ′ × cᵢ) over present components, wᵢ′ = wᵢ ÷ Σ(present wⱼ): a missing component's
 * weight is spread over the others in proportion to their weights (equally when those weights are all 0).
 * null when every component is missing.
 */
export function composite(scores: ComponentScores, weights: Weights): Composite {
  const missing = COMPONENTS.filter((c) => scores[c] === null);
  const present = COMPONENTS.filter((c) => scores[c] !== null);
  const used = { usage: 0, engagement: 0, support: 0, satisfaction: 0, payment: 0 } as Weights;
  if (present.length === 0) return { overall: null, weights: used, missing };
  const sum = present.reduce((a, c) => a + weights[c], 0);
  for (const c of present) used[c] = sum > 0 ? weights[c] / sum : 1 / present.length;
  const raw = present.reduce((a, c) => a + used[c] * (scores[c] as number), 0);
  return { overall: Math.round(clamp(raw)), weights: used, missing };
}

/**
 * Data coverage: the share of the configured weight (weights summing to 1) whose component has data.
 * Rounded to 2 decimals. 0 when no component has data.
 */
export function coverageOf(scores: ComponentScores, weights: Weights): number {
  const sum = COMPONENTS.reduce((a, c) => a + weights[c], 0);
  if (sum <= 0) return 0;
  const present = COMPONENTS.filter((c) => scores[c] !== null).reduce((a, c) => a + weights[c], 0);
  return Math.round((present / sum) * 100) / 100;
}

/** Under this coverage a score is not a rating: its band is insufficient_data. */
export const MIN_COVERAGE = 0.5;

/**
 * insufficient_data when the account has no usage data (usage and engagement both missing: nothing says it
 * uses the product) or when less than MIN_COVERAGE of the weight is backed by data.
 */
export function isInsufficient(scores: ComponentScores, coverage: number): boolean {
  return (scores.usage === null && scores.engagement === null) || coverage < MIN_COVERAGE;
}

export type RatedBand = "at_risk" | "needs_attention" | "healthy" | "champion";
export type Band = RatedBand | "insufficient_data";

export function trendOf(score: number, previous: number | null, delta: number): "up" | "down" | "stable" {
  if (previous === null) return "stable";
  if (score - previous > delta) return "up";
  if (previous - score > delta) return "down";
  return "stable";
}

export function bandOf(score: number, bands: { atRiskBelow: number; healthyFrom: number; championFrom: number }): RatedBand {
  if (score >= bands.championFrom) return "champion";
  if (score >= bands.healthyFrom) return "healthy";
  if (score < bands.atRiskBelow) return "at_risk";
  return "needs_attention";
}

export interface Projection {
  projected_score: number;
  horizon_days: number;
  points_used: number;
  span_days: number;
  slope_per_30_days: number;
  method: "least_squares";
}

export interface NoProjection {
  projected_score: null;
  points_used: number;
  span_days: number;
  note: string;
}

/** Fewest scores a projection is fitted through. */
export const PROJECTION_MIN_POINTS = 3;
/** The scores must span at least this many days: scores taken minutes apart give an arbitrary slope. */
export const PROJECTION_MIN_SPAN_DAYS = 14;

/**
 * Next-period projection: least-squares line through (days from now, score) of the given points
 * (newest first, the current score included) — x is time in days, not the index — evaluated `horizonDays`
 * ahead, rounded and clamped 0–100. Refused (projected_score null, with the reason) under 3 points or when
 * the points span less than PROJECTION_MIN_SPAN_DAYS.
 */
export function projectScore(points: Array<{ score: number; at: Date }>, now: Date, horizonDays: number): Projection | NoProjection {
  const xs = points.map((p) => (p.at.getTime() - now.getTime()) / 86_400_000);
  const n = points.length;
  const span = n ? Math.round((Math.max(...xs) - Math.min(...xs)) * 100) / 100 : 0;
  if (n < PROJECTION_MIN_POINTS) {
    return { projected_score: null, points_used: n, span_days: span, note: `a projection needs at least ${PROJECTION_MIN_POINTS} stored scores; ${n} so far (score again later)` };
  }
  if (span < PROJECTION_MIN_SPAN_DAYS) {
    return { projected_score: null, points_used: n, span_days: span, note: `the scores span ${span} days; a projection needs them to span at least ${PROJECTION_MIN_SPAN_DAYS} days` };
  }
  const ys = points.map((p) => p.score);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const projected = my + slope * (horizonDays - mx);
  return {
    projected_score: Math.round(clamp(projected)),
    horizon_days: horizonDays,
    points_used: n,
    span_days: span,
    slope_per_30_days: Math.round(slope * 30 * 100) / 100,
    method: "least_squares",
  };
}
