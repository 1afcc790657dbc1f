import type { Backend, Buf } from '../../engine/backend/backend';
import { type Mode, type Shape, size } from '../../engine/layers/layer';
import type { LayerKind } from '../../engine/layers/registry';
import { buildLayerBuffers } from './layer-harness';

/** One layer's inputs and weights, given as numbers (from a fixture or a seeded generator). */
export interface LayerSetup {
  kind: LayerKind;
  params: unknown;
  inputs: readonly Shape[];
  mode: Mode;
  /** Samples in the batch (the buffers hold one more, so that partial batches are exercised). */
  n: number;
  x: readonly (readonly number[])[];
  weights: Record<string, readonly number[]>;
  /** Running statistics and other state, when not the layer's initial values. */
  state?: Record<string, readonly number[]>;
  /** The gradient reaching y (n samples). */
  r: readonly number[];
  /**
   * The layer told that it alone writes its inputs' gradients, outright: dx (but an alias's, which is its
   * dy) then starts as NaN, which any element left unwritten (or added into) keeps.
   */
  dxFresh?: boolean;
}

export interface LayerResult {
  y: Float64Array;
  dx: Float64Array[];
  grads: Record<string, Float64Array>;
  state: Record<string, Float64Array>;
}

/**
 * Builds one layer on any backend over buffers of its own, runs forward in `mode`, seeds dy with r, runs
 * backward, and reads back y, dx (n samples), the weight gradients and the state. The same numbers go in
 * on every backend, so backends are held to the same results (and to PyTorch's).
 */
export async function runLayerOn(be: Backend, setup: LayerSetup): Promise<LayerResult> {
  const { n } = setup;
  const { dx, y, dy, grads, passes, outputShape, fresh } = buildLayerBuffers(
    be,
    setup.kind,
    setup.params,
    setup.inputs,
    n + 1,
    {
      x: (_count, i) => setup.x[i],
      weight: (_count, name) => setup.weights[name],
    },
    setup.dxFresh,
  );
  const state = passes.state ?? {};
  for (const [name, st] of Object.entries(state)) {
    be.fill(st.buf, st.initial, st.buf.length);
    const given = setup.state?.[name];
    if (given) be.write(st.buf, given);
  }
  passes.forward(n, setup.mode, 7);
  const outputs = n * size(outputShape);
  const yOut = (await be.read(y)).slice(0, outputs);
  // Aliasing layers share dy with dx: seeded after the forward pass.
  be.fill(dy, 0, dy.length);
  be.write(dy, setup.r.slice(0, outputs));
  dx.forEach((d, i) => {
    if (fresh[i]) be.fill(d, Number.NaN, d.length);
  });
  passes.backward(n, setup.mode);
  const readAll = async (bufs: Record<string, Buf>) =>
    Object.fromEntries(await Promise.all(Object.entries(bufs).map(async ([k, b]) => [k, await be.read(b)] as const)));
  return {
    y: yOut,
    dx: await Promise.all(dx.map(async (d, i) => (await be.read(d)).slice(0, n * size(setup.inputs[i])))),
    grads: await readAll(grads),
    state: await readAll(Object.fromEntries(Object.entries(state).map(([k, st]) => [k, st.buf]))),
  };
}
