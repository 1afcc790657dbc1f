import { z } from 'zod';
import { dim, fmt, type LayerDef, ok } from './layer';

const params = z.strictObject({
  /** Per-sample shape: [D], [T, D] or [C, H, W]. */
  shape: z.array(dim).min(1).max(3),
});
export type InputParams = z.infer<typeof params>;

export const input: LayerDef<'input', InputParams> = {
  kind: 'input',
  category: 'input',
  title: 'Input',
  description: 'Where samples enter the network: a vector [D], a sequence [T, D] or an image [C, H, W].',
  params,
  inputPorts: () => [],
  outputShape: (p) => ok(p.shape),
  paramShapes: () => ({}),
  flops: () => 0,
  sizeField: 'shape',
};

export const describeInput = (p: InputParams) => `input ${fmt(p.shape)}`;
