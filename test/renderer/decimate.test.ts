import { describe, expect, it } from 'vitest';
import { decimatedChartData } from '../../renderer/charts/decimate';
import { appendEpoch, appendStep, emptySeries } from '../../renderer/store/step-series';

/** Steps 1..steps: loss 1/i, accuracy alternating 0 and 1, an epoch (with validation) every `epochEvery`. */
function series(steps: number, epochEvery: number) {
  const s = emptySeries();
  for (let i = 1; i <= steps; i++) {
    appendStep(s, i, 1 / i, i % 2, 0.1);
    if (i % epochEvery === 0)
      appendEpoch(s, {
        epoch: i / epochEvery - 1,
        step: i,
        trainLoss: 1,
        valLoss: 2 / i,
        valAccuracy: 0.5,
        lr: 0.1,
        seconds: 0,
      });
  }
  return s;
}

describe('the chart decimated to its width', () => {
  it('draws a short run as it is, a gap where there is no validation', () => {
    const data = decimatedChartData(series(150, 10), 200) as (number | null)[][];
    const [step, loss, valLoss, accuracy, valAccuracy] = data;
    expect(step).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(loss[9]).toBe(1 / 10);
    expect(accuracy.slice(0, 3)).toEqual([1, 0, 1]);
    expect(valLoss[8]).toBeNull();
    expect(valLoss[9]).toBe(2 / 10);
    expect(valAccuracy[9]).toBe(0.5);
  });

  it('draws a long run as bucket means at each bucket’s last step, keeping validation points', () => {
    const data = decimatedChartData(series(10_000, 100), 500);
    const [step, loss, valLoss, accuracy, valAccuracy, lr] = data as (number | null)[][];
    expect(step).toHaveLength(500);
    expect(step[0]).toBe(20);
    expect(step.at(-1)).toBe(10_000);
    // The mean of 1/i over the first bucket (steps 1 to 20), and of 0/1 alternating accuracy.
    expect(loss[0]).toBeCloseTo(Array.from({ length: 20 }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b) / 20, 12);
    expect(accuracy.every((a) => a === 0.5)).toBe(true);
    expect(lr.every((v) => Math.abs((v ?? 0) - 0.1) < 1e-12)).toBe(true);
    // Every epoch (each 100 steps: every fifth bucket) keeps its validation value at its bucket.
    const marked = valLoss.map((v, b) => (v === null ? -1 : b)).filter((b) => b >= 0);
    expect(marked).toHaveLength(100);
    expect(valLoss[4]).toBeCloseTo(2 / 100, 12);
    expect(valAccuracy[4]).toBe(0.5);
  });

  it('leaves a loss that is not a number out of its bucket’s mean (a gap when the bucket has no other)', () => {
    const s = emptySeries();
    appendStep(s, 1, 0.5, Number.NaN, 0.1);
    appendStep(s, 2, Number.NaN, Number.NaN, 0.1);
    appendStep(s, 3, Number.POSITIVE_INFINITY, Number.NaN, 0.1);
    appendStep(s, 4, 0.25, Number.NaN, 0.1);
    const [, loss, , accuracy] = decimatedChartData(s, 2) as (number | null)[][];
    expect(loss).toEqual([0.5, 0.25]);
    expect(accuracy).toEqual([null, null]);
    const [, single] = decimatedChartData(s, 4) as (number | null)[][];
    expect(single).toEqual([0.5, null, null, 0.25]);
  });
});
