import { z } from 'zod';
import type { Backend, Buf, Conv2dGeometry } from '../backend/backend';
import {
  asPair,
  expectPort,
  fail,
  fmt,
  imagePort,
  type LayerDef,
  type LayerPasses,
  ok,
  pair,
  type Shape,
  type ShapeResult,
  single,
  size,
  windowLength,
} from './layer';

const params = z.strictObject({
  size: pair.default(2),
  /** Defaults to the window size (non-overlapping windows). */
  stride: pair.optional(),
  padding: z
    .union([
      z.number().int().min(0).max(1024),
      z.tuple([z.number().int().min(0).max(1024), z.number().int().min(0).max(1024)]),
    ])
    .default(0),
});
export type Pool2dParams = z.infer<typeof params>;

/** Average pooling over a geometry (also GlobalAvgPool's, whose window is the whole image). */
export function averagePasses(
  be: Backend,
  g: Conv2dGeometry,
  [x, dx, fresh]: [Buf, Buf | null, boolean],
  y: Buf,
  dy: Buf,
): LayerPasses {
  return {
    forward(n) {
      g.n = n;
      be.avgPool({ x, y, g });
    },
    backward(n) {
      g.n = n;
      if (dx) be.avgPoolBackward({ dy, dx, g, accumulate: !fresh });
    },
  };
}

export function poolGeometry(p: Pool2dParams, [c, h, w]: Shape, [, oh, ow]: Shape): Conv2dGeometry {
  const [kh, kw] = asPair(p.size);
  const [sh, sw] = asPair(p.stride ?? p.size);
  const [ph, pw] = asPair(p.padding);
  return { n: 0, cIn: c, h, w, cOut: c, kh, kw, sh, sw, ph, pw, oh, ow };
}

export function poolOutput(p: Pool2dParams, x: Shape): ShapeResult {
  const rank = expectPort(x, imagePort);
  if (rank) return rank;
  const [kh, kw] = asPair(p.size);
  const [sh, sw] = asPair(p.stride ?? p.size);
  const [ph, pw] = asPair(p.padding);
  if (2 * ph > kh || 2 * pw > kw) return fail('padding', 'padding must be at most half the window size');
  const h = windowLength(x[1], kh, sh, ph);
  const w = windowLength(x[2], kw, sw, pw);
  if (h < 1 || w < 1) return fail('size', `window ${kh}x${kw} does not fit the input ${fmt(x)}`);
  return ok([x[0], h, w]);
}

function poolLayer<K extends 'maxpool2d' | 'avgpool2d'>(
  kind: K,
  title: string,
  description: string,
): LayerDef<K, Pool2dParams> {
  return {
    kind,
    category: 'pooling',
    title,
    description,
    params,
    inputPorts: () => single,
    accepts: imagePort,
    outputShape: (p, [x]) => poolOutput(p, x),
    paramSpecs: () => ({}),
    flops: (p, _x, out) => {
      const [kh, kw] = asPair(p.size);
      return kh * kw * out[0] * out[1] * out[2];
    },
    summary: (p) => asPair(p.size).join('×'),
    formula:
      kind === 'maxpool2d'
        ? { forward: 'y = max of x over each window', backward: 'dx += dy at the position of each maximum' }
        : {
            forward: 'y = mean of x over each window (padding counts as 0)',
            backward: 'dx += dy / window size over each window',
          },
    defaults: { size: 2 },
    examples: [
      { params: { size: 2 }, inputs: [[2, 4, 4]] },
      { params: { size: 3, stride: 2, padding: 1 }, inputs: [[1, 5, 5]] },
      { params: { size: [2, 3], stride: [1, 2] }, inputs: [[1, 5, 6]] },
    ],
    build({ be, params: p, inputShapes: [xs], outputShape: ys, x: [x], dx: [dx], dxFresh: [fresh], ...rest }) {
      const { y, dy, scratch, maxBatch } = rest;
      const g = poolGeometry(p, xs, ys);
      if (kind === 'avgpool2d') return averagePasses(be, g, [x, dx, fresh], y, dy);
      const argmax = scratch('argmax', maxBatch * size(ys));
      return {
        forward(n) {
          g.n = n;
          be.maxPool({ x, y, argmax, g });
        },
        backward(n) {
          g.n = n;
          if (dx) be.maxPoolBackward({ dy, argmax, dx, g, accumulate: !fresh });
        },
      };
    },
    sizeField: 'size',
  };
}

/** Max pooling, the paper's chapter 5. */
export const maxpool2d = poolLayer('maxpool2d', 'MaxPool2D', 'Keeps the largest value of each window, per channel.');
/** Average pooling, the paper's chapter 5. */
export const avgpool2d = poolLayer(
  'avgpool2d',
  'AvgPool2D',
  'Averages each window, per channel (padding counts as zeros).',
);
