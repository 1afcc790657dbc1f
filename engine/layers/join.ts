import { z } from 'zod';
import { fail, fmt, type LayerDef, ok, type Shape, size } from './layer';

const params = z.strictObject({
  /** Number of input ports, in0 .. in{n-1}. */
  inputs: z.number().int().min(2).max(16).default(2),
});
export type JoinParams = z.infer<typeof params>;

const ports = (p: JoinParams) => Array.from({ length: p.inputs }, (_, i) => `in${i}`);

const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Element-wise sum of same-shaped inputs: the residual join of ResNet (the paper's chapter 5). */
export const add: LayerDef<'add', JoinParams> = {
  kind: 'add',
  category: 'structure',
  title: 'Add',
  description: 'Adds its inputs element by element; all must have the same shape (residual connections).',
  params,
  inputPorts: ports,
  outputShape(_p, xs) {
    const bad = xs.findIndex((x) => !sameShape(x, xs[0]));
    if (bad >= 0) return fail(`in${bad}`, `shape ${fmt(xs[bad])} differs from in0 ${fmt(xs[0])}`);
    return ok(xs[0]);
  },
  paramSpecs: () => ({}),
  flops: (p, [x]) => (p.inputs - 1) * size(x),
  formula: { forward: 'y = x₀ + x₁ + …', backward: 'dxᵢ += dy for every input' },
  defaults: { inputs: 2 },
  examples: [{ params: { inputs: 3 }, inputs: [[4], [4], [4]] }],
  build({ be, outputShape, x: xs, dx: dxs, dxFresh, y, dy }) {
    const per = size(outputShape);
    return {
      forward(n) {
        xs.forEach((x, i) => {
          be.copy({ src: x, out: y, size: n * per, accumulate: i > 0 });
        });
      },
      backward(n) {
        // ∂(Σ xᵢ)/∂xᵢ = 1: every input receives the whole gradient.
        dxs.forEach((dx, i) => {
          if (dx) be.copy({ src: dy, out: dx, size: n * per, accumulate: !dxFresh[i] });
        });
      },
    };
  },
  sizeField: 'inputs',
};

/** Concatenation along the channel (first per-sample) axis: the inception module's join (the paper's chapter 5). */
export const concat: LayerDef<'concat', JoinParams> = {
  kind: 'concat',
  category: 'structure',
  title: 'Concat',
  description: 'Stacks its inputs along the channel axis; the other dimensions must match (inception modules).',
  params,
  inputPorts: ports,
  outputShape(_p, xs) {
    const rest = (x: Shape) => x.slice(1);
    const bad = xs.findIndex((x) => !sameShape(rest(x), rest(xs[0])));
    if (bad >= 0)
      return fail(`in${bad}`, `shape ${fmt(xs[bad])} does not match in0 ${fmt(xs[0])} outside the channel axis`);
    return ok([xs.reduce((c, x) => c + x[0], 0), ...rest(xs[0])]);
  },
  paramSpecs: () => ({}),
  flops: () => 0,
  formula: { forward: 'y = [x₀; x₁; …] along channels', backward: 'dxᵢ += the channels of dy that came from xᵢ' },
  defaults: { inputs: 2 },
  examples: [
    {
      params: {},
      inputs: [
        [2, 2, 2],
        [1, 2, 2],
      ],
    },
  ],
  build({ be, inputShapes, outputShape, x: xs, dx: dxs, dxFresh, y, dy }) {
    const outPer = size(outputShape);
    // Each input fills a contiguous run of channels in every sample: offsets in elements.
    const blocks = inputShapes.map((shape) => size(shape));
    const offsets = blocks.map((_, i) => blocks.slice(0, i).reduce((a, b) => a + b, 0));
    return {
      forward(n) {
        xs.forEach((x, i) => {
          be.copyBlocks({
            src: x,
            srcOffset: 0,
            srcStride: blocks[i],
            out: y,
            outOffset: offsets[i],
            outStride: outPer,
            blocks: n,
            blockSize: blocks[i],
            accumulate: false,
          });
        });
      },
      backward(n) {
        dxs.forEach((dx, i) => {
          if (dx)
            be.copyBlocks({
              src: dy,
              srcOffset: offsets[i],
              srcStride: outPer,
              out: dx,
              outOffset: 0,
              outStride: blocks[i],
              blocks: n,
              blockSize: blocks[i],
              accumulate: !dxFresh[i],
            });
        });
      },
    };
  },
  sizeField: 'inputs',
};
