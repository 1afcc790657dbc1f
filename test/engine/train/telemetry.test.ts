import { describe, expect, it } from 'vitest';
import { Random } from '../../../engine/init/random';
import { distribution } from '../../../engine/train/telemetry';

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
