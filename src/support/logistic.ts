/** A fitted logistic model over standardized features. Plain data: stored in calibration.json. */
export interface LogisticModel {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export interface FitOptions {
  /** L2 penalty on the weights. Default 0.01. */
  l2?: number;
  /** Gradient steps over the whole sample. Default 600. */
  iterations?: number;
  /** Step size. Default 0.5. */
  rate?: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** P(label = 1 | x). */
export function predict(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) z += model.weights[i]! * (((x[i] ?? 0) - model.mean[i]!) / model.scale[i]!);
  return sigmoid(z);
}

/**
 * Fits a logistic regression by full-batch gradient descent on standardized features:
 * deterministic (no random start), so the same sample always gives the same model.
 */
export function fitLogistic(xs: readonly number[][], ys: readonly (0 | 1)[], options: FitOptions = {}): LogisticModel {
  const { l2 = 0.01, iterations = 600, rate = 0.5 } = options;
  const n = xs.length;
  const d = xs[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + x[j]!, 0) / Math.max(1, n));
  const scale = Array.from({ length: d }, (_, j) => Math.sqrt(xs.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / Math.max(1, n)) || 1);
  const z = xs.map((x) => x.map((v, j) => (v - mean[j]!) / scale[j]!));
  const weights = new Array<number>(d).fill(0);
  let bias = 0;
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    let gradBias = 0;
    for (let i = 0; i < n; i++) {
      let s = bias;
      for (let j = 0; j < d; j++) s += weights[j]! * z[i]![j]!;
      const err = sigmoid(s) - ys[i]!;
      for (let j = 0; j < d; j++) grad[j]! += err * z[i]![j]!;
      gradBias += err;
    }
    for (let j = 0; j < d; j++) weights[j]! -= rate * (grad[j]! / n + l2 * weights[j]!);
    bias -= rate * (gradBias / n);
  }
  return { mean, scale, weights, bias };
}
