import { z } from 'zod';
import type { Conv2dGeometry } from '../backend/backend';
import {
  asPair,
  constant,
  dim,
  expectPort,
  fail,
  fmt,
  imagePort,
  initName,
  type LayerDef,
  ok,
  type ParamSpec,
  pair,
  regulariser,
  type Shape,
  single,
  weight,
  windowLength,
} from './layer';

const params = z.strictObject({
  filters: dim,
  kernel: pair,
  stride: pair.default(1),
  /**
   * 'valid' = no padding; 'same' = TensorFlow's rule, output ⌈n / stride⌉ with the padding split evenly and
   * the odd one at the end (bottom, right); or explicit padding on both sides.
   */
  padding: z
    .union([
      z.enum(['valid', 'same']),
      z.number().int().min(0).max(1024),
      z.tuple([z.number().int().min(0).max(1024), z.number().int().min(0).max(1024)]),
    ])
    .default('valid'),
  bias: z.boolean().default(true),
  init: initName.default('he-uniform'),
  l1: regulariser.default(0),
  l2: regulariser.default(0),
});
export type Conv2dParams = z.infer<typeof params>;

/** The kernel geometry for input [C, H, W] and output [F, OH, OW]; n is set per pass. */
export function convGeometry(p: Conv2dParams, [cIn, h, w]: Shape, [cOut, oh, ow]: Shape): Conv2dGeometry {
  const [kh, kw] = asPair(p.kernel);
  const [sh, sw] = asPair(p.stride);
  const [ph, pw] = convPadding(p, [cIn, h, w]).before;
  return { n: 0, cIn, h, w, cOut, kh, kw, sh, sw, ph, pw, oh, ow };
}

/**
 * Padding before each axis ([top, left]) and the output's [H, W]. Padding after an axis needs no number of
 * its own: the kernels read every position past the input's end as zero, so a larger output is the padding.
 */
export function convPadding(p: Conv2dParams, [, h, w]: Shape): { before: [number, number]; out: [number, number] } {
  const [kh, kw] = asPair(p.kernel);
  const [sh, sw] = asPair(p.stride);
  if (p.padding === 'same') {
    const [top, oh] = samePadding(h, kh, sh);
    const [left, ow] = samePadding(w, kw, sw);
    return { before: [top, left], out: [oh, ow] };
  }
  const [ph, pw] = p.padding === 'valid' ? [0, 0] : asPair(p.padding);
  return { before: [ph, pw], out: [windowLength(h, kh, sh, ph), windowLength(w, kw, sw, pw)] };
}

/** TensorFlow's 'same' along one axis: out = ⌈n / s⌉, total padding max((out − 1)·s + k − n, 0), half before (rounded down). */
function samePadding(n: number, k: number, s: number): [before: number, out: number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), out];
}

/** 2-D convolution over NCHW images, the paper's chapter 5 (cross-correlation, as every framework). */
export const conv2d: LayerDef<'conv2d', Conv2dParams> = {
  kind: 'conv2d',
  category: 'convolution',
  title: 'Conv2D',
  description: 'Slides learned filters over an image [C, H, W]; each filter gives one output channel.',
  params,
  inputPorts: () => single,
  accepts: imagePort,
  outputShape(p, [x]) {
    const rank = expectPort(x, imagePort);
    if (rank) return rank;
    const [kh, kw] = asPair(p.kernel);
    const [h, w] = convPadding(p, x).out;
    if (h < 1 || w < 1) return fail('kernel', `kernel ${kh}x${kw} does not fit the padded input ${fmt(x)}`);
    return ok([p.filters, h, w]);
  },
  paramSpecs(p, [x]) {
    const [kh, kw] = asPair(p.kernel);
    const specs: Record<string, ParamSpec> = {
      W: weight([p.filters, x[0], kh, kw], x[0] * kh * kw, p.filters * kh * kw),
    };
    if (p.bias) specs.b = constant([p.filters], 0);
    return specs;
  },
  flops(p, [x], out) {
    const [kh, kw] = asPair(p.kernel);
    return 2 * x[0] * kh * kw * out[0] * out[1] * out[2];
  },
  summary: (p) => `${p.filters}@${asPair(p.kernel).join('×')}`,
  formula: {
    forward: 'y[f, i, j] = b[f] + Σ_c,u,v W[f, c, u, v] · x[c, i·s + u − p, j·s + v − p]',
    backward: 'dW = x ⋆ dy,  db = Σ dy,  dx = dy ⋆ flipped W (transposed convolution)',
  },
  defaults: { filters: 16, kernel: 3, padding: 'same' },
  examples: [
    { params: { filters: 2, kernel: 3, padding: 1 }, inputs: [[2, 5, 5]] },
    { params: { filters: 3, kernel: [2, 3], stride: 2, padding: [1, 0] }, inputs: [[1, 6, 7]] },
    { params: { filters: 2, kernel: 3, padding: 'same', bias: false }, inputs: [[1, 4, 4]] },
    { params: { filters: 2, kernel: [4, 3], stride: 2, padding: 'same' }, inputs: [[2, 7, 6]] },
  ],
  build({ be, params: p, inputShapes: [xs], outputShape: ys, x: [x], dx: [dx], dxFresh: [fresh], ...rest }) {
    const { y, dy, weights, grads } = rest;
    const g = convGeometry(p, xs, ys);
    const plane = ys[1] * ys[2];
    return {
      forward(n) {
        g.n = n;
        be.conv2d({ x, w: weights.W, y, g, bias: p.bias ? weights.b : undefined });
      },
      backward(n) {
        g.n = n;
        be.conv2dBackwardWeight({ x, dy, dw: grads.W, g });
        if (p.bias) be.biasGrad({ dy, dBias: grads.b, outer: n, channels: p.filters, inner: plane });
        if (dx) be.conv2dBackwardInput({ dy, w: weights.W, dx, g, accumulate: !fresh });
      },
    };
  },
  sizeField: 'filters',
};
