import { axisOf, constant, decimal, type Handler, tensor } from './import-context';
import {
  activation,
  add,
  batchNorm,
  conv,
  dropout,
  flatten,
  gemm,
  join,
  matmul,
  pool,
  recurrent,
  reshape,
} from './import-layer-ops';
import {
  cast,
  concat,
  constantOfShape,
  constantOp,
  expand,
  gather,
  identity,
  pad,
  shape,
  slice,
  squeeze,
  transpose,
  unsqueeze,
} from './import-shape-ops';
import { flow } from './import-values';

export { checkDims, decimal, type OpContext } from './import-context';

/** Every operator Netloom reads, by op type. */
export const handlers: Record<string, Handler> = {
  Gemm: gemm,
  MatMul: matmul,
  Add: add,
  Sum: (c) =>
    join(
      c,
      'add',
      (c.node.input ?? []).map((_, i) => c.input(i)),
    ),
  Conv: conv,
  Relu: activation('relu'),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
  LeakyRelu: activation('leaky-relu', (c) => ({ slope: decimal(c.float('alpha', 0.01)) })),
  Elu: activation('elu', (c) => ({ alpha: decimal(c.float('alpha', 1)) })),
  Softmax: activation('softmax'),
  MaxPool: pool('maxpool2d'),
  AveragePool: pool('avgpool2d'),
  GlobalAveragePool: (c) => {
    const x = tensor(c, c.input(0));
    if (x.onnxShape.length !== 3) throw c.fail(`its input has shape [${x.onnxShape}], not [C, H, W]`);
    const id = c.layer('globalavgpool', {}, [x]);
    return [flow(id, [x.shape[0]], { onnxShape: [x.shape[0], 1, 1] })];
  },
  // A mean over height and width is global average pooling (PyTorch writes x.mean((2, 3)) so).
  ReduceMean: (c) => {
    const x = tensor(c, c.input(0));
    const axesInput = c.optional(1);
    const axes = (axesInput ? Array.from(constant(c, axesInput, 'its axes')) : c.ints('axes', []))
      .map((a) => axisOf(a, x.onnxShape.length + 1))
      .sort();
    if (x.onnxShape.length !== 3 || axes.join() !== '2,3') throw c.fail('a mean over other axes than height and width');
    const id = c.layer('globalavgpool', {}, [x]);
    return [flow(id, [x.shape[0]], c.int('keepdims', 1) === 1 ? { onnxShape: [x.shape[0], 1, 1] } : {})];
  },
  BatchNormalization: batchNorm,
  Dropout: dropout,
  Flatten: flatten,
  Reshape: reshape,
  Concat: concat,
  LSTM: recurrent('lstm'),
  RNN: recurrent('rnn'),
  Identity: identity,
  Constant: constantOp,
  Shape: shape,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  ConstantOfShape: constantOfShape,
  Expand: expand,
  Slice: slice,
  Transpose: transpose,
  Pad: pad,
  Cast: cast,
};
