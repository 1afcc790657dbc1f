import type { Shape } from '../layers/layer';
import type { LayerKind, ParamsOf } from '../layers/registry';
import { activationOps } from '../ops/activations';

/** One node as the exporter sees it: its identifiers in Python, settings and shapes. */
export interface ExportNode<K extends LayerKind> {
  /** The node's attribute on the module and its local in forward. */
  name: string;
  /** The locals holding its inputs, by port order. */
  inputs: string[];
  params: ParamsOf<K>;
  inputShapes: Shape[];
  outputShape: Shape;
}

/** A Netloom parameter as one entry of the module's state_dict (PyTorch's name and layout). */
export interface StateEntry {
  key: string;
  /** The Netloom parameter it holds (absent for what Netloom keeps implicitly, as a zero second bias). */
  from?: string;
  shape: number[];
  /** Netloom's values (its own layout) to this entry's, row-major. */
  values(netloom: (name: string) => Float32Array): Float32Array;
  /** This entry's values back in Netloom's layout (for `from`); absent when they add to `addsTo`. */
  back?(values: Float32Array): Float32Array;
  /** A tensor PyTorch keeps apart and Netloom summed (an RNN's second bias): added into that parameter. */
  addsTo?: string;
}

export interface LayerExport {
  /** The nn module made in __init__, if the layer has one. */
  module?: string;
  /** Statements on the module after it is made (in __init__). */
  setup?: string[];
  /** The expression forward assigns to the node's local. */
  forward: string;
  /** The module's parameters and buffers, from Netloom's. */
  state?: StateEntry[];
}

type Exporter<K extends LayerKind> = (n: ExportNode<K>) => LayerExport;

const pair = (v: number | readonly [number, number]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];
const tuple = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
const zeros = (n: number) => new Float32Array(n);

/** Rows × cols row-major, transposed. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** TensorFlow's 'same' along one axis, as Netloom applies it: output ⌈n / s⌉, the odd padding at the end. */
function samePadding(n: number, k: number, s: number): [before: number, after: number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

const copy = (key: string, name: string, shape: number[]): StateEntry => ({
  key,
  from: name,
  shape,
  values: (w) => w(name),
  back: (v) => v,
});

/**
 * The PyTorch code of every layer kind: the compiler requires an entry for each kind of the registry, so
 * a new layer cannot be exported as anything until it has its own.
 */
export const pytorchLayers: { [K in LayerKind]: Exporter<K> } = {
  input: () => ({ forward: 'x' }),
  dense: ({ name, inputs: [x], params: p, inputShapes: [[d]] }) => ({
    module: `nn.Linear(${d}, ${p.units}, bias=${p.bias ? 'True' : 'False'})`,
    forward: `self.${name}(${x})`,
    state: [
      // Netloom keeps W as [in, out] (y = x W); nn.Linear as [out, in].
      {
        key: `${name}.weight`,
        from: 'W',
        shape: [p.units, d],
        values: (w) => transposed(w('W'), d, p.units),
        back: (v) => transposed(v, p.units, d),
      },
      ...(p.bias ? [copy(`${name}.bias`, 'b', [p.units])] : []),
    ],
  }),
  activation: ({ inputs: [x], params: p }) => {
    if (p.fn === 'softmax') return { forward: `torch.softmax(${x}, dim=-1)` };
    const alpha = p.fn === 'leaky-relu' ? p.slope : p.alpha;
    // The expression the engine's table of operations gives for PyTorch, in x and alpha.
    return { forward: activationOps[p.fn].torch.replaceAll('alpha', String(alpha)).replace(/\bx\b/g, x) };
  },
  conv2d: ({ name, inputs: [x], params: p, inputShapes: [[c, h, w]] }) => {
    const [kh, kw] = pair(p.kernel);
    const [sh, sw] = pair(p.stride);
    const bias = p.bias ? 'True' : 'False';
    const state = [
      copy(`${name}.weight`, 'W', [p.filters, c, kh, kw]),
      ...(p.bias ? [copy(`${name}.bias`, 'b', [p.filters])] : []),
    ];
    const conv = (padding: [number, number]) =>
      `nn.Conv2d(${c}, ${p.filters}, ${tuple([kh, kw])}, stride=${tuple([sh, sw])}, padding=${tuple(padding)}, bias=${bias})`;
    if (p.padding !== 'same') {
      const padding: [number, number] = p.padding === 'valid' ? [0, 0] : pair(p.padding);
      return { module: conv(padding), forward: `self.${name}(${x})`, state };
    }
    const [top, bottom] = samePadding(h, kh, sh);
    const [left, right] = samePadding(w, kw, sw);
    if (top === bottom && left === right) return { module: conv([top, left]), forward: `self.${name}(${x})`, state };
    // TensorFlow's 'same' with the odd padding at the end: padded first, as PyTorch pads only evenly.
    return { module: conv([0, 0]), forward: `self.${name}(F.pad(${x}, ${tuple([left, right, top, bottom])}))`, state };
  },
  maxpool2d: ({ name, inputs: [x], params: p }) => ({
    module: `nn.MaxPool2d(${tuple(pair(p.size))}, stride=${tuple(pair(p.stride ?? p.size))}, padding=${tuple(pair(p.padding))})`,
    forward: `self.${name}(${x})`,
  }),
  avgpool2d: ({ name, inputs: [x], params: p }) => ({
    module: `nn.AvgPool2d(${tuple(pair(p.size))}, stride=${tuple(pair(p.stride ?? p.size))}, padding=${tuple(pair(p.padding))}, count_include_pad=True)`,
    forward: `self.${name}(${x})`,
  }),
  globalavgpool: ({ inputs: [x] }) => ({ forward: `${x}.mean(dim=(2, 3))` }),
  batchnorm: ({ name, inputs: [x], params: p, inputShapes: [shape] }) => {
    const c = shape[0];
    const kind = shape.length === 3 ? 'BatchNorm2d' : 'BatchNorm1d';
    return {
      module: `nn.${kind}(${c}, eps=${p.eps}, momentum=${p.momentum})`,
      forward: `self.${name}(${x})`,
      state: [
        copy(`${name}.weight`, 'gamma', [c]),
        copy(`${name}.bias`, 'beta', [c]),
        copy(`${name}.running_mean`, 'runningMean', [c]),
        copy(`${name}.running_var`, 'runningVar', [c]),
      ],
    };
  },
  dropout: ({ name, inputs: [x], params: p }) => ({ module: `nn.Dropout(${p.rate})`, forward: `self.${name}(${x})` }),
  flatten: ({ inputs: [x] }) => ({ forward: `${x}.flatten(1)` }),
  reshape: ({ inputs: [x], outputShape }) => ({ forward: `${x}.reshape(${x}.shape[0], ${outputShape.join(', ')})` }),
  add: ({ inputs }) => ({ forward: inputs.join(' + ') }),
  concat: ({ inputs }) => ({ forward: `torch.cat([${inputs.join(', ')}], dim=1)` }),
  rnn: (n) => recurrent(n, 'RNN', 1),
  lstm: (n) => recurrent(n, 'LSTM', 4),
};

/** Elman RNN and LSTM (gates i, f, g, o in both): Netloom's Wx [D, gU], Wh [U, gU] and one bias, transposed. */
function recurrent(n: ExportNode<'rnn'> | ExportNode<'lstm'>, kind: 'RNN' | 'LSTM', gates: number): LayerExport {
  const {
    name,
    inputs: [x],
    params: p,
    inputShapes: [[, d]],
  } = n;
  const width = gates * p.units;
  return {
    module: `nn.${kind}(${d}, ${p.units}, batch_first=True)`,
    // Netloom has one bias where PyTorch adds two: the second stays at zero and out of training.
    setup: [`self.${name}.bias_hh_l0.requires_grad_(False)`],
    forward: p.returnSequences ? `self.${name}(${x})[0]` : `self.${name}(${x})[0][:, -1]`,
    state: [
      {
        key: `${name}.weight_ih_l0`,
        from: 'Wx',
        shape: [width, d],
        values: (w) => transposed(w('Wx'), d, width),
        back: (v) => transposed(v, width, d),
      },
      {
        key: `${name}.weight_hh_l0`,
        from: 'Wh',
        shape: [width, p.units],
        values: (w) => transposed(w('Wh'), p.units, width),
        back: (v) => transposed(v, width, p.units),
      },
      copy(`${name}.bias_ih_l0`, 'b', [width]),
      { key: `${name}.bias_hh_l0`, shape: [width], values: () => zeros(width), addsTo: 'b' },
    ],
  };
}
