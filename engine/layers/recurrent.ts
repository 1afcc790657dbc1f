import { z } from 'zod';
import { dim, expectRank, initName, type LayerDef, ok, single } from './layer';

const params = z.strictObject({
  units: dim,
  /** Output every step [T, units] instead of the last one [units]. */
  returnSequences: z.boolean().default(false),
  init: initName.default('glorot-uniform'),
});
export type RecurrentParams = z.infer<typeof params>;

const seq = (p: RecurrentParams, T: number) => ok(p.returnSequences ? [T, p.units] : [p.units]);

/** Elman RNN, the paper's section 6.2: h_t = tanh(x_t Wx + h_{t-1} Wh + b). */
export const rnn: LayerDef<'rnn', RecurrentParams> = {
  kind: 'rnn',
  category: 'recurrent',
  title: 'RNN',
  description: 'Elman recurrent layer: the state is updated from the current input and the previous state (tanh).',
  params,
  inputPorts: () => single,
  outputShape: (p, [x]) => expectRank(x, 2, 'a sequence [T, D]') ?? seq(p, x[0]),
  paramShapes: (p, [x]) => ({ Wx: [x[1], p.units], Wh: [p.units, p.units], b: [p.units] }),
  flops: (p, [x]) => x[0] * 2 * (x[1] + p.units) * p.units,
  summary: (p) => `${p.units} units${p.returnSequences ? ', all steps' : ''}`,
  sizeField: 'units',
};

/**
 * LSTM, the paper's chapter 6.3: input, forget and output gates and a cell state;
 * the four gate pre-activations share one weight matrix of 4 * units columns (i, f, g, o).
 */
export const lstm: LayerDef<'lstm', RecurrentParams> = {
  kind: 'lstm',
  category: 'recurrent',
  title: 'LSTM',
  description: 'Long short-term memory: gates decide what the cell state forgets, stores and outputs at each step.',
  params,
  inputPorts: () => single,
  outputShape: (p, [x]) => expectRank(x, 2, 'a sequence [T, D]') ?? seq(p, x[0]),
  paramShapes: (p, [x]) => ({ Wx: [x[1], 4 * p.units], Wh: [p.units, 4 * p.units], b: [4 * p.units] }),
  flops: (p, [x]) => x[0] * 2 * (x[1] + p.units) * 4 * p.units,
  summary: (p) => `${p.units} units${p.returnSequences ? ', all steps' : ''}`,
  sizeField: 'units',
};
