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
  /** The samples it got most wrong: wrong predictions, the most confident first. */
  mostWrong: Prediction[];
  /** Per class: precision, recall and F1 (NaN where a class was never predicted or never present). */
  perClass: ClassFigures[];
  /** The pairs of classes most often taken one for the other: true, predicted, count. */
  confusedPairs: { label: number; predicted: number; count: number }[];
  inputShape: number[];
}

export interface ClassFigures {
  precision: number;
  recall: number;
  f1: number;
  /** Samples of the class in the set. */
  support: number;
}

/**
 * Precision (of the samples predicted as the class, the share that are), recall (of the samples of the
 * class, the share found) and their harmonic mean F1, from a confusion matrix (rows true, columns predicted).
 */
export function classFigures(confusion: number[][]): ClassFigures[] {
  return confusion.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + r[c], 0);
    const precision = predicted > 0 ? row[c] / predicted : Number.NaN;
    const recall = support > 0 ? row[c] / support : Number.NaN;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : Number.NaN;
    return { precision, recall, f1, support };
  });
}

/** The off-diagonal cells of a confusion matrix, largest first (at most `count`, none empty). */
export function mostConfused(confusion: number[][], count = 5) {
  return confusion
    .flatMap((row, label) => row.map((n, predicted) => ({ label, predicted, count: n })))
    .filter((cell) => cell.label !== cell.predicted && cell.count > 0)
    .sort((a, b) => b.count - a.count || a.label - b.label || a.predicted - b.predicted)
    .slice(0, count);
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
  const wrong: Prediction[] = [];
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
      if (predictions.length < count || label !== best) {
        // Softmax probability of the winner: 1 / Σ exp(z_c − z_best).
        let sum = 0;
        for (let c = 0; c < classes; c++) sum += Math.exp(out[row + c] - out[row + best]);
        const index = start + r;
        const prediction = { index, label, predicted: best, confidence: 1 / sum };
        const withInput = () => ({
          ...prediction,
          input: per <= MAX_DRAWN_VALUES ? data.x.slice(index * per, (index + 1) * per) : undefined,
        });
        if (predictions.length < count) predictions.push(withInput());
        // The most confident mistakes, kept to the `count` worst as they come.
        if (label !== best && (wrong.length < count || prediction.confidence > wrong[wrong.length - 1].confidence)) {
          wrong.push(withInput());
          wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
          if (wrong.length > count) wrong.pop();
        }
      }
    }
  });
  return {
    set,
    classNames: Array.from({ length: classes }, (_, c) => data.classNames?.[c] ?? String(c)),
    confusion,
    accuracy: correct / data.count,
    predictions,
    mostWrong: wrong,
    perClass: classFigures(confusion),
    confusedPairs: mostConfused(confusion),
    inputShape: [...data.inputShape],
  };
}
