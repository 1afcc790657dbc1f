import type { Shape } from '../layers/layer';
import type { LayerKind, ParamsOf } from '../layers/registry';
import { floatTensor, int64Tensor, node, type proto } from './builder';

/** One layer as the ONNX exporter sees it: its node id (also its output's name), inputs, settings, shapes. */
export interface OnnxLayer<K extends LayerKind> {
  id: string;
  /** The values feeding it, by port order. */
  inputs: string[];
  params: ParamsOf<K>;
  inputShapes: Shape[];
  outputShape: Shape;
  /** The layer's parameter or running statistic by Netloom's name, in Netloom's layout. */
  weight(name: string): Float32Array;
}

export interface OnnxPart {
  nodes: proto.INodeProto[];
  initializers: proto.ITensorProto[];
}

type Exporter<K extends LayerKind> = (l: OnnxLayer<K>) => OnnxPart;

const pair = (v: number | readonly [number, number]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** Rows × cols row-major, transposed. */
export function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/**
 * Row blocks of a gate-stacked matrix [gates × units, cols] put in another order: `order[k]` is the block
 * of the source that becomes block k. Netloom (as PyTorch) stacks an LSTM's gates i, f, g, o; ONNX i, o, f, c.
 */
export function reorderGates(
  values: Float32Array,
  units: number,
  cols: number,
  order: readonly number[],
): Float32Array {
  const block = units * cols;
  const out = new Float32Array(values.length);
  order.forEach((from, k) => {
    out.set(values.subarray(from * block, (from + 1) * block), k * block);
  });
  return out;
}

/** Netloom's gate blocks i, f, g, o in ONNX's order i, o, f, c (c is Netloom's g). */
export const ONNX_LSTM_ORDER = [0, 3, 1, 2];

/** TensorFlow's 'same' along one axis, as Netloom applies it: output ⌈n / s⌉, the odd padding at the end. */
function samePadding(n: number, k: number, s: number): [before: number, after: number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

const one = (n: proto.INodeProto, initializers: proto.ITensorProto[] = []): OnnxPart => ({ nodes: [n], initializers });

/**
 * The ONNX operators of every layer kind at opset 17, in inference form: the compiler requires an entry
 * for each kind of the registry, so a new layer cannot be exported until it has its own.
 */
export const onnxLayers: { [K in LayerKind]: Exporter<K> } = {
  input: () => ({ nodes: [], initializers: [] }),
  // y = x W + b with W kept as Netloom keeps it, [in, out].
  dense: ({ id, inputs: [x], params: p, inputShapes: [[d]], weight }) =>
    one(node('Gemm', [x, `${id}.W`, ...(p.bias ? [`${id}.b`] : [])], [id], id), [
      floatTensor(`${id}.W`, [d, p.units], weight('W')),
      ...(p.bias ? [floatTensor(`${id}.b`, [p.units], weight('b'))] : []),
    ]),
  activation: ({ id, inputs: [x], params: p }) => {
    const ops = {
      sigmoid: () => node('Sigmoid', [x], [id], id),
      tanh: () => node('Tanh', [x], [id], id),
      relu: () => node('Relu', [x], [id], id),
      'leaky-relu': () => node('LeakyRelu', [x], [id], id, { alpha: { float: p.slope } }),
      elu: () => node('Elu', [x], [id], id, { alpha: { float: p.alpha } }),
      softmax: () => node('Softmax', [x], [id], id, { axis: -1 }),
      linear: () => node('Identity', [x], [id], id),
    } satisfies Record<typeof p.fn, () => proto.INodeProto>;
    return one(ops[p.fn]());
  },
  conv2d: ({ id, inputs: [x], params: p, inputShapes: [[c, h, w]], weight }) => {
    const [kh, kw] = pair(p.kernel);
    const [sh, sw] = pair(p.stride);
    let pads: number[];
    if (p.padding === 'same') {
      const [top, bottom] = samePadding(h, kh, sh);
      const [left, right] = samePadding(w, kw, sw);
      pads = [top, left, bottom, right];
    } else {
      const [ph, pw] = p.padding === 'valid' ? [0, 0] : pair(p.padding);
      pads = [ph, pw, ph, pw];
    }
    return one(
      node('Conv', [x, `${id}.W`, ...(p.bias ? [`${id}.b`] : [])], [id], id, {
        kernel_shape: [kh, kw],
        strides: [sh, sw],
        pads,
      }),
      [
        floatTensor(`${id}.W`, [p.filters, c, kh, kw], weight('W')),
        ...(p.bias ? [floatTensor(`${id}.b`, [p.filters], weight('b'))] : []),
      ],
    );
  },
  maxpool2d: ({ id, inputs: [x], params: p }) => {
    const [ph, pw] = pair(p.padding);
    return one(
      node('MaxPool', [x], [id], id, {
        kernel_shape: pair(p.size),
        strides: pair(p.stride ?? p.size),
        pads: [ph, pw, ph, pw],
      }),
    );
  },
  avgpool2d: ({ id, inputs: [x], params: p }) => {
    const [ph, pw] = pair(p.padding);
    // Netloom counts padding as zeros in the mean (PyTorch's default).
    return one(
      node('AveragePool', [x], [id], id, {
        kernel_shape: pair(p.size),
        strides: pair(p.stride ?? p.size),
        pads: [ph, pw, ph, pw],
        count_include_pad: 1,
      }),
    );
  },
  globalavgpool: ({ id, inputs: [x] }) => ({
    nodes: [
      node('GlobalAveragePool', [x], [`${id}/pooled`], id),
      node('Flatten', [`${id}/pooled`], [id], `${id}/flatten`, { axis: 1 }),
    ],
    initializers: [],
  }),
  batchnorm: ({ id, inputs: [x], params: p, inputShapes: [shape], weight }) => {
    const c = shape[0];
    const names = ['gamma', 'beta', 'runningMean', 'runningVar'];
    return one(
      // ONNX's momentum weighs the old running statistic (Netloom's, as PyTorch's, weighs the new one).
      node('BatchNormalization', [x, ...names.map((n) => `${id}.${n}`)], [id], id, {
        epsilon: { float: p.eps },
        momentum: { float: 1 - p.momentum },
      }),
      names.map((n) => floatTensor(`${id}.${n}`, [c], weight(n))),
    );
  },
  // Kept (an identity in inference) so that its rate comes back when the model is opened again.
  dropout: ({ id, inputs: [x], params: p }) =>
    one(node('Dropout', [x, `${id}.ratio`], [id], id), [floatTensor(`${id}.ratio`, [], Float32Array.of(p.rate))]),
  flatten: ({ id, inputs: [x] }) => one(node('Flatten', [x], [id], id, { axis: 1 })),
  reshape: ({ id, inputs: [x], outputShape }) =>
    one(node('Reshape', [x, `${id}.shape`], [id], id), [int64Tensor(`${id}.shape`, [-1, ...outputShape])]),
  add: ({ id, inputs }) => one(node(inputs.length === 2 ? 'Add' : 'Sum', inputs, [id], id)),
  concat: ({ id, inputs }) => one(node('Concat', inputs, [id], id, { axis: 1 })),
  rnn: (l) => recurrent(l, 'RNN', 1),
  lstm: (l) => recurrent(l, 'LSTM', 4),
};

/**
 * Elman RNN and LSTM in ONNX's conventions: the sequence first ([T, N, D]: Netloom's batch-first input is
 * transposed), weights [1, gates × U, D] with an LSTM's gates in ONNX's order (i, o, f, c), Netloom's one bias
 * as the input bias and the recurrent bias at zero.
 */
function recurrent(l: OnnxLayer<'rnn'> | OnnxLayer<'lstm'>, op: 'RNN' | 'LSTM', gates: number): OnnxPart {
  const {
    id,
    inputs: [x],
    params: p,
    inputShapes: [[, d]],
    weight,
  } = l;
  const u = p.units;
  const order = gates === 4 ? ONNX_LSTM_ORDER : [0];
  const w = reorderGates(transposed(weight('Wx'), d, gates * u), u, d, order);
  const r = reorderGates(transposed(weight('Wh'), u, gates * u), u, u, order);
  const b = new Float32Array(2 * gates * u);
  b.set(reorderGates(weight('b'), u, 1, order));
  const nodes = [
    node('Transpose', [x], [`${id}/time-major`], `${id}/to-time-major`, { perm: [1, 0, 2] }),
    node(op, [`${id}/time-major`, `${id}.W`, `${id}.R`, `${id}.B`], [`${id}/Y`, `${id}/Y_h`], id, {
      hidden_size: u,
    }),
  ];
  const initializers = [
    floatTensor(`${id}.W`, [1, gates * u, d], w),
    floatTensor(`${id}.R`, [1, gates * u, u], r),
    floatTensor(`${id}.B`, [1, 2 * gates * u], b),
  ];
  if (p.returnSequences)
    nodes.push(
      node('Squeeze', [`${id}/Y`, `${id}/axis1`], [`${id}/steps`], `${id}/squeeze`),
      node('Transpose', [`${id}/steps`], [id], `${id}/to-batch-major`, { perm: [1, 0, 2] }),
    );
  else nodes.push(node('Squeeze', [`${id}/Y_h`, `${id}/axis0`], [id], `${id}/last`));
  initializers.push(int64Tensor(p.returnSequences ? `${id}/axis1` : `${id}/axis0`, [p.returnSequences ? 1 : 0]));
  return { nodes, initializers };
}
