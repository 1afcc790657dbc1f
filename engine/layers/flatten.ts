import { z } from 'zod';
import { type LayerDef, noPasses, ok, single, size } from './layer';

const params = z.strictObject({});
export type FlattenParams = z.infer<typeof params>;

export const flatten: LayerDef<'flatten', FlattenParams> = {
  kind: 'flatten',
  category: 'structure',
  title: 'Flatten',
  description: 'Turns an image or a sequence into one vector (row-major order).',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) => ok([size(x)]),
  paramSpecs: () => ({}),
  aliasesInput: true,
  formula: { forward: 'y = x as a vector (row-major)', backward: 'dx = dy reshaped' },
  defaults: {},
  examples: [{ params: {}, inputs: [[2, 3, 2]] }],
  build: () => noPasses,
  flops: () => 0,
  sizeField: 'in',
};
