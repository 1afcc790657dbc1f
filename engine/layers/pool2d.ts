import { z } from 'zod';
import {
  asPair,
  expectRank,
  fail,
  fmt,
  type LayerDef,
  ok,
  pair,
  type Shape,
  type ShapeResult,
  single,
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

export function poolOutput(p: Pool2dParams, x: Shape): ShapeResult {
  const rank = expectRank(x, 3, 'an image [C, H, W]');
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
    outputShape: (p, [x]) => poolOutput(p, x),
    paramShapes: () => ({}),
    flops: (p, _x, out) => {
      const [kh, kw] = asPair(p.size);
      return kh * kw * out[0] * out[1] * out[2];
    },
    summary: (p) => asPair(p.size).join('×'),
    sizeField: 'size',
  };
}

/** Max pooling, the paper's section 5.3. */
export const maxpool2d = poolLayer('maxpool2d', 'MaxPool2D', 'Keeps the largest value of each window, per channel.');
/** Average pooling, the paper's section 5.3. */
export const avgpool2d = poolLayer(
  'avgpool2d',
  'AvgPool2D',
  'Averages each window, per channel (padding counts as zeros).',
);
