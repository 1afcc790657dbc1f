import { EngineError } from '../errors';
import { size } from '../layers/layer';
import type { Trainer } from './trainer';

export interface Prediction {
  /** The sample's index in the set. */
  index: number;
  label: number;
  predicted: number;
  /** The predicted class's softmax probability. */
  confidence: number;
  /** The input, for drawing it (images up to 64 × 64 and short vectors). */
  input?: Float32Array;
}

/** What a classifier gets right and wrong on a set: the confusion matrix and a grid of predictions. */
export interface Inspection {
  set: 'train' | 'validation';
  classNames: string[];
  /** confusion[label][predicted]: how many samples of each class went where. */
  confusion: number[][];
  accuracy: number;
  /** The first samples of the set, in order. */
  predictions: Prediction[];
  inputShape: number[];
}

const MAX_DRAWN_VALUES = 3 * 64 * 64;

/**
 * Classifies every sample of the set (the validation set when there is one) and tallies the confusion
 * matrix: rows are true classes, columns predictions (argmax of the output). For softmax classifiers only.
 */
export async function inspectPredictions(trainer: Trainer, count = 24): Promise<Inspection> {
  if (trainer.doc.training.loss.kind !== 'softmax-cross-entropy')
    throw new EngineError('INVALID_DATA', 'the confusion matrix is for classifiers trained with softmax cross-entropy');
  const set = trainer.dataset('validation') ? 'validation' : 'train';
  const data = trainer.dataset(set)!;
  const classes = size(trainer.plan.outputNode.outputShape);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions: Prediction[] = [];
  const per = size(data.inputShape);
  let correct = 0;
  await trainer.forEachEvalBatch(set, async (start, n) => {
    const out = await trainer.be.read(trainer.session.output);
    for (let r = 0; r < n; r++) {
      const row = r * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (out[row + c] > out[row + best]) best = c;
      const label = data.targets[start + r];
      if (label < classes) confusion[label][best]++;
      if (label === best) correct++;
      if (predictions.length < count) {
        // Softmax probability of the winner: 1 / Σ exp(z_c − z_best).
        let sum = 0;
        for (let c = 0; c < classes; c++) sum += Math.exp(out[row + c] - out[row + best]);
        const index = start + r;
        predictions.push({
          index,
          label,
          predicted: best,
          confidence: 1 / sum,
          input: per <= MAX_DRAWN_VALUES ? data.x.slice(index * per, (index + 1) * per) : undefined,
        });
      }
    }
  });
  return {
    set,
    classNames: Array.from({ length: classes }, (_, c) => data.classNames?.[c] ?? String(c)),
    confusion,
    accuracy: correct / data.count,
    predictions,
    inputShape: [...data.inputShape],
  };
}
