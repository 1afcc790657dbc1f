import { z } from 'zod';
import type { Buf } from '../backend/backend';
import { lstmSteps } from '../backend/lstm-step';
import {
  type BuildContext,
  constant,
  dim,
  expectPort,
  initName,
  type LayerDef,
  type LayerPasses,
  ok,
  type Probe,
  sequencePort,
  single,
  weight,
} from './layer';

const params = z.strictObject({
  units: dim,
  /** Output every step [T, units] instead of the last one [units]. */
  returnSequences: z.boolean().default(false),
  init: initName.default('glorot-uniform'),
});
export type RecurrentParams = z.infer<typeof params>;

const seq = (p: RecurrentParams, T: number) => ok(p.returnSequences ? [T, p.units] : [p.units]);

/** What distinguishes one recurrent cell from another, step by step. */
interface Cell {
  /** Turns the pre-activations z_t (in place, if it likes) into h_{t+1}. */
  forward(t: number, n: number): void;
  /** Clears state carried backwards through time (LSTM's dc) before a backward pass. */
  startBackward(n: number): void;
  /** From dh (all gradient reaching h_{t+1}) writes dz_t, the gradient of the pre-activations. */
  backward(t: number, n: number, dh: Buf, dz: Buf): void;
}

/** Per-step views of one allocation: h_0 … h_T (h_0 stays zero), or z_0 … z_{T−1}; `all` is the whole. */
function stepBuffers(
  ctx: BuildContext<RecurrentParams>,
  name: string,
  steps: number,
  size: number,
): Buf[] & { all: Buf } {
  const all = ctx.scratch(name, steps * size);
  return Object.assign(
    Array.from({ length: steps }, (_, t) => ctx.be.view(all, t * size, size)),
    { all },
  );
}

/** A state over steps 1 … T of a per-step allocation whose step 0 is the initial state (h_0, c_0). */
const afterEachStep = (steps: Buf[] & { all: Buf }, maxBatch: number, u: number): Probe => ({
  buf: steps.all,
  offset: maxBatch * u,
  steps: steps.length - 1,
  width: u,
  stepStride: maxBatch * u,
});

/**
 * A recurrent layer's passes step by step, over x[N, T, D] with `width` pre-activations per unit and a
 * cell of its own (the Elman RNN's: width 1, tanh; the LSTM has passes of its own, a step in one call each
 * way, lstmPasses):
 *  - all input projections at once: P[N·T, width·U] = X[N·T, D] Wx;
 *  - per step t: z_t = P[:, t] + h_t Wh + b, then the cell turns z_t into h_{t+1};
 *  - backward through time (the paper's chapter 6): from the last step down, the cell gives dz_t from
 *    dh, then dWh += h_tᵀ dz_t, db += Σ dz_t, dh ← dz_t Whᵀ; finally dWx and dX in one product each.
 */
function recurrentPasses(
  ctx: BuildContext<RecurrentParams>,
  width: number,
  h: Buf[],
  z: Buf[],
  cell: Cell,
): LayerPasses {
  const {
    be,
    params: p,
    inputShapes,
    x: [x],
    dx: [dx],
    y,
    dy,
    weights,
    grads,
    scratch,
    maxBatch,
  } = ctx;
  const [T, D] = inputShapes[0];
  const u = p.units;
  const wu = width * u;
  const projected = scratch('projected', maxBatch * T * wu);
  const dProjected = scratch('dProjected', maxBatch * T * wu);
  const dz = scratch('dz', maxBatch * wu);
  const dh = scratch('dh', maxBatch * u);
  /** Offset and stride of step t's block in a [N, T, cols] tensor. */
  const stepOf = (t: number, cols: number) => ({ offset: t * cols, stride: T * cols });
  return {
    forward(n) {
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
        // The bias once for every step (rather than in each step's loop).
        bias: weights.b,
      });
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
      // Every step's pre-activation gradient is in dProjected: the bias gradient sums them all at once.
      be.biasGrad({ dy: dProjected, dBias: grads.b, outer: n * T, channels: wu, inner: 1 });
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
          accumulate: true,
        });
    },
  };
}

const recurrentSpecs =
  (width: number) =>
  (p: RecurrentParams, [x]: readonly (readonly number[])[]) => ({
    Wx: weight([x[1], width * p.units], x[1], width * p.units),
    Wh: weight([p.units, width * p.units], p.units, width * p.units),
    b: constant([width * p.units], 0),
  });

/** Elman RNN, the paper's chapter 6: h_t = tanh(x_t Wx + h_{t-1} Wh + b). */
export const rnn: LayerDef<'rnn', RecurrentParams> = {
  kind: 'rnn',
  category: 'recurrent',
  title: 'RNN',
  description: 'Elman recurrent layer: the state is updated from the current input and the previous state (tanh).',
  params,
  inputPorts: () => single,
  accepts: sequencePort,
  outputShape: (p, [x]) => expectPort(x, sequencePort) ?? seq(p, x[0]),
  paramSpecs: recurrentSpecs(1),
  flops: (p, [x]) => x[0] * 2 * (x[1] + p.units) * p.units,
  summary: (p) => `${p.units} units${p.returnSequences ? ', all steps' : ''}`,
  formula: {
    forward: 'h_t = tanh(x_t Wx + h_{t−1} Wh + b)',
    backward: 'through time: dz_t = dh_t ⊙ (1 − h_t²), dh_{t−1} = dz_t Whᵀ, dW += Σ_t inputsᵀ dz_t',
  },
  defaults: { units: 64 },
  examples: [
    { params: { units: 3 }, inputs: [[4, 2]] },
    { params: { units: 2, returnSequences: true }, inputs: [[3, 3]] },
  ],
  build(ctx) {
    const { be, params: p, inputShapes, maxBatch } = ctx;
    const T = inputShapes[0][0];
    const u = p.units;
    const h = stepBuffers(ctx, 'h', T + 1, maxBatch * u);
    const z = stepBuffers(ctx, 'z', T, maxBatch * u);
    const passes = recurrentPasses(ctx, 1, h, z, {
      forward: (t, n) => be.unary({ op: 'tanh', x: z[t], y: h[t + 1], size: n * u, alpha: 0 }),
      startBackward() {},
      backward(t, n, dh, dz) {
        be.fill(dz, 0, n * u);
        be.unaryBackward({ op: 'tanh', x: z[t], y: h[t + 1], dy: dh, dx: dz, size: n * u, alpha: 0 });
      },
    });
    return { ...passes, probes: { 'hidden state': afterEachStep(h, maxBatch, u) } };
  },
  sizeField: 'units',
};

/**
 * The LSTM's passes, a step in one call each way (one kernel on the GPU: lstm-step.ts):
 *  - all input projections at once: P[N·T, 4U] = X[N·T, D] Wx + b;
 *  - per step t: gates, c_{t+1} and h_{t+1} from P[:, t] + h_t Wh (and h_{t+1} into y for all steps);
 *  - backward from the last step down: dh = dy's part + dz_{t+1} Whᵀ, then the cell gives dz_t (kept per
 *    step, and in dProjected by sample); after the loop dWh = Σ_t h_tᵀ dz_t, db, dWx and dX in one product
 *    each.
 */
function lstmPasses(
  ctx: BuildContext<RecurrentParams>,
  h: Buf[] & { all: Buf },
  c: Buf[] & { all: Buf },
  gates: Buf[],
): LayerPasses {
  const {
    be,
    params: p,
    inputShapes,
    x: [x],
    dx: [dx],
    y,
    dy,
    weights,
    grads,
    scratch,
    maxBatch,
  } = ctx;
  const [T, D] = inputShapes[0];
  const u = p.units;
  const wu = 4 * u;
  const steps = lstmSteps(be);
  const projected = scratch('projected', maxBatch * T * wu);
  const dProjected = scratch('dProjected', maxBatch * T * wu);
  // Step by step, like h: rows (t, b) line up with h's for the one product that makes dWh.
  const dz = stepBuffers(ctx, 'dz', T, maxBatch * wu);
  const dc = scratch('dc', maxBatch * u);
  const dh = scratch('dh', maxBatch * u);
  // P[b, t] of sample b's step t in the [N, T, 4U] projection.
  const pStride = T * wu;
  return {
    forward(n) {
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
      for (let t = 0; t < T; t++)
        steps.forward({
          projected,
          pOffset: t * wu,
          pStride,
          h: h[t],
          wh: weights.Wh,
          gates: gates[t],
          cPrev: c[t],
          c: c[t + 1],
          hNext: h[t + 1],
          y: p.returnSequences ? y : undefined,
          yOffset: t * u,
          yStride: T * u,
          n,
          u,
        });
      if (!p.returnSequences) be.copy({ src: h[T], out: y, size: n * u, accumulate: false });
    },
    backward(n) {
      be.fill(dc, 0, n * u);
      // The dWh product reads every step's maxBatch rows: those past n must add nothing.
      if (n < maxBatch) be.fill(dz.all, 0, dz.all.length);
      for (let t = T - 1; t >= 0; t--) {
        // dy reaches every step's h (all steps returned), or only the last one's.
        const dyPart = p.returnSequences ? { dyOffset: t * u, dyStride: T * u } : { dyOffset: 0, dyStride: u };
        steps.backward({
          dy: p.returnSequences || t === T - 1 ? dy : undefined,
          ...dyPart,
          dzNext: t < T - 1 ? dz[t + 1] : undefined,
          wh: weights.Wh,
          gates: gates[t],
          cPrev: c[t],
          c: c[t + 1],
          dc,
          dz: dz[t],
          dProjected,
          pOffset: t * wu,
          pStride,
          dh,
          n,
          u,
        });
      }
      // dWh = Σ_t h_tᵀ dz_t over steps 0 … T−1 at once (h_0 is zero).
      be.matmul({
        a: be.view(h.all, 0, T * maxBatch * u),
        b: dz.all,
        out: grads.Wh,
        m: u,
        n: wu,
        k: T * maxBatch,
        transA: true,
        transB: false,
        accumulate: true,
      });
      be.biasGrad({ dy: dProjected, dBias: grads.b, outer: n * T, channels: wu, inner: 1 });
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
          accumulate: true,
        });
    },
  };
}

/**
 * LSTM, the paper's chapter 6: input, forget and output gates and a cell state; the four gate
 * pre-activations share one weight matrix of 4 * units columns, in PyTorch's order (i, f, g, o).
 */
export const lstm: LayerDef<'lstm', RecurrentParams> = {
  kind: 'lstm',
  category: 'recurrent',
  title: 'LSTM',
  description: 'Long short-term memory: gates decide what the cell state forgets, stores and outputs at each step.',
  params,
  inputPorts: () => single,
  accepts: sequencePort,
  outputShape: (p, [x]) => expectPort(x, sequencePort) ?? seq(p, x[0]),
  paramSpecs: recurrentSpecs(4),
  flops: (p, [x]) => x[0] * 2 * (x[1] + p.units) * 4 * p.units,
  summary: (p) => `${p.units} units${p.returnSequences ? ', all steps' : ''}`,
  formula: {
    forward: 'i, f, o = σ(·), g = tanh(·) of x_t Wx + h_{t−1} Wh + b;  c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)',
    backward:
      'through time: δc = dc + dh ⊙ o ⊙ (1 − tanh² c); gates get δc ⊙ g, δc ⊙ c_{t−1}, δc ⊙ i, dh ⊙ tanh c; dc_{t−1} = δc ⊙ f',
  },
  defaults: { units: 64 },
  examples: [
    { params: { units: 3 }, inputs: [[4, 2]] },
    { params: { units: 2, returnSequences: true }, inputs: [[3, 3]] },
  ],
  build(ctx) {
    const { maxBatch } = ctx;
    const T = ctx.inputShapes[0][0];
    const u = ctx.params.units;
    const h = stepBuffers(ctx, 'h', T + 1, maxBatch * u);
    const c = stepBuffers(ctx, 'c', T + 1, maxBatch * u);
    // Each step's activated gates, which the backward pass needs.
    const gates = stepBuffers(ctx, 'gates', T, maxBatch * 4 * u);
    const passes = lstmPasses(ctx, h, c, gates);
    return {
      ...passes,
      probes: {
        'hidden state': afterEachStep(h, maxBatch, u),
        'cell state': afterEachStep(c, maxBatch, u),
        // After the cell, each step's block holds the activated gates, sample by sample, in PyTorch's order.
        gates: {
          buf: gates.all,
          offset: 0,
          steps: T,
          width: 4 * u,
          stepStride: maxBatch * 4 * u,
          parts: ['input gate', 'forget gate', 'cell candidate', 'output gate'],
        },
      },
    };
  },
  sizeField: 'units',
};
