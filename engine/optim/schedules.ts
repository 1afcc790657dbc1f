import type { Training } from '../graph/training-schema';

/**
 * Learning rate at a given epoch (counted from 0) for the document's schedule:
 * exponential is the paper's decay η₀ e^(−k·epoch); step multiplies by γ every n epochs;
 * cosine anneals from η₀ to minLr over the run.
 */
export function learningRate(training: Pick<Training, 'optimizer' | 'schedule' | 'epochs'>, epoch: number): number {
  const base = training.optimizer.lr;
  const s = training.schedule;
  switch (s.kind) {
    case 'constant':
      return base;
    case 'exponential':
      return base * Math.exp(-s.decay * epoch);
    case 'step':
      return base * s.gamma ** Math.floor(epoch / s.everyEpochs);
    case 'cosine':
      return s.minLr + ((base - s.minLr) * (1 + Math.cos((Math.PI * epoch) / Math.max(1, training.epochs)))) / 2;
  }
}
