import type { FloatArray } from './types';

/**
 * Cross-entropy fused with softmax (the paper's chapter 4), numerically stable through log-sum-exp:
 * ℓ = logΣ exp(z) − z_label, ∂ℓ/∂z = softmax(z) − onehot(label). A label outside [0, cols) gives NaN.
 */
export function softmaxCrossEntropy(a: {
  logits: FloatArray;
  labels: FloatArray;
  dLogits: FloatArray;
  loss: FloatArray;
  correct: FloatArray;
  rows: number;
  cols: number;
  scale: number;
}): void {
  const { logits, labels, dLogits, loss, correct, rows, cols, scale } = a;
  let total = 0;
  let right = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = Number.NEGATIVE_INFINITY;
    let best = 0;
    for (let j = 0; j < cols; j++)
      if (logits[base + j] > max) {
        max = logits[base + j];
        best = j;
      }
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(logits[base + j] - max);
    const lse = max + Math.log(sum);
    const label = labels[r];
    const valid = Number.isInteger(label) && label >= 0 && label < cols;
    total += valid ? lse - logits[base + label] : Number.NaN;
    if (best === label) right++;
    for (let j = 0; j < cols; j++) {
      const p = Math.exp(logits[base + j] - lse);
      dLogits[base + j] = ((p - (j === label ? 1 : 0)) * scale) / rows;
    }
  }
  loss[0] += total / rows;
  correct[0] += right;
}

/** ℓ = mean (y − t)², ∂ℓ/∂y = 2 (y − t) / size (the paper's chapter 4). */
export function meanSquaredError(a: {
  y: FloatArray;
  target: FloatArray;
  dY: FloatArray;
  loss: FloatArray;
  size: number;
  scale: number;
}): void {
  const { y, target, dY, loss, size, scale } = a;
  let total = 0;
  for (let i = 0; i < size; i++) {
    const d = y[i] - target[i];
    total += d * d;
    dY[i] = (2 * d * scale) / size;
  }
  loss[0] += total / size;
}

/**
 * Mean squared error against one-hot targets (classification with MSE, as in the paper's first examples):
 * ℓ = mean over rows and columns of (y − onehot(label))², ∂ℓ/∂y = 2 (y − onehot) / (rows · cols), as
 * PyTorch's mse_loss(y, one_hot(label)); a row is correct when its largest output is its label. A label
 * outside [0, cols) gives NaN.
 */
export function meanSquaredErrorOneHot(a: {
  y: FloatArray;
  labels: FloatArray;
  dY: FloatArray;
  loss: FloatArray;
  correct: FloatArray;
  rows: number;
  cols: number;
  scale: number;
}): void {
  const { y, labels, dY, loss, correct, rows, cols, scale } = a;
  const count = rows * cols;
  let total = 0;
  let right = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const label = labels[r];
    const valid = Number.isInteger(label) && label >= 0 && label < cols;
    let best = 0;
    for (let j = 0; j < cols; j++) {
      if (y[base + j] > y[base + best]) best = j;
      const d = y[base + j] - (j === label ? 1 : 0);
      total += d * d;
      dY[base + j] = (2 * d * scale) / count;
    }
    if (!valid) total = Number.NaN;
    if (valid && best === label) right++;
  }
  loss[0] += total / count;
  correct[0] += right;
}

/** Binary cross-entropy on logits: ℓ = max(z, 0) − z t + log(1 + e^−|z|), ∂ℓ/∂z = σ(z) − t. */
export function sigmoidBinaryCrossEntropy(a: {
  logits: FloatArray;
  target: FloatArray;
  dLogits: FloatArray;
  loss: FloatArray;
  correct: FloatArray;
  size: number;
  scale: number;
}): void {
  const { logits, target, dLogits, loss, correct, size, scale } = a;
  let total = 0;
  let right = 0;
  for (let i = 0; i < size; i++) {
    const z = logits[i];
    const t = target[i];
    total += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    dLogits[i] = ((1 / (1 + Math.exp(-z)) - t) * scale) / size;
    if (z > 0 === t > 0.5) right++;
  }
  loss[0] += total / size;
  correct[0] += right;
}
