import { z } from 'zod';
import { fail, fmt, type LayerDef, ok, single, size } from './layer';

const params = z.strictObject({
  /** Weight of the new batch in the running averages (PyTorch's convention). */
  momentum: z.number().gt(0).max(1).default(0.1),
  eps: z.number().gt(0).max(1).default(1e-5),
});
export type BatchNormParams = z.infer<typeof params>;

/**
 * Batch normalisation, the paper's section 5.4: normalise each feature (dense, [D]) or channel
 * (conv, [C, H, W]) with the batch statistics, then scale by gamma and shift by beta.
 */
export const batchnorm: LayerDef<'batchnorm', BatchNormParams> = {
  kind: 'batchnorm',
  category: 'normalisation',
  title: 'BatchNorm',
  description: 'Normalises each feature or channel over the batch, then applies a learned scale and shift.',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) =>
    x.length === 1 || x.length === 3 ? ok(x) : fail('in', `expects [D] or [C, H, W], got ${fmt(x)}`),
  paramShapes: (_p, [x]) => ({ gamma: [x[0]], beta: [x[0]] }),
  flops: (_p, [x]) => 4 * size(x),
  sizeField: 'in',
};
