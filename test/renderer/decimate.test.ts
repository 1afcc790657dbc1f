import { describe, expect, it } from 'vitest';
import { decimatedChartData } from '../../renderer/charts/decimate';
import type { RunSeries } from '../../renderer/store/training-store';

function series(steps: number, epochEvery: number): RunSeries {
  const s: RunSeries = {
    step: [],
    loss: [],
    accuracy: [],
    lr: [],
    valLoss: [],
    valAccuracy: [],
    epochs: [],
    epochSteps: [],
  };
  for (let i = 1; i <= steps; i++) {
    s.step.push(i);
    s.loss.push(1 / i);
    s.accuracy.push(i % 2);
    s.lr.push(0.1);
    const ends = i % epochEvery === 0;
    s.valLoss.push(ends ? 2 / i : null);
    s.valAccuracy.push(ends ? 0.5 : null);
  }
  return s;
}

describe('the chart decimated to its width', () => {
  it('passes a short run through as it is', () => {
    const s = series(150, 10);
    const data = decimatedChartData(s, 200);
    expect(data[0]).toBe(s.step);
    expect(data[1]).toBe(s.loss);
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
});
