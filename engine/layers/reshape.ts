import { z } from 'zod';
import { fail, fmt, type LayerDef, MAX_DIM, noPasses, ok, single, size } from './layer';

const params = z.strictObject({
  /** Target per-sample shape; one entry may be -1 (inferred). */
  shape: z
    .array(
      z
        .number()
        .int()
        .min(-1)
        .max(MAX_DIM)
        .refine((d) => d !== 0, 'a dimension cannot be 0'),
    )
    .min(1)
    .max(3)
    .refine((s) => s.filter((d) => d === -1).length <= 1, 'at most one dimension may be -1'),
});
export type ReshapeParams = z.infer<typeof params>;

export const reshape: LayerDef<'reshape', ReshapeParams> = {
  kind: 'reshape',
  category: 'structure',
  title: 'Reshape',
  description: 'Gives the same values a new shape, e.g. a vector of 784 as a sequence [28, 28].',
  params,
  inputPorts: () => single,
  outputShape(p, [x]) {
    const total = size(x);
    const known = p.shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const shape = p.shape.map((d) => (d === -1 ? total / known : d));
    if (shape.some((d) => !Number.isInteger(d)) || size(shape) !== total)
      return fail('shape', `cannot reshape ${fmt(x)} (${total} values) to ${fmt(p.shape)}`);
    return ok(shape);
  },
  paramSpecs: () => ({}),
  aliasesInput: true,
  formula: { forward: 'y = x with a new shape', backward: 'dx = dy reshaped back' },
  defaults: { shape: [28, 28] },
  examples: [{ params: { shape: [3, -1] }, inputs: [[12]] }],
  build: () => noPasses,
  flops: () => 0,
  sizeField: 'shape',
};
