import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { analyseGraph } from '../../../engine/graph';
import { planTraining } from '../../../engine/train/plan';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

const layers: Parameters<typeof chain>[1] = [
  ['dense', { units: 16 }],
  ['activation', { fn: 'tanh' }],
  ['dense', { units: 3 }],
];
const settings = { optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32, epochs: 5, seed: 9 };

describe('an activation the loss already applies', () => {
  it('is folded into softmax cross-entropy: trains exactly as the network without it, with a notice', async () => {
    const withSoftmax = chain([2], [...layers, ['activation', { fn: 'softmax' }]], settings);
    const without = chain([2], [...layers], settings);
    const plan = planTraining(withSoftmax);
    expect(plan.folded).toBe('n4');
    expect(plan.outputNode.node.id).toBe('n3');
    const data = spiralData(120, 3, 0.05, 1);
    const a = new Trainer(withSoftmax, createCpuBackend(), data);
    const b = new Trainer(without, createCpuBackend(), data);
    await a.fit();
    await b.fit();
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss));
    expect(a.history.at(-1)!.trainLoss).toBeLessThan(a.history[0].trainLoss);
    const notice = analyseGraph(withSoftmax).nodes.get('n4')?.diagnostics ?? [];
    expect(notice).toEqual([
      expect.objectContaining({
        code: 'FOLDED_INTO_LOSS',
        severity: 'warning',
        message: expect.stringMatching(/applies the softmax itself/),
      }),
    ]);
  });

  it('is folded into sigmoid binary cross-entropy too, and left alone before other losses', () => {
    const sigmoid = chain(
      [2],
      [
        ['dense', { units: 1 }],
        ['activation', { fn: 'sigmoid' }],
      ],
      {
        loss: { kind: 'sigmoid-binary-cross-entropy' },
      },
    );
    expect(planTraining(sigmoid).folded).toBe('n2');
    const mse = chain(
      [2],
      [
        ['dense', { units: 3 }],
        ['activation', { fn: 'softmax' }],
      ],
      { loss: { kind: 'mse' } },
    );
    expect(planTraining(mse).folded).toBeUndefined();
    expect(planTraining(mse).outputNode.node.id).toBe('n2');
  });
});
