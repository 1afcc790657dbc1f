import { unaryOps } from '../../ops/activations';
import { updateOf } from '../../ops/optimizers';
import type { Backend, Conv2dGeometry, UnaryOp } from '../backend';
import { type GpuBuf, GpuMemory, PARTIALS_OFFSET } from './gpu-memory';
import type { KernelTime } from './gpu-profiler';
import { f32, GpuPipelines, GpuQueue, type MatmulTile, type Param, type Workgroups } from './gpu-queue';
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
  const NONE = 0xffffffff;

  const run = (entry: string, args: Param[], threads: number | Workgroups) => queue.run(entry, args, threads);
  /** The largest tiles the product has enough of to fill a big GPU (MATMUL_TILES is largest first), else the smallest. */
  const matmulTile = (m: number, n: number): [string, MatmulTile] => {
    if (options.matmulTiles) return [options.matmulTiles, pipelines.tiles[options.matmulTiles]];
    const sizes = Object.entries(pipelines.tiles);
    return sizes.find(([, t]) => Math.ceil(m / t.BM) * Math.ceil(n / t.BN) >= TILES_TO_FILL) ?? sizes[sizes.length - 1];
  };

  const scratch = (name: string, floats: number) => memory.scratch(name, floats);

  const geometry = (g: Conv2dGeometry) => [
    g.n,
    g.cIn,
    g.h,
    g.w,
    g.cOut,
    g.kh,
    g.kw,
    g.sh,
    g.sw,
    g.ph,
    g.pw,
    g.oh,
    g.ow,
  ];

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
  function reduce(
    entry: string,
    args: (target: number) => Param[],
    out: GpuBuf,
    count: number,
    terms: number,
    accumulate = true,
    depth = 0,
  ): void {
    const chunks = Math.ceil(terms / TERMS_PER_GROUP);
    if (chunks <= 1) {
      run(entry, args(out.offset), grid(count, 1));
      return;
    }
    const partial = scratch(`${entry} chunks ${depth}`, chunks * count);
    run(entry, args(partial), grid(count, chunks));
    addChunks(partial, chunks, count, out, accumulate, depth + 1);
  }

  /**
   * out[i] (+)= Σ_chunk partial[chunk · count + i]: the chunks' sums are terms of a sum too, reduced by
   * biasGrad (in more passes only past 4096² chunks).
   */
  function addChunks(partial: number, chunks: number, count: number, out: GpuBuf, accumulate: boolean, depth = 1) {
    const args = (target: number) => [partial, target, chunks, count, 1, accumulate];
    reduce('biasGrad', args, out, count, chunks, accumulate, depth);
  }

  return {
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

    fill: (out, value, size) => run('fill', [out.offset, size, f32(value)], size),
    copy: ({ src, out, size, accumulate }) => run('copy', [src.offset, out.offset, size, accumulate], size),
    mul: ({ a, b, out, size, accumulate }) => run('mul', [a.offset, b.offset, out.offset, size, accumulate], size),
    copyBlocks: (a) =>
      run(
        'copyBlocks',
        [
          a.src.offset,
          a.srcOffset,
          a.srcStride,
          a.out.offset,
          a.outOffset,
          a.outStride,
          a.blocks,
          a.blockSize,
          a.accumulate,
        ],
        a.blocks * a.blockSize,
      ),
    gatherRows: ({ src, indices, out, rowSize, count }) =>
      run('gatherRows', [src.offset, indices.offset, out.offset, rowSize, count], rowSize * count),
    matmul({ a, b, out, m, n, k, transA, transB, accumulate, bias }) {
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
        `${entry}${transposition(transA, transB)}`,
        [a.offset, b.offset, target, m, n, k, fusedBias, 0, accumulate, kPerSplit, splits],
        { x: Math.ceil(n / tile.BN), y: Math.ceil(m / tile.BM), z: splits },
      );
      if (splits > 1) run('sumChunks', [target, out.offset, m * n, splits, accumulate], m * n);
      if (bias && splits > 1) run('addBias', [out.offset, bias.offset, m, n, 1], m * n);
    },
    addBias: ({ out, bias, outer, channels, inner }) =>
      run('addBias', [out.offset, bias.offset, outer, channels, inner], outer * channels * inner),
    biasGrad: ({ dy, dBias, outer, channels, inner }) =>
      reduce('biasGrad', (target) => [dy.offset, target, outer, channels, inner, true], dBias, channels, outer * inner),
    unary: ({ op, x, y, size, alpha }) => run('unary', [unaryCodes[op], x.offset, y.offset, size, f32(alpha)], size),
    unaryBackward: ({ op, x, y, dy, dx, size, alpha }) =>
      run('unaryBackward', [unaryCodes[op], x.offset, y.offset, dy.offset, dx.offset, size, f32(alpha)], size),
    softmax: ({ x, y, rows, cols }) => run('softmax', [x.offset, y.offset, rows, cols], rows),
    softmaxBackward: ({ y, dy, dx, rows, cols }) =>
      run('softmaxBackward', [y.offset, dy.offset, dx.offset, rows, cols], rows),
    conv2d: ({ x, w, y, g, bias }) => {
      const args = [x.offset, w.offset, y.offset, ...geometry(g), bias?.offset ?? NONE];
      if (g.kh * g.kw <= CHUNK_TAPS) run('conv2dTiled', args, convGrid(g.n * g.oh * g.ow, g.cOut));
      else run('conv2d', args, g.n * g.cOut * g.oh * g.ow);
    },
    conv2dBackwardInput: ({ dy, w, dx, g }) =>
      g.kh * g.kw <= CHUNK_TAPS
        ? run(
            'conv2dBackwardInputTiled',
            [dy.offset, w.offset, dx.offset, ...geometry(g)],
            convGrid(g.n * g.h * g.w, g.cIn),
          )
        : run('conv2dBackwardInput', [dy.offset, w.offset, dx.offset, ...geometry(g)], g.n * g.cIn * g.h * g.w),
    conv2dBackwardWeight({ x, dy, dw, g }) {
      const taps = g.cIn * g.kh * g.kw;
      const weights = g.cOut * taps;
      const pixels = g.n * g.oh * g.ow;
      // Chunks of at least 512 pixels (a multiple of 64), at most TERMS_PER_GROUP of them (one more pass adds them).
      const perGroup = Math.max(512, Math.ceil(pixels / TERMS_PER_GROUP / 64) * 64);
      const chunks = Math.ceil(pixels / perGroup);
      const target = chunks > 1 ? scratch('conv2dBackwardWeight chunks', chunks * weights) : dw.offset;
      run('conv2dBackwardWeightTiled', [x.offset, dy.offset, target, ...geometry(g), true, perGroup], {
        x: Math.ceil(taps / 64),
        y: Math.ceil(g.cOut / CONV_BLOCK),
        z: chunks,
      });
      if (chunks > 1) addChunks(target, chunks, weights, dw, true);
    },
    maxPool: ({ x, y, argmax, g }) =>
      run('maxPool', [x.offset, y.offset, argmax.offset, ...geometry(g)], g.n * g.cIn * g.oh * g.ow),
    maxPoolBackward: ({ dy, argmax, dx, g }) =>
      run('maxPoolBackward', [dy.offset, argmax.offset, dx.offset, ...geometry(g)], g.n * g.cIn * g.h * g.w),
    avgPool: ({ x, y, g }) => run('avgPool', [x.offset, y.offset, 0, ...geometry(g)], g.n * g.cIn * g.oh * g.ow),
    avgPoolBackward: ({ dy, dx, g }) =>
      run('avgPoolBackward', [dy.offset, dx.offset, 0, ...geometry(g)], g.n * g.cIn * g.h * g.w),
    batchNorm: (a) =>
      run(
        'batchNorm',
        [
          a.x.offset,
          a.y.offset,
          a.xhat.offset,
          a.mean.offset,
          a.invStd.offset,
          a.gamma.offset,
          a.beta.offset,
          a.runningMean.offset,
          a.runningVar.offset,
          a.n,
          a.c,
          a.inner,
          f32(a.eps),
          f32(a.momentum),
          a.train,
        ],
        a.c,
      ),
    batchNormBackward: (a) =>
      run(
        'batchNormBackward',
        [
          a.dy.offset,
          a.xhat.offset,
          a.invStd.offset,
          a.gamma.offset,
          a.dGamma.offset,
          a.dBeta.offset,
          a.dx.offset,
          a.n,
          a.c,
          a.inner,
          a.train,
        ],
        a.c,
      ),
    dropout: ({ x, y, mask, size, rate, seed, counter }) =>
      run(
        'dropout',
        // Kept when draw / 2³² ≥ rate: the same comparison as the CPU's, in integers.
        [
          x.offset,
          y.offset,
          mask.offset,
          size,
          Math.min(Math.ceil(rate * 4294967296), 4294967295),
          seed,
          counter,
          f32(1 / (1 - rate)),
        ],
        size,
      ),
    lstmCell: ({ gates, cPrev, c, h, n, u }) =>
      run('lstmCell', [gates.offset, cPrev.offset, c.offset, h.offset, n, u], n * u),
    lstmCellBackward: ({ gates, cPrev, c, dh, dc, dGates, n, u }) =>
      run('lstmCellBackward', [gates.offset, cPrev.offset, c.offset, dh.offset, dc.offset, dGates.offset, n, u], n * u),
    softmaxCrossEntropy({ logits, labels, dLogits, loss, correct, rows, cols, scale }) {
      const args = [logits.offset, labels.offset, dLogits.offset, loss.offset, correct.offset, rows, cols, f32(scale)];
      run('softmaxCrossEntropy', [...args, partials], lossGroups);
      run('finishLoss', [partials, loss.offset, correct.offset, rows], one);
    },
    meanSquaredErrorOneHot({ y, labels, dY, loss, correct, rows, cols, scale }) {
      const args = [y.offset, labels.offset, dY.offset, loss.offset, correct.offset, rows, cols, f32(scale)];
      run('meanSquaredErrorOneHot', [...args, partials], lossGroups);
      run('finishLoss', [partials, loss.offset, correct.offset, rows * cols], one);
    },
    meanSquaredError({ y, target, dY, loss, size, scale }) {
      run(
        'meanSquaredError',
        [y.offset, target.offset, dY.offset, loss.offset, size, f32(scale), partials],
        lossGroups,
      );
      run('finishLoss', [partials, loss.offset, NONE, size], one);
    },
    sigmoidBinaryCrossEntropy({ logits, target, dLogits, loss, correct, size, scale }) {
      const args = [logits.offset, target.offset, dLogits.offset, loss.offset, correct.offset, size, f32(scale)];
      run('sigmoidBinaryCrossEntropy', [...args, partials], lossGroups);
      run('finishLoss', [partials, loss.offset, correct.offset, size], one);
    },
    regularize: ({ w, g, size, l1, l2 }) => run('regularize', [w.offset, g.offset, size, f32(l1), f32(l2)], size),
    clipByGlobalNorm({ g, size, maxNorm, normSq }) {
      reduce('sumSquares', (target) => [g.offset, target, size], normSq, 1, size, false);
      if (maxNorm > 0) run('clipScale', [g.offset, size, normSq.offset, f32(maxNorm)], size);
    },
    optimizerStep({ kind, hyper, params, grads, slot1, slot2, size, step }) {
      // The kernel and its arguments from the operations' table (floats as f32, flags as they are).
      const [kernel, args] = updateOf(kind, hyper, step);
      const base = [params.offset, grads.offset, slot1.offset, slot2.offset, size];
      run(kernel, [...base, ...args.map((a) => (typeof a === 'boolean' ? a : f32(a)))], size);
    },
  };
}
