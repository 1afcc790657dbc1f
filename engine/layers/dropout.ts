import { z } from 'zod';
import { type LayerDef, ok, single, size } from './layer';

const params = z.strictObject({
  /** Probability of zeroing a unit during training. */
  rate: z.number().min(0).lt(1).default(0.5),
});
export type DropoutParams = z.infer<typeof params>;

/** Inverted dropout, the paper's section 4.6: kept units are scaled by 1/(1-rate) in training only. */
export const dropout: LayerDef<'dropout', DropoutParams> = {
  kind: 'dropout',
  category: 'structure',
  title: 'Dropout',
  description: 'During training, zeroes each unit with the given probability and rescales the rest.',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) => ok(x),
  paramShapes: () => ({}),
  flops: (_p, [x]) => size(x),
  summary: (p) => `rate ${p.rate}`,
  sizeField: 'rate',
};
