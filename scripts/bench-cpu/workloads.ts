import type { Dataset } from '../../engine/data/dataset';
import { emptyDocument, loadGraph } from '../../engine/graph';
import type { GraphDocument } from '../../engine/graph/schema';
/**
 * The three reference workloads of the CPU benchmark, described once for every framework: 28 × 28 inputs,
 * ten classes, batch 64 unless told otherwise.
 */
export type WorkloadName = 'mlp' | 'lenet' | 'lstm';
export const workloadNames: WorkloadName[] = ['mlp', 'lenet', 'lstm'];

export interface Workload {
  title: string;
  /** One sample's input shape as Netloom and TensorFlow.js see it. */
  inputShape: number[];
  /** Netloom layers after the Input node, in the graph document's terms. */
  layers: [kind: string, params?: Record<string, unknown>][];
  optimizer: { kind: 'adam'; lr: number } | { kind: 'momentum'; lr: number; momentum: number };
}

const relu: [string, Record<string, unknown>] = ['activation', { fn: 'relu' }];

export const workloads: Record<WorkloadName, Workload> = {
  mlp: {
    title: 'MLP 784-256-256-10, Adam',
    inputShape: [784],
    layers: [['dense', { units: 256 }], relu, ['dense', { units: 256 }], relu, ['dense', { units: 10 }]],
    optimizer: { kind: 'adam', lr: 1e-3 },
  },
  lenet: {
    title: 'LeNet-5 28x28x1, SGD momentum',
    inputShape: [1, 28, 28],
    layers: [
      ['conv2d', { filters: 6, kernel: 5, padding: 2 }],
      relu,
      ['maxpool2d', { size: 2 }],
      ['conv2d', { filters: 16, kernel: 5 }],
      relu,
      ['maxpool2d', { size: 2 }],
      ['flatten'],
      ['dense', { units: 120 }],
      relu,
      ['dense', { units: 84 }],
      relu,
      ['dense', { units: 10 }],
    ],
    optimizer: { kind: 'momentum', lr: 0.01, momentum: 0.9 },
  },
  lstm: {
    title: 'LSTM 128 over 28 steps of 28, Adam',
    inputShape: [28, 28],
    layers: [
      ['lstm', { units: 128 }],
      ['dense', { units: 10 }],
    ],
    optimizer: { kind: 'adam', lr: 1e-3 },
  },
};

/** Random inputs in [0, 1) and labels, the same for every framework (a fixed linear congruential stream). */
export function syntheticBatch(workload: Workload, batch: number): { x: Float32Array; labels: Int32Array } {
  const per = workload.inputShape.reduce((a, b) => a * b, 1);
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const x = Float32Array.from({ length: batch * per }, next);
  const labels = Int32Array.from({ length: batch }, () => Math.floor(next() * 10));
  return { x, labels };
}

/**
 * The workload as a Netloom graph document (a chain from the Input node) and eight batches of random
 * samples, so that each step gathers a shuffled batch as in real training.
 */
export function benchmarkSession(workload: Workload, batch: number): { doc: GraphDocument; data: Dataset } {
  const base = emptyDocument();
  const nodes = [
    { id: 'input', kind: 'input', params: { shape: workload.inputShape }, position: { x: 0, y: 0 } },
    ...workload.layers.map(([kind, params = {}], i) => ({ id: `n${i + 1}`, kind, params, position: { x: 0, y: 0 } })),
  ];
  const loaded = loadGraph({
    ...base,
    nodes,
    edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id })),
    training: {
      ...base.training,
      dataset: { source: 'synthetic', generator: 'xor' },
      validation: { split: 0 },
      loss: { kind: 'softmax-cross-entropy' },
      optimizer: workload.optimizer,
      batchSize: batch,
      epochs: 100_000,
    },
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const { x, labels } = syntheticBatch(workload, batch * 8);
  const data: Dataset = {
    name: 'random',
    inputShape: workload.inputShape,
    count: batch * 8,
    x,
    targetKind: 'class',
    targetSize: 1,
    targets: Float32Array.from(labels),
    classes: 10,
  };
  return { doc: loaded.document, data };
}
