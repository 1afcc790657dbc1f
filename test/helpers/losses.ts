import type { Backend } from '../../engine/backend/backend';
import type { FloatArray } from '../../engine/backend/cpu/types';

/**
 * Runs one loss kernel over logits [rows, cols] and its targets (labels or a tensor): the mean loss, and the
 * gradient of the logits written into d. 'mse-one-hot' is MSE against class labels.
 */
export function runLoss(
  be: Backend<FloatArray>,
  kind: string,
  logits: FloatArray,
  targets: FloatArray,
  d: FloatArray,
  rows: number,
  cols: number,
): number {
  const loss = new Float64Array(1);
  const correct = new Float64Array(1);
  const size = rows * cols;
  if (kind === 'softmax-cross-entropy')
    be.softmaxCrossEntropy({ logits, labels: targets, dLogits: d, loss, correct, rows, cols, scale: 1 });
  else if (kind === 'mse') be.meanSquaredError({ y: logits, target: targets, dY: d, loss, size, scale: 1 });
  else if (kind === 'mse-one-hot')
    be.meanSquaredErrorOneHot({ y: logits, labels: targets, dY: d, loss, correct, rows, cols, scale: 1 });
  else be.sigmoidBinaryCrossEntropy({ logits, target: targets, dLogits: d, loss, correct, size, scale: 1 });
  return loss[0];
}

/** The same on any backend, from plain numbers: the mean loss and the logits' gradient, read back. */
export async function runLossOn(
  be: Backend,
  kind: string,
  logitValues: readonly number[],
  targetValues: readonly number[],
  rows: number,
  cols: number,
): Promise<{ loss: number; dLogits: Float64Array }> {
  const size = rows * cols;
  const logits = be.alloc(size, 'logits');
  be.write(logits, logitValues);
  const targets = be.alloc(targetValues.length, 'targets');
  be.write(targets, targetValues);
  const [d, loss, correct] = [be.alloc(size, 'dLogits'), be.alloc(1, 'loss'), be.alloc(1, 'correct')];
  if (kind === 'softmax-cross-entropy')
    be.softmaxCrossEntropy({ logits, labels: targets, dLogits: d, loss, correct, rows, cols, scale: 1 });
  else if (kind === 'mse') be.meanSquaredError({ y: logits, target: targets, dY: d, loss, size, scale: 1 });
  else if (kind === 'mse-one-hot')
    be.meanSquaredErrorOneHot({ y: logits, labels: targets, dY: d, loss, correct, rows, cols, scale: 1 });
  else be.sigmoidBinaryCrossEntropy({ logits, target: targets, dLogits: d, loss, correct, size, scale: 1 });
  return { loss: (await be.read(loss))[0], dLogits: await be.read(d) };
}
