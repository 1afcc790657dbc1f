import type { Buf } from '../backend/backend';
import type { BuildContext, LayerPasses, Probe } from './layer';
import type { RecurrentParams } from './recurrent';

/** Per-step views of one allocation, and the whole of it. */
export type StepBuffers = Buf[] & { all: Buf };

/** What distinguishes one recurrent cell from another, step by step. */
export interface Cell {
  /** Turns the pre-activations z_t (in place, if it likes) into h_{t+1}. */
  forward(t: number, n: number): void;
  /** Clears state carried backwards through time (LSTM's dc) before a backward pass. */
  startBackward(n: number): void;
  /** From dh (all gradient reaching h_{t+1}) writes dz_t, the gradient of the pre-activations. */
  backward(t: number, n: number, dh: Buf, dz: Buf): void;
}

/** Per-step views of one allocation: h_0 … h_T (h_0 stays zero), or z_0 … z_{T−1}; `all` is the whole. */
export function stepBuffers(
  ctx: BuildContext<RecurrentParams>,
  name: string,
  steps: number,
  size: number,
): StepBuffers {
  const all = ctx.scratch(name, steps * size);
  return Object.assign(
    Array.from({ length: steps }, (_, t) => ctx.be.view(all, t * size, size)),
    { all },
  );
}

/** A state over steps 1 … T of a per-step allocation whose step 0 is the initial state (h_0, c_0). */
export const afterEachStep = (steps: StepBuffers, maxBatch: number, u: number): Probe => ({
  buf: steps.all,
  offset: maxBatch * u,
  steps: steps.length - 1,
  width: u,
  stepStride: maxBatch * u,
});

/**
 * Every step's input projection at once and its gradients: P[N·T, width·U] = X[N·T, D] Wx + b (the bias
 * once for every step rather than in each step's loop), and from dProjected (every step's pre-activation
 * gradients, [N, T, width·U]) db, dWx and dX, one call each.
 */
export function inputProjection(ctx: BuildContext<RecurrentParams>, wu: number) {
  const {
    be,
    inputShapes,
    x: [x],
    dx: [dx],
    dxFresh: [fresh],
    weights,
    grads,
    scratch,
    maxBatch,
  } = ctx;
  const [T, D] = inputShapes[0];
  const projected = scratch('projected', maxBatch * T * wu);
  const dProjected = scratch('dProjected', maxBatch * T * wu);
  return {
    projected,
    dProjected,
    project(n: number) {
      be.matmul({
        a: x,
        b: weights.Wx,
        out: projected,
        m: n * T,
        n: wu,
        k: D,
        transA: false,
        transB: false,
        accumulate: false,
        bias: weights.b,
      });
    },
    backward(n: number) {
      // dWx += xᵀ·dProjected over every step at once, and db += its column sums in the same pass.
      be.matmul({
        a: x,
        b: dProjected,
        out: grads.Wx,
        m: D,
        n: wu,
        k: n * T,
        transA: true,
        transB: false,
        accumulate: true,
        bColumnSums: grads.b,
      });
      if (dx)
        be.matmul({
          a: dProjected,
          b: weights.Wx,
          out: dx,
          m: n * T,
          n: D,
          k: wu,
          transA: false,
          transB: true,
          accumulate: !fresh,
        });
    },
  };
}

/**
 * A recurrent layer's passes step by step, over x[N, T, D] with `width` pre-activations per unit and a
 * cell of its own (the Elman RNN's: width 1, tanh; the LSTM has passes of its own, a step in one call each
 * way, lstmPasses):
 *  - all input projections at once: P[N·T, width·U] = X[N·T, D] Wx;
 *  - per step t: z_t = P[:, t] + h_t Wh + b, then the cell turns z_t into h_{t+1};
 *  - backward through time (the paper's chapter 6): from the last step down, the cell gives dz_t from
 *    dh, then dWh += h_tᵀ dz_t, db += Σ dz_t, dh ← dz_t Whᵀ; finally dWx and dX in one product each.
 */
export function recurrentPasses(
  ctx: BuildContext<RecurrentParams>,
  width: number,
  h: Buf[],
  z: Buf[],
  cell: Cell,
): LayerPasses {
  const { be, params: p, inputShapes, y, dy, weights, grads, scratch, maxBatch } = ctx;
  const [T] = inputShapes[0];
  const u = p.units;
  const wu = width * u;
  const inputs = inputProjection(ctx, wu);
  const { projected, dProjected } = inputs;
  const dz = scratch('dz', maxBatch * wu);
  const dh = scratch('dh', maxBatch * u);
  /** Offset and stride of step t's block in a [N, T, cols] tensor. */
  const stepOf = (t: number, cols: number) => ({ offset: t * cols, stride: T * cols });
  return {
    forward(n) {
      inputs.project(n);
      for (let t = 0; t < T; t++) {
        const s = stepOf(t, wu);
        be.copyBlocks({
          src: projected,
          srcOffset: s.offset,
          srcStride: s.stride,
          out: z[t],
          outOffset: 0,
          outStride: wu,
          blocks: n,
          blockSize: wu,
          accumulate: false,
        });
        be.matmul({
          a: h[t],
          b: weights.Wh,
          out: z[t],
          m: n,
          n: wu,
          k: u,
          transA: false,
          transB: false,
          accumulate: true,
        });
        cell.forward(t, n);
        if (p.returnSequences) {
          const o = stepOf(t, u);
          be.copyBlocks({
            src: h[t + 1],
            srcOffset: 0,
            srcStride: u,
            out: y,
            outOffset: o.offset,
            outStride: o.stride,
            blocks: n,
            blockSize: u,
            accumulate: false,
          });
        }
      }
      if (!p.returnSequences) be.copy({ src: h[T], out: y, size: n * u, accumulate: false });
    },
    backward(n) {
      be.fill(dh, 0, n * u);
      cell.startBackward(n);
      for (let t = T - 1; t >= 0; t--) {
        if (p.returnSequences) {
          const o = stepOf(t, u);
          be.copyBlocks({
            src: dy,
            srcOffset: o.offset,
            srcStride: o.stride,
            out: dh,
            outOffset: 0,
            outStride: u,
            blocks: n,
            blockSize: u,
            accumulate: true,
          });
        } else if (t === T - 1) be.copy({ src: dy, out: dh, size: n * u, accumulate: true });
        cell.backward(t, n, dh, dz);
        be.matmul({ a: h[t], b: dz, out: grads.Wh, m: u, n: wu, k: n, transA: true, transB: false, accumulate: true });
        be.matmul({ a: dz, b: weights.Wh, out: dh, m: n, n: u, k: wu, transA: false, transB: true, accumulate: false });
        const s = stepOf(t, wu);
        be.copyBlocks({
          src: dz,
          srcOffset: 0,
          srcStride: wu,
          out: dProjected,
          outOffset: s.offset,
          outStride: s.stride,
          blocks: n,
          blockSize: wu,
          accumulate: false,
        });
      }
      // Every step's pre-activation gradient is in dProjected: db, dWx and dX at once.
      inputs.backward(n);
    },
  };
}
