import type { Evaluation } from './metrics';
import type { Trainer } from './trainer';

/** Loss and accuracy of a trainer's set in evaluation mode (running statistics, no dropout), on its weights. */
export async function evaluateSet(trainer: Trainer, which: 'train' | 'validation' = 'validation'): Promise<Evaluation> {
  const { be, session: s } = trainer;
  let lossSum = 0;
  let correct = 0;
  await trainer.forEachEvalBatch(which, async (_start, n) => {
    s.computeLoss(n);
    lossSum += (await be.read(s.loss))[0] * n;
    correct += (await be.read(s.correct))[0];
  });
  const count = trainer.dataset(which)!.count;
  return { loss: lossSum / count, accuracy: trainer.accuracyOf(correct, count) };
}
