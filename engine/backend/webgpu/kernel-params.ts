import { type OptimizerKernel, optimizerKernels } from '../../ops/optimizers';
import type { Conv2dGeometry } from '../backend';

/**
 * How a kernel parameter travels in the dispatch's uniform block: a word read as an unsigned integer (tensor
 * offsets, sizes), as a float (by its bits), as a flag, or the 13 words of a convolution's geometry.
 */
export type ParamKind = 'u32' | 'f32' | 'bool' | 'geometry';

/** A tensor offset that names no tensor (the kernels' NO_TENSOR, 0xffffffff): an absent bias, an absent input. */
export const NONE = 0xffffffff;

/** A float written into the parameter block by its bits (integers are written as they are). */
export interface F32 {
  f: number;
}
export const f32 = (f: number): F32 => ({ f });
/** A word of the parameter block as the queue writes it. */
export type Param = number | boolean | F32;

/** The words a parameter of each kind takes. */
const WORDS: Record<ParamKind, number> = { u32: 1, f32: 1, bool: 1, geometry: 13 };

/** The geometry's words, in the order of the WGSL struct `Geo` (prelude.wgsl). */
const GEOMETRY_FIELDS = ['n', 'cIn', 'h', 'w', 'cOut', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'oh', 'ow'] as const;

/** An LSTM step's cell forward after its product: the projection added, the cell, h into hNext and y. */
const LSTM_STEP_CELL = {
  projected: 'u32',
  pStride: 'u32',
  gates: 'u32',
  cPrev: 'u32',
  c: 'u32',
  hNext: 'u32',
  y: 'u32',
  yStride: 'u32',
  n: 'u32',
  units: 'u32',
} as const;

/** Its backward after the product into dh: dy's part added, the cell's backward, dz into dProjected. */
const LSTM_STEP_CELL_BACKWARD = {
  dy: 'u32',
  dyStride: 'u32',
  gates: 'u32',
  cPrev: 'u32',
  c: 'u32',
  dc: 'u32',
  dz: 'u32',
  dProjected: 'u32',
  pStride: 'u32',
  n: 'u32',
  units: 'u32',
} as const;

/** The losses against class labels: outputs y (logits), labels, their gradient dY, the batch's loss sums. */
const LABELLED_LOSS = {
  y: 'u32',
  labels: 'u32',
  dY: 'u32',
  loss: 'u32',
  correct: 'u32',
  rows: 'u32',
  cols: 'u32',
  scale: 'f32',
  partials: 'u32',
} as const;

/** What every optimizer kernel takes before its rule's own arguments (the order of optimizerKernels' args). */
const OPTIMIZER_BASE = { params: 'u32', grads: 'u32', slot1: 'u32', slot2: 'u32', size: 'u32' } as const;

/**
 * Every WebGPU kernel's parameters, in the order of its uniform block: the one definition both sides come
 * from. scripts/build-shaders.ts generates a WGSL struct and reader per kernel (`let p = fillParams();`, then
 * `p.size`), and the backend passes them by name (`run('fill', { out, size, value })`), typed from this table:
 * a parameter missing, extra or of the wrong type is a compile error, never a word read from the wrong place.
 * Names avoid WGSL's reserved words (`target`, `shared`, …): the generated code must compile.
 */
export const kernelParams = {
  fill: { out: 'u32', size: 'u32', value: 'f32' },
  copy: { src: 'u32', out: 'u32', size: 'u32', accumulate: 'bool' },
  mul: { a: 'u32', b: 'u32', out: 'u32', size: 'u32', accumulate: 'bool' },
  copyBlocks: {
    src: 'u32',
    srcOffset: 'u32',
    srcStride: 'u32',
    out: 'u32',
    outOffset: 'u32',
    outStride: 'u32',
    blocks: 'u32',
    blockSize: 'u32',
    accumulate: 'bool',
  },
  gatherRows: { src: 'u32', indices: 'u32', out: 'u32', rowSize: 'u32', count: 'u32' },
  addBias: { out: 'u32', bias: 'u32', outer: 'u32', channels: 'u32', inner: 'u32' },
  biasGrad: { dy: 'u32', dest: 'u32', outer: 'u32', channels: 'u32', inner: 'u32', accumulate: 'bool' },
  sumChunks: { partial: 'u32', out: 'u32', count: 'u32', chunks: 'u32', accumulate: 'bool' },
  unary: { op: 'u32', x: 'u32', y: 'u32', size: 'u32', alpha: 'f32' },
  unaryBackward: { op: 'u32', x: 'u32', y: 'u32', dy: 'u32', dx: 'u32', size: 'u32', alpha: 'f32', accumulate: 'bool' },
  dropout: {
    x: 'u32',
    y: 'u32',
    mask: 'u32',
    size: 'u32',
    threshold: 'u32',
    seed: 'u32',
    counter: 'u32',
    keep: 'f32',
  },
  regularize: { w: 'u32', g: 'u32', size: 'u32', l1: 'f32', l2: 'f32' },
  softmax: { x: 'u32', y: 'u32', rows: 'u32', cols: 'u32' },
  softmaxBackward: { y: 'u32', dy: 'u32', dx: 'u32', rows: 'u32', cols: 'u32', accumulate: 'bool' },
  conv2d: { x: 'u32', w: 'u32', y: 'u32', g: 'geometry', bias: 'u32' },
  conv2dTiled: { x: 'u32', w: 'u32', y: 'u32', g: 'geometry', bias: 'u32' },
  conv2dBackwardInput: { dy: 'u32', w: 'u32', dx: 'u32', g: 'geometry', accumulate: 'bool' },
  conv2dBackwardInputTiled: { dy: 'u32', w: 'u32', dx: 'u32', g: 'geometry', accumulate: 'bool' },
  conv2dBackwardWeightTiled: {
    x: 'u32',
    dy: 'u32',
    dest: 'u32',
    g: 'geometry',
    accumulate: 'bool',
    pixelsPerGroup: 'u32',
  },
  maxPool: { x: 'u32', y: 'u32', argmax: 'u32', g: 'geometry' },
  maxPoolBackward: { dy: 'u32', argmax: 'u32', dx: 'u32', g: 'geometry', accumulate: 'bool' },
  avgPool: { x: 'u32', y: 'u32', g: 'geometry' },
  avgPoolBackward: { dy: 'u32', dx: 'u32', g: 'geometry', accumulate: 'bool' },
  batchNorm: {
    x: 'u32',
    y: 'u32',
    xhat: 'u32',
    mean: 'u32',
    invStd: 'u32',
    gamma: 'u32',
    beta: 'u32',
    runningMean: 'u32',
    runningVar: 'u32',
    n: 'u32',
    c: 'u32',
    inner: 'u32',
    eps: 'f32',
    momentum: 'f32',
    train: 'bool',
  },
  batchNormBackward: {
    dy: 'u32',
    xhat: 'u32',
    invStd: 'u32',
    gamma: 'u32',
    dGamma: 'u32',
    dBeta: 'u32',
    dx: 'u32',
    n: 'u32',
    c: 'u32',
    inner: 'u32',
    train: 'bool',
    accumulate: 'bool',
  },
  lstmCell: { gates: 'u32', cPrev: 'u32', c: 'u32', h: 'u32', n: 'u32', units: 'u32' },
  lstmCellBackward: {
    gates: 'u32',
    cPrev: 'u32',
    c: 'u32',
    dh: 'u32',
    dc: 'u32',
    dGates: 'u32',
    n: 'u32',
    units: 'u32',
  },
  // A fused LSTM step: the product's operands, then the cell's (what lstmStepCell takes after a product).
  lstmStep: { h: 'u32', wh: 'u32', ...LSTM_STEP_CELL },
  lstmStepBackward: { dzNext: 'u32', wh: 'u32', ...LSTM_STEP_CELL_BACKWARD },
  lstmStepCell: LSTM_STEP_CELL,
  lstmStepCellBackward: { dh: 'u32', ...LSTM_STEP_CELL_BACKWARD },
  softmaxCrossEntropy: LABELLED_LOSS,
  meanSquaredError: { y: 'u32', want: 'u32', dY: 'u32', loss: 'u32', size: 'u32', scale: 'f32', partials: 'u32' },
  meanSquaredErrorOneHot: LABELLED_LOSS,
  sigmoidBinaryCrossEntropy: {
    logits: 'u32',
    want: 'u32',
    dLogits: 'u32',
    loss: 'u32',
    correct: 'u32',
    size: 'u32',
    scale: 'f32',
    partials: 'u32',
  },
  finishLoss: { partials: 'u32', loss: 'u32', correct: 'u32', count: 'u32' },
  sumSquares: { g: 'u32', dest: 'u32', size: 'u32' },
  clipScale: { g: 'u32', size: 'u32', normSq: 'u32', maxNorm: 'f32' },
  // The optimizers: the flat buffers, then the arguments optimizerKernels' rules give, in their order.
  sgd: { ...OPTIMIZER_BASE, lr: 'f32' },
  momentum: { ...OPTIMIZER_BASE, lr: 'f32', mu: 'f32', nesterov: 'bool' },
  scaledBySquares: { ...OPTIMIZER_BASE, lr: 'f32', decay: 'f32', gain: 'f32', eps: 'f32' },
  adadelta: { ...OPTIMIZER_BASE, lr: 'f32', rho: 'f32', eps: 'f32' },
  adam: { ...OPTIMIZER_BASE, stepSize: 'f32', beta1: 'f32', beta2: 'f32', sqrtCorrection2: 'f32', eps: 'f32' },
  // The matrix product's generated kernels (matmul-shader.ts), every tile and transposition alike.
  matmul: {
    a: 'u32',
    b: 'u32',
    out: 'u32',
    m: 'u32',
    n: 'u32',
    k: 'u32',
    bias: 'u32',
    accumulate: 'bool',
    kPerSplit: 'u32',
    splits: 'u32',
  },
} as const satisfies Record<string, Record<string, ParamKind>> &
  Record<OptimizerKernel, typeof OPTIMIZER_BASE & Record<string, ParamKind>>;

export type KernelName = keyof typeof kernelParams;

type ValueOf<K extends ParamKind> = K extends 'bool' ? boolean : K extends 'geometry' ? Conv2dGeometry : number;

/** A kernel's arguments by name, as the backend passes them. */
export type KernelArgs<N extends KernelName> = {
  -readonly [P in keyof (typeof kernelParams)[N]]: ValueOf<(typeof kernelParams)[N][P] & ParamKind>;
};

/** The arguments as the uniform block's words, in the table's order. */
export function packParams<N extends KernelName>(kernel: N, args: KernelArgs<N>): Param[] {
  const words: Param[] = [];
  const values = args as Record<string, number | boolean | Conv2dGeometry>;
  for (const [name, kind] of Object.entries(kernelParams[kernel]) as [string, ParamKind][]) {
    const value = values[name];
    if (kind === 'geometry') for (const field of GEOMETRY_FIELDS) words.push((value as Conv2dGeometry)[field]);
    else if (kind === 'f32') words.push(f32(value as number));
    else words.push(value as number | boolean);
  }
  return words;
}

/** The names of an optimizer kernel's own arguments (after the flat buffers), in optimizerKernels' order. */
export function optimizerArgNames(kernel: OptimizerKernel): readonly string[] {
  return OPTIMIZER_ARGS[kernel];
}

/** Worked out once: the optimizer step asks for them every training step. */
const OPTIMIZER_ARGS = Object.fromEntries(
  (Object.keys(optimizerKernels) as OptimizerKernel[]).map((k) => [
    k,
    Object.keys(kernelParams[k]).slice(Object.keys(OPTIMIZER_BASE).length),
  ]),
) as unknown as Record<OptimizerKernel, readonly string[]>;

const capitalised = (name: string) => name[0].toUpperCase() + name.slice(1);

/**
 * The WGSL for one kernel's parameters: a struct of its fields and a function reading them from the uniform
 * block (`u(i)`, `f(i)`, `flag(i)`, the geometry as `Geo`), e.g. `fillParams()`.
 */
export function wgslParamsOf(kernel: KernelName): string {
  const fields: string[] = [];
  const reads: string[] = [];
  let word = 0;
  for (const [name, kind] of Object.entries(kernelParams[kernel]) as [string, ParamKind][]) {
    if (kind === 'geometry') {
      fields.push(`${name}: Geo`);
      reads.push(`Geo(${GEOMETRY_FIELDS.map((_, i) => `u(${word + i}u)`).join(', ')})`);
    } else {
      fields.push(`${name}: ${kind}`);
      reads.push(`${kind === 'f32' ? 'f' : kind === 'bool' ? 'flag' : 'u'}(${word}u)`);
    }
    word += WORDS[kind];
  }
  // The last two words of every block are −∞ and NaN (prelude.wgsl).
  if (word > 30) throw new Error(`${kernel}: ${word} parameter words, at most 30`);
  const type = `${capitalised(kernel)}Params`;
  return `struct ${type} { ${fields.join(', ')} }\nfn ${kernel}Params() -> ${type} { return ${type}(${reads.join(', ')}); }`;
}

/** Every kernel's parameter struct and reader, for the shader prelude. */
export const wgslKernelParams = () => (Object.keys(kernelParams) as KernelName[]).map(wgslParamsOf).join('\n');
