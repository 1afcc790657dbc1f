import type { OptimizerHyper, OptimizerKind } from '../backend';
import type { FloatArray } from './types';

/**
 * The paper's optimizers (chapter 4), in PyTorch's exact formulation so that trajectories match:
 * v and s are the first and second slots of optimizer state, g the gradient, t the step from 1.
 */
export function optimizerStep(a: {
  kind: OptimizerKind;
  hyper: OptimizerHyper;
  params: FloatArray;
  grads: FloatArray;
  slot1: FloatArray;
  slot2: FloatArray;
  size: number;
  step: number;
}): void {
  const { kind, hyper, params: p, grads: g, slot1: v, slot2: s, size, step } = a;
  const { lr, momentum: mu, rho, beta1, beta2, eps } = hyper;
  switch (kind) {
    case 'sgd': // p ← p − η g
      for (let i = 0; i < size; i++) p[i] -= lr * g[i];
      return;
    case 'momentum': // v ← μ v + g; p ← p − η v
      for (let i = 0; i < size; i++) {
        v[i] = mu * v[i] + g[i];
        p[i] -= lr * v[i];
      }
      return;
    case 'nesterov': // v ← μ v + g; p ← p − η (g + μ v)
      for (let i = 0; i < size; i++) {
        v[i] = mu * v[i] + g[i];
        p[i] -= lr * (g[i] + mu * v[i]);
      }
      return;
    case 'adagrad': // s ← s + g²; p ← p − η g / (√s + ε)
      for (let i = 0; i < size; i++) {
        s[i] += g[i] * g[i];
        p[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + eps);
      }
      return;
    case 'rmsprop': // s ← ρ s + (1 − ρ) g²; p ← p − η g / (√s + ε)
      for (let i = 0; i < size; i++) {
        s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
        p[i] -= (lr * g[i]) / (Math.sqrt(s[i]) + eps);
      }
      return;
    case 'adadelta': // s ← ρ s + (1−ρ) g²; Δ = √(u+ε)/√(s+ε) g; u ← ρ u + (1−ρ) Δ²; p ← p − η Δ
      for (let i = 0; i < size; i++) {
        s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
        const delta = (Math.sqrt(v[i] + eps) / Math.sqrt(s[i] + eps)) * g[i];
        v[i] = rho * v[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
      }
      return;
    case 'adam': {
      // v ← β₁ v + (1−β₁) g; s ← β₂ s + (1−β₂) g²; p ← p − η/(1−β₁ᵗ) · v / (√s/√(1−β₂ᵗ) + ε)
      const correction1 = 1 - beta1 ** step;
      const sqrtCorrection2 = Math.sqrt(1 - beta2 ** step);
      const stepSize = lr / correction1;
      for (let i = 0; i < size; i++) {
        v[i] = beta1 * v[i] + (1 - beta1) * g[i];
        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i];
        p[i] -= (stepSize * v[i]) / (Math.sqrt(s[i]) / sqrtCorrection2 + eps);
      }
    }
  }
}

/** g += l1 · sign(w) + l2 · w: the gradients of l1 ‖w‖₁ + (l2/2) ‖w‖² (the paper's chapter 4). */
export function regularize({
  w,
  g,
  size,
  l1,
  l2,
}: {
  w: FloatArray;
  g: FloatArray;
  size: number;
  l1: number;
  l2: number;
}): void {
  for (let i = 0; i < size; i++) g[i] += l1 * Math.sign(w[i]) + l2 * w[i];
}

/** Scales g so that its global norm is at most maxNorm (PyTorch's clip_grad_norm_); always reports Σ g². */
export function clipByGlobalNorm({
  g,
  size,
  maxNorm,
  normSq,
}: {
  g: FloatArray;
  size: number;
  maxNorm: number;
  normSq: FloatArray;
}): void {
  let sq = 0;
  for (let i = 0; i < size; i++) sq += g[i] * g[i];
  normSq[0] = sq;
  if (maxNorm <= 0) return;
  const coefficient = maxNorm / (Math.sqrt(sq) + 1e-6);
  if (coefficient < 1) for (let i = 0; i < size; i++) g[i] *= coefficient;
}
