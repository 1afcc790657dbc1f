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
