// L2-regularised logistic regression fitted by Newton–Raphson (iteratively reweighted least squares): exact to
// the convergence tolerance, deterministic, and small enough to read. Why not a library: the npm candidates
// (ml-logistic-regression 2.0.0, last published 2019) fit by fixed-step gradient descent without a
// convergence test or a penalty term, and the tensor libraries weigh tens of MB for one p×p solve per step.
//   minimise  −Σ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] + (λ/2) Σⱼ wⱼ²      (the intercept is not penalised)

export interface LogisticFit {
  intercept: number;
  weights: number[];
  iterations: number;
  converged: boolean;
}

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A·x = b for a symmetric positive-definite A (Cholesky); A is overwritten. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! ** 2;
    if (!(d > 0)) throw new Error("logistic regression: the Hessian is not positive definite (collinear features without a penalty)");
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / l;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * y[k]!;
    y[i] = s / A[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * x[k]!;
    x[i] = s / A[i * n + i]!;
  }
  return x;
}

/** Fits y ~ σ(b + X·w). X rows are feature vectors (already standardised), y is 0/1. */
export function fitLogistic(X: number[][], y: number[], lambda: number, maxIter = 50, tol = 1e-8): LogisticFit {
  const n = X.length;
  const p = (X[0]?.length ?? 0) + 1; // column 0 is the intercept
  const beta = new Float64Array(p);
  let iterations = 0;
  let converged = false;
  const row = new Float64Array(p);
  for (; iterations < maxIter && !converged; iterations++) {
    const H = new Float64Array(p * p);
    const g = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const xi = X[i]!;
      row[0] = 1;
      for (let j = 1; j < p; j++) row[j] = xi[j - 1]!;
      let z = 0;
      for (let j = 0; j < p; j++) z += beta[j]! * row[j]!;
      const pr = sigmoid(z);
      const w = Math.max(pr * (1 - pr), 1e-12);
      const r = y[i]! - pr;
      for (let j = 0; j < p; j++) {
        const wj = w * row[j]!;
        g[j] = g[j]! + r * row[j]!;
        for (let k = 0; k <= j; k++) H[j * p + k] = H[j * p + k]! + wj * row[k]!;
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) H[k * p + j] = H[j * p + k]!;
      if (j > 0) {
        H[j * p + j] = H[j * p + j]! + lambda;
        g[j] = g[j]! - lambda * beta[j]!;
      } else H[0] = H[0]! + 1e-9; // keeps the solve defined when one class is absent
    }
    const step = choleskySolve(H, g, p);
    let max = 0;
    for (let j = 0; j < p; j++) {
      beta[j] = beta[j]! + step[j]!;
      max = Math.max(max, Math.abs(step[j]!));
    }
    if (max < tol) converged = true;
  }
  return { intercept: beta[0]!, weights: Array.from(beta.subarray(1)), iterations, converged };
}

export function linear(fit: Pick<LogisticFit, "intercept" | "weights">, x: number[]): number {
  let z = fit.intercept;
  for (let j = 0; j < x.length; j++) z += fit.weights[j]! * x[j]!;
  return z;
}
