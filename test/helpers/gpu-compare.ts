import { expect } from 'vitest';
import type { Backend } from '../../engine/backend/backend';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import { Random } from '../../engine/init/random';

/** The reference the GPU is held to: the CPU backend's plain loops (no fast kernels). */
export const cpuReference = createCpuBackend('f32', { fast: false });

/**
 * Every value within 1e-4 of the reference, relative to the reference's largest; NaN where it has NaN.
 * The values are compared in a loop and only the first that differs goes to `expect` (with its index): an
 * `expect` per element costs more than the GPU work in the larger cases.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++)
    if (!Number.isNaN(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  const tolerance = 1e-4 * (scale + 1e-6);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const nanAgrees = Number.isNaN(expected[i]) === Number.isNaN(actual[i]);
    const gap = Math.abs(actual[i] - expected[i]);
    if (!nanAgrees || (!Number.isNaN(expected[i]) && !(gap <= tolerance))) {
      const where = `${what}[${i}]: ${actual[i]} vs ${expected[i]}`;
      if (Number.isNaN(expected[i])) expect(actual[i], where).toBeNaN();
      expect(gap, where).toBeLessThanOrEqual(tolerance);
    }
    if (gap > worst) worst = gap;
  }
  expect(worst, `${what}: the largest difference`).toBeLessThanOrEqual(tolerance);
}

export type Body = (be: Backend) => Promise<ArrayLike<number>[]>;

/** Runs `body` on `on` and on the CPU reference with the same inputs; what each reads back. */
export async function onBothOf(on: Backend, body: Body): Promise<[ArrayLike<number>[], ArrayLike<number>[]]> {
  return [await body(on), await body(cpuReference)];
}

/** A buffer holding `values`. */
export const data = (be: Backend, values: number[]) => {
  const buf = be.alloc(values.length, 't');
  be.write(buf, values);
  return buf;
};

/** `count` seeded uniform values in [lo, hi). */
export const randoms = (count: number, seed: number, lo = -2, hi = 2) => {
  const r = new Random(seed);
  return Array.from({ length: count }, () => r.uniform(lo, hi));
};
