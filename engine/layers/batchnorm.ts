import { z } from 'zod';
import { constant, expectPort, type LayerDef, ok, single, size, vectorOrImagePort } from './layer';

const params = z.strictObject({
  /** Weight of the new batch in the running averages (PyTorch's convention). */
  momentum: z.number().gt(0).max(1).default(0.1),
  eps: z.number().gt(0).max(1).default(1e-5),
});
export type BatchNormParams = z.infer<typeof params>;

/**
 * Batch normalisation, the paper's section 5.4: normalise each feature (dense, [D]) or channel
 * (conv, [C, H, W]) with the batch statistics, then scale by gamma and shift by beta.
 */
export const batchnorm: LayerDef<'batchnorm', BatchNormParams> = {
  kind: 'batchnorm',
  category: 'normalisation',
  title: 'BatchNorm',
  description: 'Normalises each feature or channel over the batch, then applies a learned scale and shift.',
  params,
  inputPorts: () => single,
  accepts: vectorOrImagePort,
  outputShape: (_p, [x]) => expectPort(x, vectorOrImagePort) ?? ok(x),
  paramSpecs: (_p, [x]) => ({ gamma: constant([x[0]], 1), beta: constant([x[0]], 0) }),
  flops: (_p, [x]) => 4 * size(x),
  formula: {
    forward: 'x̂ = (x − μ_B) / √(σ²_B + ε),  y = γ x̂ + β',
    backward: 'dγ = Σ dy x̂,  dβ = Σ dy,  dx = γ/(Mσ) (M dy − Σ dy − x̂ Σ dy x̂)',
  },
  defaults: {},
  examples: [
    { params: {}, inputs: [[4]] },
    { params: { momentum: 0.2, eps: 1e-3 }, inputs: [[2, 3, 3]] },
  ],
  build({ be, params: p, inputShapes: [shape], x: [x], dx: [dx], dxFresh: [fresh], ...rest }) {
    const { y, dy, weights, grads, scratch, maxBatch } = rest;
    const c = shape[0];
    const inner = size(shape) / c;
    const xhat = scratch('xhat', maxBatch * size(shape));
    const mean = scratch('mean', c);
    const invStd = scratch('invStd', c);
    const runningMean = scratch('runningMean', c);
    const runningVar = scratch('runningVar', c);
    const { gamma, beta } = weights;
    // The kernel always writes an input gradient; when none is wanted it goes to a scratch buffer.
    const dxOut = dx ?? scratch('discardedDx', maxBatch * size(shape));
    return {
      forward(n, mode) {
        be.batchNorm({
          x,
          y,
          xhat,
          mean,
          invStd,
          gamma,
          beta,
          runningMean,
          runningVar,
          n,
          c,
          inner,
          eps: p.eps,
          momentum: p.momentum,
          train: mode === 'train',
        });
      },
      backward(n, mode) {
        be.batchNormBackward({
          dy,
          xhat,
          invStd,
          gamma,
          dGamma: grads.gamma,
          dBeta: grads.beta,
          dx: dxOut,
          n,
          c,
          inner,
          train: mode === 'train',
          // (The discarded gradient is written, never added up.)
          accumulate: dx !== null && !fresh,
        });
      },
      state: { runningMean: { buf: runningMean, initial: 0 }, runningVar: { buf: runningVar, initial: 1 } },
    };
  },
  sizeField: 'in',
};
