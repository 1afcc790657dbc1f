import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../../engine/data/dataset';
import { Random } from '../../../engine/init/random';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

/** Random inputs and ten classes: enough to drive the loss curve, the same for both kernel sets. */
function randomData(shape: number[], count: number): Dataset {
  const random = new Random(3);
  const per = shape.reduce((a, b) => a * b, 1);
  return {
    name: 'random',
    inputShape: shape,
    count,
    x: Float32Array.from({ length: count * per }, () => random.uniform(0, 1)),
    targetKind: 'class',
    targetSize: 1,
    targets: Float32Array.from({ length: count }, () => Math.floor(random.uniform(0, 10))),
    classes: 10,
  };
}

type Layer = [string, Record<string, unknown>?];
const relu: Layer = ['activation', { fn: 'relu' }];
const workloads: Record<string, { shape: number[]; layers: Layer[]; optimizer: Record<string, unknown> }> = {
  'MLP (Adam)': {
    shape: [1, 28, 28],
    layers: [['flatten'], ['dense', { units: 64 }], relu, ['dense', { units: 32 }], relu, ['dense', { units: 10 }]],
    optimizer: { kind: 'adam', lr: 1e-3 },
  },
  'LeNet-5 (momentum)': {
    shape: [1, 28, 28],
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
  'LSTM over rows (Adam)': {
    shape: [28, 28],
    layers: [
      ['lstm', { units: 32 }],
      ['dense', { units: 10 }],
    ],
    optimizer: { kind: 'adam', lr: 1e-3 },
  },
};

describe('training with the fast kernels follows the reference kernels', () => {
  for (const [name, w] of Object.entries(workloads))
    it(`${name}: the same loss curve over 15 steps`, async () => {
      const doc = chain(w.shape, w.layers, {
        optimizer: w.optimizer,
        batchSize: 16,
        epochs: 100,
        validation: { split: 0 },
        loss: { kind: 'softmax-cross-entropy' },
      });
      const data = randomData(w.shape, 64);
      const curve = async (fast: boolean) => {
        const trainer = new Trainer(doc, createCpuBackend('f32', { fast }), data);
        const losses: number[] = [];
        await trainer.runSteps(15, { onStep: (m) => losses.push(m.loss) });
        return losses;
      };
      const [fast, slow] = [await curve(true), await curve(false)];
      expect(fast).toHaveLength(15);
      for (let i = 0; i < 15; i++)
        expect(Math.abs(fast[i] - slow[i]), `step ${i + 1}`).toBeLessThan(1e-4 * (1 + slow[i]));
      // Random labels: the network memorises some of them, so the curve moves.
      expect(Math.abs(slow[14] - slow[0])).toBeGreaterThan(1e-3);
    });
});
