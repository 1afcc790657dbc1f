import type { FloatArray } from './types';

interface BatchNormArgs {
  x: FloatArray;
  y: FloatArray;
  xhat: FloatArray;
  mean: FloatArray;
  invStd: FloatArray;
  gamma: FloatArray;
  beta: FloatArray;
  runningMean: FloatArray;
  runningVar: FloatArray;
  n: number;
  c: number;
  inner: number;
  eps: number;
  momentum: number;
  train: boolean;
}

/**
 * Batch normalisation (the paper's section 5.4) over x[n, c, inner], per channel c:
 * x̂ = (x − μ) / √(σ² + ε), y = γ x̂ + β, with μ, σ² of the batch (biased) in training and the running
 * averages in evaluation. Running variance is updated with the unbiased estimate, as PyTorch does.
 */
export function batchNorm(a: BatchNormArgs): void {
  const { x, y, xhat, mean, invStd, gamma, beta, runningMean, runningVar, n, c, inner, eps, momentum, train } = a;
  const count = n * inner;
  for (let ch = 0; ch < c; ch++) {
    let mu: number;
    let variance: number;
    if (train) {
      let sum = 0;
      for (let b = 0; b < n; b++) {
        const base = (b * c + ch) * inner;
        for (let i = 0; i < inner; i++) sum += x[base + i];
      }
      mu = sum / count;
      let sq = 0;
      for (let b = 0; b < n; b++) {
        const base = (b * c + ch) * inner;
        for (let i = 0; i < inner; i++) sq += (x[base + i] - mu) ** 2;
      }
      variance = sq / count;
      runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mu;
      const unbiased = count > 1 ? (variance * count) / (count - 1) : variance;
      runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * unbiased;
    } else {
      mu = runningMean[ch];
      variance = runningVar[ch];
    }
    const inv = 1 / Math.sqrt(variance + eps);
    mean[ch] = mu;
    invStd[ch] = inv;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        const h = (x[base + i] - mu) * inv;
        xhat[base + i] = h;
        y[base + i] = gamma[ch] * h + beta[ch];
      }
    }
  }
}

/**
 * dγ += Σ dy x̂, dβ += Σ dy, and in training (statistics depend on x)
 * dx += γ/(M·σ) (M dy − Σ dy − x̂ Σ dy x̂), with M = n · inner; in evaluation dx += γ dy / σ.
 */
export function batchNormBackward(a: {
  dy: FloatArray;
  xhat: FloatArray;
  invStd: FloatArray;
  gamma: FloatArray;
  dGamma: FloatArray;
  dBeta: FloatArray;
  dx: FloatArray;
  n: number;
  c: number;
  inner: number;
  train: boolean;
  accumulate: boolean;
}): void {
  const { dy, xhat, invStd, gamma, dGamma, dBeta, dx, n, c, inner, train, accumulate } = a;
  const count = n * inner;
  for (let ch = 0; ch < c; ch++) {
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        sumDy += dy[base + i];
        sumDyXhat += dy[base + i] * xhat[base + i];
      }
    }
    dGamma[ch] += sumDyXhat;
    dBeta[ch] += sumDy;
    const scale = gamma[ch] * invStd[ch];
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        const k = base + i;
        const d = train ? (scale / count) * (count * dy[k] - sumDy - xhat[k] * sumDyXhat) : scale * dy[k];
        dx[k] = accumulate ? dx[k] + d : d;
      }
    }
  }
}
