import { movesPixels } from '../data/augment';
import { checkDataset, type Dataset, sampleName } from '../data/dataset';
import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import type { Augmentation } from '../graph/training-schema';
import { size } from '../layers/layer';
import { layerDef } from '../layers/registry';
import { losses } from '../losses/registry';
import { planBuffers } from './buffer-plan';
import type { TrainingPlan } from './plan';

/** The checks a session passes before it allocates anything: each names the node and the data at fault. */

/** A dataset fits the network: its samples the input node, its targets the loss and the output node. */
export function checkFits(plan: TrainingPlan, doc: GraphDocument, d: Dataset): void {
  checkDataset(d);
  const input = plan.inputNode;
  if (size(input.outputShape) !== size(d.inputShape))
    throw new EngineError(
      'INVALID_DATA',
      `node "${input.node.id}" takes [${input.outputShape.join(', ')}] but ${d.name} has samples of [${d.inputShape.join(', ')}]`,
      input.node.id,
    );
  const out = plan.outputNode;
  const lossDef = losses[doc.training.loss.kind];
  // A loss of either kind reads class labels as one-hot vectors over the output's scores.
  const readsClasses = lossDef.targets === 'class' || (lossDef.targets === 'either' && d.targetKind === 'class');
  if (readsClasses) {
    if (lossDef.targets === 'either' && out.outputShape.length !== 1)
      throw new EngineError(
        'LOSS_MISMATCH',
        `${lossDef.title} against class labels compares one-hot vectors with node "${out.node.id}", which outputs [${out.outputShape.join(', ')}], not a vector of class scores`,
        out.node.id,
      );
    if (d.targetKind !== 'class')
      throw new EngineError(
        'LOSS_MISMATCH',
        `${lossDef.title} needs class labels; ${d.name} has tensor targets`,
        out.node.id,
      );
    // A label out of range is cited by its record first; then a class count the outputs cannot score.
    const tooHigh = d.targets.findIndex((label) => label >= out.outputShape[0]);
    if (tooHigh >= 0)
      throw new EngineError(
        'INVALID_DATA',
        `${d.name}: ${sampleName(d, tooHigh)} has label ${d.targets[tooHigh]}, but node "${out.node.id}" scores only ${out.outputShape[0]} classes`,
        out.node.id,
      );
    if ((d.classes ?? 0) > out.outputShape[0])
      throw new EngineError(
        'LOSS_MISMATCH',
        `${d.name} has ${d.classes} classes but node "${out.node.id}" outputs ${out.outputShape[0]} scores`,
        out.node.id,
      );
  } else if (d.targetSize !== size(out.outputShape))
    throw new EngineError(
      'LOSS_MISMATCH',
      `${lossDef.title} compares node "${out.node.id}" [${out.outputShape.join(', ')}] with targets of ${d.targetSize} values`,
      out.node.id,
    );
}
const MB = 1024 * 1024;

/**
 * A backend with a memory limit (one GPU buffer) is checked before anything is allocated: the planned
 * activations, gradients, parameters and datasets must fit, else the error names the layer that needs most.
 */
const datasetBytes = (sets: (Dataset | undefined)[]) =>
  sets.reduce((sum, d) => sum + (d ? (d.x.length + d.targets.length) * 4 : 0), 0);

/**
 * The floats a training session allocates, as planned: activations, gradients, parameters, their gradients
 * and optimizer slots, the datasets, the trainer's copy of the state to roll back to (weights and both
 * slots) and of the weights before a step. Layers' own scratch is not counted (the backend grows for it).
 */
export function plannedFloats(plan: TrainingPlan, batch: number, sets: (Dataset | undefined)[]): number {
  const buffers = planBuffers(plan, batch, 2);
  const paramBytes = buffers.buffers.find((b) => b.name === 'params')?.bytes ?? 0;
  // The session gives every layer an output gradient, needed or not (the plan counts the needed ones).
  const unneededGradients = plan.nodes
    .filter((p) => !p.needsGrad && !layerDef(p.node.kind).aliasesInput)
    .reduce((sum, p) => sum + batch * size(p.outputShape), 0);
  return Math.ceil((buffers.totalBytes + datasetBytes(sets) + 4 * paramBytes) / 4) + unneededGradients;
}

export function checkMemory(
  plan: TrainingPlan,
  batch: number,
  sets: (Dataset | undefined)[],
  limitBytes: number,
): void {
  const buffers = planBuffers(plan, batch, 2);
  const dataBytes = datasetBytes(sets);
  const total = buffers.totalBytes + dataBytes;
  if (total <= limitBytes) return;
  const largest = buffers.buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const nodeId = largest.name.includes('.') ? largest.name.slice(0, largest.name.lastIndexOf('.')) : undefined;
  const what = nodeId
    ? `node "${nodeId}" needs ${(largest.bytes / MB).toFixed(0)} MB for its ${largest.kind}s`
    : `the ${largest.kind} need ${(largest.bytes / MB).toFixed(0)} MB`;
  throw new EngineError(
    'TOO_LARGE',
    `${what} at batch ${batch}; the session needs ${(total / MB).toFixed(0)} MB (datasets ${(dataBytes / MB).toFixed(0)} MB) but this GPU allows ${(limitBytes / MB).toFixed(0)} MB in one buffer: lower the batch size or train on the CPU`,
    nodeId,
  );
}

/** Augmentation that moves pixels (crop, flip, rotation, shift) needs samples that are images [C, H, W]. */
export function checkAugmentable(a: Augmentation, d: Dataset): void {
  if (movesPixels(a) && d.inputShape.length !== 3)
    throw new EngineError(
      'INVALID_DATA',
      `crop, flip, rotation and shift augment images [C, H, W]; ${d.name} has samples of [${d.inputShape.join(', ')}]`,
    );
}
