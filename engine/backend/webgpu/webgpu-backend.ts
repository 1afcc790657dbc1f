import { unaryOps } from '../../ops/activations';
import { updateOf } from '../../ops/optimizers';
import type { Backend, UnaryOp } from '../backend';
import { type GpuBuf, GpuMemory, PARTIALS_OFFSET } from './gpu-memory';
import type { KernelTime } from './gpu-profiler';
import { GpuPipelines, GpuQueue, type MatmulTile, type Workgroups } from './gpu-queue';
import { type KernelArgs, type KernelName, NONE, optimizerArgNames, packParams } from './kernel-params';
import { webGpuLstmSteps } from './lstm-steps';
import { transposition } from './matmul-shader';

export type { GpuBuf } from './gpu-memory';

export type WebGpuBackend = Backend<GpuBuf> & {
  /** Submits the recorded work (reads do it themselves). */
  flush(): void;
  /** Dispatches recorded so far (to count a step's). */
  readonly dispatches: number;
  /** Per-kernel GPU times from now on (benchmarks); false when the device has no timestamp queries. */
  startProfiling(): boolean;
  /** Each kernel's GPU time since profiling started or was last reported, longest first. */
  kernelTimes(): Promise<KernelTime[]>;
};

/** An activation's code in the unary kernels' generated switch: its place in the operations' table. */
const unaryCodes = Object.fromEntries(unaryOps.map((op, code) => [op, code])) as Record<UnaryOp, number>;
/** Terms one workgroup of a reduction adds (TERMS_PER_GROUP in prelude.wgsl). */
const TERMS_PER_GROUP = 4096;
/** The tiled convolutions' channels per thread and largest window (CONV_BLOCK, CHUNK_TAPS in conv.wgsl). */
const CONV_BLOCK = 8;
const CHUNK_TAPS = 256;
/** Workgroups per dimension, at most. */
const MAX_GROUPS = 65535;
/** Products with fewer workgroups than this split K, to keep a large GPU busy. */
const BUSY_WORKGROUPS = 256;
/** A tile size is used for products with at least this many of its tiles (enough workgroups to fill a big GPU). */
const TILES_TO_FILL = 256;

export interface WebGpuOptions {
  /** One tile size for every matrix product (tests reach every pipeline with small shapes). */
  matmulTiles?: string;
}

/** Compiles the pipelines for `device` and makes a backend on them (see GpuPipelines for more sessions). */
export async function createWebGpuBackend(device: GPUDevice, options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  return webGpuBackendOn(await GpuPipelines.compile(device), options);
}

/**
 * The WebGPU backend, one session's memory and queue on compiled pipelines: every tensor is a range of one
 * storage buffer, which grows (by copying) while the session is built; kernels are WGSL
 * (engine/backend/webgpu/shaders), recorded into one compute pass and submitted at the end of each step
 * (`submit`) or when something is read. Checked against the CPU backend and PyTorch's numbers.
 */
export function webGpuBackendOn(pipelines: GpuPipelines, options: WebGpuOptions = {}): WebGpuBackend {
  const queue = new GpuQueue(pipelines);
  const memory = new GpuMemory(pipelines.device, queue);
  const partials = PARTIALS_OFFSET;
  const lossGroups = { x: 4, y: 1 };
  const one = { x: 1, y: 1 };

  /** Records a kernel with its arguments by name (kernel-params.ts); `entry` names a variant's pipeline. */
  const run = <N extends KernelName>(
    kernel: N,
    args: KernelArgs<N>,
    threads: number | Workgroups,
    entry: string = kernel,
  ) => queue.run(entry, packParams(kernel, args), threads);
  /** The largest tiles the product has enough of to fill a big GPU (MATMUL_TILES is largest first), else the smallest. */
  const matmulTile = (m: number, n: number): [string, MatmulTile] => {
    if (options.matmulTiles) return [options.matmulTiles, pipelines.tiles[options.matmulTiles]];
    const sizes = Object.entries(pipelines.tiles);
    return sizes.find(([, t]) => Math.ceil(m / t.BM) * Math.ceil(n / t.BN) >= TILES_TO_FILL) ?? sizes[sizes.length - 1];
  };

  const scratch = (name: string, floats: number) => memory.scratch(name, floats);

  /** loss[0] += the partial sums' total / count; correct[0] += theirs (NONE: no count of right answers). */
  const finishLoss = (loss: GpuBuf, correct: number, count: number) =>
    run('finishLoss', { partials, loss: loss.offset, correct, count }, one);

  /** A loss against class labels (softmax cross-entropy, MSE against one-hot labels), then its means over `count`. */
  function labelledLoss(
    kernel: 'softmaxCrossEntropy' | 'meanSquaredErrorOneHot',
    a: {
      y: GpuBuf;
      labels: GpuBuf;
      dY: GpuBuf;
      loss: GpuBuf;
      correct: GpuBuf;
      rows: number;
      cols: number;
      scale: number;
    },
    count: number,
  ): void {
    const tensors = { y: a.y.offset, labels: a.labels.offset, dY: a.dY.offset, loss: a.loss.offset };
    run(
      kernel,
      { ...tensors, correct: a.correct.offset, rows: a.rows, cols: a.cols, scale: a.scale, partials },
      lossGroups,
    );
    finishLoss(a.loss, a.correct.offset, count);
  }

  /** Workgroups over `count` outputs (x, spilling into y past the limit) and `chunks` chunks (z). */
  const grid = (count: number, chunks: number): Workgroups => ({
    x: Math.min(count, MAX_GROUPS),
    y: Math.ceil(count / MAX_GROUPS),
    z: chunks,
  });

  /** The tiled convolutions' workgroups: 64 pixels each (x, spilling into y), one block of channels each (z). */
  const convGrid = (pixels: number, channels: number): Workgroups => {
    const groups = Math.ceil(pixels / 64);
    return { x: Math.min(groups, MAX_GROUPS), y: Math.ceil(groups / MAX_GROUPS), z: Math.ceil(channels / CONV_BLOCK) };
  };

  /**
   * A reduction kernel (biasGrad, sumSquares) over `terms` terms per output: one pass when they fit one
   * workgroup's chunk; else each chunk's sum goes to working memory, and addChunks adds them.
   */
  function reduce<N extends 'biasGrad' | 'sumSquares'>(
    kernel: N,
    args: (dest: number) => KernelArgs<N>,
    out: GpuBuf,
    count: number,
    terms: number,
    accumulate = true,
    depth = 0,
  ): void {
    const chunks = Math.ceil(terms / TERMS_PER_GROUP);
    if (chunks <= 1) {
      run(kernel, args(out.offset), grid(count, 1));
      return;
    }
    const partial = scratch(`${kernel} chunks ${depth}`, chunks * count);
    run(kernel, args(partial), grid(count, chunks));
    addChunks(partial, chunks, count, out, accumulate, depth + 1);
  }

  /**
   * out[i] (+)= Σ_chunk partial[chunk · count + i]: the chunks' sums are terms of a sum too, reduced by
   * biasGrad (in more passes only past 4096² chunks).
   */
  function addChunks(partial: number, chunks: number, count: number, out: GpuBuf, accumulate: boolean, depth = 1) {
    const args = (dest: number) => ({ dy: partial, dest, outer: chunks, channels: count, inner: 1, accumulate });
    reduce('biasGrad', args, out, count, chunks, accumulate, depth);
  }

  /** dBias[c] += Σ_{o, i} dy[o, c, i], by the reduction kernel. */
  const biasGrad = (dy: GpuBuf, dBias: GpuBuf, outer: number, channels: number, inner: number) =>
    reduce(
      'biasGrad',
      (dest) => ({ dy: dy.offset, dest, outer, channels, inner, accumulate: true }),
      dBias,
      channels,
      outer * inner,
    );

  const backend: WebGpuBackend = {
    id: 'webgpu',
    alloc: (size, label) => memory.alloc(size, label),
    view: (buf, offset, size) => ({ offset: buf.offset + offset, length: size }),
    write: (buf, data, offset) => memory.write(buf, data, offset),
    read: (buf) => memory.read(buf),
    get allocations() {
      return memory.allocations;
    },
    get dispatches() {
      return queue.dispatches;
    },
    flush: () => queue.flush(),
    startProfiling: () => queue.startProfiling(),
    kernelTimes: () => queue.kernelTimes(),
    deferredReads: true,
    memoryLimitBytes: memory.maxFloats * 4,
    reserve: (floats) => memory.reserve(floats),
    submit: () => queue.flush(),
    dispose() {
      queue.flush();
      memory.destroy();
      queue.destroy();
    },

    fill: (out, value, size) => run('fill', { out: out.offset, size, value }, size),
    copy: ({ src, out, size, accumulate }) => run('copy', { src: src.offset, out: out.offset, size, accumulate }, size),
    mul: ({ a, b, out, size, accumulate }) =>
      run('mul', { a: a.offset, b: b.offset, out: out.offset, size, accumulate }, size),
    copyBlocks: (a) => run('copyBlocks', { ...a, src: a.src.offset, out: a.out.offset }, a.blocks * a.blockSize),
    gatherRows: ({ src, indices, out, rowSize, count }) =>
      run('gatherRows', { src: src.offset, indices: indices.offset, out: out.offset, rowSize, count }, rowSize * count),
    matmul({ a, b, out, m, n, k, transA, transB, accumulate, bias, bColumnSums }) {
      // op(b)'s column sums: a plain b's [k, n] sums over k; a transposed b's rows, [n, k], summed whole.
      if (bColumnSums) biasGrad(b, bColumnSums, transB ? 1 : k, n, transB ? k : 1);
      const [entry, tile] = matmulTile(m, n);
      const tiles = Math.ceil(m / tile.BM) * Math.ceil(n / tile.BN);
      // Split K when the output has too few tiles to fill the GPU and K is long: each split's slice is
      // summed after (see matmul-shader.ts).
      const splits = Math.max(1, Math.min(Math.floor(BUSY_WORKGROUPS / tiles), Math.floor(k / 256), 16));
      const kPerSplit = Math.ceil(k / splits / tile.BK) * tile.BK;
      const target = splits > 1 ? scratch('matmul splits', splits * m * n) : out.offset;
      // The bias goes in as the outputs are stored, or after the slices are summed.
      const fusedBias = bias && splits === 1 ? bias.offset : NONE;
      run(
        'matmul',
        { a: a.offset, b: b.offset, out: target, m, n, k, bias: fusedBias, accumulate, kPerSplit, splits },
        { x: Math.ceil(n / tile.BN), y: Math.ceil(m / tile.BM), z: splits },
        `${entry}${transposition(transA, transB)}`,
      );
      if (splits > 1)
        run('sumChunks', { partial: target, out: out.offset, count: m * n, chunks: splits, accumulate }, m * n);
      if (bias && splits > 1)
        run('addBias', { out: out.offset, bias: bias.offset, outer: m, channels: n, inner: 1 }, m * n);
    },
    addBias: ({ out, bias, outer, channels, inner }) =>
      run('addBias', { out: out.offset, bias: bias.offset, outer, channels, inner }, outer * channels * inner),
    biasGrad: ({ dy, dBias, outer, channels, inner }) => biasGrad(dy, dBias, outer, channels, inner),
    unary: ({ op, x, y, size, alpha }) =>
      run('unary', { op: unaryCodes[op], x: x.offset, y: y.offset, size, alpha }, size),
    unaryBackward: ({ op, x, y, dy, dx, size, alpha, accumulate }) =>
      run(
        'unaryBackward',
        { op: unaryCodes[op], x: x.offset, y: y.offset, dy: dy.offset, dx: dx.offset, size, alpha, accumulate },
        size,
      ),
    softmax: ({ x, y, rows, cols }) => run('softmax', { x: x.offset, y: y.offset, rows, cols }, rows),
    softmaxBackward: ({ y, dy, dx, rows, cols, accumulate }) =>
      run('softmaxBackward', { y: y.offset, dy: dy.offset, dx: dx.offset, rows, cols, accumulate }, rows),
    conv2d: ({ x, w, y, g, bias }) => {
      const args = { x: x.offset, w: w.offset, y: y.offset, g, bias: bias?.offset ?? NONE };
      if (g.kh * g.kw <= CHUNK_TAPS) run('conv2dTiled', args, convGrid(g.n * g.oh * g.ow, g.cOut));
      else run('conv2d', args, g.n * g.cOut * g.oh * g.ow);
    },
    conv2dBackwardInput: ({ dy, w, dx, g, accumulate }) => {
      const args = { dy: dy.offset, w: w.offset, dx: dx.offset, g, accumulate };
      if (g.kh * g.kw <= CHUNK_TAPS) run('conv2dBackwardInputTiled', args, convGrid(g.n * g.h * g.w, g.cIn));
      else run('conv2dBackwardInput', args, g.n * g.cIn * g.h * g.w);
    },
    conv2dBackwardWeight({ x, dy, dw, g }) {
      const taps = g.cIn * g.kh * g.kw;
      const weights = g.cOut * taps;
      const pixels = g.n * g.oh * g.ow;
      // Chunks of at least 512 pixels (a multiple of 64), at most TERMS_PER_GROUP of them (one more pass adds them).
      const perGroup = Math.max(512, Math.ceil(pixels / TERMS_PER_GROUP / 64) * 64);
      const chunks = Math.ceil(pixels / perGroup);
      const dest = chunks > 1 ? scratch('conv2dBackwardWeight chunks', chunks * weights) : dw.offset;
      run(
        'conv2dBackwardWeightTiled',
        { x: x.offset, dy: dy.offset, dest, g, accumulate: true, pixelsPerGroup: perGroup },
        { x: Math.ceil(taps / 64), y: Math.ceil(g.cOut / CONV_BLOCK), z: chunks },
      );
      if (chunks > 1) addChunks(dest, chunks, weights, dw, true);
    },
    maxPool: ({ x, y, argmax, g }) =>
      run('maxPool', { x: x.offset, y: y.offset, argmax: argmax.offset, g }, g.n * g.cIn * g.oh * g.ow),
    maxPoolBackward: ({ dy, argmax, dx, g, accumulate }) =>
      run(
        'maxPoolBackward',
        { dy: dy.offset, argmax: argmax.offset, dx: dx.offset, g, accumulate },
        g.n * g.cIn * g.h * g.w,
      ),
    avgPool: ({ x, y, g }) => run('avgPool', { x: x.offset, y: y.offset, g }, g.n * g.cIn * g.oh * g.ow),
    avgPoolBackward: ({ dy, dx, g, accumulate }) =>
      run('avgPoolBackward', { dy: dy.offset, dx: dx.offset, g, accumulate }, g.n * g.cIn * g.h * g.w),
    batchNorm: (a) =>
      run(
        'batchNorm',
        {
          ...a,
          x: a.x.offset,
          y: a.y.offset,
          xhat: a.xhat.offset,
          mean: a.mean.offset,
          invStd: a.invStd.offset,
          gamma: a.gamma.offset,
          beta: a.beta.offset,
          runningMean: a.runningMean.offset,
          runningVar: a.runningVar.offset,
        },
        a.c,
      ),
    batchNormBackward: (a) =>
      run(
        'batchNormBackward',
        {
          ...a,
          dy: a.dy.offset,
          xhat: a.xhat.offset,
          invStd: a.invStd.offset,
          gamma: a.gamma.offset,
          dGamma: a.dGamma.offset,
          dBeta: a.dBeta.offset,
          dx: a.dx.offset,
        },
        a.c,
      ),
    dropout: ({ x, y, mask, size, rate, seed, counter }) =>
      run(
        'dropout',
        {
          x: x.offset,
          y: y.offset,
          mask: mask.offset,
          size,
          // Kept when draw / 2³² ≥ rate: the same comparison as the CPU's, in integers.
          threshold: Math.min(Math.ceil(rate * 4294967296), 4294967295),
          seed,
          counter,
          keep: 1 / (1 - rate),
        },
        size,
      ),
    lstmCell: ({ gates, cPrev, c, h, n, u }) =>
      run('lstmCell', { gates: gates.offset, cPrev: cPrev.offset, c: c.offset, h: h.offset, n, units: u }, n * u),
    lstmCellBackward: ({ gates, cPrev, c, dh, dc, dGates, n, u }) =>
      run(
        'lstmCellBackward',
        {
          gates: gates.offset,
          cPrev: cPrev.offset,
          c: c.offset,
          dh: dh.offset,
          dc: dc.offset,
          dGates: dGates.offset,
          n,
          units: u,
        },
        n * u,
      ),
    ...webGpuLstmSteps(run, () => backend),
    softmaxCrossEntropy: ({ logits, dLogits, ...rest }) =>
      labelledLoss('softmaxCrossEntropy', { ...rest, y: logits, dY: dLogits }, rest.rows),
    meanSquaredErrorOneHot: (a) => labelledLoss('meanSquaredErrorOneHot', a, a.rows * a.cols),
    meanSquaredError({ y, target, dY, loss, size, scale }) {
      run(
        'meanSquaredError',
        { y: y.offset, want: target.offset, dY: dY.offset, loss: loss.offset, size, scale, partials },
        lossGroups,
      );
      finishLoss(loss, NONE, size);
    },
    sigmoidBinaryCrossEntropy({ logits, target, dLogits, loss, correct, size, scale }) {
      run(
        'sigmoidBinaryCrossEntropy',
        {
          logits: logits.offset,
          want: target.offset,
          dLogits: dLogits.offset,
          loss: loss.offset,
          correct: correct.offset,
          size,
          scale,
          partials,
        },
        lossGroups,
      );
      finishLoss(loss, correct.offset, size);
    },
    regularize: ({ w, g, size, l1, l2 }) => run('regularize', { w: w.offset, g: g.offset, size, l1, l2 }, size),
    clipByGlobalNorm({ g, size, maxNorm, normSq }) {
      reduce('sumSquares', (dest) => ({ g: g.offset, dest, size }), normSq, 1, size, false);
      if (maxNorm > 0) run('clipScale', { g: g.offset, size, normSq: normSq.offset, maxNorm }, size);
    },
    optimizerStep({ kind, hyper, params, grads, slot1, slot2, size, step }) {
      // The kernel and its own arguments from the operations' table, named as kernel-params.ts names them.
      const [kernel, args] = updateOf(kind, hyper, step);
      const own = Object.fromEntries(optimizerArgNames(kernel).map((name, i) => [name, args[i]]));
      const buffers = { params: params.offset, grads: grads.offset, slot1: slot1.offset, slot2: slot2.offset, size };
      run(kernel, { ...own, ...buffers } as KernelArgs<typeof kernel>, size);
    },
  };
  return backend;
}
