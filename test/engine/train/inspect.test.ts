import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { inspectPredictions } from '../../../engine/train/inspect';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

describe('the confusion matrix and sample predictions', () => {
  it('tallies every validation sample by true and predicted class, in agreement with evaluate()', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 16 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 3 }],
      ],
      { optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32, epochs: 50 },
    );
    const data = spiralData(300, 3, 0.1, 1);
    const validation = spiralData(90, 3, 0.1, 2);
    const trainer = new Trainer(doc, createCpuBackend(), data, validation);
    await trainer.runSteps(200);
    const inspection = await inspectPredictions(trainer, 10);
    expect(inspection.set).toBe('validation');
    expect(inspection.confusion).toHaveLength(3);
    const total = inspection.confusion.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(90);
    const diagonal = inspection.confusion.reduce((sum, row, i) => sum + row[i], 0);
    expect(inspection.accuracy).toBeCloseTo(diagonal / 90, 10);
    expect(inspection.accuracy).toBeCloseTo((await trainer.evaluate('validation')).accuracy!, 10);
    // Rows are the true classes: 30 samples each.
    expect(inspection.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([30, 30, 30]);
    expect(inspection.accuracy).toBeGreaterThan(0.5);
    expect(inspection.predictions.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const p of inspection.predictions) {
      expect(p.confidence).toBeGreaterThan(1 / 3);
      expect(p.confidence).toBeLessThanOrEqual(1);
      expect(Array.from(p.input!)).toEqual(Array.from(validation.x.slice(2 * p.index, 2 * p.index + 2)));
    }
  });

  it('is refused for a regression', async () => {
    const doc = chain([2], [['dense', { units: 1 }]], { loss: { kind: 'mse' } });
    const trainer = new Trainer(doc, createCpuBackend(), {
      name: 'line',
      inputShape: [2],
      count: 4,
      x: new Float32Array(8),
      targetKind: 'tensor',
      targetSize: 1,
      targets: new Float32Array(4),
    });
    await expect(inspectPredictions(trainer)).rejects.toThrow(/classifiers trained with softmax cross-entropy/);
  });
});
