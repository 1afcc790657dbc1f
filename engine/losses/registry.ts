import { size } from '../layers/layer';
import type { LossDef, LossKind } from './loss';

/**
 * Mean squared error (the paper's chapter 4): regression on any output shape, or classification against
 * one-hot targets when the dataset gives class labels (then accuracy is counted too).
 */
const mse: LossDef<'mse'> = {
  kind: 'mse',
  title: 'Mean squared error',
  targets: 'either',
  check: () => null,
  build({ be, outputShape, y, dy, targets, loss, correct, targetKind }) {
    const per = size(outputShape);
    if (targetKind === 'class')
      return (n) =>
        be.meanSquaredErrorOneHot({ y, labels: targets, dY: dy, loss, correct, rows: n, cols: per, scale: 1 });
    return (n) => be.meanSquaredError({ y, target: targets, dY: dy, loss, size: n * per, scale: 1 });
  },
};

/** Cross-entropy on raw scores, with the softmax fused in for stability: classification into C classes. */
const softmaxCrossEntropy: LossDef<'softmax-cross-entropy'> = {
  kind: 'softmax-cross-entropy',
  title: 'Softmax cross-entropy',
  targets: 'class',
  check: (shape) =>
    shape.length === 1 && shape[0] >= 2
      ? null
      : `needs a vector of at least 2 class scores, got [${shape.join(', ')}] (end with a Dense layer of one unit per class)`,
  build({ be, outputShape, y, dy, targets, loss, correct }) {
    return (n) =>
      be.softmaxCrossEntropy({
        logits: y,
        labels: targets,
        dLogits: dy,
        loss,
        correct,
        rows: n,
        cols: outputShape[0],
        scale: 1,
      });
  },
};

/** Binary cross-entropy on raw scores, with the sigmoid fused in: one or more yes/no outputs. */
const sigmoidBinaryCrossEntropy: LossDef<'sigmoid-binary-cross-entropy'> = {
  kind: 'sigmoid-binary-cross-entropy',
  title: 'Sigmoid binary cross-entropy',
  targets: 'tensor',
  check: () => null,
  build({ be, outputShape, y, dy, targets, loss, correct }) {
    const per = size(outputShape);
    return (n) =>
      be.sigmoidBinaryCrossEntropy({ logits: y, target: targets, dLogits: dy, loss, correct, size: n * per, scale: 1 });
  },
};

export const losses = {
  mse,
  'softmax-cross-entropy': softmaxCrossEntropy,
  'sigmoid-binary-cross-entropy': sigmoidBinaryCrossEntropy,
} satisfies { [K in LossKind]: LossDef<K> };
