// How well churn probabilities rank and fit known outcomes, and the folds they are measured on.
import { mulberry32 } from "../demo/random.ts";

/** ROC AUC: the probability that a churner scores above a non-churner, ties counting ½ (average ranks). */
export function rocAuc(p: number[], y: number[]): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!);
  const ranks = new Array<number>(p.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]!] === p[idx[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) if (y[i]) (pos++, (sum += ranks[i]!));
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** PR AUC as average precision: Σ over thresholds of (recall gained) × precision, tied scores taken together. */
export function prAuc(p: number[], y: number[]): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const pos = y.reduce((a, b) => a + b, 0);
  if (pos === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    let tpHere = 0;
    while (j < idx.length && p[idx[j]!] === p[idx[i]!]) (tpHere += y[idx[j]!]!, j++);
    tp += tpHere;
    seen += j - i;
    ap += (tpHere / pos) * (tp / seen);
    i = j;
  }
  return ap;
}

/** Brier score: mean squared difference between probability and outcome (0 is perfect). */
export function brier(p: number[], y: number[]): number {
  return p.reduce((a, v, i) => a + (v - y[i]!) ** 2, 0) / p.length;
}

/** Stratified k folds: each class shuffled (seeded) and dealt round-robin, so every fold keeps the churn rate. Returns the fold of each row. */
export function stratifiedFolds(y: number[], k: number, seed = 15): number[] {
  // The demo's seeded PRNG: the folds are the same on every run.
  const rnd = mulberry32(seed);
  const fold = new Array<number>(y.length).fill(0);
  for (const cls of [0, 1]) {
    const rows = y.map((v, i) => (v === cls ? i : -1)).filter((i) => i >= 0);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    rows.forEach((r, i) => (fold[r] = i % k));
  }
  return fold;
}

export interface Scores {
  roc_auc: number;
  pr_auc: number;
  brier: number;
}

export const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function scores(p: number[], y: number[]): Scores {
  return { roc_auc: round4(rocAuc(p, y)), pr_auc: round4(prAuc(p, y)), brier: round4(brier(p, y)) };
}
