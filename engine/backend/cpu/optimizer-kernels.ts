import { type OptimizerHyper, type OptimizerKind, optimizerKernels, updateOf } from '../../ops/optimizers';
import type { FloatArray } from './types';

/**
 * The paper's optimizers (chapter 4), in PyTorch's exact formulation so that trajectories match: the
 * update kernel and its arguments come from the operations' table (engine/ops/optimizers.ts).
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
  const [kernel, args] = updateOf(a.kind, a.hyper, a.step);
  optimizerKernels[kernel].reference({ p: a.params, g: a.grads, v: a.slot1, s: a.slot2, size: a.size }, args);
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
