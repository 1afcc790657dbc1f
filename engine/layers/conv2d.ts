import { z } from 'zod';
import {
  asPair,
  dim,
  expectRank,
  fail,
  fmt,
  initName,
  type LayerDef,
  ok,
  pair,
  regulariser,
  type Shape,
  single,
  windowLength,
} from './layer';

const params = z.strictObject({
  filters: dim,
  kernel: pair,
  stride: pair.default(1),
  /** 'valid' = no padding, 'same' = output as large as the input (stride 1, odd kernel), or explicit. */
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

/** Explicit [padH, padW] of a convolution, or a message why 'same' cannot be honoured. */
export function convPadding(p: Conv2dParams): [number, number] | string {
  const [kh, kw] = asPair(p.kernel);
  if (p.padding === 'valid') return [0, 0];
  if (p.padding === 'same') {
    const [sh, sw] = asPair(p.stride);
    if (sh !== 1 || sw !== 1) return "'same' padding needs stride 1";
    if (kh % 2 === 0 || kw % 2 === 0) return "'same' padding needs an odd kernel size";
    return [(kh - 1) / 2, (kw - 1) / 2];
  }
  return asPair(p.padding);
}

/** 2-D convolution over NCHW images, the paper's section 5.2 (cross-correlation, as every framework). */
export const conv2d: LayerDef<'conv2d', Conv2dParams> = {
  kind: 'conv2d',
  category: 'convolution',
  title: 'Conv2D',
  description: 'Slides learned filters over an image [C, H, W]; each filter gives one output channel.',
  params,
  inputPorts: () => single,
  outputShape(p, [x]) {
    const rank = expectRank(x, 3, 'an image [C, H, W]');
    if (rank) return rank;
    const pad = convPadding(p);
    if (typeof pad === 'string') return fail('padding', pad);
    const [kh, kw] = asPair(p.kernel);
    const [sh, sw] = asPair(p.stride);
    const h = windowLength(x[1], kh, sh, pad[0]);
    const w = windowLength(x[2], kw, sw, pad[1]);
    if (h < 1 || w < 1) return fail('kernel', `kernel ${kh}x${kw} does not fit the padded input ${fmt(x)}`);
    return ok([p.filters, h, w]);
  },
  paramShapes(p, [x]): Record<string, Shape> {
    const [kh, kw] = asPair(p.kernel);
    const W = [p.filters, x[0], kh, kw];
    return p.bias ? { W, b: [p.filters] } : { W };
  },
  flops(p, [x], out) {
    const [kh, kw] = asPair(p.kernel);
    return 2 * x[0] * kh * kw * out[0] * out[1] * out[2];
  },
  summary: (p) => `${p.filters}@${asPair(p.kernel).join('×')}`,
  sizeField: 'filters',
};
