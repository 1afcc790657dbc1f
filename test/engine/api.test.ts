import { describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { barsData } from '../../engine/data/synthetic';
import { chain } from '../helpers/graphs';

/** The engine API in-process, as the command line drives it. */
const doc = () =>
  chain([1, 6, 6], [['flatten'], ['dense', { units: 6 }], ['activation', { fn: 'relu' }], ['dense', { units: 2 }]], {
    optimizer: { kind: 'adam', lr: 0.02 },
    batchSize: 8,
    epochs: 3,
    validation: { split: 0 },
  });
const train = barsData(48, 6, 0.2, 1);
const test = barsData(32, 6, 0.2, 2);
const api = () => createEngineApi({ gpu: undefined, cores: 1 });

describe('the engine API in-process', () => {
  it('trains, evaluates the trained weights on a test set, and sums up the run', async () => {
    const engine = api();
    const info = await engine.open({ doc: doc(), data: { kind: 'samples', train } });
    expect(info).toMatchObject({ trainSamples: 48, validationSamples: 0, batchesPerEpoch: 6 });
    expect(await engine.run()).toEqual({ end: 'finished', step: 18 });
    const summary = await engine.summary();
    expect(summary).toMatchObject({ stoppedEarly: false, step: 18 });
    expect(summary.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    const onTest = await engine.evaluate({ data: { kind: 'samples', train: test } });
    const onTrain = await engine.evaluate();
    // Another 32 samples: its own figures, of the same trained weights (the training set's are unchanged).
    expect(Number.isFinite(onTest.loss) && onTest.loss !== onTrain.loss).toBe(true);
    expect((onTest.accuracy ?? -1) * 32).toBeCloseTo(Math.round((onTest.accuracy ?? -1) * 32), 6);
    expect((await engine.evaluate()).loss).toBe(onTrain.loss);
    await engine.close();
  });

  it('reports what the session plans to allocate: its buffers and weights, and each sample of its datasets', async () => {
    const plannedFor = async (samples: number) => {
      const engine = api();
      const info = await engine.open({ doc: doc(), data: { kind: 'samples', train: barsData(samples, 6, 0.2, 1) } });
      await engine.close();
      return info.plannedBytes;
    };
    const [small, large] = [await plannedFor(48), await plannedFor(96)];
    // 236 weights (36·6 + 6 and 6·2 + 2), each with its gradient and Adam's two slots, besides the samples.
    expect(small).toBeGreaterThan(4 * 4 * 236 + 48 * 37 * 4);
    // 48 samples more: 36 pixels and a label each, as 32-bit floats; nothing else grows with the data.
    expect(large - small).toBe(48 * 37 * 4);
  });

  it('ends a run asked to stop within one step of the last step it reported', async () => {
    const engine = api();
    await engine.open({
      doc: { ...doc(), training: { ...doc().training, epochs: 100_000 } },
      data: { kind: 'samples', train },
    });
    let askedAt: number | undefined;
    await engine.subscribe((event) => {
      if (event.type !== 'steps' || askedAt !== undefined) return;
      const last = event.steps.step.at(-1) ?? 0;
      if (last < 10) return;
      askedAt = last;
      void engine.stop();
    });
    const { end, step } = await engine.run();
    expect(end).toBe('stopped');
    expect(askedAt).toBeDefined();
    expect(step - askedAt!).toBeLessThanOrEqual(1);
    await engine.close();
  });

  it('resumes from a checkpoint with its history, and names the file when it refuses one', async () => {
    const first = api();
    await first.open({ doc: doc(), data: { kind: 'samples', train } });
    await first.run({ steps: 12 });
    const saved = await first.checkpoint();
    await first.close();
    const second = api();
    await second.open({ doc: doc(), data: { kind: 'samples', train }, checkpoint: saved, checkpointName: 'run.ckpt' });
    await second.run();
    expect((await second.summary()).history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    await second.close();
    const other = doc();
    other.training.optimizer = { kind: 'sgd', lr: 0.1 };
    await expect(
      api().open({ doc: other, data: { kind: 'samples', train }, checkpoint: saved, checkpointName: 'run.ckpt' }),
    ).rejects.toThrow(/^run\.ckpt: it belongs to another network/);
    const damaged = saved.slice();
    damaged[damaged.length - 1] ^= 1;
    await expect(
      api().open({ doc: doc(), data: { kind: 'samples', train }, checkpoint: damaged, checkpointName: 'run.ckpt' }),
    ).rejects.toThrow(/^run\.ckpt: the checkpoint is damaged/);
  });

  it('changes the optimizer kind between runs, keeping the weights and the position', async () => {
    const engine = api();
    await engine.open({ doc: doc(), data: { kind: 'samples', train } });
    await engine.run({ steps: 5 });
    const before = await engine.evaluate();
    const info = await engine.updateSettings({ optimizer: { kind: 'momentum', lr: 0.01, momentum: 0.9 } });
    expect(info.step).toBe(5);
    expect((await engine.evaluate()).loss).toBeCloseTo(before.loss, 6);
    expect(await engine.run({ steps: 5 })).toMatchObject({ step: 10 });
    await engine.close();
  });
});
