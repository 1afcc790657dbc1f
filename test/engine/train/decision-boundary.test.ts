import { describe, expect, it } from 'vitest';
import { createEngineApi, type EngineEvent } from '../../../engine/api';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../../engine/data/dataset';
import { regressionData, spiralData } from '../../../engine/data/synthetic';
import {
  type ClassBoundary,
  decisionBoundary,
  hasDecisionBoundary,
  labelPlane,
  readPlane,
} from '../../../engine/train/decision-boundary';
import { predict } from '../../../engine/train/predict';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

const spiralNet = () =>
  chain(
    [2],
    [
      ['dense', { units: 24 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 24 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 3 }],
    ],
    {
      optimizer: { kind: 'adam', lr: 0.02 },
      batchSize: 32,
      epochs: 200,
      dataset: { source: 'synthetic', generator: 'spiral', samples: 300, noise: 0.05 },
    },
  );

/** Points of the plane with two yes/no labels: above x + y = 0 ("upper"), and right of x = 0.5 ("right"). */
function twoLabels(count: number): Dataset {
  const x = new Float32Array(2 * count);
  const targets = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const [a, b] = [Math.sin(i * 12.9898) * 2, Math.cos(i * 78.233) * 2];
    x.set([a, b], 2 * i);
    targets.set([a + b > 0 ? 1 : 0, a > 0.5 ? 1 : 0], 2 * i);
  }
  return {
    name: 'labels',
    inputShape: [2],
    count,
    x,
    targetKind: 'tensor',
    targetSize: 2,
    targets,
    outputNames: ['upper', 'right'],
  };
}

const labelNet = (outputs: number) =>
  chain(
    [2],
    [
      ['dense', { units: 16 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: outputs }],
    ],
    {
      loss: { kind: 'sigmoid-binary-cross-entropy' },
      optimizer: { kind: 'adam', lr: 0.03 },
      batchSize: 32,
      epochs: 100,
    },
  );

/** The share of a plane's training points whose cell gives their own class. */
function agreement(b: ClassBoundary): number {
  let agree = 0;
  for (const p of b.points) {
    const j = Math.floor(((p.x - b.x[0]) / (b.x[1] - b.x[0])) * b.resolution);
    const i = Math.floor(((b.y[1] - p.y) / (b.y[1] - b.y[0])) * b.resolution);
    if (b.predicted[i * b.resolution + j] === p.label) agree++;
  }
  return agree / b.points.length;
}

describe('the decision boundary of a network of 2-D points', () => {
  it('draws one yes/no output as two classes, and several labels a plane each', async () => {
    // One output: the first label alone, its points of classes 0 and 1.
    const both = twoLabels(300);
    const one: Dataset = {
      ...both,
      targetKind: 'class',
      targetSize: 1,
      classes: 2,
      targets: both.targets.filter((_, k) => k % 2 === 0),
      outputNames: undefined,
      classNames: ['lower', 'upper'],
    };
    const single = new Trainer(labelNet(1), createCpuBackend(), one);
    expect(hasDecisionBoundary(single)).toBe(true);
    await single.runSteps(400);
    const b = await decisionBoundary(single, 40);
    if (b.kind !== 'classes') throw new Error(`one yes/no output is two classes, not ${b.kind}`);
    expect(b).toMatchObject({ classes: 2, classNames: ['lower', 'upper'] });
    expect(Math.min(...b.confidence)).toBeGreaterThanOrEqual(0.5);
    expect(agreement(b)).toBeGreaterThan(0.9);
    // The cell's class is the side of one half the network's own probability for its centre lies on.
    const reading = readPlane(b, 0.3, 0.6);
    const [p] = (await predict(single, Float32Array.of(reading.x, reading.y), 1)).outputs;
    expect(reading).toMatchObject({ predicted: p > 0.5 ? 1 : 0 });
    if (reading.kind === 'classes') expect(reading.confidence).toBeCloseTo(Math.max(p, 1 - p), 5);
    // Two labels: a plane of probabilities each, shown one at a time as that label's two classes.
    const several = new Trainer(labelNet(2), createCpuBackend(), both);
    expect(hasDecisionBoundary(several)).toBe(true);
    await several.runSteps(600);
    const planes = await decisionBoundary(several, 40);
    if (planes.kind !== 'labels') throw new Error(`several labels, not ${planes.kind}`);
    expect(planes).toMatchObject({ labels: 2, outputNames: ['upper', 'right'] });
    expect(planes.probabilities).toHaveLength(1600 * 2);
    expect(Array.from(planes.yes.subarray(0, 4))).toEqual(Array.from(both.targets.subarray(0, 4)));
    for (const [label, name] of ['upper', 'right'].entries()) {
      const plane = labelPlane(planes, label);
      expect(plane.classNames).toEqual([`not ${name}`, name]);
      expect(plane.points.map((q) => q.label)).toEqual(Array.from(both.targets.filter((_, k) => k % 2 === label)));
      expect(agreement(plane), name).toBeGreaterThan(0.9);
    }
    // The two planes differ: "upper" and "right" are different sides of different lines.
    const [upper, right] = [labelPlane(planes, 0), labelPlane(planes, 1)];
    const differ = upper.predicted.filter((c, k) => c !== right.predicted[k]).length;
    expect(differ / 1600).toBeGreaterThan(0.2);
  });

  it('predicts every cell of a grid around the data, and agrees with the training points once trained', async () => {
    const data = spiralData(300, 3, 0.05, 1);
    const trainer = new Trainer(spiralNet(), createCpuBackend(), data);
    expect(hasDecisionBoundary(trainer)).toBe(true);
    await trainer.runSteps(600);
    const b = await decisionBoundary(trainer, 40);
    if (b.kind !== 'classes') throw new Error(`a classifier's boundary is of classes, not ${b.kind}`);
    expect(b.predicted).toHaveLength(1600);
    expect(b.classes).toBe(3);
    expect(Math.max(...b.predicted)).toBeLessThan(3);
    expect(Math.min(...b.confidence)).toBeGreaterThanOrEqual(1 / 3 - 1e-6);
    expect(Math.max(...b.confidence)).toBeLessThanOrEqual(1 + 1e-6);
    expect(b.points).toHaveLength(300);
    // Each training point falls in a cell; the cell's class is the point's label for most of them.
    let agree = 0;
    for (const p of b.points) {
      expect(p.x).toBeGreaterThan(b.x[0]);
      expect(p.x).toBeLessThan(b.x[1]);
      const j = Math.floor(((p.x - b.x[0]) / (b.x[1] - b.x[0])) * b.resolution);
      const i = Math.floor(((b.y[1] - p.y) / (b.y[1] - b.y[0])) * b.resolution);
      if (b.predicted[i * b.resolution + j] === p.label) agree++;
    }
    expect(agree / b.points.length).toBeGreaterThan(0.85);
    // All three classes own part of the plane.
    expect(new Set(b.predicted).size).toBe(3);
  });

  it('draws a classifier trained with mean squared error against its classes as the evaluation decides it', async () => {
    // The spiral's three classes as one-hot targets of a mean squared error: a classifier by its largest output.
    const doc = spiralNet();
    doc.training.loss = { kind: 'mse' };
    const data = spiralData(300, 3, 0.05, 1);
    const trainer = new Trainer(doc, createCpuBackend(), data);
    expect(hasDecisionBoundary(trainer)).toBe(true);
    await trainer.runSteps(800);
    const b = await decisionBoundary(trainer, 40);
    if (b.kind !== 'classes') throw new Error(`a classifier's boundary is of classes, not ${b.kind}`);
    expect(b.classes).toBe(3);
    expect(b.points.map((p) => p.label)).toEqual(Array.from(data.targets));
    expect(agreement(b)).toBeGreaterThan(0.8);
    // A cell's class is its centre's largest output, and how sure: that output clamped to [0, 1] (the
    // evaluation's confidence for such a classifier), not a softmax of the outputs. Read at cell (24, 12)'s centre.
    const reading = readPlane(b, 12.5 / 40, 24.5 / 40);
    if (reading.kind !== 'classes') throw new Error(reading.kind);
    const out = Array.from((await predict(trainer, Float32Array.of(reading.x, reading.y), 1)).outputs);
    const best = out.indexOf(Math.max(...out));
    expect(reading.predicted).toBe(best);
    expect(reading.confidence).toBeCloseTo(Math.min(1, Math.max(0, out[best])), 5);
    expect(Math.min(...b.confidence)).toBeGreaterThanOrEqual(0);
    // Values against values are a regression's, drawn as values only for one output: two outputs, no plane.
    const two = chain(
      [2],
      [
        ['dense', { units: 8 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 2 }],
      ],
      {
        loss: { kind: 'mse' },
      },
    );
    const values: Dataset = { ...twoLabels(50), outputNames: ['a', 'b'] };
    expect(hasDecisionBoundary(new Trainer(two, createCpuBackend(), values))).toBe(false);
  });

  it("draws a regression's predicted value over the plane, close to the training targets once trained", async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 32 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 1 }],
      ],
      { loss: { kind: 'mse' }, optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, epochs: 200 },
    );
    const data = regressionData(400, 0.02, 3);
    const trainer = new Trainer(doc, createCpuBackend(), data);
    expect(hasDecisionBoundary(trainer)).toBe(true);
    await trainer.runSteps(1000);
    const b = await decisionBoundary(trainer, 40);
    if (b.kind !== 'values') throw new Error(`a regression's surface is of values, not ${b.kind}`);
    expect(b.values).toHaveLength(1600);
    expect(b.range).toEqual([Math.min(...data.targets), Math.max(...data.targets)]);
    // Every second training point (at most 300 are drawn).
    expect(b.points).toHaveLength(200);
    expect(b.points[7]).toEqual({ x: data.x[28], y: data.x[29], value: data.targets[14] });
    // Each training point's cell predicts about its target: y = sin(3x₁) + x₂², learnt.
    let residual = 0;
    let spread = 0;
    const mean = data.targets.reduce((a, t) => a + t, 0) / data.count;
    for (const p of b.points) {
      const j = Math.floor(((p.x - b.x[0]) / (b.x[1] - b.x[0])) * b.resolution);
      const i = Math.floor(((b.y[1] - p.y) / (b.y[1] - b.y[0])) * b.resolution);
      residual += (b.values[i * b.resolution + j] - p.value) ** 2;
      spread += (p.value - mean) ** 2;
    }
    expect(1 - residual / spread).toBeGreaterThan(0.85);
    // Only a regression of one value has a surface to draw.
    const two = chain([2], [['dense', { units: 2 }]], { loss: { kind: 'mse' } });
    const pairs = { ...data, targetSize: 2, targets: new Float32Array(2 * data.count) };
    expect(hasDecisionBoundary(new Trainer(two, createCpuBackend(), pairs))).toBe(false);
  });

  it('is sent a few times a second while a run goes on, and only for networks of 2-D points', async () => {
    const events: EngineEvent[] = [];
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    await api.subscribe((e) => events.push(e));
    await api.open({ doc: spiralNet(), data: { kind: 'document' } });
    await api.run({ steps: 40 });
    const boundaries = events.filter((e) => e.type === 'boundary');
    expect(boundaries.length).toBeGreaterThanOrEqual(1);
    events.length = 0;
    const flat = chain([4], [['dense', { units: 2 }]], { dataset: { source: 'synthetic', generator: 'xor' } });
    expect(
      hasDecisionBoundary(
        new Trainer(flat, createCpuBackend(), {
          name: 'four',
          inputShape: [4],
          count: 2,
          x: new Float32Array(8),
          targetKind: 'class',
          targetSize: 1,
          targets: new Float32Array([0, 1]),
          classes: 2,
        }),
      ),
    ).toBe(false);
    await api.close();
  });

  it("reads under the pointer the input point and its cell's class or value, the picture's top being the largest y", async () => {
    const data = spiralData(300, 3, 0.05, 1);
    const trainer = new Trainer(spiralNet(), createCpuBackend(), data);
    await trainer.runSteps(200);
    const b = await decisionBoundary(trainer, 8);
    if (b.kind !== 'classes') throw new Error('a classifier');
    // The top-left corner: the smallest x, the largest y, cell 0; the bottom-right: the last cell.
    expect(readPlane(b, 0, 0)).toEqual({
      x: b.x[0],
      y: b.y[1],
      kind: 'classes',
      predicted: b.predicted[0],
      confidence: b.confidence[0],
    });
    expect(readPlane(b, 1, 1)).toMatchObject({ x: b.x[1], y: b.y[0], predicted: b.predicted[63] });
    // Row 2, column 5 of 8: its centre, and the class the network gives that point itself.
    const reading = readPlane(b, 5.5 / 8, 2.5 / 8);
    expect(reading).toMatchObject({ predicted: b.predicted[2 * 8 + 5], confidence: b.confidence[2 * 8 + 5] });
    // The cell's centre is the point the grid ran: the network's own answer for it is the cell's class.
    const own = (await predict(trainer, Float32Array.of(reading.x, reading.y), 1)).outputs;
    expect(own.indexOf(Math.max(...own))).toBe(b.predicted[2 * 8 + 5]);
    expect(Math.max(...own)).toBeCloseTo(b.confidence[2 * 8 + 5], 5);
    // Outside the picture (a pointer leaving it): clamped to the edge.
    expect(readPlane(b, -0.5, 2)).toMatchObject({ x: b.x[0], y: b.y[0] });
    // A regression's value.
    const r = await decisionBoundary(
      new Trainer(
        chain([2], [['dense', { units: 1 }]], {
          optimizer: { kind: 'sgd', lr: 0.1 },
          batchSize: 16,
          loss: { kind: 'mse' },
          dataset: { source: 'synthetic', generator: 'regression', samples: 64, noise: 0 },
        }),
        createCpuBackend(),
        regressionData(64, 0, 1),
      ),
      4,
    );
    if (r.kind !== 'values') throw new Error('a regression');
    expect(readPlane(r, 0.6, 0.1)).toEqual({
      x: r.x[0] + 0.6 * (r.x[1] - r.x[0]),
      y: r.y[1] - 0.1 * (r.y[1] - r.y[0]),
      kind: 'values',
      value: r.values[2],
    });
  });
});
