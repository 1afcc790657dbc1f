import { z } from 'zod';
import { expectRank, type LayerDef, ok, single, size } from './layer';

const params = z.strictObject({});
export type GlobalAvgPoolParams = z.infer<typeof params>;

/** Mean over H and W of every channel: [C, H, W] -> [C] (GoogLeNet's and ResNet's head). */
export const globalavgpool: LayerDef<'globalavgpool', GlobalAvgPoolParams> = {
  kind: 'globalavgpool',
  category: 'pooling',
  title: 'GlobalAvgPool',
  description: 'Averages each channel over the whole image, giving one value per channel.',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) => expectRank(x, 3, 'an image [C, H, W]') ?? ok([x[0]]),
  paramShapes: () => ({}),
  flops: (_p, [x]) => size(x),
  sizeField: 'in',
};
