// Training: the accounts whose outcome is known (churned with churned_at, and active ones), their features
// as they stood at the as-of instant (churned_at, or now), k-fold stratified cross-validation of the learned
// model against the hand-set one on the same folds, Platt calibration fitted on the out-of-fold log-odds,
// and the final model fitted on every account. Too little history is refused, never a bad model.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { loadFeatureRows, type ChurnFeatureRow } from "../../repositories/churn-features.ts";
import { ChurnModelsRepository } from "../../repositories/churn-models.ts";
import { conflict } from "../../server/errors.ts";
import { discoverFeatures, standardize } from "./features.ts";
import { handSetProbability } from "./hand-set.ts";
import { fitLogistic, linear, sigmoid } from "./logistic.ts";
import { round4, scores, stratifiedFolds, type Scores } from "./metrics.ts";
import { LEARNED_KIND, type LearnedModel, type TrainingMetrics } from "./model.ts";

export const MIN_CHURNERS = 30;
export const MIN_ACTIVES = 30;
export const DEFAULT_FOLDS = 5;
/** L2 penalty on the standardised weights (λ/2·Σw²): a mild prior that keeps rare attribute levels small. */
export const DEFAULT_LAMBDA = 1;
export const AS_OF_RULE = "features as of churned_at for churned accounts and as of training time for active ones; only data dated before that instant";

export interface TrainOptions {
  folds?: number;
  lambda?: number;
  activate?: boolean;
}

const mean = (xs: Scores[]): Scores => ({
  roc_auc: round4(xs.reduce((s, x) => s + x.roc_auc, 0) / xs.length),
  pr_auc: round4(xs.reduce((s, x) => s + x.pr_auc, 0) / xs.length),
  brier: round4(xs.reduce((s, x) => s + x.brier, 0) / xs.length),
});

/** Fits and cross-validates on rows (no database): also used by the bench on outside data. */
export function fitModel(rows: ChurnFeatureRow[], now: Date, opts: TrainOptions = {}): LearnedModel {
  const k = opts.folds ?? DEFAULT_FOLDS;
  const lambda = opts.lambda ?? DEFAULT_LAMBDA;
  const y = rows.map((r) => (r.churned ? 1 : 0));
  const churners = y.reduce((a: number, b) => a + b, 0);
  const actives = rows.length - churners;
  if (churners < MIN_CHURNERS || actives < MIN_ACTIVES) {
    throw conflict(
      `too little history to learn from: ${churners} churned accounts with churned_at and ${actives} active accounts (need at least ${MIN_CHURNERS} and ${MIN_ACTIVES})`,
      "import past churners with status=churned and churned_at (cs-mcp import accounts FILE); the hand-set model keeps scoring meanwhile",
      { churners, actives, min_churners: MIN_CHURNERS, min_actives: MIN_ACTIVES },
    );
  }
  const features = discoverFeatures(rows);
  const X = rows.map((r) => standardize(features, r));
  const fold = stratifiedFolds(y, k);
  const oofZ = new Array<number>(rows.length).fill(0);
  const learned: Scores[] = [];
  const handSet: Scores[] = [];
  const hand = rows.map(handSetProbability);
  for (let f = 0; f < k; f++) {
    const tr = rows.map((_, i) => i).filter((i) => fold[i] !== f);
    const te = rows.map((_, i) => i).filter((i) => fold[i] === f);
    const fit = fitLogistic(tr.map((i) => X[i]!), tr.map((i) => y[i]!), lambda);
    for (const i of te) oofZ[i] = linear(fit, X[i]!);
    const yt = te.map((i) => y[i]!);
    learned.push(scores(te.map((i) => sigmoid(oofZ[i]!)), yt));
    handSet.push(scores(te.map((i) => hand[i]!), yt));
  }
  // Platt scaling: y ~ σ(a·z + b) on the out-of-fold log-odds (no penalty on a).
  const platt = fitLogistic(oofZ.map((z) => [z]), y, 0);
  const calibration = { method: "platt" as const, a: platt.weights[0]!, b: platt.intercept };
  const calibrated = oofZ.map((z) => sigmoid(calibration.a * z + calibration.b));
  const calScores: Scores[] = [];
  for (let f = 0; f < k; f++) {
    const te = rows.map((_, i) => i).filter((i) => fold[i] === f);
    calScores.push(scores(te.map((i) => calibrated[i]!), te.map((i) => y[i]!)));
  }
  const final = fitLogistic(X, y, lambda);
  const order = final.weights.map((w, j) => ({ j, w })).sort((a, b) => Math.abs(b.w) - Math.abs(a.w));
  const metrics: TrainingMetrics = {
    accounts: rows.length,
    churners,
    actives,
    folds: k,
    lambda,
    cv: { learned: mean(learned), learned_calibrated: mean(calScores), hand_set: mean(handSet) },
    reliability: reliability(calibrated, y),
    top_features: order.slice(0, 10).map(({ j, w }) => ({ feature: features[j]!.name, weight: round4(w), effect: w > 0 ? ("raises" as const) : ("lowers" as const) })),
    as_of_rule: AS_OF_RULE,
  };
  const version = `churn-lr-${now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
  return { version, kind: LEARNED_KIND, trained_at: now.toISOString(), features, coefficients: { intercept: final.intercept, weights: final.weights }, calibration, metrics };
}

/** Five probability bins of the out-of-fold calibrated predictions: mean prediction beside the observed churn rate. */
function reliability(p: number[], y: number[]): TrainingMetrics["reliability"] {
  const edges = [0, 0.1, 0.25, 0.5, 0.75, 1.0000001];
  const out: TrainingMetrics["reliability"] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    const idx = p.map((_, i) => i).filter((i) => p[i]! >= edges[b]! && p[i]! < edges[b + 1]!);
    if (!idx.length) continue;
    out.push({
      from: edges[b]!,
      to: Math.min(1, edges[b + 1]!),
      accounts: idx.length,
      mean_probability: round4(idx.reduce((s, i) => s + p[i]!, 0) / idx.length),
      churn_rate: round4(idx.reduce((s, i) => s + y[i]!, 0) / idx.length),
    });
  }
  return out;
}

export async function trainChurnModel(prisma: PrismaClient, now: Date, opts: TrainOptions = {}): Promise<LearnedModel & { active: boolean }> {
  const rows = await loadFeatureRows(prisma, { kind: "training" }, now);
  const model = fitModel(rows, now, opts);
  const repo = new ChurnModelsRepository(prisma);
  // Two trainings in the same second get distinct versions.
  for (let n = 2; await repo.get(model.version); n++) model.version = `${model.version.replace(/\.\d+$/, "")}.${n}`;
  const activate = opts.activate ?? true;
  await repo.insert({ version: model.version, trained_at: new Date(model.trained_at), metrics: model.metrics, features: model.features, coefficients: model.coefficients, calibration: model.calibration }, activate);
  return { ...model, active: activate };
}
