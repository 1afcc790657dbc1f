import { describe, expect, it } from 'vitest';
import { createEngineApi, type EngineEvent } from '../../../engine/api';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { decisionBoundary, hasDecisionBoundary } from '../../../engine/train/decision-boundary';
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

describe('the decision boundary of a network of 2-D points', () => {
  it('predicts every cell of a grid around the data, and agrees with the training points once trained', async () => {
    const data = spiralData(300, 3, 0.05, 1);
    const trainer = new Trainer(spiralNet(), createCpuBackend(), data);
    expect(hasDecisionBoundary(trainer)).toBe(true);
    await trainer.runSteps(600);
    const b = await decisionBoundary(trainer, 40);
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
});
