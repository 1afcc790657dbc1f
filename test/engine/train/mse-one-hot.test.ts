import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { EngineError } from '../../../engine/errors';
import { evaluateSet } from '../../../engine/train/evaluate';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

/** Classification with mean squared error against one-hot targets, as the paper's first examples do. */
describe('MSE on class labels', () => {
  it('trains a classifier against one-hot targets and counts its accuracy', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 24 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 3 }],
      ],
      { loss: { kind: 'mse' }, optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32, epochs: 60, seed: 4 },
    );
    const data = spiralData(240, 3, 0.05, 2);
    const trainer = new Trainer(doc, createCpuBackend(), data);
    await trainer.fit();
    const first = trainer.history[0];
    const last = trainer.history.at(-1)!;
    expect(first.trainAccuracy).toBeDefined();
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.trainAccuracy!).toBeGreaterThan(0.8);
    const result = await evaluateSet(trainer, 'train');
    expect(result.accuracy!).toBeGreaterThan(0.8);
  });

  it('refuses class labels for an output that is not a vector of scores, naming the node', () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 6 }],
        ['reshape', { shape: [2, 3] }],
      ],
      { loss: { kind: 'mse' } },
    );
    let error: unknown;
    try {
      new Trainer(doc, createCpuBackend(), spiralData(30, 3, 0.05, 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(
      /against class labels compares one-hot vectors with node "n2", which outputs \[2, 3\]/,
    );
  });
});
