// A learned churn model as stored (churn_models) and exported: features with their standardisation, the
// logistic coefficients on the standardised scale, and Platt calibration of the log-odds. Scoring and the
// per-account explanation live here; the same score as SQL is in sql-score.ts.
import type { ChurnFeatureRow } from "../../repositories/churn-features.ts";
import { describeValue, rawValue, type FeatureSpec } from "./features.ts";
import { sigmoid } from "./logistic.ts";
import type { Scores } from "./metrics.ts";

export const LEARNED_KIND = "logistic_l2";
export const HAND_SET_KIND = "hand_set_logistic";

export interface TrainingMetrics {
  accounts: number;
  churners: number;
  actives: number;
  folds: number;
  lambda: number;
  /** Mean over the folds, learned (before calibration) and hand-set, on the same folds. */
  cv: { learned: Scores; learned_calibrated: Scores; hand_set: Scores };
  /** Out-of-fold calibrated probability bins vs the churn rate observed in them. */
  reliability: Array<{ from: number; to: number; accounts: number; mean_probability: number; churn_rate: number }>;
  top_features: Array<{ feature: string; weight: number; effect: "raises" | "lowers" }>;
  as_of_rule: string;
}

export interface LearnedModel {
  version: string;
  kind: typeof LEARNED_KIND;
  trained_at: string;
  features: FeatureSpec[];
  coefficients: { intercept: number; weights: number[] };
  calibration: { method: "platt"; a: number; b: number };
  metrics: TrainingMetrics;
}

export interface ModelFactor {
  factor: string;
  contribution: number;
  value: number | string | null;
  detail: string;
  log_odds: number;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** The calibrated log-odds of a row and each feature's term of it (a·wⱼ·(xⱼ − meanⱼ)/sdⱼ: vs an average account). */
export function terms(m: LearnedModel, row: ChurnFeatureRow): { z: number; parts: Array<{ f: FeatureSpec; raw: number | null; t: number }> } {
  const { a, b } = m.calibration;
  let z = a * m.coefficients.intercept + b;
  const parts = m.features.map((f, j) => {
    const raw = rawValue(f, row);
    const t = a * m.coefficients.weights[j]! * (((raw ?? f.impute) - f.mean) / f.sd);
    z += t;
    return { f, raw, t };
  });
  return { z, parts };
}

/** Probability, log-odds and the factors that raise this account's churn odds above an average account's, largest first. */
export function scoreLearned(m: LearnedModel, row: ChurnFeatureRow, maxFactors = 5): { probability: number; log_odds: number; factors: ModelFactor[] } {
  const { z, parts } = terms(m, row);
  const up = parts.filter((p) => p.t > 1e-6).sort((x, y) => y.t - x.t || x.f.name.localeCompare(y.f.name));
  const total = up.reduce((s, p) => s + p.t, 0);
  const factors = up.slice(0, maxFactors).map((p) => ({
    factor: p.f.name,
    contribution: r4(p.t / total),
    value: p.f.kind === "attribute_level" ? String(row.attributes[p.f.attribute!] ?? "") || null : p.raw === null ? null : r4(p.raw),
    detail: `${describeValue(p.f, p.raw)} (typical ${describeValue(p.f, p.f.kind === "attribute_level" ? (p.f.mean >= 0.5 ? 1 : 0) : p.f.mean)}): churn odds ×${Math.exp(p.t).toFixed(2)}`,
    log_odds: r4(p.t),
  }));
  return { probability: r4(sigmoid(z)), log_odds: r4(z), factors };
}
