import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../../engine/data/dataset';
import { evaluateSet } from '../../../engine/train/evaluate';
import { inspectLabels } from '../../../engine/train/evaluate-labels';
import { inspectNetwork } from '../../../engine/train/inspect';
import { predict } from '../../../engine/train/predict';
import { predictionsCsv } from '../../../engine/train/predictions-csv';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';
import { seededRandom } from '../../helpers/random';

const NAMES = ['right', 'up', 'near corner'];

/** Points of the plane with three yes/no labels each: x₁ > 0, x₂ > 0, and x₁·x₂ > 0.2 (harder to learn). */
function threeLabels(count: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const x = Float32Array.from({ length: 2 * count }, () => 2 * random() - 1);
  const targets = new Float32Array(3 * count);
  for (let i = 0; i < count; i++) {
    const [a, b] = [x[2 * i], x[2 * i + 1]];
    targets.set([a > 0 ? 1 : 0, b > 0 ? 1 : 0, a * b > 0.2 ? 1 : 0], 3 * i);
  }
  return {
    name: 'labels',
    inputShape: [2],
    count,
    x,
    targetKind: 'tensor',
    targetSize: 3,
    targets,
    outputNames: NAMES,
  };
}

async function trained() {
  const doc = chain(
    [2],
    [
      ['dense', { units: 8 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 3 }],
    ],
    { loss: { kind: 'sigmoid-binary-cross-entropy' }, optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32 },
  );
  const validation = threeLabels(150, 2);
  const trainer = new Trainer(doc, createCpuBackend(), threeLabels(400, 1), validation);
  // Five steps: most labels right, some samples one label wrong and a few two, so that every figure is tried.
  await trainer.runSteps(5);
  return { trainer, validation, predictions: await predict(trainer, validation.x, validation.count) };
}

describe('several yes/no labels evaluated', () => {
  it("gives each label's precision, recall, F1 and share right, as the definitions do on the predictions", async () => {
    const { trainer, validation, predictions } = await trained();
    expect(predictions).toMatchObject({ kind: 'labels', width: 3, outputNames: NAMES });
    const inspection = await inspectNetwork(trainer);
    if (inspection.kind !== 'labels') throw new Error(`a ${inspection.kind} inspection`);
    expect(inspection).toMatchObject({ set: 'validation', count: 150, labels: 3 });
    const p = predictions.outputs;
    const t = validation.targets;
    let right = 0;
    let allRight = 0;
    const wrongOf: number[] = [];
    for (let i = 0; i < 150; i++) {
      let wrong = 0;
      for (let o = 0; o < 3; o++) if (p[3 * i + o] > 0.5 !== t[3 * i + o] > 0.5) wrong++;
      right += 3 - wrong;
      if (wrong === 0) allRight++;
      wrongOf.push(wrong);
    }
    expect(inspection.accuracy).toBeCloseTo(right / 450, 12);
    expect(inspection.exactMatch).toBeCloseTo(allRight / 150, 12);
    // The share of decisions right is the accuracy the run reports (the loss kernel's count).
    expect(inspection.accuracy).toBeCloseTo((await evaluateSet(trainer)).accuracy!, 12);
    for (const [o, f] of inspection.perLabel.entries()) {
      let [tp, fp, fn, tn] = [0, 0, 0, 0];
      for (let i = 0; i < 150; i++) {
        const said = p[3 * i + o] > 0.5;
        const has = t[3 * i + o] > 0.5;
        if (said && has) tp++;
        else if (said) fp++;
        else if (has) fn++;
        else tn++;
      }
      expect(f.name).toBe(NAMES[o]);
      expect(f.support).toBe(tp + fn);
      expect(f.accuracy).toBeCloseTo((tp + tn) / 150, 12);
      if (tp + fp > 0) expect(f.precision).toBeCloseTo(tp / (tp + fp), 12);
      else expect(f.precision).toBeNaN();
      expect(f.recall).toBeCloseTo(tp / (tp + fn), 12);
      if (tp > 0) expect(f.f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
    }
    // Not yet learnt: some samples wrong. The worst are the samples with most labels wrong, most first.
    expect(allRight).toBeLessThan(150);
    const most = [...wrongOf].sort((a, b) => b - a).slice(0, 8);
    expect(inspection.worst.map((m) => m.wrong)).toEqual(most.filter((w) => w > 0));
    expect(most.filter((w) => w === 2).length).toBeGreaterThan(0);
    // Among as many wrong, the least sure first: the larger summed |p − t| over its wrong labels.
    const doubt = (i: number) =>
      [0, 1, 2].reduce(
        (sum, o) => sum + (p[3 * i + o] > 0.5 !== t[3 * i + o] > 0.5 ? Math.abs(p[3 * i + o] - t[3 * i + o]) : 0),
        0,
      );
    for (const [k, m] of inspection.worst.entries()) {
      const next = inspection.worst[k + 1];
      if (next?.wrong === m.wrong) expect(doubt(m.index)).toBeGreaterThanOrEqual(doubt(next.index) - 1e-6);
      expect(m.wrong).toBe(wrongOf[m.index]);
      const yes = (values: ArrayLike<number>) => NAMES.filter((_, o) => values[3 * m.index + o] > 0.5);
      expect(m.predicted).toEqual(yes(p));
      expect(m.target).toEqual(yes(t));
      expect([m.predictedCount, m.targetCount]).toEqual([m.predicted.length, m.target.length]);
    }
  });

  it('learns the labels given steps, and writes their probabilities a column each by name', async () => {
    const { trainer, validation } = await trained();
    await trainer.runSteps(400);
    const inspection = await inspectLabels(trainer);
    // The two half-planes are nearly all right; the corner label, a curve, mostly.
    expect(inspection.perLabel[0].accuracy).toBeGreaterThan(0.95);
    expect(inspection.perLabel[1].accuracy).toBeGreaterThan(0.95);
    expect(inspection.accuracy).toBeGreaterThan(0.9);
    const result = await predict(trainer, validation.x.subarray(0, 4), 2);
    const csv = predictionsCsv(result, ['a', 'b']).trim().split('\n');
    expect(csv[0]).toBe('input,right,up,near corner');
    const first = csv[1].split(',').slice(1).map(Number);
    expect(first).toEqual(Array.from(result.outputs.subarray(0, 3), (v) => Number(v.toFixed(6))));
  });

  it('refuses a set whose targets are not one value per label', async () => {
    const { trainer } = await trained();
    const doc = trainer.doc;
    const classes: Dataset = {
      ...threeLabels(10, 3),
      targetKind: 'class',
      targetSize: 1,
      targets: new Float32Array(10),
    };
    const other = new Trainer(
      { ...doc, training: { ...doc.training, loss: { kind: 'softmax-cross-entropy' } } },
      createCpuBackend(),
      classes,
    );
    await expect(inspectLabels(other)).rejects.toThrow(
      /labels are evaluated against a target of 3 values per sample, and this set has classes/,
    );
  });
});
