import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../../engine/data/dataset';
import { Random } from '../../../engine/init/random';
import { Trainer } from '../../../engine/train/trainer';
import { workloads } from '../../../scripts/bench-cpu/workloads';
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

/** Two epochs of four steps (64 samples in batches of 16): across an epoch's end, and the curve has moved. */
const STEPS = 8;

describe('training with the fast kernels follows the reference kernels', () => {
  // The CPU benchmark's three workloads.
  for (const w of Object.values(workloads))
    it(`${w.title}: the same loss curve over ${STEPS} steps`, async () => {
      const doc = chain(w.inputShape, w.layers, {
        optimizer: w.optimizer,
        batchSize: 16,
        epochs: 100,
        validation: { split: 0 },
        loss: { kind: 'softmax-cross-entropy' },
      });
      const data = randomData(w.inputShape, 64);
      const curve = async (fast: boolean) => {
        const trainer = new Trainer(doc, createCpuBackend('f32', { fast }), data);
        const losses: number[] = [];
        await trainer.runSteps(STEPS, { onStep: (m) => losses.push(m.loss) });
        return losses;
      };
      const [fast, slow] = [await curve(true), await curve(false)];
      expect(fast).toHaveLength(STEPS);
      for (let i = 0; i < STEPS; i++)
        expect(Math.abs(fast[i] - slow[i]), `step ${i + 1}`).toBeLessThan(1e-4 * (1 + slow[i]));
      // Random labels: the network memorises some of them, so the curve moves.
      expect(Math.abs(slow[STEPS - 1] - slow[0])).toBeGreaterThan(1e-3);
    });
});
