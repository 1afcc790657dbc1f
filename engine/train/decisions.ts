import type { Dataset } from '../data/dataset';

/** One sample's class as its target names it, the class the network gives, and how sure it is (0 to 1). */
export interface Decision {
  label: number;
  predicted: number;
  confidence: number;
}

/** How a classifier's outputs decide: its classes, a target's class, and each row's decision. */
export interface Decisions {
  classes: number;
  /** The class a target names (one yes/no output: a target above ½ is 1, as the loss counts its accuracy). */
  labelOf(target: number): number;
  /** Row r of `out` (rows of the network's outputs) decided, against its target. */
  decide(out: ArrayLike<number>, r: number, target: number): Decision;
}

/**
 * How a classifier's outputs decide, by its loss: the class of the largest output with its softmax
 * probability (softmax cross-entropy), or with the output itself clamped to [0, 1] (mean squared error
 * against one-hot targets, whose outputs estimate the probabilities); for one yes/no output (sigmoid binary
 * cross-entropy), class 1 where the logit is positive, its sigmoid's distance from ½ the confidence. The
 * evaluation, the decision boundary and the answers to inputs of the user's (predict) all decide by it. Undefined where the network is not a classifier
 * of these kinds.
 */
export function decisionsOf(loss: string, targetKind: Dataset['targetKind'], outputs: number): Decisions | undefined {
  if (loss === 'softmax-cross-entropy' || (loss === 'mse' && targetKind === 'class'))
    return {
      classes: outputs,
      labelOf: (target) => target,
      decide(out, r, label) {
        const row = r * outputs;
        let best = 0;
        for (let c = 1; c < outputs; c++) if (out[row + c] > out[row + best]) best = c;
        if (loss === 'mse') return { label, predicted: best, confidence: Math.min(1, Math.max(0, out[row + best])) };
        let sum = 0;
        for (let c = 0; c < outputs; c++) sum += Math.exp(out[row + c] - out[row + best]);
        return { label, predicted: best, confidence: 1 / sum };
      },
    };
  if (loss === 'sigmoid-binary-cross-entropy' && outputs === 1) {
    const labelOf = (target: number) => (target > 0.5 ? 1 : 0);
    return {
      classes: 2,
      labelOf,
      decide(out, r, target) {
        const p = 1 / (1 + Math.exp(-out[r]));
        return { label: labelOf(target), predicted: out[r] > 0 ? 1 : 0, confidence: Math.max(p, 1 - p) };
      },
    };
  }
  return undefined;
}
