import { describe, expect, it } from 'vitest';
import { layerDef } from '../../../engine/layers/registry';
import { buildLayer } from '../../helpers/layer-harness';

/**
 * 'same' padding follows TensorFlow's rule for every stride and kernel: output ⌈n / s⌉, total padding
 * max((out − 1)·s + k − n, 0), half of it (rounded down) before, the rest after. Checked against a plain
 * convolution of the input padded by hand.
 */
function referenceConv(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  [c, h, wd]: number[],
  [f, kh, kw]: number[],
  [sh, sw]: number[],
  [top, left]: number[],
  [oh, ow]: number[],
): number[] {
  const y: number[] = [];
  for (let o = 0; o < f; o++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let sum = b[o];
        for (let ch = 0; ch < c; ch++)
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const r = i * sh + u - top;
              const col = j * sw + v - left;
              if (r < 0 || r >= h || col < 0 || col >= wd) continue;
              sum += w[((o * c + ch) * kh + u) * kw + v] * x[(ch * h + r) * wd + col];
            }
        y.push(sum);
      }
  return y;
}

describe("Conv2D 'same' padding (TensorFlow's rule)", () => {
  const cases = [
    // n = 7, k = 4, s = 2: out 4, total 3 → 1 before, 2 after; n = 6, k = 3, s = 2: out 3, total 1 → 0, 1.
    { input: [2, 7, 6], kernel: [4, 3], stride: [2, 2], before: [1, 0], out: [4, 3] },
    // An even kernel at stride 1: total 1, the odd row and column at the end.
    { input: [1, 5, 5], kernel: [2, 2], stride: [1, 1], before: [0, 0], out: [5, 5] },
    // Stride 3 over 8: out 3, total max(2·3 + 3 − 8, 0) = 1.
    { input: [1, 8, 8], kernel: [3, 3], stride: [3, 3], before: [0, 0], out: [3, 3] },
  ];
  for (const { input, kernel, stride, before, out } of cases) {
    it(`input ${input.join('×')}, kernel ${kernel.join('×')}, stride ${stride.join('×')} → ${out.join('×')}`, () => {
      const params = { filters: 2, kernel, stride, padding: 'same' };
      const shape = layerDef('conv2d').outputShape(layerDef('conv2d').params.parse(params), [input]);
      expect(shape).toEqual({ ok: true, shape: [2, ...out] });
      for (const precision of ['f64', 'f32'] as const) {
        const rig = buildLayer('conv2d', params, [input], { n: 1, precision });
        rig.passes.forward(1, 'train', 0);
        const expected = referenceConv(
          rig.x[0],
          rig.weights.W,
          rig.weights.b,
          input,
          [2, ...kernel],
          stride,
          before,
          out,
        );
        const got = Array.from(rig.y.subarray(0, expected.length));
        for (let i = 0; i < expected.length; i++) expect(got[i], `${precision} y[${i}]`).toBeCloseTo(expected[i], 5);
      }
    });
  }
});
