import type { Backend } from '../../engine/backend/backend';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import { emptyDocument, type GraphDocument, type GraphNode, loadGraph } from '../../engine/graph';
import { Random } from '../../engine/init/random';
import { type Shape, size } from '../../engine/layers/layer';
import { type LayerKind, layerDef } from '../../engine/layers/registry';
import { sessionWeightOf } from '../../engine/train/network-weights';
import { planTraining } from '../../engine/train/plan';
import { buildSession, initialiseParams } from '../../engine/train/session';

/**
 * Netloom's forward pass (eval mode, CPU) of a document on fresh weights drawn from `seed` and a batch of
 * inputs uniform in [-1, 1]: what an exported model must compute. `weight` gives each layer's parameters and
 * running statistics in Netloom's layout, for the exporters.
 */
export async function netloomForward(doc: GraphDocument, seed: number, batch: number) {
  const plan = planTraining(doc);
  const be: Backend = createCpuBackend('f32', { fast: false });
  const session = buildSession(be, plan, doc.training, batch, doc.training.loss.kind === 'mse' ? 'tensor' : 'class');
  initialiseParams(session, new Random(seed));
  const random = new Random(seed + 1);
  const inputShape = plan.inputNode.outputShape;
  const input = Float32Array.from({ length: batch * size(inputShape) }, () => random.uniform(-1, 1));
  be.write(session.input, input);
  session.forward(batch, 'eval', 0);
  const output = Float32Array.from((await be.read(session.output)).slice(0, batch * size(plan.outputNode.outputShape)));
  const weight = await sessionWeightOf(session);
  return { input, inputShape, outputShape: plan.outputNode.outputShape, output, weight };
}

/** A graph of one layer from the registry's examples: an input, then each port fed a tensor of its shape. */
export function layerGraph(kind: LayerKind, params: unknown, inputs: readonly Shape[]): GraphDocument {
  const at = { x: 0, y: 0 };
  const ports = layerDef(kind).inputPorts(layerDef(kind).params.parse(params));
  const first = inputs[0];
  const nodes: GraphDocument['nodes'] = [{ id: 'input', kind: 'input', params: { shape: [...first] }, position: at }];
  const edges: GraphDocument['edges'] = [];
  ports.forEach((port, i) => {
    const shape = inputs[i];
    let source = 'input';
    if (size(shape) !== size(first) || shape.some((d, j) => d !== first[j])) {
      // Another shape: a 1 x 1 convolution (images) or a dense layer (vectors) from the input makes it.
      source = `to-${port}`;
      nodes.push(
        shape.length === 3
          ? ({ id: source, kind: 'conv2d', params: { filters: shape[0], kernel: 1 }, position: at } as GraphNode)
          : ({ id: source, kind: 'dense', params: { units: shape[0] }, position: at } as GraphNode),
      );
      edges.push({ id: `e-${source}`, source: 'input', sourcePort: 'out', target: source, targetPort: 'in' });
    }
    edges.push({ id: `e-${port}`, source, sourcePort: 'out', target: 'layer', targetPort: port });
  });
  nodes.push({ id: 'layer', kind, params: params as never, position: at });
  const base = emptyDocument();
  const loaded = loadGraph({
    ...base,
    nodes,
    edges,
    training: { ...base.training, loss: { kind: 'mse' } },
  });
  if (!loaded.ok) throw new Error(`${kind}: ${JSON.stringify(loaded.issues)}`);
  return loaded.document;
}

/** The largest relative difference (to |expected| + 1e-3) of two outputs of the same length. */
export function largestRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + 1e-3));
  return worst;
}

/**
 * The largest difference of two batches of outputs relative to each sample's largest output (|expected|
 * over the sample's `row` values, at least 1e-6): how far apart two float32 computations of a network are.
 */
export function largestRowRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, row: number): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  for (let start = 0; start < expected.length; start += row) {
    let scale = 1e-6;
    for (let i = start; i < start + row; i++) scale = Math.max(scale, Math.abs(expected[i]));
    for (let i = start; i < start + row; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  return worst;
}

/** Netloom's forward pass (eval mode, CPU) of a document on given weights (as a checkpoint keeps them). */
export async function forwardWith(
  doc: GraphDocument,
  params: Float32Array,
  layerState: Record<string, Float32Array>,
  input: Float32Array,
  batch: number,
): Promise<Float32Array> {
  const plan = planTraining(doc);
  const be: Backend = createCpuBackend('f32', { fast: false });
  const session = buildSession(be, plan, doc.training, batch, doc.training.loss.kind === 'mse' ? 'tensor' : 'class');
  be.write(session.flat.params, params);
  for (const n of session.nodes)
    for (const [name, s] of Object.entries(n.passes.state ?? {})) {
      const values = layerState[`${n.id}.${name}`];
      if (values) be.write(s.buf, values);
    }
  be.write(session.input, input);
  session.forward(batch, 'eval', 0);
  return Float32Array.from((await be.read(session.output)).slice(0, batch * size(plan.outputNode.outputShape)));
}

/** Rows of logits, in place, as probabilities. */
export function softmaxRows(values: Float32Array, row: number): void {
  for (let start = 0; start < values.length; start += row) {
    const logits = values.subarray(start, start + row);
    const top = Math.max(...logits);
    let sum = 0;
    for (const v of logits) sum += Math.exp(v - top);
    for (let i = 0; i < row; i++) logits[i] = Math.exp(logits[i] - top) / sum;
  }
}
