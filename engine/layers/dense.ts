import { z } from 'zod';
import { dim, expectRank, initName, type LayerDef, ok, regulariser, type Shape, single } from './layer';

const params = z.strictObject({
  units: dim,
  bias: z.boolean().default(true),
  init: initName.default('glorot-uniform'),
  l1: regulariser.default(0),
  l2: regulariser.default(0),
});
export type DenseParams = z.infer<typeof params>;

/** Weighted averaging, the paper's section 4.3: y = x W + b, W of shape [D_in, units]. */
export const dense: LayerDef<'dense', DenseParams> = {
  kind: 'dense',
  category: 'core',
  title: 'Dense',
  description: 'Fully connected layer: every output is a weighted sum of all inputs plus a bias.',
  params,
  inputPorts: () => single,
  outputShape(p, [x]) {
    return expectRank(x, 1, 'a vector (add a Flatten first)') ?? ok([p.units]);
  },
  paramShapes: (p, [x]): Record<string, Shape> =>
    p.bias ? { W: [x[0], p.units], b: [p.units] } : { W: [x[0], p.units] },
  flops: (p, [x]) => 2 * x[0] * p.units,
  summary: (p) => `${p.units} units`,
  sizeField: 'units',
};
