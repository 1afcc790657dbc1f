import { z } from 'zod';
import { type LayerDef, ok, single, size } from './layer';

export const activationFns = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'softmax', 'linear'] as const;

const params = z.strictObject({
  fn: z.enum(activationFns),
  /** Slope for x < 0 of leaky-ReLU. */
  slope: z.number().min(0).max(1).default(0.01),
  /** Saturation value of ELU for x -> -inf. */
  alpha: z.number().min(0).max(100).default(1),
});
export type ActivationParams = z.infer<typeof params>;

/** Element-wise non-linearity, the paper's section 4.2 (softmax over the last axis). */
export const activation: LayerDef<'activation', ActivationParams> = {
  kind: 'activation',
  category: 'activation',
  title: 'Activation',
  description:
    'Applies a non-linear function to every element: sigmoid, tanh, ReLU, leaky-ReLU, ELU, softmax or linear.',
  params,
  inputPorts: () => single,
  outputShape: (_p, [x]) => ok(x),
  paramShapes: () => ({}),
  flops: (_p, [x]) => size(x),
  summary: (p) => (p.fn === 'leaky-relu' ? `leaky-relu ${p.slope}` : p.fn === 'elu' ? `elu α=${p.alpha}` : p.fn),
  sizeField: 'fn',
};
