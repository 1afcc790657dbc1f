import { z } from 'zod';
import { type LayerDef, ok, single, size } from './layer';

export const activationFns = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'softmax', 'linear'] as const;

const params = z.strictObject({
  fn: z.enum(activationFns),
  /** Slope for x < 0 of leaky-ReLU. */
  slope: z.number().min(0).max(1).default(0.01),
  /** Saturation value of ELU for x -> -inf. */
  alpha: z.number().min(0).max(100).default(1),
});
export type ActivationParams = z.infer<typeof params>;

/** Element-wise non-linearity, the paper's chapter 4 (softmax over the last axis). */
export const activation: LayerDef<'activation', ActivationParams> = {
  kind: 'activation',
  category: 'activation',
  title: 'Activation',
  description:
    'Applies a non-linear function to every element: sigmoid, tanh, ReLU, leaky-ReLU, ELU, softmax or linear.',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) => ok(x),
  paramSpecs: () => ({}),
  flops: (_p, [x]) => size(x),
  summary: (p) => (p.fn === 'leaky-relu' ? `leaky-relu ${p.slope}` : p.fn === 'elu' ? `elu α=${p.alpha}` : p.fn),
  formula: {
    forward: 'y = f(x): σ, tanh, max(0, x), leaky, ELU, softmax or x',
    backward: 'dx += f′(x) ⊙ dy  (softmax: dx += y ⊙ (dy − Σ dy ⊙ y))',
  },
  defaults: { fn: 'relu' },
  examples: [
    ...activationFns.map((fn) => ({ params: { fn }, inputs: [[6]] })),
    { params: { fn: 'leaky-relu', slope: 0.1 }, inputs: [[2, 3]] },
    { params: { fn: 'elu', alpha: 0.7 }, inputs: [[2, 3]] },
    { params: { fn: 'softmax' }, inputs: [[2, 5]] },
  ],
  build({ be, params: p, inputShapes: [shape], x: [x], dx: [dx], dxFresh: [fresh], y, dy }) {
    const per = size(shape);
    const cols = shape[shape.length - 1];
    if (p.fn === 'softmax')
      return {
        forward: (n) => be.softmax({ x, y, rows: (n * per) / cols, cols }),
        backward: (n) => dx && be.softmaxBackward({ y, dy, dx, rows: (n * per) / cols, cols, accumulate: !fresh }),
      };
    const op = p.fn;
    const alpha = p.fn === 'leaky-relu' ? p.slope : p.alpha;
    return {
      forward: (n) => be.unary({ op, x, y, size: n * per, alpha }),
      backward: (n) => dx && be.unaryBackward({ op, x, y, dy, dx, size: n * per, alpha, accumulate: !fresh }),
    };
  },
  sizeField: 'fn',
};
