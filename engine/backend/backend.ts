import type { BackendId } from './backend-id';

/**
 * A range of device memory holding floats, in elements. On the CPU it is a typed array; on WebGPU a
 * buffer with an offset. Layers never look inside: they pass it to the backend's kernels.
 */
export interface Buf {
  readonly length: number;
}

import type { UnaryOp } from '../ops/activations';
import type { OptimizerHyper, OptimizerKind } from '../ops/optimizers';

export type { OptimizerHyper, OptimizerKind, UnaryOp };

/** Geometry of a 2-D convolution or pooling over NCHW tensors. */
export interface Conv2dGeometry {
  n: number;
  cIn: number;
  h: number;
  w: number;
  cOut: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

/**
 * One LSTM step forward over n samples: z = p + h Wh, with p the step's input projection x_t Wx + b (row b
 * at pOffset + b·pStride of `projected`, [n, 4u] in PyTorch's gate order i, f, g, o); then the cell:
 * `gates` ([n, 4u]) gets the activated gates, c = f ⊙ cPrev + i ⊙ g, hNext = o ⊙ tanh(c); and, when y is
 * given, hNext also into y (row b at yOffset + b·yStride). Buffers are flat (no nested objects): the
 * arguments travel as they are to a GPU in a page.
 */
export interface LstmStep<B extends Buf = Buf> {
  /**
   * Whether this is the pass's first step: Wh may have changed since the last pass, and stays as it is
   * until the pass's last step (a backend may prepare it once per pass: the CPU packs it for its product).
   */
  first: boolean;
  projected: B;
  pOffset: number;
  pStride: number;
  h: B;
  wh: B;
  gates: B;
  cPrev: B;
  c: B;
  hNext: B;
  y?: B;
  yOffset: number;
  yStride: number;
  n: number;
  u: number;
}

/**
 * One LSTM step backward over n samples: dh = dy's part (row b at dyOffset + b·dyStride of dy, when dy is
 * given) + dzNext Whᵀ (the next step's pre-activation gradients, when given); then the cell's backward
 * (lstmCellBackward): dz ([n, 4u]) gets this step's pre-activation gradients, also written into
 * dProjected (row b at pOffset + b·pStride), and dc is overwritten with the gradient reaching cPrev.
 * `dh` is working memory of n·u for a backend that composes the step.
 */
export interface LstmStepBackward<B extends Buf = Buf> {
  /** Whether this is the pass's first step (the last time step): as LstmStep's. */
  first: boolean;
  dy?: B;
  dyOffset: number;
  dyStride: number;
  dzNext?: B;
  wh: B;
  gates: B;
  cPrev: B;
  c: B;
  dc: B;
  dz: B;
  dProjected: B;
  pOffset: number;
  pStride: number;
  dh: B;
  n: number;
  u: number;
}

/**
 * The backend contract: buffers, and the few dozen kernels every layer, loss and optimizer is written
 * with. Kernels that produce gradients *add* into their output (`+=`), so that a tensor read by several
 * layers collects all its gradients; forward kernels overwrite unless told to accumulate. Where one layer
 * alone writes an input's gradient, the session skips zeroing it and the layer's kernel writes it
 * (`accumulate: false`): see buildSession.
 * All sizes are in elements; all tensors are row-major.
 */
export interface Backend<B extends Buf = Buf> {
  readonly id: BackendId;
  /** Zero-filled. The only way memory is created: a training step calls none. */
  alloc(size: number, label: string): B;
  /** A sub-range of a buffer, sharing its memory (for flat parameter storage and time steps). */
  view(buf: B, offset: number, size: number): B;
  write(buf: B, data: ArrayLike<number>, offset?: number): void;
  read(buf: B): Promise<Float64Array>;
  /**
   * The buffer's values where they lie, for a backend whose buffers live in the host's memory (the CPU): read
   * in place, no copy. Only between steps (a step overwrites them), and never written through.
   */
  hostView?(buf: B): Float32Array | Float64Array;
  /** Number of alloc calls so far (tests check that a step makes none). */
  readonly allocations: number;
  /** Stops the backend's threads; it is not used after. */
  dispose?(): void;
  /**
   * Reads cost a round trip to a device (WebGPU): the trainer then records many steps and reads their
   * metrics together, a few times a second, instead of after every step.
   */
  readonly deferredReads?: boolean;
  /** Hands the work recorded so far to the device, so it runs while the next step is recorded. */
  submit?(): void;
  /** The most memory one session may hold (WebGPU: what one storage-buffer binding may see), in bytes. */
  readonly memoryLimitBytes?: number;
  /**
   * The floats the session is about to allocate, as planned: a backend that keeps its tensors in one
   * buffer makes it that size at once rather than growing it (and copying) allocation by allocation.
   */
  reserve?(floats: number): void;

  fill(out: B, value: number, size: number): void;
  /** out (+)= src, element-wise. */
  copy(args: { src: B; out: B; size: number; accumulate: boolean }): void;
  /** out = a * b element-wise, or out += a * b. */
  mul(args: { a: B; b: B; out: B; size: number; accumulate: boolean }): void;
  /**
   * Strided block copy: for each block i, out[outOffset + i*outStride + j] (+)= src[srcOffset + i*srcStride + j],
   * j < blockSize. Slices time steps out of [N, T, D] and channels out of [N, C, H, W] (concat).
   */
  copyBlocks(args: {
    src: B;
    srcOffset: number;
    srcStride: number;
    out: B;
    outOffset: number;
    outStride: number;
    blocks: number;
    blockSize: number;
    accumulate: boolean;
  }): void;

  /** out[i, :] = src[indices[i], :] for i < count: gathers a batch from a dataset kept on the device. */
  gatherRows(args: { src: B; indices: B; out: B; rowSize: number; count: number }): void;
  /**
   * out[i, :] = src[rows[i], :] from host memory. A backend whose buffers the host writes directly (the CPU)
   * gathers each batch from the dataset where it lies: the trainer then keeps no copy of the dataset on it
   * (for Fashion-MNIST, 190 MB less to allocate and fill as a run opens).
   */
  gatherHostRows?(args: { src: Float32Array; rows: Uint32Array; out: B; rowSize: number }): void;

  /**
   * out[m, n] (+)= op(a)[m, k] · op(b)[k, n], where op transposes when asked; plus bias[j] on every column j
   * when a bias is given (a dense layer's forward pass in one kernel on the GPU). With bColumnSums,
   * bColumnSums[j] += Σ_p op(b)[p, j] too: a bias's gradient in a weight gradient's product (b the
   * output's gradient), which the CPU sums as it packs b rather than in a pass of its own.
   */
  matmul(args: {
    a: B;
    b: B;
    out: B;
    m: number;
    n: number;
    k: number;
    transA: boolean;
    transB: boolean;
    accumulate: boolean;
    bias?: B;
    bColumnSums?: B;
  }): void;
  /** out[o, c, i] += bias[c] for o < outer, c < channels, i < inner. */
  addBias(args: { out: B; bias: B; outer: number; channels: number; inner: number }): void;
  /** dBias[c] += Σ_{o, i} dy[o, c, i]. */
  biasGrad(args: { dy: B; dBias: B; outer: number; channels: number; inner: number }): void;

  unary(args: { op: UnaryOp; x: B; y: B; size: number; alpha: number }): void;
  /**
   * dx += f'(x) · dy (dx = … unless accumulate), with f' taken from x or from the saved output y, whichever
   * the function needs.
   */
  unaryBackward(args: {
    op: UnaryOp;
    x: B;
    y: B;
    dy: B;
    dx: B;
    size: number;
    alpha: number;
    accumulate: boolean;
  }): void;
  /** Softmax over the last axis of [rows, cols]. */
  softmax(args: { x: B; y: B; rows: number; cols: number }): void;
  /** dx += y ⊙ (dy − Σ_j dy_j y_j), per row. */
  softmaxBackward(args: { y: B; dy: B; dx: B; rows: number; cols: number; accumulate: boolean }): void;

  /** y = x ⋆ w (cross-correlation), plus bias[c] on every output channel c when a bias is given. */
  conv2d(args: { x: B; w: B; y: B; g: Conv2dGeometry; bias?: B }): void;
  /** dx += dy ⋆ flipped w (a transposed convolution; dx = … unless accumulate). */
  conv2dBackwardInput(args: { dy: B; w: B; dx: B; g: Conv2dGeometry; accumulate: boolean }): void;
  conv2dBackwardWeight(args: { x: B; dy: B; dw: B; g: Conv2dGeometry }): void;
  /** Saves, per output, the index of the winning input (within the sample's plane) for the backward pass. */
  maxPool(args: { x: B; y: B; argmax: B; g: Conv2dGeometry }): void;
  /** dx += dy at each window's winner (dx is zeroed first unless accumulate). */
  maxPoolBackward(args: { dy: B; argmax: B; dx: B; g: Conv2dGeometry; accumulate: boolean }): void;
  /** Average over the window, padding counted as zeros (PyTorch's count_include_pad). */
  avgPool(args: { x: B; y: B; g: Conv2dGeometry }): void;
  /** dx += dy / window size over each window (dx = … unless accumulate). */
  avgPoolBackward(args: { dy: B; dx: B; g: Conv2dGeometry; accumulate: boolean }): void;

  /**
   * Batch normalisation over [n, c, inner]: in training, batch statistics (saved as mean and invStd, with
   * xhat) and an update of the running averages; in evaluation, the running averages.
   */
  batchNorm(args: {
    x: B;
    y: B;
    xhat: B;
    mean: B;
    invStd: B;
    gamma: B;
    beta: B;
    runningMean: B;
    runningVar: B;
    n: number;
    c: number;
    inner: number;
    eps: number;
    momentum: number;
    train: boolean;
  }): void;
  batchNormBackward(args: {
    dy: B;
    xhat: B;
    invStd: B;
    gamma: B;
    dGamma: B;
    dBeta: B;
    dx: B;
    n: number;
    c: number;
    inner: number;
    train: boolean;
    /** dx += … (dx = … when false); dγ and dβ are always added into. */
    accumulate: boolean;
  }): void;

  /**
   * Inverted dropout: mask = 1/(1-rate) or 0 from a counter-based hash of (seed, counter, index), so every
   * backend draws the same mask; y = x ⊙ mask.
   */
  dropout(args: { x: B; y: B; mask: B; size: number; rate: number; seed: number; counter: number }): void;

  /**
   * One LSTM step from the pre-activations z = [i, f, g, o] ([n, 4u], overwritten by the activated gates):
   * c = f ⊙ cPrev + i ⊙ g, h = o ⊙ tanh(c).
   */
  lstmCell(args: { gates: B; cPrev: B; c: B; h: B; n: number; u: number }): void;
  /**
   * Back through one step, given dh (all gradient reaching h) and dc (gradient reaching c from the next
   * step): writes the pre-activation gradients dGates, and overwrites dc with the gradient reaching cPrev.
   */
  lstmCellBackward(args: { gates: B; cPrev: B; c: B; dh: B; dc: B; dGates: B; n: number; u: number }): void;
  /**
   * One whole LSTM step forward, fused (see LstmStep): a backend that has it runs the step's product and
   * cell in one kernel; without it, the layer composes the step from matmul and lstmCell (lstm-step.ts).
   */
  lstmStep?(args: LstmStep<B>): void;
  /** One whole LSTM step backward, fused (see LstmStepBackward); composed by the layer when absent. */
  lstmStepBackward?(args: LstmStepBackward<B>): void;

  /**
   * Softmax cross-entropy with integer class labels, mean over the rows: adds the mean loss to loss[0],
   * the number of correct argmax predictions to correct[0], and writes dLogits = (softmax − onehot) · scale / rows.
   */
  softmaxCrossEntropy(args: {
    logits: B;
    labels: B;
    dLogits: B;
    loss: B;
    correct: B;
    rows: number;
    cols: number;
    scale: number;
  }): void;
  /** Mean squared error, mean over all elements; dY = 2 (y − t) · scale / size. */
  meanSquaredError(args: { y: B; target: B; dY: B; loss: B; size: number; scale: number }): void;
  /** MSE against one-hot targets from class labels; counts rows whose largest output is the label. */
  meanSquaredErrorOneHot(args: {
    y: B;
    labels: B;
    dY: B;
    loss: B;
    correct: B;
    rows: number;
    cols: number;
    scale: number;
  }): void;
  /** Binary cross-entropy on logits (stable form), mean over all elements; counts correct thresholded predictions. */
  sigmoidBinaryCrossEntropy(args: {
    logits: B;
    target: B;
    dLogits: B;
    loss: B;
    correct: B;
    size: number;
    scale: number;
  }): void;

  /** g += l1 · sign(w) + l2 · w (gradients of l1‖w‖₁ + l2/2‖w‖²). */
  regularize(args: { w: B; g: B; size: number; l1: number; l2: number }): void;
  /** out[0] = Σ g², then, when maxNorm > 0 and the norm exceeds it, g *= maxNorm / norm. */
  clipByGlobalNorm(args: { g: B; size: number; maxNorm: number; normSq: B }): void;
  /** One optimizer update over the flat parameter buffer; `step` counts from 1 (Adam's bias correction). */
  optimizerStep(args: {
    kind: OptimizerKind;
    hyper: OptimizerHyper;
    params: B;
    grads: B;
    slot1: B;
    slot2: B;
    size: number;
    step: number;
  }): void;
}
