import type { GraphDocument } from '../graph/schema';
import { size } from '../layers/layer';
import type { TargetKind } from '../losses/loss';
import type { TrainingPlan } from './plan';

/** What a training run reports: per step, per epoch, per evaluation, and the listener for them. */

export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  /** Fraction of the batch predicted right (classification losses only). */
  accuracy?: number;
  /** The epoch so far: mean loss and fraction right over its steps up to this one (less noisy than a batch). */
  epochLoss: number;
  epochAccuracy?: number;
  lr: number;
}

export interface EpochMetrics {
  epoch: number;
  /** Optimizer steps done when the epoch ended. */
  step: number;
  trainLoss: number;
  trainAccuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
}

export interface Evaluation {
  loss: number;
  accuracy?: number;
}

export interface TrainerEvents {
  onStep?(m: StepMetrics): void;
  onEpoch?(m: EpochMetrics): void;
}

/** What the trainer sums over an epoch, and early stopping's memory; kept in checkpoints. */
export const freshProgress = () => ({
  bestLoss: Number.POSITIVE_INFINITY,
  epochsWithoutImprovement: 0,
  epochLossSum: 0,
  epochCorrect: 0,
  epochSeen: 0,
});

/** An epoch's end: early stopping remembers the best loss so far (the monitored one), and the sums restart. */
export function closeEpoch(p: ReturnType<typeof freshProgress>, monitored: number): void {
  if (monitored < p.bestLoss) {
    p.bestLoss = monitored;
    p.epochsWithoutImprovement = 0;
  } else p.epochsWithoutImprovement++;
  p.epochLossSum = 0;
  p.epochCorrect = 0;
  p.epochSeen = 0;
}

/**
 * A step read back from the log: its loss and correct count added to the epoch so far; what it reports
 * (`accuracyOf` turns a correct count over samples into accuracy, undefined where none is counted).
 */
export function addStep(
  p: ReturnType<typeof freshProgress>,
  step: { step: number; epoch: number; n: number; lr: number },
  loss: number,
  correct: number,
  accuracyOf: (correct: number, samples: number) => number | undefined,
): StepMetrics {
  p.epochLossSum += loss * step.n;
  p.epochCorrect += correct;
  p.epochSeen += step.n;
  return {
    step: step.step,
    epoch: step.epoch,
    loss,
    accuracy: accuracyOf(correct, step.n),
    epochLoss: p.epochLossSum / p.epochSeen,
    epochAccuracy: accuracyOf(p.epochCorrect, p.epochSeen),
    lr: step.lr,
  };
}

/**
 * Correct predictions counted per sample (one for a class, one per output for binary outputs), or
 * undefined where accuracy means nothing: regression (MSE against target tensors).
 */
export function accuracyUnits(doc: GraphDocument, plan: TrainingPlan, targetKind: TargetKind): number | undefined {
  const loss = doc.training.loss.kind;
  if (loss === 'mse' && targetKind !== 'class') return undefined;
  return loss === 'sigmoid-binary-cross-entropy' ? size(plan.outputNode.outputShape) : 1;
}
