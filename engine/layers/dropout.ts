import { z } from 'zod';
import { type LayerDef, ok, single, size } from './layer';

const params = z.strictObject({
  /** Probability of zeroing a unit during training. */
  rate: z.number().min(0).lt(1).default(0.5),
});
export type DropoutParams = z.infer<typeof params>;

/** Inverted dropout, the paper's chapter 4: kept units are scaled by 1/(1-rate) in training only. */
export const dropout: LayerDef<'dropout', DropoutParams> = {
  kind: 'dropout',
  category: 'structure',
  title: 'Dropout',
  description: 'During training, zeroes each unit with the given probability and rescales the rest.',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) => ok(x),
  paramSpecs: () => ({}),
  flops: (_p, [x]) => size(x),
  summary: (p) => `rate ${p.rate}`,
  formula: { forward: 'y = x ⊙ m / (1 − p), m ~ Bernoulli(1 − p) (training only)', backward: 'dx += dy ⊙ m / (1 − p)' },
  defaults: { rate: 0.5 },
  examples: [{ params: { rate: 0.3 }, inputs: [[10]] }],
  build({ be, params: p, inputShapes: [shape], x: [x], dx: [dx], dxFresh: [fresh], y, dy, scratch, maxBatch, seed }) {
    const per = size(shape);
    const mask = scratch('mask', maxBatch * per);
    return {
      forward(n, mode, step) {
        if (mode === 'train') be.dropout({ x, y, mask, size: n * per, rate: p.rate, seed, counter: step });
        else be.copy({ src: x, out: y, size: n * per, accumulate: false });
      },
      backward(n, mode) {
        if (!dx) return;
        if (mode === 'train') be.mul({ a: dy, b: mask, out: dx, size: n * per, accumulate: !fresh });
        else be.copy({ src: dy, out: dx, size: n * per, accumulate: !fresh });
      },
    };
  },
  sizeField: 'rate',
};
