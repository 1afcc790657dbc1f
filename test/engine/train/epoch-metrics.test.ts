import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import type { StepMetrics } from '../../../engine/train/metrics';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

describe('step reports', () => {
  it("carry the epoch so far (mean loss and accuracy over its steps), which ends as the epoch's own figures", async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 8 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 3 }],
      ],
      {
        batchSize: 10,
        epochs: 2,
        validation: { split: 0 },
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), spiralData(40, 3, 0.05, 3));
    const steps: StepMetrics[] = [];
    await trainer.fit({ onStep: (m) => steps.push(m) });
    expect(steps).toHaveLength(8);
    const first = steps.slice(0, 4);
    // Running means: the k-th report's epoch figures are the mean of the batch figures so far (equal batches).
    first.forEach((m, k) => {
      const sofar = first.slice(0, k + 1);
      expect(m.epochLoss).toBeCloseTo(sofar.reduce((a, s) => a + s.loss, 0) / (k + 1), 6);
      expect(m.epochAccuracy).toBeCloseTo(sofar.reduce((a, s) => a + (s.accuracy ?? 0), 0) / (k + 1), 6);
    });
    expect(first[3].epochLoss).toBeCloseTo(trainer.history[0].trainLoss, 6);
    expect(first[3].epochAccuracy).toBeCloseTo(trainer.history[0].trainAccuracy!, 6);
    // A new epoch starts its own figures.
    expect(steps[4].epochLoss).toBeCloseTo(steps[4].loss, 6);
  });
});
