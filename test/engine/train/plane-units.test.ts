import { describe, expect, it } from 'vitest';
import { createEngineApi, type EngineEvent } from '../../../engine/api';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { barsData, spiralData } from '../../../engine/data/synthetic';
import { decisionBoundary } from '../../../engine/train/decision-boundary';
import { layerOutput } from '../../../engine/train/explain';
import { unitsOverPlane } from '../../../engine/train/plane-units';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

const pointsNet = (units: number) =>
  chain([2], [['dense', { units }], ['batchnorm'], ['activation', { fn: 'tanh' }], ['dense', { units: 3 }]], {
    optimizer: { kind: 'adam', lr: 0.02 },
    batchSize: 32,
  });

describe("a layer's units over the input plane", () => {
  it("is each unit's output at every cell of the decision boundary's plane, as one input at a time gives it", async () => {
    const trainer = new Trainer(pointsNet(8), createCpuBackend(), spiralData(200, 3, 0.05, 2));
    await trainer.runSteps(40);
    const units = await unitsOverPlane(trainer, 'n3');
    expect(units).toMatchObject({ units: 8, of: 8, resolution: 32 });
    expect(units.values).toHaveLength(8 * 32 * 32);
    // The plane the decision boundary spans (its own grid is finer).
    const boundary = await decisionBoundary(trainer, 48);
    expect([units.x, units.y]).toEqual([boundary.x, boundary.y]);
    // Cells across the grid, each against the layer's output for that one point (batch norm's running
    // statistics as training left them: the batch of 256 computes what one input at a time does).
    for (const k of [0, 31, 500, 777, 1023]) {
      const [i, j] = [Math.floor(k / 32), k % 32];
      const point = Float32Array.of(
        units.x[0] + ((j + 0.5) / 32) * (units.x[1] - units.x[0]),
        units.y[1] - ((i + 0.5) / 32) * (units.y[1] - units.y[0]),
      );
      const one = await layerOutput(trainer, 'n3', point);
      for (let u = 0; u < 8; u++) expect(units.values[u * 1024 + k]).toBeCloseTo(one.values[u], 5);
    }
    // tanh's units: within (−1, 1), and not all alike.
    expect(Math.max(...units.values.map(Math.abs))).toBeLessThan(1);
    expect(new Set(Array.from(units.values.subarray(0, 1024), (v) => v.toFixed(3))).size).toBeGreaterThan(50);
  });

  it("follows a run: the watched layer's units come with each boundary, the last its units as the run ended", async () => {
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    const events: EngineEvent[] = [];
    await api.subscribe((e) => events.push(e));
    const doc = pointsNet(6);
    doc.training.dataset = { source: 'synthetic', generator: 'spiral', samples: 200, noise: 0.05 };
    await api.open({ doc, data: { kind: 'document' } });
    // Watched while paused: sent at once.
    await api.watchPlaneUnits({ nodeId: 'n1' });
    const units = () => events.flatMap((e) => (e.type === 'plane-units' ? [e] : []));
    expect(units()).toHaveLength(1);
    expect(units()[0]).toMatchObject({ nodeId: 'n1', units: { units: 6 } });
    const before = units()[0].units.values;
    await api.run({ steps: 60 });
    const sent = units();
    expect(sent.length).toBeGreaterThan(1);
    // The last is the layer's units as the run ended: what asking now gives.
    const now = await api.lookInside({ kind: 'plane', nodeId: 'n1' });
    if (now.kind !== 'plane') throw new Error(now.kind);
    expect(Array.from(sent.at(-1)!.units.values)).toEqual(Array.from(now.values));
    expect(Array.from(now.values)).not.toEqual(Array.from(before));
    // Unwatched: no more.
    await api.watchPlaneUnits({ nodeId: null });
    const count = units().length;
    await api.run({ steps: 10 });
    expect(units()).toHaveLength(count);
    // A layer that is not there: nothing sent, and no error.
    await api.watchPlaneUnits({ nodeId: 'gone' });
    expect(units()).toHaveLength(count);
    await api.close();
  });

  it('follows a run of a network of points with no plane of its own to draw (two values to fit)', async () => {
    const api = createEngineApi({ gpu: undefined, cores: 1 });
    const events: EngineEvent[] = [];
    await api.subscribe((e) => events.push(e));
    const doc = chain(
      [2],
      [
        ['dense', { units: 5 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 2 }],
      ],
      {
        loss: { kind: 'mse' },
        optimizer: { kind: 'adam', lr: 0.02 },
        batchSize: 16,
      },
    );
    const spiral = spiralData(120, 3, 0.05, 3);
    // Two values of each point to fit: a regression of two outputs, which draws no decision boundary.
    const targets = Float32Array.from({ length: 240 }, (_, k) => (k % 2 === 0 ? 1 : -1) * spiral.x[k]);
    const train = { ...spiral, targetKind: 'tensor' as const, targetSize: 2, targets, classes: undefined };
    await api.open({ doc, data: { kind: 'samples', train } });
    await api.watchPlaneUnits({ nodeId: 'n2' });
    const units = () => events.flatMap((e) => (e.type === 'plane-units' ? [e] : []));
    expect(units()).toHaveLength(1);
    await api.run({ steps: 60 });
    expect(events.some((e) => e.type === 'boundary')).toBe(false);
    expect(units().length).toBeGreaterThan(1);
    const now = await api.lookInside({ kind: 'plane', nodeId: 'n2' });
    if (now.kind !== 'plane') throw new Error(now.kind);
    expect(Array.from(units().at(-1)!.units.values)).toEqual(Array.from(now.values));
    await api.close();
  });

  it('draws the first 64 units of a wide layer, and refuses what has no plane or no units', async () => {
    const wide = new Trainer(pointsNet(100), createCpuBackend(), spiralData(64, 3, 0.05, 2));
    const first = await unitsOverPlane(wide, 'n1');
    expect([first.units, first.of]).toEqual([64, 100]);
    await expect(unitsOverPlane(wide, 'nope')).rejects.toThrow(/no layer "nope" in the network being trained/);
    const images = new Trainer(
      chain([1, 6, 6], [['flatten'], ['dense', { units: 2 }]], { batchSize: 8 }),
      createCpuBackend(),
      barsData(16, 6, 0.2, 1),
    );
    await expect(unitsOverPlane(images, 'n2')).rejects.toThrow(
      /a plane needs a network of 2-D points; this one reads \[1, 6, 6\]/,
    );
  });
});
