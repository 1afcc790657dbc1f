import { z } from 'zod';
import { fail, fmt, type LayerDef, ok, type Shape, size } from './layer';

const params = z.strictObject({
  /** Number of input ports, in0 .. in{n-1}. */
  inputs: z.number().int().min(2).max(16).default(2),
});
export type JoinParams = z.infer<typeof params>;

const ports = (p: JoinParams) => Array.from({ length: p.inputs }, (_, i) => `in${i}`);

const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Element-wise sum of same-shaped inputs: the residual join of ResNet (the paper's section 5.5.5). */
export const add: LayerDef<'add', JoinParams> = {
  kind: 'add',
  category: 'structure',
  title: 'Add',
  description: 'Adds its inputs element by element; all must have the same shape (residual connections).',
  params,
  inputPorts: ports,
  outputShape(_p, xs) {
    const bad = xs.findIndex((x) => !sameShape(x, xs[0]));
    if (bad >= 0) return fail(`in${bad}`, `shape ${fmt(xs[bad])} differs from in0 ${fmt(xs[0])}`);
    return ok(xs[0]);
  },
  paramShapes: () => ({}),
  flops: (p, [x]) => (p.inputs - 1) * size(x),
  sizeField: 'inputs',
};

/** Concatenation along the channel (first per-sample) axis: the inception module's join (section 5.5.4). */
export const concat: LayerDef<'concat', JoinParams> = {
  kind: 'concat',
  category: 'structure',
  title: 'Concat',
  description: 'Stacks its inputs along the channel axis; the other dimensions must match (inception modules).',
  params,
  inputPorts: ports,
  outputShape(_p, xs) {
    const rest = (x: Shape) => x.slice(1);
    const bad = xs.findIndex((x) => !sameShape(rest(x), rest(xs[0])));
    if (bad >= 0)
      return fail(`in${bad}`, `shape ${fmt(xs[bad])} does not match in0 ${fmt(xs[0])} outside the channel axis`);
    return ok([xs.reduce((c, x) => c + x[0], 0), ...rest(xs[0])]);
  },
  paramShapes: () => ({}),
  flops: () => 0,
  sizeField: 'inputs',
};
