import { z } from 'zod';
import { type LayerDef, ok, single, size } from './layer';

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
  paramShapes: () => ({}),
  flops: () => 0,
  sizeField: 'in',
};
