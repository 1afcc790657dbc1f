import { z } from 'zod';
import { counted } from '../words';
import { constant, dim, expectPort, initName, type LayerDef, ok, sequencePort, single, weight } from './layer';
import { lstmPasses } from './lstm-passes';
import { afterEachStep, recurrentPasses, stepBuffers } from './recurrent-passes';

const params = z.strictObject({
  units: dim,
  /** Output every step [T, units] instead of the last one [units]. */
  returnSequences: z.boolean().default(false),
  init: initName.default('glorot-uniform'),
});
export type RecurrentParams = z.infer<typeof params>;

const seq = (p: RecurrentParams, T: number) => ok(p.returnSequences ? [T, p.units] : [p.units]);

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
  summary: (p) => `${counted(p.units, 'unit')}${p.returnSequences ? ', all steps' : ''}`,
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
        be.unaryBackward({
          op: 'tanh',
          x: z[t],
          y: h[t + 1],
          dy: dh,
          dx: dz,
          size: n * u,
          alpha: 0,
          accumulate: false,
        });
      },
    });
    return { ...passes, probes: { 'hidden state': afterEachStep(h, maxBatch, u) } };
  },
  sizeField: 'units',
};

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
  summary: (p) => `${counted(p.units, 'unit')}${p.returnSequences ? ', all steps' : ''}`,
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
