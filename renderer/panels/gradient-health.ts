import type { TelemetryFrame } from '../../engine/api';

/**
 * A layer's gradient at a glance: vanishing below 1e-7, exploding above 1e3 (as TensorFlow Playground and
 * the paper's backpropagation chapter read them), or none, where no gradient reaches the layer because
 * nothing at or before it learns (a Reshape right after the input): a zero there is no warning.
 */
export type GradientHealth = 'healthy' | 'vanishing' | 'exploding' | 'none';

export function gradientHealth(t: TelemetryFrame['nodes'][number]): GradientHealth {
  const g = t.gradNorm;
  if (g === undefined) return 'none';
  return g < 1e-7 ? 'vanishing' : g > 1e3 ? 'exploding' : 'healthy';
}

/** What a layer without a gradient says in place of its norm. */
export const NO_GRADIENT = 'none reaches it: nothing at or before this layer learns';
