// The churn model: a transparent logistic model over observable signals. Every coefficient lives in this
// file, next to the version string stored with each prediction; docs/health-and-churn.md lists the same
// table with a worked example. Change a coefficient → change MODEL_VERSION.
//
//   z = INTERCEPT + Σ βᵢ · xᵢ          p = 1 ÷ (1 + e^(−z))
//
// Each signal xᵢ is 0 for a healthy account and grows with risk, so every term βᵢ·xᵢ is ≥ 0 and a
// factor's contribution is its share of the positive log-odds: βᵢ·xᵢ ÷ Σⱼ βⱼ·xⱼ.

export const MODEL_VERSION = "churn-logit-1.1.0";
/** Log-odds of an account with no risk signal at all: p = σ(−3.2) ≈ 0.039. */
export const INTERCEPT = -3.2;

export interface ChurnInputs {
  /** Current health score (0–100) or null when it could not be computed. */
  health: number | null;
  /** Points lost against the previous stored score (0 when up, stable or unknown). */
  health_drop: number;
  /** Share decline in usage, recent window vs the previous one: max over active users and active user-days. */
  usage_decline: number | null;
  /** Days since the latest usage event; null when the account never had one. */
  days_since_usage: number | null;
  /** Whether the account had usage in the current or the previous window. */
  recent_usage: boolean;
  /** Share of NPS detractors among the NPS answers of the satisfaction window. */
  detractor_share: number | null;
  latest_nps: number | null;
  open_p1: number;
  open_p2: number;
  sla_breaches: number;
  open_escalations: number;
  overdue_invoices: number;
  max_days_overdue: number;
  payment_status: string | null;
  days_to_renewal: number | null;
  tenure_days: number;
  lifecycle_stage: string;
}

export interface Signal {
  factor: string;
  coefficient: number;
  /** The transformed signal xᵢ (0 = no risk). */
  x(i: ChurnInputs): number;
  /** The observed value shown to the user. */
  value(i: ChurnInputs): number | string | null;
  detail(i: ChurnInputs): string;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const r = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

export const STAGE_RISK: Record<string, number> = { at_risk: 1, renewal: 0.3, onboarding: 0.3, adoption: 0.1, growth: 0, maturity: 0, churned: 1 };

/** The coefficient table. x ranges are given in each signal's doc comment. */
export const SIGNALS: readonly Signal[] = [
  {
    // x = max(0, 75 − health) ÷ 25, range 0–3 (0 at 75 and above)
    factor: "low_health_score",
    coefficient: 1.2,
    x: (i) => (i.health === null ? 0 : Math.max(0, 75 - i.health) / 25),
    value: (i) => i.health,
    detail: (i) => (i.health === null ? "health score unknown (no component data)" : `health score ${i.health} (risk starts under 75)`),
  },
  {
    // x = min(2, points lost vs the previous score ÷ 10), range 0–2
    factor: "declining_health",
    coefficient: 0.6,
    x: (i) => Math.min(2, Math.max(0, i.health_drop) / 10),
    value: (i) => i.health_drop,
    detail: (i) => `health fell ${i.health_drop} points since the previous score`,
  },
  {
    // x = usage decline share (0–1), recent window vs the previous one
    factor: "usage_decline",
    coefficient: 2.2,
    x: (i) => clamp01(i.usage_decline ?? 0),
    value: (i) => (i.usage_decline === null ? null : r(i.usage_decline)),
    detail: (i) => (i.usage_decline === null ? "no usage in either window" : `usage ${r(i.usage_decline * 100, 1)} % below the previous window`),
  },
  {
    // x = min(1, tenure days ÷ 30) when the account never had usage or none in the current and previous
    // windows (never activated / no usage since onboarding), else 0. Range 0–1; a month-old account with no
    // usage alone reaches σ(−3.2 + 3.0) = 0.45 (medium).
    factor: "never_activated",
    coefficient: 3.0,
    x: (i) => (i.recent_usage ? 0 : Math.min(1, i.tenure_days / 30)),
    value: (i) => i.days_since_usage,
    detail: (i) => (i.days_since_usage === null ? `no usage event ever, customer for ${i.tenure_days} days` : `no usage in the last two windows (last event ${i.days_since_usage} days ago)`),
  },
  {
    // x = detractor share of NPS answers (0–1), plus 0.5 when the latest NPS answer is a detractor
    factor: "detractor_nps",
    coefficient: 1.6,
    x: (i) => clamp01(i.detractor_share ?? 0) + (i.latest_nps !== null && i.latest_nps <= 6 ? 0.5 : 0),
    value: (i) => i.latest_nps,
    detail: (i) => `${r((i.detractor_share ?? 0) * 100, 1)} % detractors; latest NPS answer ${i.latest_nps ?? "none"}`,
  },
  {
    // x = min(3, open P1 + 0.5 × open P2)
    factor: "open_critical_tickets",
    coefficient: 0.7,
    x: (i) => Math.min(3, i.open_p1 + 0.5 * i.open_p2),
    value: (i) => i.open_p1 + i.open_p2,
    detail: (i) => `${i.open_p1} open P1 and ${i.open_p2} open P2 tickets`,
  },
  {
    // x = min(5, SLA breaches in the window or on open tickets)
    factor: "sla_breaches",
    coefficient: 0.25,
    x: (i) => Math.min(5, i.sla_breaches),
    value: (i) => i.sla_breaches,
    detail: (i) => `${i.sla_breaches} tickets breached their SLA`,
  },
  {
    // x = min(3, open escalations)
    factor: "open_escalations",
    coefficient: 0.6,
    x: (i) => Math.min(3, i.open_escalations),
    value: (i) => i.open_escalations,
    detail: (i) => `${i.open_escalations} open escalations`,
  },
  {
    // x = min(3, overdue invoices) + min(1, longest days overdue ÷ 60) + 1 when payment_status is overdue/failed
    factor: "overdue_payment",
    coefficient: 0.7,
    x: (i) => Math.min(3, i.overdue_invoices) + Math.min(1, i.max_days_overdue / 60) + (i.payment_status === "overdue" || i.payment_status === "failed" ? 1 : 0),
    value: (i) => i.overdue_invoices,
    detail: (i) => `${i.overdue_invoices} overdue invoices (longest ${i.max_days_overdue} days), payment_status ${i.payment_status ?? "none"}`,
  },
  {
    // x = (90 − days to renewal) ÷ 90 inside the last 90 days before renewal, 1 when past it, else 0
    factor: "renewal_approaching",
    coefficient: 0.5,
    x: (i) => (i.days_to_renewal === null || i.days_to_renewal > 90 ? 0 : i.days_to_renewal < 0 ? 1 : (90 - i.days_to_renewal) / 90),
    value: (i) => i.days_to_renewal,
    detail: (i) => (i.days_to_renewal === null ? "no renewal date" : `renewal in ${i.days_to_renewal} days`),
  },
  {
    // x = max(0, 180 − tenure days) ÷ 180 (new accounts churn more), range 0–1
    factor: "short_tenure",
    coefficient: 0.4,
    x: (i) => Math.max(0, 180 - i.tenure_days) / 180,
    value: (i) => i.tenure_days,
    detail: (i) => `customer for ${i.tenure_days} days`,
  },
  {
    // x = STAGE_RISK[lifecycle stage]: at_risk 1, renewal 0.3, onboarding 0.3, adoption 0.1, else 0
    factor: "lifecycle_stage",
    coefficient: 1.0,
    x: (i) => STAGE_RISK[i.lifecycle_stage] ?? 0,
    value: (i) => i.lifecycle_stage,
    detail: (i) => `lifecycle stage ${i.lifecycle_stage}`,
  },
];

export interface ChurnFactor {
  factor: string;
  contribution: number;
  value: number | string | null;
  detail: string;
  log_odds: number;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export interface ChurnScore {
  probability: number;
  log_odds: number;
  factors: ChurnFactor[];
}

export function predictChurn(inputs: ChurnInputs): ChurnScore {
  const terms = SIGNALS.map((s) => ({ s, t: s.coefficient * s.x(inputs) })).filter(({ t }) => t > 0);
  const positive = terms.reduce((a, { t }) => a + t, 0);
  const z = INTERCEPT + positive;
  const factors = terms
    .map(({ s, t }) => ({ factor: s.factor, contribution: r(t / positive, 4), value: s.value(inputs), detail: s.detail(inputs), log_odds: r(t, 4) }))
    .sort((a, b) => b.log_odds - a.log_odds || a.factor.localeCompare(b.factor));
  return { probability: r(sigmoid(z), 4), log_odds: r(z, 4), factors };
}

export function riskLevel(p: number, levels: { high: number; medium: number; low: number }): "high" | "medium" | "low" | "minimal" {
  if (p >= levels.high) return "high";
  if (p >= levels.medium) return "medium";
  if (p >= levels.low) return "low";
  return "minimal";
}
