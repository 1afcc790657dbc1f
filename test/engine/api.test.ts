import { describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { barsData } from '../../engine/data/synthetic';
import { chain } from '../helpers/graphs';
import { sidesCsv } from '../helpers/sides-csv';

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

  it('evaluates a test file read as the training file was: its scaling and its classes, whichever it holds', async () => {
    // Points in the plane labelled by side of x + y = 4 (shifted, so that a file's own z-score would move it).
    const bytes = (text: string) => new TextEncoder().encode(text);
    const csvDoc = chain(
      [2],
      [
        ['dense', { units: 16 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 2 }],
      ],
      {
        dataset: { source: 'csv', path: 'train.csv', labelColumn: 'side', normalise: 'z-score' },
        optimizer: { kind: 'adam', lr: 0.03 },
        batchSize: 16,
        epochs: 30,
      },
    );
    const engine = api();
    await engine.open({
      doc: csvDoc,
      data: { kind: 'files', files: [{ path: 'train.csv', bytes: bytes(sidesCsv(300, 0)) }] },
    });
    await engine.run();
    // A test file of 120 rows whose points all lie on the "high" side: one class of the two, the other's index.
    const highOnly = sidesCsv(400, 7, (side) => side === 'high')
      .split('\n')
      .slice(0, 121);
    const testFile = { path: 'test.csv', bytes: bytes(highOnly.join('\n')) };
    const inspection = await engine.inspect({ data: { kind: 'files', files: [testFile] } });
    if (inspection.kind !== 'classes') throw new Error(`a ${inspection.kind} inspection`);
    expect(inspection).toMatchObject({ set: 'test', classNames: ['high', 'low'] });
    // Every sample is "high" (class 0 as the training set named them): the matrix's first row holds them all.
    expect(inspection.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([120, 0]);
    // Its accuracy is the share the network's own answers for the same rows (scaled by the training set) get right.
    const answers = await engine.predict({ kind: 'csv', text: highOnly.join('\n'), file: 'test.csv' });
    let right = 0;
    for (let r = 0; r < 120; r++) if (answers.outputs[2 * r] > answers.outputs[2 * r + 1]) right++;
    expect(inspection.accuracy).toBeCloseTo(right / 120, 12);
    expect(inspection.accuracy).toBeGreaterThan(0.9);
    // The rows held their labels: each one's class (the training set's index of "high"), and the evaluation's score.
    expect(Array.from(answers.targets ?? [])).toEqual(new Array(120).fill(0));
    expect(answers.score?.accuracy).toBeCloseTo(right / 120, 12);
    expect(answers.names[0]).toBe('line 2');
    // Without the label column: answers only.
    const unlabelled = highOnly.map((line) => line.split(',').slice(0, 2).join(',')).join('\n');
    const inputsOnly = await engine.predict({ kind: 'csv', text: unlabelled, file: 'inputs.csv' });
    expect(Array.from(inputsOnly.outputs)).toEqual(Array.from(answers.outputs));
    expect(inputsOnly.targets).toBeUndefined();
    expect(inputsOnly.score).toBeUndefined();
    expect((await engine.evaluate({ data: { kind: 'files', files: [testFile] } })).accuracy).toBeCloseTo(
      right / 120,
      12,
    );
    // A cell's samples come from the set inspected last (the test file): the matrix's count of them, each of
    // that class predicted as the other, the surest first; then from the validation set again.
    const cellOf = async (label: number, predicted: number) => engine.cellSamples({ label, predicted });
    const highAsHigh = await cellOf(0, 0);
    expect(highAsHigh.length).toBe(Math.min(24, inspection.confusion[0][0]));
    expect(highAsHigh.every((p) => p.label === 0 && p.predicted === 0 && p.index < 120)).toBe(true);
    const sureness = highAsHigh.map((p) => p.confidence);
    expect(sureness).toEqual([...sureness].sort((a, b) => b - a));
    expect((await cellOf(0, 1)).length).toBe(inspection.confusion[0][1]);
    // The test file has no "low" sample: that row's cells are empty (the validation set's are not).
    expect(await cellOf(1, 1)).toEqual([]);
    // The validation set's inspection is the run's own again, and so are its cells.
    const validation = await engine.inspect();
    expect(validation.set).toBe('validation');
    if (validation.kind !== 'classes') throw new Error(`a ${validation.kind} inspection`);
    expect(validation.confusion[1][1]).toBeGreaterThan(0);
    expect((await cellOf(1, 1)).length).toBe(Math.min(24, validation.confusion[1][1]));
    // A label the training set never had is refused by line.
    const stranger = { path: 'odd.csv', bytes: bytes('x,y,side\n1,2,middle\n') };
    await expect(engine.inspect({ data: { kind: 'files', files: [stranger] } })).rejects.toThrow(
      /odd\.csv line 2, column "side": "middle" is not one of the training set's 2 classes/,
    );
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
