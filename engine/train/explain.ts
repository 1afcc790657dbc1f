import type { Buf } from '../backend/backend';
import { EngineError } from '../errors';
import { size } from '../layers/layer';
import { layerDef } from '../layers/registry';
import { lookInsideSession, nodeOf } from './look-inside-session';
import { type UnitsOverPlane, unitsOverPlane } from './plane-units';
import type { Trainer } from './trainer';

function checkInput(trainer: Trainer, x: Float32Array): void {
  const shape = trainer.plan.inputNode.outputShape;
  if (x.length !== size(shape))
    throw new EngineError(
      'INVALID_DATA',
      `one input of [${shape.join(', ')}] is ${size(shape)} values, not ${x.length}`,
    );
}

async function readFirst(trainer: Trainer, buf: Buf, count: number): Promise<Float32Array> {
  return Float32Array.from((await trainer.be.read(buf)).subarray(0, count));
}

/** What a layer computes for one input: its output, with the layer's output shape. */
export async function layerOutput(
  trainer: Trainer,
  nodeId: string,
  x: Float32Array,
): Promise<{ shape: number[]; values: Float32Array }> {
  checkInput(trainer, x);
  const session = lookInsideSession(trainer);
  const node = nodeOf(session, nodeId);
  trainer.be.write(session.input, x);
  session.forward(1, 'eval', trainer.step);
  return { shape: [...node.outputShape], values: await readFirst(trainer, node.y, size(node.outputShape)) };
}

export interface Explanation {
  /** The output explained (a class, or an output unit), and its score for the input (the value the loss reads). */
  target: number;
  score: number;
  /** ∂score/∂input, in the Input's shape. */
  gradient: Float32Array;
  inputShape: number[];
  /**
   * Saliency (Simonyan et al. 2013): for an image [C, H, W], max over channels of |∂score/∂x|, as [H, W];
   * for other inputs |∂score/∂x| in the Input's shape.
   */
  saliency: Float32Array;
  /**
   * Grad-CAM (Selvaraju et al. 2017) of a layer whose output is [K, H, W] feature maps A_k: with
   * α_k = mean over the map of ∂score/∂A_k, the map ReLU(Σ_k α_k A_k) at the layer's resolution.
   */
  gradCam?: { nodeId: string; height: number; width: number; values: Float32Array };
}

/** The last layer that makes feature maps ([K, H, W]): Grad-CAM's usual choice. */
export function lastFeatureMapLayer(trainer: Trainer): string | undefined {
  const maps = trainer.plan.nodes.filter((n) => n !== trainer.plan.inputNode && n.outputShape.length === 3);
  return maps.at(-1)?.node.id;
}

/**
 * Why the network scores an input as it does, from the engine's own backward pass: the gradient of one output
 * (by default the highest) with respect to the input, and Grad-CAM of a feature-map layer (by default the last).
 */
export async function explain(
  trainer: Trainer,
  x: Float32Array,
  options: { target?: number; gradCamLayer?: string } = {},
): Promise<Explanation> {
  checkInput(trainer, x);
  const session = lookInsideSession(trainer);
  const { be } = trainer;
  const outputs = size(trainer.plan.outputNode.outputShape);
  be.write(session.input, x);
  session.forward(1, 'eval', trainer.step);
  const scores = await readFirst(trainer, session.output, outputs);
  let target = options.target ?? 0;
  if (options.target === undefined) for (let i = 1; i < outputs; i++) if (scores[i] > scores[target]) target = i;
  if (!Number.isInteger(target) || target < 0 || target >= outputs)
    throw new EngineError('INVALID_DATA', `output ${target} is not one of the network's ${outputs} outputs`);
  // Seed ∂score/∂output with a one-hot vector, then run the training backward pass (evaluation mode).
  const seed = new Float32Array(outputs);
  seed[target] = 1;
  const outputNode = nodeOf(session, trainer.plan.outputNode.node.id);
  be.write(outputNode.dy, seed);
  session.backward(1, 'eval');

  const inputShape = [...trainer.plan.inputNode.outputShape];
  const inputNode = nodeOf(session, trainer.plan.inputNode.node.id);
  const gradient = await readFirst(trainer, inputNode.dy, size(inputShape));
  const explanation: Explanation = {
    target,
    score: scores[target],
    gradient,
    inputShape,
    saliency: saliencyOf(gradient, inputShape),
  };
  const camLayer = options.gradCamLayer ?? lastFeatureMapLayer(trainer);
  if (camLayer !== undefined) {
    const node = nodeOf(session, camLayer);
    if (node.outputShape.length !== 3)
      throw new EngineError(
        'INVALID_DATA',
        `Grad-CAM needs a layer that makes feature maps [K, H, W]; "${camLayer}" makes [${node.outputShape.join(', ')}]`,
        camLayer,
      );
    const count = size(node.outputShape);
    const maps = await readFirst(trainer, node.y, count);
    const grads = await readFirst(trainer, node.dy, count);
    const [k, height, width] = node.outputShape;
    explanation.gradCam = { nodeId: camLayer, height, width, values: gradCamOf(maps, grads, k, height * width) };
  }
  return explanation;
}

function saliencyOf(gradient: Float32Array, shape: number[]): Float32Array {
  if (shape.length !== 3) return gradient.map(Math.abs);
  const [channels, height, width] = shape;
  const plane = height * width;
  const map = new Float32Array(plane);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < plane; i++) map[i] = Math.max(map[i], Math.abs(gradient[c * plane + i]));
  return map;
}

/** ReLU(Σ_k α_k A_k) with α_k the mean of the gradient over map k. */
export function gradCamOf(maps: Float32Array, grads: Float32Array, k: number, plane: number): Float32Array {
  const cam = new Float32Array(plane);
  for (let c = 0; c < k; c++) {
    let alpha = 0;
    for (let i = 0; i < plane; i++) alpha += grads[c * plane + i];
    alpha /= plane;
    for (let i = 0; i < plane; i++) cam[i] += alpha * maps[c * plane + i];
  }
  for (let i = 0; i < plane; i++) cam[i] = Math.max(cam[i], 0);
  return cam;
}

/** One named state of a recurrent layer over the time steps: `values` is [steps, width]. */
export interface StateOverTime {
  name: string;
  steps: number;
  width: number;
  values: Float32Array;
}

/** A recurrent layer's hidden state (and an LSTM's cell state and gates) at every step, for one input. */
export async function statesOverTime(trainer: Trainer, nodeId: string, x: Float32Array): Promise<StateOverTime[]> {
  checkInput(trainer, x);
  const session = lookInsideSession(trainer);
  const node = nodeOf(session, nodeId);
  if (!node.passes.probes)
    throw new EngineError('INVALID_DATA', `"${nodeId}" (${node.kind}) keeps no state over time`, nodeId);
  trainer.be.write(session.input, x);
  session.forward(1, 'eval', trainer.step);
  const states: StateOverTime[] = [];
  for (const [name, probe] of Object.entries(node.passes.probes)) {
    const all = await trainer.be.read(probe.buf);
    const parts = probe.parts ?? [name];
    const partWidth = probe.width / parts.length;
    parts.forEach((part, p) => {
      const values = new Float32Array(probe.steps * partWidth);
      for (let t = 0; t < probe.steps; t++)
        for (let j = 0; j < partWidth; j++)
          values[t * partWidth + j] = all[probe.offset + t * probe.stepStride + p * partWidth + j];
      states.push({ name: part, steps: probe.steps, width: partWidth, values });
    });
  }
  return states;
}

/**
 * A layer's weights as pictures: a convolution's filters [F, C, kh, kw], or a dense layer's weights [in, out]
 * with, where its input is an image flattened, the image's shape (each unit's weights then form a picture).
 */
export async function layerWeights(
  trainer: Trainer,
  nodeId: string,
): Promise<{ shape: number[]; values: Float32Array; imageShape?: number[] }> {
  const slot = trainer.session.params.find((p) => p.nodeId === nodeId && p.name === 'W');
  const planned = trainer.plan.nodes.find((n) => n.node.id === nodeId);
  if (!planned) throw new EngineError('INVALID_DATA', `no layer "${nodeId}" in the network being trained`, nodeId);
  if (!slot) throw new EngineError('INVALID_DATA', `"${nodeId}" (${planned.node.kind}) has no weights to show`, nodeId);
  const all = await trainer.be.read(trainer.session.flat.params);
  const values = Float32Array.from(all.subarray(slot.offset, slot.offset + slot.size));
  const shape = [...slot.spec.shape];
  // Back through layers that only relabel memory (Flatten, Reshape) to the shape the data had.
  let source = planned.inputs[0];
  const byId = new Map(trainer.plan.nodes.map((n) => [n.node.id, n]));
  while (layerDef(byId.get(source)!.node.kind).aliasesInput) source = byId.get(source)!.inputs[0];
  const sourceShape = byId.get(source)!.outputShape;
  const imageShape = shape.length === 2 && sourceShape.length === 3 ? [...sourceShape] : undefined;
  return { shape, values, ...(imageShape && { imageShape }) };
}

/** A question about the network for the look-inside views (inputs are rows of the Input's shape). */
export type LookInsideQuestion =
  | { kind: 'output'; nodeId: string; x: Float32Array }
  | { kind: 'explain'; x: Float32Array; target?: number; gradCamLayer?: string }
  | { kind: 'states'; nodeId: string; x: Float32Array }
  | { kind: 'weights'; nodeId: string }
  /** Each unit of a layer over the input plane (networks of 2-D points). */
  | { kind: 'plane'; nodeId: string };

export type LookInsideAnswer =
  | { kind: 'output'; shape: number[]; values: Float32Array }
  | ({ kind: 'explain' } & Explanation)
  | { kind: 'states'; states: StateOverTime[] }
  | { kind: 'weights'; shape: number[]; values: Float32Array; imageShape?: number[] }
  | ({ kind: 'plane' } & UnitsOverPlane);

export async function lookInside(trainer: Trainer, q: LookInsideQuestion): Promise<LookInsideAnswer> {
  switch (q.kind) {
    case 'output':
      return { kind: 'output', ...(await layerOutput(trainer, q.nodeId, q.x)) };
    case 'explain':
      return { kind: 'explain', ...(await explain(trainer, q.x, q)) };
    case 'states':
      return { kind: 'states', states: await statesOverTime(trainer, q.nodeId, q.x) };
    case 'weights':
      return { kind: 'weights', ...(await layerWeights(trainer, q.nodeId)) };
    case 'plane':
      return { kind: 'plane', ...(await unitsOverPlane(trainer, q.nodeId)) };
  }
}
