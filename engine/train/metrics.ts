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
