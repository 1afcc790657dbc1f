import type { Backend, Buf } from '../../engine/backend/backend';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import type { FloatArray } from '../../engine/backend/cpu/types';
import { initialise } from '../../engine/init/initializers';
import { Random } from '../../engine/init/random';
import { type LayerPasses, type Mode, type Shape, size } from '../../engine/layers/layer';
import { type LayerKind, layerDef } from '../../engine/layers/registry';

/** One layer built alone over buffers the test owns, on the CPU backend (f64 for gradient checks). */
export interface LayerRig {
  be: Backend<FloatArray>;
  n: number;
  x: FloatArray[];
  dx: FloatArray[];
  y: FloatArray;
  dy: FloatArray;
  weights: Record<string, FloatArray>;
  grads: Record<string, FloatArray>;
  passes: LayerPasses;
  outputShape: Shape;
  inputShapes: readonly Shape[];
}

/**
 * Builds `kind` with `params` for inputs of the given shapes; n samples (maxBatch is larger, so partial
 * batches are exercised). Inputs and weights are drawn from a seeded generator.
 */
export function buildLayer(
  kind: LayerKind,
  rawParams: unknown,
  inputShapes: readonly Shape[],
  options: { n?: number; precision?: 'f32' | 'f64'; seed?: number; dxFresh?: boolean } = {},
): LayerRig {
  const n = options.n ?? 3;
  const be = createCpuBackend(options.precision ?? 'f64');
  const random = new Random(options.seed ?? 1);
  const values = {
    x: (count: number) => Float64Array.from({ length: count }, () => random.uniform(-1, 1)),
    weight: (count: number) => {
      const values = new Float64Array(count);
      // Constants (biases, γ) get random values too, so that their gradients are not checked at a special point.
      initialise(values, { kind: 'weight', fanIn: 2, fanOut: 2 }, 'glorot-uniform', random);
      return values;
    },
  };
  const built = buildLayerBuffers(be, kind, rawParams, inputShapes, n + 1, values, options.dxFresh);
  return { be, n, inputShapes, ...built };
}

/**
 * One layer built on any backend over buffers of its own (room for `maxBatch` samples): inputs and weights
 * written from `values` (inputs first, in order, then weights in the layer's order), gradients zero.
 */
export function buildLayerBuffers<B extends Buf>(
  be: Backend<B>,
  kind: LayerKind,
  rawParams: unknown,
  inputShapes: readonly Shape[],
  maxBatch: number,
  values: {
    x(count: number, input: number): ArrayLike<number>;
    weight(count: number, name: string): ArrayLike<number>;
  },
  /** The layer told that it alone writes its inputs' gradients, outright. */
  dxFresh = false,
) {
  const def = layerDef(kind);
  const params = def.params.parse(rawParams);
  const shape = def.outputShape(params, inputShapes);
  if (!shape.ok) throw new Error(`${kind}: ${shape.message}`);
  const written = (count: number, label: string, data: ArrayLike<number>): B => {
    const buf = be.alloc(count, label);
    be.write(buf, data);
    return buf;
  };
  const x = inputShapes.map((s, i) => written(maxBatch * size(s), 'x', values.x(maxBatch * size(s), i)));
  const dx = inputShapes.map((s) => be.alloc(maxBatch * size(s), 'dx'));
  const y = def.aliasesInput ? x[0] : be.alloc(maxBatch * size(shape.shape), 'y');
  const dy = def.aliasesInput ? dx[0] : be.alloc(maxBatch * size(shape.shape), 'dy');
  const weights: Record<string, B> = {};
  const grads: Record<string, B> = {};
  for (const [name, spec] of Object.entries(def.paramSpecs(params, inputShapes))) {
    weights[name] = written(size(spec.shape), name, values.weight(size(spec.shape), name));
    grads[name] = be.alloc(size(spec.shape), `d${name}`);
  }
  // (An alias never writes: its input's gradient is its own, the one the test seeds.)
  const fresh = inputShapes.map(() => dxFresh && !def.aliasesInput);
  const passes = def.build({
    be,
    params,
    maxBatch,
    inputShapes,
    outputShape: shape.shape,
    x,
    dx,
    dxFresh: fresh,
    y,
    dy,
    weights,
    grads,
    scratch: (name, count) => be.alloc(count, name),
    seed: 99,
  });
  return { x, dx, y, dy, weights, grads, passes, outputShape: shape.shape, fresh };
}

/** L = Σ y ⊙ r over the n samples: its gradient with respect to y is r. */
export function weightedSum(rig: LayerRig, r: FloatArray): number {
  const count = rig.n * size(rig.outputShape);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += rig.y[i] * r[i];
  return sum;
}

/**
 * Runs forward, seeds dy with r, and backward; the rig's dx and grads then hold ∂L/∂·. dx starts at
 * `dxBefore` (a layer that writes its input's gradient outright is given NaN: any element it left unwritten,
 * or added into, stays NaN).
 */
export function forwardBackward(rig: LayerRig, r: FloatArray, mode: Mode, dxBefore = 0): void {
  const count = rig.n * size(rig.outputShape);
  rig.passes.forward(rig.n, mode, 7);
  for (const d of rig.dx) d.fill(dxBefore);
  for (const g of Object.values(rig.grads)) g.fill(0);
  // Aliasing layers share dy with dx: seed after clearing.
  rig.dy.fill(0);
  rig.dy.set(r.subarray(0, count));
  rig.passes.backward(rig.n, mode);
}

export type { Buf };
