import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { xorData } from '../../../engine/data/synthetic';
import { Random } from '../../../engine/init/random';
import { collectTelemetry, distribution } from '../../../engine/train/telemetry';
import { Trainer } from '../../../engine/train/trainer';
import { chain, tinyMlp } from '../../helpers/graphs';

/** Exact mean and standard deviation, for comparison. */
function exact(values: Float64Array): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) };
}

describe("a layer's activation distribution in the live view", () => {
  it('is exact for a batch of a few thousand values', () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 3 + 1);
    const d = distribution(values);
    const e = exact(values);
    expect(d.mean).toBeCloseTo(e.mean, 10);
    expect(d.std).toBeCloseTo(e.std, 10);
    expect(d.histogram.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(d.min).toBe(Math.min(...values));
    expect(d.max).toBe(Math.max(...values));
  });

  it("reads an even sample of a convolution's batch: its mean and spread within 2% of all of it", () => {
    // 64 samples of 6 × 28 × 28 (LeNet-5's first convolution): 301,056 values, ReLU-like.
    const random = new Random(3);
    const values = Float64Array.from({ length: 64 * 6 * 28 * 28 }, () => Math.max(0, random.normal() + 0.2));
    const d = distribution(values);
    const e = exact(values);
    expect(Math.abs(d.mean - e.mean) / e.mean).toBeLessThan(0.02);
    expect(Math.abs(d.std - e.std) / e.std).toBeLessThan(0.02);
    // The histogram counts the sample, at most 8,192 values.
    const counted = d.histogram.reduce((a, b) => a + b, 0);
    expect(counted).toBeLessThanOrEqual(8192);
    expect(counted).toBeGreaterThan(4096);
  });
});

describe("a layer's update-to-weight ratio", () => {
  it('is ‖w after − w before‖ / ‖w after‖ of the last step when the trainer kept the weights before it', async () => {
    const trainer = new Trainer(
      tinyMlp({ optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8 }),
      createCpuBackend(),
      xorData(16),
    );
    await trainer.runSteps(3);
    await trainer.runSteps(2, {}, true);
    // Kept before the second of the two steps: that step's weights before it.
    const checkpoint = await trainer.checkpoint();
    const frame = await collectTelemetry(trainer);
    const dense = trainer.session.params.filter((p) => p.nodeId === 'n1');
    const replay = new Trainer(
      tinyMlp({ optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8 }),
      createCpuBackend(),
      xorData(16),
    );
    await replay.runSteps(4);
    const w0 = await replay.be.read(replay.session.flat.params);
    let d2 = 0;
    let w2 = 0;
    for (const p of dense)
      for (let i = p.offset; i < p.offset + p.size; i++) {
        d2 += (checkpoint.params[i] - w0[i]) ** 2;
        w2 += checkpoint.params[i] ** 2;
      }
    expect(d2).toBeGreaterThan(0);
    expect(frame.nodes.find((n) => n.id === 'n1')?.updateRatio).toBeCloseTo(Math.sqrt(d2 / w2), 12);
  });

  it('is the last measured one in a frame after steps that did not keep the weights (the end of a run)', async () => {
    const trainer = new Trainer(
      tinyMlp({ optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8 }),
      createCpuBackend(),
      xorData(16),
    );
    await trainer.runSteps(2, {}, true);
    const measured = await collectTelemetry(trainer);
    await trainer.runSteps(1);
    expect((await collectTelemetry(trainer)).nodes.find((n) => n.id === 'n1')?.updateRatio).toBeUndefined();
    const carried = await collectTelemetry(trainer, measured);
    expect(carried.nodes.find((n) => n.id === 'n1')?.updateRatio).toBe(
      measured.nodes.find((n) => n.id === 'n1')?.updateRatio,
    );
    expect(measured.nodes.find((n) => n.id === 'n1')?.updateRatio).toBeGreaterThan(0);
  });
});

describe("a layer's gradient norm", () => {
  it('is absent where no gradient reaches the layer (nothing at or before it learns), measured everywhere else', async () => {
    // A Flatten right after the input: backpropagation stops at the first dense layer, which needs no dx.
    const doc = chain(
      [2],
      [['flatten'], ['dense', { units: 4 }], ['activation', { fn: 'tanh' }], ['dense', { units: 2 }]],
      {
        optimizer: { kind: 'sgd', lr: 0.1 },
        batchSize: 8,
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), xorData(16));
    await trainer.runSteps(2);
    const norms = Object.fromEntries((await collectTelemetry(trainer)).nodes.map((n) => [n.id, n.gradNorm]));
    expect(norms.input).toBeUndefined();
    expect(norms.n1).toBeUndefined();
    for (const id of ['n2', 'n3', 'n4']) expect(norms[id], id).toBeGreaterThan(0);
  });
});

describe('a telemetry frame on the CPU', () => {
  it("reads the backend's buffers in place: no copy, and the same frame as from copies", async () => {
    const trainer = new Trainer(
      tinyMlp({ optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8 }),
      createCpuBackend(),
      xorData(16),
    );
    await trainer.runSteps(3, {}, true);
    const be = trainer.be;
    const read = be.read.bind(be);
    let copies = 0;
    be.read = (buf) => {
      copies++;
      return read(buf);
    };
    const inPlace = await collectTelemetry(trainer);
    expect(copies).toBe(0);
    be.hostView = undefined;
    const copied = await collectTelemetry(trainer);
    expect(copies).toBeGreaterThan(0);
    expect(inPlace).toEqual(copied);
    expect(inPlace.nodes.find((n) => n.id === 'n1')?.updateRatio).toBeGreaterThan(0);
  });
});
