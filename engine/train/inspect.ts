import { EngineError } from '../errors';
import { size } from '../layers/layer';
import type { RegressionInspection } from './evaluate-regression';
import type { Trainer } from './trainer';

export interface Prediction {
  /** The sample's index in the set. */
  index: number;
  label: number;
  predicted: number;
  /**
   * The predicted class's probability: its softmax probability (softmax cross-entropy), or its output clamped
   * to [0, 1] (mean squared error against one-hot targets, whose outputs estimate the probabilities).
   */
  confidence: number;
  /** The input, for drawing it (images up to 64 × 64 and short vectors). */
  input?: Float32Array;
}

/** What a classifier gets right and wrong on a set: the confusion matrix and a grid of predictions. */
export interface ClassInspection {
  kind: 'classes';
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

/** A network's evaluation on a set: a classifier's or a regression's. */
export type Inspection = ClassInspection | RegressionInspection;

/**
 * Whether networks trained with this loss are evaluated (inspectPredictions or inspectRegression): softmax
 * classifiers, and mean squared error against classes or values; not yet binary cross-entropy's outputs.
 */
export const evaluatedLoss = (kind: string): boolean => kind === 'softmax-cross-entropy' || kind === 'mse';

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

/** The winner's probability: softmax's 1 / Σ exp(z_c − z_best), or a one-hot estimate's output in [0, 1]. */
function confidenceOf(out: ArrayLike<number>, row: number, classes: number, best: number, softmax: boolean): number {
  if (!softmax) return Math.min(1, Math.max(0, out[row + best]));
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(out[row + c] - out[row + best]);
  return 1 / sum;
}

/**
 * Classifies every sample of the set (the validation set when there is one) and tallies the confusion
 * matrix: rows are true classes, columns predictions (argmax of the output). For classifiers: softmax
 * cross-entropy, or mean squared error against one-hot targets.
 */
export async function inspectPredictions(trainer: Trainer, count = 24): Promise<ClassInspection> {
  const set = trainer.dataset('validation') ? 'validation' : 'train';
  const data = trainer.dataset(set)!;
  const loss = trainer.doc.training.loss.kind;
  const softmax = loss === 'softmax-cross-entropy';
  if (!softmax && !(loss === 'mse' && data.targetKind === 'class'))
    throw new EngineError(
      'INVALID_DATA',
      'the confusion matrix is for classifiers trained with softmax cross-entropy, or with mean squared error against classes',
    );
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
        const index = start + r;
        const prediction = {
          index,
          label,
          predicted: best,
          confidence: confidenceOf(out, row, classes, best, softmax),
        };
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
    kind: 'classes',
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
