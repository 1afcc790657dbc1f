import { z } from 'zod';
import { dim, type LayerDef, noPasses, ok } from './layer';

const params = z.strictObject({
  /** Per-sample shape: [D], [T, D] or [C, H, W]. */
  shape: z.array(dim).min(1).max(3),
});
export type InputParams = z.infer<typeof params>;

/** The trainer writes each batch into this node's output; it has no work of its own. */
export const input: LayerDef<'input', InputParams> = {
  kind: 'input',
  category: 'input',
  title: 'Input',
  description: 'Where samples enter the network: a vector [D], a sequence [T, D] or an image [C, H, W].',
  params,
  inputPorts: () => [],
  outputShape: (p) => ok(p.shape),
  paramSpecs: () => ({}),
  flops: () => 0,
  summary: (p) => p.shape.join('×'),
  formula: { forward: 'x = a batch of samples', backward: 'none (data)' },
  defaults: { shape: [1, 28, 28] },
  examples: [],
  build: () => noPasses,
  sizeField: 'shape',
};
