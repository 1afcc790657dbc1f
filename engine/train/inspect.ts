import { EngineError } from '../errors';
import { size } from '../layers/layer';
import { type ClassFigures, classFigures, mostConfused } from './confusion';
import { decisionsOf } from './decisions';
import { inspectLabels, type LabelInspection } from './evaluate-labels';
import { inspectRegression, type RegressionInspection } from './evaluate-regression';
import type { Trainer } from './trainer';

export interface Prediction {
  /** The sample's index in the set. */
  index: number;
  label: number;
  predicted: number;
  /** The predicted class's probability, as its loss reads the outputs (decisionsOf). */
  confidence: number;
  /** The input, for drawing it (images up to 64 × 64 and short vectors). */
  input?: Float32Array;
}

/** What a classifier gets right and wrong on a set: the confusion matrix and a grid of predictions. */
export interface ClassInspection {
  kind: 'classes';
  /** The set evaluated: the validation set (the training set without one), or a test set of other data. */
  set: 'train' | 'validation' | 'test';
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

/** A network's evaluation on a set: a classifier's, a regression's, or several yes/no labels'. */
export type Inspection = ClassInspection | RegressionInspection | LabelInspection;

/**
 * The network on the validation set (or the training set without one): a regression's errors (mean squared
 * error against values), several yes/no labels' figures (binary cross-entropy over more than one output),
 * else a classifier's confusion matrix and predictions.
 */
export function inspectNetwork(trainer: Trainer): Promise<Inspection> {
  const data = trainer.dataset('validation') ?? trainer.dataset('train');
  const loss = trainer.doc.training.loss.kind;
  if (loss === 'mse' && data?.targetKind === 'tensor') return inspectRegression(trainer);
  if (loss === 'sigmoid-binary-cross-entropy' && size(trainer.plan.outputNode.outputShape) > 1)
    return inspectLabels(trainer);
  return inspectPredictions(trainer);
}

const MAX_DRAWN_VALUES = 3 * 64 * 64;

/** A sample's decision: its true class, the class predicted, and the predicted class's probability. */
type Visit = (prediction: Omit<Prediction, 'input'>, input: () => Float32Array | undefined) => void;

/**
 * The set a classifier is inspected on (the validation set when there is one), how many classes its
 * decisions range over, and a pass that classifies every sample in order, giving each to `visit` with its
 * decision and a way to copy its input for drawing. For classifiers: softmax cross-entropy, mean squared
 * error against one-hot targets, or one output of sigmoid binary cross-entropy (decisionsOf).
 */
function classifier(trainer: Trainer) {
  const set = trainer.dataset('validation') ? 'validation' : 'train';
  const data = trainer.dataset(set)!;
  const outputs = size(trainer.plan.outputNode.outputShape);
  const decisions = decisionsOf(trainer.doc.training.loss.kind, data.targetKind, outputs);
  if (!decisions)
    throw new EngineError(
      'INVALID_DATA',
      trainer.doc.training.loss.kind === 'sigmoid-binary-cross-entropy'
        ? `the confusion matrix is for one yes/no output, and this network has ${outputs}`
        : 'the confusion matrix is for classifiers trained with softmax cross-entropy, or with mean squared error against classes',
    );
  const per = size(data.inputShape);
  const pass = (visit: Visit) =>
    trainer.forEachEvalBatch(set, async (start, n) => {
      const out = await trainer.be.read(trainer.session.output);
      for (let r = 0; r < n; r++) {
        const index = start + r;
        const input = () => (per <= MAX_DRAWN_VALUES ? data.x.slice(index * per, (index + 1) * per) : undefined);
        visit({ index, ...decisions.decide(out, r, data.targets[index]) }, input);
      }
    });
  return { set: set as 'train' | 'validation', data, classes: decisions.classes, pass };
}

/** Keeps the `count` surest predictions offered, the surest first (ties by index). */
function surest(count: number) {
  const kept: Prediction[] = [];
  return {
    kept,
    offer(prediction: Omit<Prediction, 'input'>, input: () => Float32Array | undefined) {
      if (kept.length === count && prediction.confidence <= kept[kept.length - 1].confidence) return;
      kept.push({ ...prediction, input: input() });
      kept.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
      if (kept.length > count) kept.pop();
    },
  };
}

/**
 * The samples of one cell of the confusion matrix (of class `label`, predicted as `predicted`), the
 * surest first, at most `count`: what the network takes for what.
 */
export async function cellSamples(
  trainer: Trainer,
  cell: { label: number; predicted: number },
  count = 24,
): Promise<Prediction[]> {
  const found = surest(count);
  await classifier(trainer).pass((p, input) => {
    if (p.label === cell.label && p.predicted === cell.predicted) found.offer(p, input);
  });
  return found.kept;
}

/**
 * Classifies every sample of the set (the validation set when there is one) and tallies the confusion
 * matrix: rows are true classes, columns predictions (see classifier).
 */
export async function inspectPredictions(trainer: Trainer, count = 24): Promise<ClassInspection> {
  const { set, data, classes, pass } = classifier(trainer);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions: Prediction[] = [];
  // The most confident mistakes, kept to the `count` worst as they come.
  const wrong = surest(count);
  let correct = 0;
  await pass((p, input) => {
    const { label, predicted } = p;
    if (label < classes) confusion[label][predicted]++;
    if (label === predicted) correct++;
    if (predictions.length < count) predictions.push({ ...p, input: input() });
    if (label !== predicted) wrong.offer(p, input);
  });
  return {
    kind: 'classes',
    set,
    classNames: Array.from({ length: classes }, (_, c) => data.classNames?.[c] ?? String(c)),
    confusion,
    accuracy: correct / data.count,
    predictions,
    mostWrong: wrong.kept,
    perClass: classFigures(confusion),
    confusedPairs: mostConfused(confusion),
    inputShape: [...data.inputShape],
  };
}
