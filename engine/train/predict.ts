import { csvRows } from '../data/csv-inputs';
import { type Dataset, dataReading } from '../data/dataset';
import { type ImageFile, imageInputs } from '../data/images';
import { typedInputs } from '../data/typed-inputs';
import { EngineError } from '../errors';
import { labelColumns } from '../graph/training-schema';
import { size } from '../layers/layer';
import { decisionsOf } from './decisions';
import type { Evaluation } from './metrics';
import type { Trainer } from './trainer';

/** What the network says about inputs of the user's: its outputs, and the time the forward passes took. */
export interface Predictions {
  /**
   * One row per input: probabilities for a classifier (the softmax or sigmoid its loss applies; a mean
   * squared error against classes, its outputs clamped to [0, 1] as the evaluation reads them), else outputs.
   */
  outputs: Float32Array;
  /** Values per row. */
  width: number;
  /**
   * The output's meaning: class probabilities (softmax cross-entropy, one yes/no output, or a mean squared
   * error against classes), each of several yes/no labels' own probability (binary cross-entropy over several
   * outputs), or values.
   */
  kind: 'probabilities' | 'labels' | 'values';
  classNames?: string[];
  /** Each output's name where the data names them (a CSV file's target columns). */
  outputNames?: string[];
  /** Milliseconds of the forward passes, all inputs together. */
  ms: number;
}

/**
 * Runs inputs (rows of the Input's shape) through the network in evaluation mode, a batch at a time, on
 * the current weights; applies the output activation the loss folds in, so a classifier gives probabilities.
 */
export async function predict(trainer: Trainer, x: Float32Array, count: number): Promise<Predictions> {
  const { be, session, plan } = trainer;
  const per = size(plan.inputNode.outputShape);
  if (x.length !== count * per)
    throw new EngineError(
      'INVALID_DATA',
      `${count} inputs of [${plan.inputNode.outputShape.join(', ')}] are ${count * per} values, not ${x.length}`,
    );
  const width = size(plan.outputNode.outputShape);
  const outputs = new Float32Array(count * width);
  const started = performance.now();
  for (let start = 0; start < count; start += trainer.batchSize) {
    const n = Math.min(trainer.batchSize, count - start);
    be.write(session.input, x.subarray(start * per, (start + n) * per));
    session.forward(n, 'eval', trainer.step);
    outputs.set((await be.read(session.output)).subarray(0, n * width), start * width);
  }
  const ms = performance.now() - started;
  const loss = trainer.doc.training.loss.kind;
  if (loss === 'softmax-cross-entropy')
    for (let r = 0; r < count; r++) {
      const row = outputs.subarray(r * width, (r + 1) * width);
      let top = Number.NEGATIVE_INFINITY;
      for (const v of row) top = Math.max(top, v);
      let sum = 0;
      for (let c = 0; c < width; c++) sum += Math.exp(row[c] - top);
      for (let c = 0; c < width; c++) row[c] = Math.exp(row[c] - top) / sum;
    }
  else if (loss === 'sigmoid-binary-cross-entropy')
    for (let i = 0; i < outputs.length; i++) outputs[i] = 1 / (1 + Math.exp(-outputs[i]));
  const train = trainer.dataset('train');
  const kind = predictionKind(loss, width, train?.targetKind ?? 'tensor');
  // Trained against one-hot targets, the outputs estimate the probabilities (engine/train/decisions.ts).
  if (loss === 'mse' && kind === 'probabilities')
    for (let i = 0; i < outputs.length; i++) outputs[i] = Math.min(1, Math.max(0, outputs[i]));
  const { classNames, outputNames } = train ?? {};
  return {
    outputs,
    width,
    kind,
    ...(classNames && { classNames: [...classNames] }),
    ...(outputNames && { outputNames: [...outputNames] }),
    ms,
  };
}

/**
 * What a network's outputs mean to someone reading its answers, by its loss, its outputs' count and its
 * training targets: a classifier's (as the evaluation counts one: decisionsOf) class probabilities, several
 * yes/no labels' own probabilities, or values.
 */
function predictionKind(loss: string, width: number, targetKind: Dataset['targetKind']): Predictions['kind'] {
  if (loss === 'sigmoid-binary-cross-entropy' && width > 1) return 'labels';
  return decisionsOf(loss, targetKind, width) ? 'probabilities' : 'values';
}

/** Inputs of the user's: ready rows, image files, or CSV text with a header. */
export type PredictInputs =
  | { kind: 'rows'; x: Float32Array; names: string[] }
  | { kind: 'images'; files: ImageFile[] }
  | { kind: 'csv'; text: string; file: string }
  /** Numbers typed one input a line (typedInputs). */
  | { kind: 'typed'; text: string };

/** The answers for inputs of the user's, the inputs as the network saw them, and a score where they had labels. */
export type PredictAnswer = Predictions & {
  x: Float32Array;
  names: string[];
  /** CSV rows that held their labels: each row's target (a class index, or its values)… */
  targets?: Float32Array;
  /** …and the network's loss and accuracy on them (the evaluation pass). */
  score?: Evaluation;
};

/**
 * Inputs prepared as the network's training data was: images resized, CSV columns picked and scaled (and
 * CSV rows that hold the training set's label columns read as a set to score on, `labelled`).
 */
export function prepareInputs(
  trainer: Trainer,
  inputs: PredictInputs,
): { x: Float32Array; names: string[]; labelled?: Dataset } {
  const shape = trainer.plan.inputNode.outputShape;
  switch (inputs.kind) {
    case 'rows':
      return { x: inputs.x, names: inputs.names };
    case 'images': {
      if (shape.length !== 3 || (shape[0] !== 1 && shape[0] !== 3))
        throw new EngineError(
          'INVALID_DATA',
          `images need an Input of shape [1 or 3, H, W], not [${shape.join(', ')}]`,
        );
      return {
        x: imageInputs(inputs.files, shape as [number, number, number]),
        names: inputs.files.map((f) => f.path),
      };
    }
    case 'typed':
      return typedInputs(inputs.text, size(shape));
    case 'csv': {
      const train = trainer.dataset('train');
      const dataset = trainer.doc.training.dataset;
      if (!train?.scaling || dataset.source !== 'csv')
        throw new EngineError('INVALID_DATA', 'CSV rows need a network trained on a CSV dataset');
      const reading = { ...dataReading(train), scaling: train.scaling };
      const rows = csvRows(inputs.text, inputs.file, reading, labelColumns(dataset));
      return { x: rows.x, names: rows.lines.map((line) => `line ${line}`), labelled: rows.labelled };
    }
  }
}
