import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { classFigures, mostConfused } from '../../../engine/train/confusion';
import { evaluateSet } from '../../../engine/train/evaluate';
import { inspectPredictions } from '../../../engine/train/inspect';
import { predict } from '../../../engine/train/predict';
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
    expect(inspection.accuracy).toBeCloseTo((await evaluateSet(trainer, 'validation')).accuracy!, 10);
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

  it('tallies a classifier trained with mean squared error against one-hot targets; its outputs are the confidences', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 16 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 3 }],
      ],
      { loss: { kind: 'mse' }, optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32 },
    );
    const validation = spiralData(90, 3, 0.1, 2);
    const trainer = new Trainer(doc, createCpuBackend(), spiralData(300, 3, 0.1, 1), validation);
    await trainer.runSteps(200);
    const inspection = await inspectPredictions(trainer, 10);
    expect(inspection.kind).toBe('classes');
    expect(inspection.confusion.flat().reduce((a, b) => a + b, 0)).toBe(90);
    expect(inspection.accuracy).toBeCloseTo((await evaluateSet(trainer, 'validation')).accuracy!, 10);
    const { outputs } = await predict(trainer, validation.x.subarray(0, 20), 10);
    for (const p of inspection.predictions) {
      const row = Array.from(outputs.subarray(3 * p.index, 3 * p.index + 3));
      expect(p.predicted).toBe(row.indexOf(Math.max(...row)));
      expect(p.confidence).toBeCloseTo(Math.min(1, Math.max(0, row[p.predicted])), 6);
    }
  });

  it('tallies one yes/no output of sigmoid binary cross-entropy as two classes: positive logit, yes', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 8 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 1 }],
      ],
      { loss: { kind: 'sigmoid-binary-cross-entropy' }, optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32 },
    );
    const sides = (count: number, seed: number) => {
      const { x } = spiralData(count, 2, 0.1, seed);
      const targets = Float32Array.from({ length: count }, (_, i) => (x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0));
      return { name: 'sides', inputShape: [2], count, x, targetKind: 'tensor' as const, targetSize: 1, targets };
    };
    const validation = sides(80, 2);
    const trainer = new Trainer(doc, createCpuBackend(), sides(300, 1), validation);
    await trainer.runSteps(150);
    const inspection = await inspectPredictions(trainer, 10);
    expect(inspection.classNames).toEqual(['0', '1']);
    expect(inspection.confusion.flat().reduce((a, b) => a + b, 0)).toBe(80);
    expect(inspection.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([
      validation.targets.filter((t) => t === 0).length,
      validation.targets.filter((t) => t === 1).length,
    ]);
    expect(inspection.accuracy).toBeCloseTo((await evaluateSet(trainer, 'validation')).accuracy!, 10);
    expect(inspection.accuracy).toBeGreaterThan(0.8);
    // predict() gives the sigmoid's probability of yes.
    const { outputs } = await predict(trainer, validation.x.subarray(0, 20), 10);
    for (const p of inspection.predictions) {
      expect(p.label).toBe(validation.targets[p.index]);
      expect(p.predicted).toBe(outputs[p.index] > 0.5 ? 1 : 0);
      expect(p.confidence).toBeCloseTo(Math.max(outputs[p.index], 1 - outputs[p.index]), 6);
    }
    // Several yes/no outputs are not one classifier's decision: refused with how many there are.
    const three = chain([2], [['dense', { units: 3 }]], { loss: { kind: 'sigmoid-binary-cross-entropy' } });
    const pairs = { ...validation, targetSize: 3, targets: new Float32Array(3 * validation.count) };
    await expect(inspectPredictions(new Trainer(three, createCpuBackend(), pairs))).rejects.toThrow(
      /for one yes\/no output, and this network has 3/,
    );
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
    await expect(inspectPredictions(trainer)).rejects.toThrow(
      /classifiers trained with softmax cross-entropy, or with mean squared error against classes/,
    );
  });

  it('gives precision, recall and F1 per class, the most confused pairs, and the surest mistakes', async () => {
    // Rows true, columns predicted: class 0 found 8 of 10 (2 taken for 1), 1 found 5 of 6, 2 never present.
    const confusion = [
      [8, 2, 0],
      [1, 5, 0],
      [0, 0, 0],
    ];
    const [a, b, c] = classFigures(confusion);
    expect(a.precision).toBeCloseTo(8 / 9, 12);
    expect(a.recall).toBeCloseTo(8 / 10, 12);
    expect(a.f1).toBeCloseTo((2 * (8 / 9) * (8 / 10)) / (8 / 9 + 8 / 10), 12);
    expect(b.precision).toBeCloseTo(5 / 7, 12);
    expect(b.recall).toBeCloseTo(5 / 6, 12);
    expect([a.support, b.support, c.support]).toEqual([10, 6, 0]);
    expect(Number.isNaN(c.precision) && Number.isNaN(c.recall) && Number.isNaN(c.f1)).toBe(true);
    expect(mostConfused(confusion)).toEqual([
      { label: 0, predicted: 1, count: 2 },
      { label: 1, predicted: 0, count: 1 },
    ]);

    const doc = chain([2], [['dense', { units: 3 }]], {
      optimizer: { kind: 'sgd', lr: 0.01 },
      batchSize: 16,
      epochs: 5,
    });
    const trainer = new Trainer(doc, createCpuBackend(), spiralData(120, 3, 0.1, 1), spiralData(60, 3, 0.1, 2));
    await trainer.runSteps(5);
    const inspection = await inspectPredictions(trainer, 8);
    // A linear model on spirals gets many wrong: the 8 it was surest of, each wrong, surest first.
    expect(inspection.mostWrong).toHaveLength(8);
    expect(inspection.mostWrong.every((p) => p.label !== p.predicted)).toBe(true);
    const sure = inspection.mostWrong.map((p) => p.confidence);
    expect(sure).toEqual([...sure].sort((x, y) => y - x));
    // And they are the surest of all its mistakes: every wrong prediction's confidence, from the outputs.
    const validation = trainer.dataset('validation')!;
    const all: number[] = [];
    await trainer.forEachEvalBatch('validation', async (start, n) => {
      const out = await trainer.be.read(trainer.session.output);
      for (let r = 0; r < n; r++) {
        const row = Array.from(out.subarray(3 * r, 3 * r + 3));
        const best = row.indexOf(Math.max(...row));
        if (best !== validation.targets[start + r]) all.push(1 / row.reduce((s, v) => s + Math.exp(v - row[best]), 0));
      }
    });
    all.sort((x, y) => y - x);
    sure.forEach((v, i) => {
      expect(v).toBeCloseTo(all[i], 6);
    });
    expect(inspection.perClass.map((f) => f.support)).toEqual([20, 20, 20]);
    expect(inspection.confusedPairs.length).toBeGreaterThan(0);
  });
});
