import { z } from 'zod';
import { counted } from '../words';
import {
  constant,
  dim,
  expectPort,
  initName,
  type LayerDef,
  ok,
  type ParamSpec,
  regulariser,
  single,
  vectorPort,
  weight,
} from './layer';

const params = z.strictObject({
  units: dim,
  bias: z.boolean().default(true),
  init: initName.default('glorot-uniform'),
  l1: regulariser.default(0),
  l2: regulariser.default(0),
});
export type DenseParams = z.infer<typeof params>;

/**
 * Weighted averaging, the paper's chapter 4: Y[N, U] = X[N, D] W[D, U] + b.
 * Backward: dW += Xᵀ dY, db += Σ_N dY, dX += dY Wᵀ.
 */
export const dense: LayerDef<'dense', DenseParams> = {
  kind: 'dense',
  category: 'core',
  title: 'Dense',
  description: 'Fully connected layer: every output is a weighted sum of all inputs plus a bias.',
  params,
  inputPorts: () => single,
  accepts: vectorPort,
  outputShape(p, [x]) {
    return expectPort(x, vectorPort) ?? ok([p.units]);
  },
  paramSpecs(p, [x]) {
    const specs: Record<string, ParamSpec> = { W: weight([x[0], p.units], x[0], p.units) };
    if (p.bias) specs.b = constant([p.units], 0);
    return specs;
  },
  flops: (p, [x]) => 2 * x[0] * p.units,
  summary: (p) => counted(p.units, 'unit'),
  formula: { forward: 'Y = X W + b', backward: 'dW += Xᵀ dY,  db += Σₙ dY,  dX += dY Wᵀ' },
  defaults: { units: 64 },
  examples: [
    { params: { units: 3 }, inputs: [[4]] },
    { params: { units: 2, bias: false }, inputs: [[5]] },
  ],
  build({ be, params: p, inputShapes: [[d]], x: [x], dx: [dx], dxFresh: [fresh], y, dy, weights, grads }) {
    const u = p.units;
    return {
      forward(n) {
        const bias = p.bias ? weights.b : undefined;
        be.matmul({
          a: x,
          b: weights.W,
          out: y,
          m: n,
          n: u,
          k: d,
          transA: false,
          transB: false,
          accumulate: false,
          bias,
        });
      },
      backward(n) {
        // dW += xᵀ·dy, and db += dy's column sums in the same pass over dy.
        be.matmul({
          a: x,
          b: dy,
          out: grads.W,
          m: d,
          n: u,
          k: n,
          transA: true,
          transB: false,
          accumulate: true,
          bColumnSums: p.bias ? grads.b : undefined,
        });
        if (dx)
          be.matmul({
            a: dy,
            b: weights.W,
            out: dx,
            m: n,
            n: d,
            k: u,
            transA: false,
            transB: true,
            accumulate: !fresh,
          });
      },
    };
  },
  sizeField: 'units',
};
