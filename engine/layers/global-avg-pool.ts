import { z } from 'zod';
import type { Conv2dGeometry } from '../backend/backend';
import { expectPort, imagePort, type LayerDef, ok, single, size } from './layer';
import { averagePasses } from './pool2d';

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
  accepts: imagePort,
  outputShape: (_p, [x]) => expectPort(x, imagePort) ?? ok([x[0]]),
  paramSpecs: () => ({}),
  flops: (_p, [x]) => size(x),
  formula: { forward: 'y[c] = mean over i, j of x[c, i, j]', backward: 'dx[c, i, j] += dy[c] / (H·W)' },
  defaults: {},
  examples: [{ params: {}, inputs: [[3, 3, 4]] }],
  build({ be, inputShapes: [[c, h, w]], x: [x], dx: [dx], dxFresh: [fresh], y, dy }) {
    // An average pool whose window is the whole image.
    const g: Conv2dGeometry = { n: 0, cIn: c, h, w, cOut: c, kh: h, kw: w, sh: h, sw: w, ph: 0, pw: 0, oh: 1, ow: 1 };
    return averagePasses(be, g, [x, dx, fresh], y, dy);
  },
  sizeField: 'in',
};
