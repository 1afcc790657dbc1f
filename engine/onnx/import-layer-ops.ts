import { ONNX_LSTM_ORDER, reorderGates, transposed } from './export-layers';
import { axisOf, constant, decimal, f32, type Handler, type OpContext, tensor, uniform } from './import-context';
import { BATCH, type Const, elements, type Flow, flow, type Value } from './import-values';

/** The operators that become Netloom layers: each checks that Netloom has what ONNX says, or names what not. */

/** 2-D windows: kernel, strides and pads [top, left, bottom, right], checked to be what Netloom has. */
function windows(c: OpContext, extraPads: number[] = [0, 0, 0, 0]) {
  const kernel = c.ints('kernel_shape', []);
  if (kernel.length !== 2) throw c.fail('only 2-D windows (kernel_shape of two numbers)');
  const strides = c.ints('strides', [1, 1]);
  const pads = c.ints('pads', [0, 0, 0, 0]).map((p, i) => p + extraPads[i]);
  if (c.ints('dilations', [1, 1]).some((d) => d !== 1)) throw c.fail('dilated windows are not in Netloom');
  if (c.int('ceil_mode', 0) !== 0) throw c.fail('ceil_mode 1 is not in Netloom (its pooling rounds down)');
  const autoPad = c.string('auto_pad', 'NOTSET');
  return { kernel, strides, pads, autoPad };
}

/** Padding Netloom can express: 'valid', symmetric numbers, or TensorFlow's 'same' (odd padding at the end). */
function netloomPadding(
  c: OpContext,
  [h, w]: number[],
  kernel: number[],
  strides: number[],
  pads: number[],
  autoPad: string,
): 'valid' | 'same' | number | [number, number] {
  const same = [h, w].map((n, i) => {
    const total = Math.max((Math.ceil(n / strides[i]) - 1) * strides[i] + kernel[i] - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
  if (autoPad === 'SAME_UPPER') return 'same';
  if (autoPad === 'VALID') return 'valid';
  if (autoPad !== 'NOTSET') throw c.fail(`auto_pad ${autoPad} is not in Netloom`);
  const [top, left, bottom, right] = pads;
  if (top === bottom && left === right) return top === 0 && left === 0 ? 'valid' : top === left ? top : [top, left];
  if (top === same[0][0] && bottom === same[0][1] && left === same[1][0] && right === same[1][1]) return 'same';
  throw c.fail(`uneven padding [${pads}] that is not TensorFlow's 'same' (Netloom pads evenly or as 'same')`);
}

/** A tensor read as a convolution or pooling input, with a Pad before it folded in. */
function windowInput(c: OpContext): { x: Flow; extra: number[] } {
  const v = c.input(0);
  if (v.kind === 'padded') return { x: v.source, extra: v.pads };
  const x = tensor(c, v);
  if (x.shape.length !== 3 || x.onnxShape.length !== 3) throw c.fail(`its input has shape [${x.shape}], not [C, H, W]`);
  return { x, extra: [0, 0, 0, 0] };
}

export function conv(c: OpContext): Value[] {
  const { x, extra } = windowInput(c);
  if (c.int('group', 1) !== 1) throw c.fail('grouped convolutions are not in Netloom');
  const w = c.input(1);
  if (w.kind !== 'const' || w.dims.length !== 4) throw c.fail('its weights must be a constant [F, C, kh, kw]');
  const [filters, channels, kh, kw] = w.dims;
  if (channels !== x.shape[0]) throw c.fail(`weights for ${channels} channels; its input has ${x.shape[0]}`);
  const { kernel, strides, pads, autoPad } = windows(c, extra);
  const k = kernel.length === 2 ? kernel : [kh, kw];
  if (k[0] !== kh || k[1] !== kw) throw c.fail(`kernel_shape [${kernel}] differs from its weights' [${kh}, ${kw}]`);
  const padding = netloomPadding(c, x.shape.slice(1), k, strides, pads, autoPad);
  const b = c.optional(2);
  const id = c.layer(
    'conv2d',
    {
      filters,
      kernel: kh === kw ? kh : [kh, kw],
      stride: strides[0] === strides[1] ? strides[0] : strides,
      padding,
      bias: !!b,
    },
    [x],
    { W: f32(c, constant(c, w, 'its weights')), ...(b && { b: f32(c, constant(c, b, 'its bias')) }) },
  );
  return [flow(id, c.shapeOf(id))];
}

export function pool(kind: 'maxpool2d' | 'avgpool2d'): Handler {
  return (c) => {
    const { x, extra } = windowInput(c);
    if (kind === 'maxpool2d' && extra.some((p) => p !== 0))
      throw c.fail('max pooling of zero-padded input is not in Netloom (it pads with −∞)');
    if (kind === 'maxpool2d' && c.node.output && c.node.output.length > 1 && c.node.output[1])
      throw c.fail('the indices output of MaxPool is not in Netloom');
    const { kernel, strides, pads, autoPad } = windows(c, extra);
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw c.fail(`auto_pad ${autoPad} is not in Netloom's pooling`);
    if (pads[0] !== pads[2] || pads[1] !== pads[3]) throw c.fail(`uneven padding [${pads}] in pooling`);
    if (
      kind === 'avgpool2d' &&
      (pads[0] > 0 || pads[1] > 0) &&
      extra.every((p) => p === 0) &&
      c.int('count_include_pad', 0) !== 1
    )
      throw c.fail('average pooling that leaves padding out of the mean (Netloom counts it as zeros)');
    const pair = (v: number[]) => (v[0] === v[1] ? v[0] : v);
    // A stride equal to the window is Netloom's default (and how it says "the window's size").
    const sameStride = strides[0] === kernel[0] && strides[1] === kernel[1];
    const settings = {
      size: pair(kernel),
      ...(!sameStride && { stride: pair(strides) }),
      padding: pair([pads[0], pads[1]]),
    };
    const id = c.layer(kind, settings, [x]);
    return [flow(id, c.shapeOf(id))];
  };
}

export function activation(fn: string, extra: (c: OpContext) => Record<string, unknown> = () => ({})): Handler {
  return (c) => {
    const x = tensor(c, c.input(0));
    if (fn === 'softmax') {
      // Opset 13 on: one axis (default the last); before: the rest flattened from axis 1, the same for [N, D].
      const axis = axisOf(c.int('axis', c.opset >= 13 ? -1 : 1), x.onnxShape.length + 1);
      if (x.onnxShape.length !== 1 || axis !== 1) throw c.fail('a softmax over anything but the features of [N, D]');
    }
    const id = c.layer('activation', { fn, ...extra(c) }, [x]);
    return [{ ...x, kind: 'flow', node: id, take: undefined }];
  };
}

/** Gemm(A, B, C): y = alpha A B' + beta C, as a Dense layer with W = alpha B' ([in, out]) and b = beta C. */
export function gemm(c: OpContext): Value[] {
  const x = tensor(c, c.input(0));
  if (x.onnxShape.length !== 1) throw c.fail(`its input has shape [${x.onnxShape}], not [N, D]`);
  if (c.int('transA', 0) !== 0) throw c.fail('transA = 1 (the batch must be the first dimension)');
  const b = c.input(1);
  if (b.kind !== 'const' || b.dims.length !== 2) throw c.fail('its weights must be a constant matrix');
  const trans = c.int('transB', 0) === 1;
  const [rows, cols] = b.dims;
  const [inputs, units] = trans ? [cols, rows] : [rows, cols];
  if (inputs !== x.shape[0]) throw c.fail(`weights for ${inputs} inputs; its input has ${x.shape[0]}`);
  const alpha = c.float('alpha', 1);
  const beta = c.float('beta', 1);
  let w: Float32Array = f32(c, constant(c, b, 'its weights'));
  if (trans) w = transposed(w, rows, cols);
  if (alpha !== 1) w = w.map((v) => v * alpha);
  const bias = c.optional(2);
  let bValues: Float32Array<ArrayBufferLike> | undefined;
  if (bias) {
    if (bias.kind !== 'const') throw c.fail('its bias must be a constant');
    const values = f32(c, constant(c, bias, 'its bias'));
    if (values.length !== units && values.length !== 1)
      throw c.fail(`a bias of ${values.length} values for ${units} units`);
    bValues = values.length === units ? values : new Float32Array(units).fill(values[0]);
    if (beta !== 1) bValues = bValues.map((v) => v * beta);
  }
  const id = c.layer('dense', { units, bias: !!bValues }, [x], { W: w, ...(bValues && { b: bValues }) });
  return [flow(id, [units])];
}

/** MatMul by a constant [in, out]: a Dense layer without bias (an Add of a constant after it becomes its bias). */
export function matmul(c: OpContext): Value[] {
  const x = tensor(c, c.input(0));
  const w = c.input(1);
  if (w.kind !== 'const' || w.dims.length !== 2) throw c.fail('only a product with a constant matrix (a dense layer)');
  if (x.onnxShape.length !== 1)
    throw c.fail(`its input has shape [${x.onnxShape}]; Netloom's dense layers take [N, D]`);
  const [inputs, units] = w.dims;
  if (inputs !== x.shape[0]) throw c.fail(`weights for ${inputs} inputs; its input has ${x.shape[0]}`);
  const id = c.layer('dense', { units, bias: false }, [x], { W: f32(c, constant(c, w, 'its weights')) });
  return [flow(id, [units])];
}

/** Add: of two tensors, a join; of a tensor and a constant, the bias of the dense layer that made the tensor. */
export function add(c: OpContext): Value[] {
  const [a, b] = [c.input(0), c.input(1)];
  if (a.kind === 'const' && b.kind === 'const') return [elementwise(c, a, b, (x, y) => x + y)];
  const [t, k] = a.kind === 'const' ? [b, a] : b.kind === 'const' ? [a, b] : [a, b];
  if (k.kind === 'const') {
    const x = tensor(c, t);
    const layer = c.layerOf(x.node);
    const values = constant(c, k, 'the added constant');
    if (layer.kind !== 'dense' || layer.params.bias || values.length !== x.shape[0])
      throw c.fail('adding a constant is read only as the bias of a dense layer made by MatMul just before');
    layer.params.bias = true;
    layer.weights.b = f32(c, values);
    return [x];
  }
  return join(c, 'add', [a, b]);
}

export function join(c: OpContext, kind: 'add' | 'concat', values: Value[]): Value[] {
  const xs = values.map((v, i) => tensor(c, v, `input ${i + 1}`));
  if (xs.length < 2) return [xs[0]];
  if (kind === 'concat') {
    const rank = xs[0].onnxShape.length + 1;
    if (axisOf(c.int('axis', 1), rank) !== 1) throw c.fail('a concatenation along another axis than the channels (1)');
  }
  if (xs.length > 16) throw c.fail(`${xs.length} inputs; Netloom's joins take at most 16`);
  const id = c.layer(kind, { inputs: xs.length }, xs);
  return [flow(id, c.shapeOf(id))];
}

function elementwise(c: OpContext, a: Const, b: Const, op: (x: number, y: number) => number): Const {
  const x = constant(c, a, 'its first input');
  const y = constant(c, b, 'its second input');
  if (x.length !== y.length && x.length !== 1 && y.length !== 1) throw c.fail('constants of different sizes');
  const dims = x.length >= y.length ? a.dims : b.dims;
  const n = Math.max(x.length, y.length);
  return {
    kind: 'const',
    dims,
    values: Float64Array.from({ length: n }, (_, i) => op(x[x.length === 1 ? 0 : i], y[y.length === 1 ? 0 : i])),
  };
}

export function batchNorm(c: OpContext): Value[] {
  const x = tensor(c, c.input(0));
  if (x.onnxShape.length !== 1 && x.onnxShape.length !== 3)
    throw c.fail(`batch norm of shape [${x.onnxShape}] (Netloom's take [C] or [C, H, W])`);
  const channels = x.shape[0];
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i, k) => {
    const v = f32(c, constant(c, c.input(i), ['its scale', 'its bias', 'its mean', 'its variance'][k]));
    if (v.length !== channels)
      throw c.fail(`${v.length} values of ${['scale', 'bias', 'mean', 'variance'][k]} for ${channels} channels`);
    return v;
  });
  const momentum = decimal(1 - decimal(c.float('momentum', 0.9)));
  const id = c.layer(
    'batchnorm',
    { eps: decimal(c.float('epsilon', 1e-5)), momentum: Math.min(Math.max(momentum, 1e-6), 1) },
    [x],
    {
      gamma,
      beta,
      runningMean: mean,
      runningVar: variance,
    },
  );
  return [{ ...x, node: id, take: undefined }];
}

export function dropout(c: OpContext): Value[] {
  const x = tensor(c, c.input(0));
  const ratioInput = c.optional(1);
  const ratio = ratioInput ? constant(c, ratioInput, 'its ratio')[0] : c.float('ratio', 0.5);
  const rate = decimal(ratio);
  if (!(rate >= 0 && rate < 1)) throw c.fail(`a dropout ratio of ${rate}`);
  const id = c.layer('dropout', { rate }, [x]);
  return [{ ...x, node: id, take: undefined }];
}

export function flatten(c: OpContext): Value[] {
  const v = c.input(0);
  if (v.kind === 'const') {
    const values = constant(c, v, 'its input');
    return [{ kind: 'const', dims: [v.dims[0] ?? 1, values.length / (v.dims[0] || 1)], values }];
  }
  const x = tensor(c, v);
  if (x.timeMajor) throw c.fail('flattening a time-major sequence');
  if (axisOf(c.int('axis', 1), x.onnxShape.length + 1) !== 1) throw c.fail('flattening from another axis than 1');
  if (x.shape.length === 1) return [{ ...x, onnxShape: x.shape }];
  const id = c.layer('flatten', {}, [x]);
  return [flow(id, [elements(x.shape)])];
}

/** Reshape of a tensor to a constant shape that keeps the batch first; of a constant, computed. */
export function reshape(c: OpContext): Value[] {
  const v = c.input(0);
  const target = Array.from(constant(c, c.input(1), 'its shape'));
  if (v.kind === 'const') {
    const values = constant(c, v, 'its input');
    return [{ kind: 'const', dims: resolveShape(c, target, v.dims, values.length), values }];
  }
  const x = tensor(c, v);
  if (x.timeMajor) throw c.fail('reshaping a time-major sequence');
  const dims = resolveShape(c, target, [BATCH, ...x.onnxShape], elements(x.shape) * BATCH);
  if (dims[0] !== BATCH) throw c.fail(`a shape [${target}] that does not keep the batch as its first dimension`);
  const rest = dims.slice(1);
  if (rest.length === x.shape.length && rest.every((d, i) => d === x.shape[i])) return [{ ...x, onnxShape: rest }];
  if (rest.length === 1) {
    if (x.shape.length === 1) return [{ ...x, onnxShape: rest }];
    const id = c.layer('flatten', {}, [x]);
    return [flow(id, rest)];
  }
  if (rest.length > 3) throw c.fail(`a shape of ${rest.length} dimensions per sample (Netloom has at most 3)`);
  const id = c.layer('reshape', { shape: rest }, [x]);
  return [flow(id, rest)];
}

/** ONNX's reshape rule: 0 copies the dimension, one -1 takes what is left. */
function resolveShape(c: OpContext, target: number[], dims: number[], count: number): number[] {
  const out = target.map((d, i) => (d === 0 ? (dims[i] ?? 0) : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d < -1 || !Number.isInteger(d))) throw c.fail(`the shape [${target}]`);
  if (unknown === 1) {
    const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    out[out.indexOf(-1)] = known === 0 ? 0 : count / known;
  }
  if (elements(out) !== count) throw c.fail(`a shape [${target}] for ${count} values`);
  return out;
}

/** Netloom's Elman RNN or LSTM from ONNX's (forward, one direction, its default activations). */
export function recurrent(kind: 'rnn' | 'lstm'): Handler {
  return (c) => {
    const gates = kind === 'lstm' ? 4 : 1;
    const xv = tensor(c, c.input(0));
    const layout = c.int('layout', 0);
    if (layout === 0 ? !xv.timeMajor : xv.timeMajor)
      throw c.fail('its input is not laid out as its layout attribute says');
    if (xv.shape.length !== 2) throw c.fail(`its input has shape [${xv.shape}], not a sequence [T, D]`);
    if (c.string('direction', 'forward') !== 'forward')
      throw c.fail('only forward recurrent layers (not reverse or bidirectional)');
    // The default activations, said or not (PyTorch writes an RNN's Tanh).
    const activations = (c.node.attribute?.find((a) => a.name === 'activations')?.strings ?? []).map((b) =>
      new TextDecoder().decode(b),
    );
    const defaults = kind === 'lstm' ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Tanh'];
    if (activations.length > 0 && activations.join() !== defaults.join())
      throw c.fail(`activations ${activations.join(', ')} (Netloom's are ${defaults.join(', ')})`);
    if (c.node.attribute?.some((a) => ['clip', 'activation_alpha', 'activation_beta'].includes(a.name ?? '')))
      throw c.fail('clipping or activation parameters');
    if (c.int('input_forget', 0) !== 0) throw c.fail('input_forget = 1');
    const units = c.int('hidden_size', 0);
    const [steps, d] = xv.shape;
    const w = c.input(1);
    const r = c.input(2);
    if (w.kind !== 'const' || r.kind !== 'const') throw c.fail('its weights must be constants');
    if (w.dims.join() !== [1, gates * units, d].join())
      throw c.fail(`W has dimensions [${w.dims}], not [1, ${gates * units}, ${d}]`);
    if (r.dims.join() !== [1, gates * units, units].join())
      throw c.fail(`R has dimensions [${r.dims}], not [1, ${gates * units}, ${units}]`);
    if (c.optional(4)) throw c.fail('sequence lengths (sequence_lens) are not in Netloom: its sequences are whole');
    for (const i of kind === 'lstm' ? [5, 6] : [5]) {
      const initial = c.optional(i);
      if (initial && (initial.kind !== 'const' || uniform(initial) !== 0))
        throw c.fail('an initial state other than zeros (Netloom starts from zero)');
    }
    if (kind === 'lstm' && c.optional(7)) throw c.fail('peephole weights (P) are not in Netloom');
    // Back to Netloom's layout: gates i, f, g, o (ONNX: i, o, f, c), [D, gates × U].
    const back = gates === 4 ? ONNX_LSTM_ORDER.map((_, k) => ONNX_LSTM_ORDER.indexOf(k)) : [0];
    const wx = transposed(reorderGates(f32(c, constant(c, w, 'W')), units, d, back), gates * units, d);
    const wh = transposed(reorderGates(f32(c, constant(c, r, 'R')), units, units, back), gates * units, units);
    const b = new Float32Array(gates * units);
    const bias = c.optional(3);
    if (bias) {
      const values = f32(c, constant(c, bias, 'B'));
      if (values.length !== 2 * gates * units) throw c.fail(`B has ${values.length} values, not ${2 * gates * units}`);
      // Netloom has one bias: ONNX's two (input and recurrent) summed.
      const sum = values.subarray(0, gates * units).map((v, i) => v + values[gates * units + i]);
      b.set(reorderGates(sum, units, 1, back));
    }
    const id = c.layer(kind, { units, returnSequences: true }, [xv], { Wx: wx, Wh: wh, b });
    return [
      { kind: 'recurrent', node: id, which: 'Y', steps, units },
      { kind: 'recurrent', node: id, which: 'Y_h', steps, units },
      { kind: 'recurrent', node: id, which: 'Y_c', steps, units },
    ];
  };
}
