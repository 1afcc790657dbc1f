import type { Backend, Buf } from '../backend/backend';
import type { Shape } from '../layers/layer';

export type LossKind = 'mse' | 'softmax-cross-entropy' | 'sigmoid-binary-cross-entropy';

/** What the trainer feeds a loss: one label per sample (classes) or a target tensor like the output. */
export type TargetKind = 'class' | 'tensor';

export interface LossBuildContext {
  be: Backend;
  /** What the dataset gives: class labels or target tensors (a loss that takes either is told which). */
  targetKind: TargetKind;
  outputShape: Shape;
  /** The output node's activations and the gradient the loss seeds. */
  y: Buf;
  dy: Buf;
  /** [maxBatch] labels or [maxBatch, ...outputShape] targets. */
  targets: Buf;
  /** Running sums the trainer reads a few times a second: loss[0] and correct[0]. */
  loss: Buf;
  correct: Buf;
}

export interface LossDef<K extends LossKind> {
  kind: K;
  title: string;
  /** The targets it reads; 'either': tensors like the output, or class labels as one-hot vectors. */
  targets: TargetKind | 'either';
  /** Why the loss cannot read this output, or null. */
  check(outputShape: Shape): string | null;
  /** Adds the batch's mean loss into loss[0] and writes dy (∂ mean loss / ∂ y). */
  build(ctx: LossBuildContext): (n: number) => void;
}
