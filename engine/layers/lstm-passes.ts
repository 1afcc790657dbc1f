import type { Buf } from '../backend/backend';
import { lstmSteps } from '../backend/lstm-step';
import type { BuildContext, LayerPasses } from './layer';
import type { RecurrentParams } from './recurrent';
import { inputProjection, type StepBuffers, stepBuffers } from './recurrent-passes';

/**
 * The LSTM's passes, a step in one call each way (one kernel on the GPU: lstm-step.ts):
 *  - all input projections at once: P[N·T, 4U] = X[N·T, D] Wx + b;
 *  - per step t: gates, c_{t+1} and h_{t+1} from P[:, t] + h_t Wh (and h_{t+1} into y for all steps);
 *  - backward from the last step down: dh = dy's part + dz_{t+1} Whᵀ, then the cell gives dz_t (kept per
 *    step, and in dProjected by sample); after the loop dWh = Σ_t h_tᵀ dz_t, db, dWx and dX in one product
 *    each.
 */
export function lstmPasses(
  ctx: BuildContext<RecurrentParams>,
  h: StepBuffers,
  c: StepBuffers,
  gates: Buf[],
): LayerPasses {
  const { be, params: p, inputShapes, y, dy, weights, grads, scratch, maxBatch } = ctx;
  const [T] = inputShapes[0];
  const u = p.units;
  const wu = 4 * u;
  const steps = lstmSteps(be);
  const inputs = inputProjection(ctx, wu);
  const { projected, dProjected } = inputs;
  // Step by step, like h: rows (t, b) line up with h's for the one product that makes dWh.
  const dz = stepBuffers(ctx, 'dz', T, maxBatch * wu);
  // h_0 … h_{T−1}, the states each step started from, as one tensor of T·maxBatch rows.
  const hBefore = be.view(h.all, 0, T * maxBatch * u);
  const dc = scratch('dc', maxBatch * u);
  const dh = scratch('dh', maxBatch * u);
  // P[b, t] of sample b's step t in the [N, T, 4U] projection.
  const pStride = T * wu;
  return {
    forward(n) {
      inputs.project(n);
      for (let t = 0; t < T; t++)
        steps.forward({
          first: t === 0,
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
        steps.backward({
          first: t === T - 1,
          // dy reaches every step's h (all steps returned), or only the last one's.
          dy: p.returnSequences || t === T - 1 ? dy : undefined,
          dyOffset: p.returnSequences ? t * u : 0,
          dyStride: p.returnSequences ? T * u : u,
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
        a: hBefore,
        b: dz.all,
        out: grads.Wh,
        m: u,
        n: wu,
        k: T * maxBatch,
        transA: true,
        transB: false,
        accumulate: true,
      });
      inputs.backward(n);
    },
  };
}
