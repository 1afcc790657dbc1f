import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conv2dGeometry } from '../../../engine/backend/backend';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../../../engine/backend/cpu/conv-kernels';
import { matmul } from '../../../engine/backend/cpu/dense-kernels';
import { createFastConv } from '../../../engine/backend/cpu/fast-conv';
import { createFastMatmul } from '../../../engine/backend/cpu/fast-matmul';
import { Random } from '../../../engine/init/random';
import { assemble, moduleSource } from '../../../scripts/build-wasm';

describe('WebAssembly SIMD matrix multiply', () => {
  const fast = createFastMatmul();

  it('is available on this platform', () => {
    expect(fast).not.toBeNull();
  });

  const shapes = [
    [64, 256, 784],
    [37, 29, 53],
    [4, 8, 1],
    [128, 10, 64],
    [5, 130, 7],
  ];
  for (const [m, n, k] of shapes)
    for (const transA of [false, true])
      for (const transB of [false, true])
        for (const accumulate of [false, true])
          it(`matches the reference for ${m}×${k} · ${k}×${n} (transA ${transA}, transB ${transB}, accumulate ${accumulate})`, () => {
            const random = new Random(m * n + k);
            const a = new Float32Array(m * k).map(() => random.uniform(-1, 1));
            const b = new Float32Array(k * n).map(() => random.uniform(-1, 1));
            const start = new Float32Array(m * n).map(() => random.uniform(-1, 1));
            const expected = Float32Array.from(start);
            const actual = Float32Array.from(start);
            // op(B)'s column sums too (a bias's gradient), from the same start.
            const expectedSums = new Float32Array(n).fill(0.5);
            const actualSums = new Float32Array(n).fill(0.5);
            matmul({ a, b, out: expected, m, n, k, transA, transB, accumulate, bColumnSums: expectedSums });
            fast!({ a, b, out: actual, m, n, k, transA, transB, accumulate, bColumnSums: actualSums });
            for (let i = 0; i < m * n; i++)
              expect(Math.abs(actual[i] - expected[i]), `entry ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(expected[i])));
            for (let j = 0; j < n; j++) {
              let want = 0.5;
              for (let p = 0; p < k; p++) want += transB ? b[j * k + p] : b[p * n + j];
              expect(Math.abs(actualSums[j] - want), `sum ${j}`).toBeLessThan(1e-4 * (1 + Math.abs(want)));
              expect(Math.abs(expectedSums[j] - want), `reference sum ${j}`).toBeLessThan(1e-4 * (1 + Math.abs(want)));
            }
          });

  it('the committed bytes are the assembled source', async () => {
    const source = moduleSource('gemm.wat', await assemble('gemm.wat'));
    expect(readFileSync(join(import.meta.dirname, '../../../engine/backend/cpu/wasm/gemm-wasm.ts'), 'utf8')).toBe(
      source,
    );
  });
});

describe('convolution through im2col and the fast multiply', () => {
  const cases: [string, Conv2dGeometry][] = [
    ['LeNet conv1', { n: 3, cIn: 1, h: 28, w: 28, cOut: 6, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, oh: 28, ow: 28 }],
    [
      'strided, uneven padding',
      { n: 2, cIn: 3, h: 9, w: 11, cOut: 8, kh: 3, kw: 2, sh: 2, sw: 3, ph: 1, pw: 0, oh: 5, ow: 4 },
    ],
    ['1x1', { n: 2, cIn: 16, h: 7, w: 7, cOut: 12, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, oh: 7, ow: 7 }],
  ];
  const fastConv = createFastConv(createFastMatmul()!);
  for (const [name, g] of cases)
    it(`${name}: forward and both gradients match the direct loops`, () => {
      const random = new Random(g.cOut * 7 + g.h);
      const fill = (size: number) => new Float32Array(size).map(() => random.uniform(-1, 1));
      const x = fill(g.n * g.cIn * g.h * g.w);
      const w = fill(g.cOut * g.cIn * g.kh * g.kw);
      const dy = fill(g.n * g.cOut * g.oh * g.ow);
      const close = (actual: Float32Array, expected: Float32Array) => {
        for (let i = 0; i < expected.length; i++)
          expect(Math.abs(actual[i] - expected[i]), `entry ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(expected[i])));
      };
      const [y1, y2] = [new Float32Array(dy.length), new Float32Array(dy.length)];
      conv2d({ x, w, y: y1, g });
      fastConv.conv2d({ x, w, y: y2, g });
      close(y2, y1);
      const start = fill(w.length);
      const [dw1, dw2] = [Float32Array.from(start), Float32Array.from(start)];
      conv2dBackwardWeight({ x, dy, dw: dw1, g });
      fastConv.conv2dBackwardWeight({ x, dy, dw: dw2, g });
      close(dw2, dw1);
      const base = fill(x.length);
      for (const accumulate of [true, false]) {
        const [dx1, dx2] = [Float32Array.from(base), Float32Array.from(base)];
        // Written outright: what was there must not count (NaN here, other values in the reference's).
        if (!accumulate) dx2.fill(Number.NaN);
        conv2dBackwardInput({ dy, w, dx: dx1, g, accumulate });
        fastConv.conv2dBackwardInput({ dy, w, dx: dx2, g, accumulate });
        close(dx2, dx1);
      }
    });
});
