import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../../engine/data/dataset';
import { evaluateSet } from '../../../engine/train/evaluate';
import { inspectRegression, MAX_POINTS } from '../../../engine/train/evaluate-regression';
import { predict } from '../../../engine/train/predict';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';
import { seededRandom } from '../../helpers/random';

/** Points of the plane with three targets each: x₁ + x₂, x₁·x₂, and a constant (whose R² is undefined). */
function threeTargets(count: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const x = Float32Array.from({ length: 2 * count }, () => 2 * random() - 1);
  const targets = new Float32Array(3 * count);
  for (let i = 0; i < count; i++) {
    targets[3 * i] = x[2 * i] + x[2 * i + 1];
    targets[3 * i + 1] = x[2 * i] * x[2 * i + 1];
    targets[3 * i + 2] = 0.5;
  }
  return { name: 'three', inputShape: [2], count, x, targetKind: 'tensor', targetSize: 3, targets };
}

/** MSE, MAE and R² of one output in float64, two passes (the mean first): the textbook definitions. */
function reference(target: number[], predicted: number[]) {
  const n = target.length;
  const mean = target.reduce((a, b) => a + b, 0) / n;
  const residual = target.reduce((sum, t, i) => sum + (predicted[i] - t) ** 2, 0);
  const total = target.reduce((sum, t) => sum + (t - mean) ** 2, 0);
  return {
    mse: residual / n,
    mae: target.reduce((sum, t, i) => sum + Math.abs(predicted[i] - t), 0) / n,
    r2: total > 0 ? 1 - residual / total : Number.NaN,
  };
}

async function trained(validationCount: number) {
  const doc = chain(
    [2],
    [
      ['dense', { units: 16 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 3 }],
    ],
    { loss: { kind: 'mse' }, optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32 },
  );
  const validation = threeTargets(validationCount, 2);
  const trainer = new Trainer(doc, createCpuBackend(), threeTargets(300, 1), validation);
  await trainer.runSteps(150);
  const { outputs } = await predict(trainer, validation.x, validation.count);
  return { trainer, validation, outputs };
}

const column = (values: ArrayLike<number>, o: number, width = 3) =>
  Array.from({ length: values.length / width }, (_, i) => values[i * width + o]);

describe("a regression's evaluation", () => {
  it('gives MSE, MAE and R² per output and overall, as the definitions do on the predictions', async () => {
    const { trainer, validation, outputs } = await trained(90);
    const inspection = await inspectRegression(trainer);
    expect(inspection).toMatchObject({ kind: 'regression', set: 'validation', count: 90, outputs: 3 });
    const expected = [0, 1, 2].map((o) => reference(column(validation.targets, o), column(outputs, o)));
    for (const [o, f] of inspection.perOutput.entries()) {
      expect(f.mse).toBeCloseTo(expected[o].mse, 10);
      expect(f.mae).toBeCloseTo(expected[o].mae, 10);
      if (o < 2) expect(f.r2).toBeCloseTo(expected[o].r2, 10);
    }
    // A constant target has no R²; the overall R² is the mean of the others'.
    expect(inspection.perOutput[2].r2).toBeNaN();
    expect(inspection.overall.r2).toBeCloseTo((expected[0].r2 + expected[1].r2) / 2, 10);
    expect(inspection.overall.mse).toBeCloseTo((expected[0].mse + expected[1].mse + expected[2].mse) / 3, 10);
    // The network learnt the sum well after 150 steps; the overall MSE is the loss the trainer reports.
    expect(inspection.perOutput[0].r2).toBeGreaterThan(0.9);
    expect(inspection.overall.mse).toBeCloseTo((await evaluateSet(trainer, 'validation')).loss, 5);
  });

  it('keeps every value for the scatter, and the worst samples by squared error, largest first', async () => {
    const { trainer, validation, outputs } = await trained(90);
    const inspection = await inspectRegression(trainer);
    expect(Array.from(inspection.points.target)).toEqual(Array.from(validation.targets));
    expect(Array.from(inspection.points.predicted)).toEqual(Array.from(outputs));
    const errors = Array.from({ length: 90 }, (_, i) =>
      [0, 1, 2].reduce((sum, o) => sum + (outputs[3 * i + o] - validation.targets[3 * i + o]) ** 2, 0),
    );
    const ranked = errors.map((error, index) => ({ index, error })).sort((a, b) => b.error - a.error);
    expect(inspection.worst.map((m) => m.index)).toEqual(ranked.slice(0, 8).map((m) => m.index));
    for (const m of inspection.worst) {
      expect(m.error).toBeCloseTo(errors[m.index], 10);
      expect(m.target).toEqual(Array.from(validation.targets.subarray(3 * m.index, 3 * m.index + 3)));
      expect(m.predicted).toEqual(Array.from(outputs.subarray(3 * m.index, 3 * m.index + 3)));
    }
  });

  it('thins a large set to every k-th value for the scatter', async () => {
    // 700 samples × 3 outputs = 2,100 values: every second one, 1,050 points.
    const { trainer, validation, outputs } = await trained(700);
    const inspection = await inspectRegression(trainer);
    expect(2100).toBeGreaterThan(MAX_POINTS);
    expect(inspection.points.target).toHaveLength(1050);
    for (const k of [0, 1, 524, 1049]) {
      expect(inspection.points.target[k]).toBe(validation.targets[2 * k]);
      expect(inspection.points.predicted[k]).toBe(outputs[2 * k]);
    }
  });

  it('is refused for a set of classes', async () => {
    const doc = chain([2], [['dense', { units: 2 }]], { loss: { kind: 'mse' } });
    const classes: Dataset = {
      name: 'two',
      inputShape: [2],
      count: 4,
      x: new Float32Array(8),
      targetKind: 'class',
      targetSize: 1,
      targets: new Float32Array([0, 1, 0, 1]),
      classes: 2,
    };
    await expect(inspectRegression(new Trainer(doc, createCpuBackend(), classes))).rejects.toThrow(/target values/);
  });
});
