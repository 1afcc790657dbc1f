import { describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../engine/api';
import { StepColumnsBuilder, stepRows } from '../../engine/train/step-columns';
import { decimatedChartData } from '../../renderer/charts/decimate';
import {
  appendEpoch,
  appendStep,
  appendSteps,
  EPOCHS_LIVE,
  emptySeries,
  epochsKept,
  lastStepOf,
  SERIES_POINTS,
} from '../../renderer/store/step-series';

const epoch = (n: number, step: number, valLoss?: number): EpochMetrics => ({
  epoch: n,
  step,
  trainLoss: 1,
  lr: 0.1,
  seconds: 0,
  ...(valLoss !== undefined && { valLoss, valAccuracy: 0.5 }),
});

describe('a run’s curves kept in bounded memory', () => {
  it('keeps a million steps in its fixed points, each bucket of the chart the exact mean of its steps', () => {
    const s = emptySeries();
    const steps = 2 ** 20;
    const lossAt = (i: number) => Math.sin(i / 1000) + 2;
    for (let i = 1; i <= steps; i++) appendStep(s, i, lossAt(i), i % 4 === 0 ? 1 : 0, 0.01 * (1 + (i % 3)));
    expect(s.length).toBeLessThanOrEqual(SERIES_POINTS);
    expect(s.step).toHaveLength(SERIES_POINTS);
    expect(s.stride).toBe(steps / SERIES_POINTS);
    expect(lastStepOf(s)).toBe(steps);
    // 512 buckets of 2,048 steps: the mean of each, as if every step had been kept.
    const [step, loss, , accuracy] = decimatedChartData(s, 512) as number[][];
    for (const b of [0, 1, 255, 511]) {
      let sum = 0;
      for (let i = b * 2048 + 1; i <= (b + 1) * 2048; i++) sum += lossAt(i);
      expect(step[b]).toBe((b + 1) * 2048);
      expect(loss[b]).toBeCloseTo(sum / 2048, 9);
      expect(accuracy[b]).toBeCloseTo(0.25, 12);
    }
  });

  it('puts an epoch’s validation on the point of its last step, whether the epoch or the step arrives first', () => {
    const s = emptySeries();
    const columns = new StepColumnsBuilder();
    for (let i = 1; i <= 10; i++) columns.push({ step: i, epoch: 0, loss: 1, epochLoss: 1, lr: 0.1 }, 0);
    appendEpoch(s, epoch(0, 5, 0.7));
    // Epoch 1 ends at step 12, reported before its steps.
    appendEpoch(s, epoch(1, 12, 0.6));
    appendSteps(s, columns.take());
    expect(s.valLoss[4]).toBe(0.7);
    expect(Number.isNaN(s.valLoss[9])).toBe(true);
    for (let i = 11; i <= 12; i++) columns.push({ step: i, epoch: 1, loss: 1, epochLoss: 1, lr: 0.1 }, 0);
    appendSteps(s, columns.take());
    expect(s.valLoss[11]).toBe(0.6);
    expect(s.valAccuracy[11]).toBe(0.5);
    expect(s.waiting).toEqual([]);
  });

  it('thins a long run’s epochs evenly, the newest always last in what is recorded', () => {
    const s = emptySeries();
    const count = 100_003;
    for (let e = 0; e < count; e++) {
      appendStep(s, e + 1, 1, Number.NaN, 0.1);
      appendEpoch(s, epoch(e, e + 1));
    }
    expect(s.epochs.length).toBeLessThan(EPOCHS_LIVE);
    expect(s.epochsSeen).toBe(count);
    const kept = epochsKept(s).map((e) => e.epoch);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(count - 1);
    const gaps = new Set(kept.slice(1, -1).map((e, i) => e - kept[i]));
    expect(gaps).toEqual(new Set([s.epochStride]));
  });
});

describe('steps as columns', () => {
  it('hands out exactly the steps pushed, in a buffer of their own, growing past its first size', () => {
    const builder = new StepColumnsBuilder();
    for (let i = 0; i < 1000; i++)
      builder.push(
        {
          step: i + 1,
          epoch: 2,
          loss: i / 10,
          ...(i % 2 === 0 && { accuracy: 0.5 }),
          epochLoss: 3,
          lr: 0.01,
        },
        99,
      );
    const c = builder.take();
    expect(c.count).toBe(1000);
    expect(c.step.buffer.byteLength).toBe(8 * 8 * 1000);
    expect(c.loss[999]).toBe(99.9);
    expect(c.accuracy[0]).toBe(0.5);
    expect(Number.isNaN(c.accuracy[1])).toBe(true);
    // As objects again: a missing accuracy left out, as the trainer reports it.
    const rows = stepRows(c);
    expect(rows[0]).toEqual({
      step: 1,
      epoch: 2,
      loss: 0,
      accuracy: 0.5,
      epochLoss: 3,
      lr: 0.01,
      samplesPerSecond: 99,
    });
    expect(rows[1]).not.toHaveProperty('accuracy');
    expect(rows[1]).not.toHaveProperty('epochAccuracy');
    expect(builder.take().count).toBe(0);
  });
});
