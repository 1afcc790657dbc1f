import { FLOAT_BYTES } from '../graph/limits';
import { size } from '../layers/layer';
import { layerDef } from '../layers/registry';
import type { TrainingPlan } from './plan';

export interface PlannedBuffer {
  name: string;
  kind: 'activation' | 'gradient' | 'parameters' | 'parameter gradients' | 'optimizer slot';
  bytes: number;
  /** First and last step that touches it: forward of node i is step i, its backward step 2N − 1 − i. */
  live: [number, number];
  /** Index of the memory block it would share with buffers whose lifetimes do not overlap. */
  block: number;
}

export interface BufferPlan {
  buffers: PlannedBuffer[];
  /** Bytes if every buffer has its own memory, and if lifetimes that do not overlap share it. */
  totalBytes: number;
  sharedBytes: number;
}

/**
 * What a training session allocates, how large, and what could share memory: an activation lives from its
 * forward pass to its node's backward pass; a gradient from the backward pass of the last layer reading it
 * to its own. Parameters, their gradients and optimizer slots live throughout (one flat buffer each).
 */
export function planBuffers(plan: TrainingPlan, maxBatch: number, optimizerSlots: number): BufferPlan {
  const N = plan.nodes.length;
  const backwardStep = (i: number) => 2 * N - 1 - i;
  const lastReader = new Map<string, number>();
  plan.nodes.forEach((p, i) => {
    for (const input of p.inputs) lastReader.set(input, Math.max(lastReader.get(input) ?? -1, i));
  });
  const buffers: Omit<PlannedBuffer, 'block'>[] = [];
  let paramCount = 0;
  plan.nodes.forEach((p, i) => {
    const def = layerDef(p.node.kind);
    for (const spec of Object.values(def.paramSpecs(p.node.params, p.inputShapes))) paramCount += size(spec.shape);
    if (def.aliasesInput) return;
    const bytes = maxBatch * size(p.outputShape) * FLOAT_BYTES;
    buffers.push({ name: `${p.node.id}.y`, kind: 'activation', bytes, live: [i, backwardStep(i)] });
    if (p.needsGrad) {
      const reader = lastReader.get(p.node.id) ?? i;
      buffers.push({ name: `${p.node.id}.dy`, kind: 'gradient', bytes, live: [backwardStep(reader), backwardStep(i)] });
    }
  });
  const whole: [number, number] = [0, 2 * N - 1];
  const paramBytes = Math.max(paramCount, 1) * FLOAT_BYTES;
  buffers.push({ name: 'params', kind: 'parameters', bytes: paramBytes, live: whole });
  buffers.push({ name: 'grads', kind: 'parameter gradients', bytes: paramBytes, live: whole });
  for (let s = 0; s < optimizerSlots; s++)
    buffers.push({ name: `slot${s + 1}`, kind: 'optimizer slot', bytes: paramBytes, live: whole });

  // Greedy interval colouring: each buffer takes the first block free for its whole lifetime.
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[a].live[0] - buffers[b].live[0]);
  const blocks: { freeFrom: number; bytes: number }[] = [];
  const assigned = new Array<number>(buffers.length);
  for (const i of order) {
    const b = buffers[i];
    let block = blocks.findIndex((k) => k.freeFrom < b.live[0]);
    if (block < 0) {
      block = blocks.length;
      blocks.push({ freeFrom: -1, bytes: 0 });
    }
    blocks[block].freeFrom = b.live[1];
    blocks[block].bytes = Math.max(blocks[block].bytes, b.bytes);
    assigned[i] = block;
  }
  return {
    buffers: buffers.map((b, i) => ({ ...b, block: assigned[i] })),
    totalBytes: buffers.reduce((s, b) => s + b.bytes, 0),
    sharedBytes: blocks.reduce((s, k) => s + k.bytes, 0),
  };
}
