import { optimizerKernels, updateOf } from '../../ops/optimizers';
import type { Backend, Conv2dGeometry } from '../backend';
import { composedStep, composedStepBackward } from '../lstm-step';
import { createConvOverBatch } from './conv-over-batch';
import { columnSums } from './dense-kernels';
import type { FloatArray } from './types';
import type { WasmArena } from './wasm/arena';
import type { ThreadKernel } from './wasm/kernel-threads';

type CpuBackend = Backend<FloatArray>;

/** The optimizers' kernels in their table's order: optimizerBits (kernels/optimizer.ts) takes them by place. */
const optimizerKernelNames = Object.keys(optimizerKernels);

/**
 * The backend's kernels run by the WebAssembly SIMD kernels, in place on tensors in the arena. A call with
 * any tensor outside the arena (tests handing in plain arrays, or an arena that was full) takes the
 * reference kernel instead, so results never depend on where memory came from, only speed does.
 */
export function wasmKernels(arena: WasmArena, reference: CpuBackend): Partial<CpuBackend> {
  const k = arena.kernels;
  /** Byte offsets of the arrays, or null when one of them is not in the arena. */
  const ptrs = (...arrays: FloatArray[]): number[] | null => {
    const out = arrays.map((a) => arena.ptr(a));
    return out.some((p) => p < 0) ? null : out;
  };
  const geometry = (g: Conv2dGeometry) => [g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];

  /** Below this many multiply-adds a product is not worth splitting between threads. */
  const SPLIT_WORK = 1 << 16;

  /**
   * One product; with a helper thread, large ones are split by columns (whole 8-column strips each). With
   * `sums` (a pointer, 0 for none; a plain B only) B's column sums are added into it as B is packed.
   */
  const gemm = (
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    kk: number,
    tA: boolean,
    tB: boolean,
    acc: boolean,
    sums = 0,
  ) => {
    const scratch = arena.scratch('gemm', k.gemmScratchFloats(m, n));
    if (scratch < 0) return false;
    const threads = arena.threads;
    if (threads && n >= 16 && m * n * kk >= SPLIT_WORK) {
      const helperScratch = arena.scratch('gemm-helper', k.gemmScratchFloats(m, n));
      if (helperScratch >= 0) {
        const mid = Math.ceil(n / 16) * 8;
        threads.run('gemm', [a, b, c, m, n, kk, +tA, +tB, +acc, helperScratch, mid, n, sums], () =>
          k.gemm(a, b, c, m, n, kk, tA, tB, acc, scratch, 0, mid, sums),
        );
        return true;
      }
    }
    k.gemm(a, b, c, m, n, kk, tA, tB, acc, scratch, 0, n, sums);
    return true;
  };

  /** Below this many floats touched, an element-wise pass is not worth a hand-off to the helper. */
  const SPLIT_FLOATS = 1 << 15;
  /**
   * Whether an element-wise pass touching `floats` floats goes to both threads. Small passes call their
   * kernel directly, building no argument lists: a small network trains tens of thousands of steps a second,
   * and garbage made at that rate keeps V8's collector threads busy on the cores the page needs.
   */
  const splits = (floats: number) => arena.threads !== null && floats >= SPLIT_FLOATS;
  /** fill's value as integer bits (a helper's job arguments are integers). */
  const fillValue = new Float32Array(1);
  const fillBits = new Int32Array(fillValue.buffer);
  const floatBits = (value: number) => {
    fillValue[0] = value;
    return fillBits[0];
  };

  /**
   * An element-wise kernel over items [0, count) (floats, planes or samples), the later half on the helper
   * thread; `args(from, to)` are the kernel's arguments for a range, cut at a multiple of `unit` items
   * (whole vectors of four floats).
   */
  const overItems = (kernel: ThreadKernel, count: number, args: (from: number, to: number) => number[], unit = 1) => {
    const threads = arena.threads;
    const mid = Math.ceil(count / 2 / unit) * unit;
    const run = k[kernel] as (...a: number[]) => void;
    if (!threads || mid >= count) return run(...args(0, count));
    threads.run(kernel, args(mid, count), () => run(...args(0, mid)));
  };
  /** A pass over `size` floats: x, y, … are pointers advanced to each half's start; `after` follow the size. */
  const overFloats = (kernel: ThreadKernel, size: number, pointers: number[], after: number[] = []) =>
    overItems(kernel, size, (from, to) => [...pointers.map((p) => p + from * 4), to - from, ...after], 4);

  /** Where the helper leaves its half's Σ g² (a double), made at the first split sum. */
  let helperSum: Float64Array | null = null;
  /** Σ g² over `size` floats from g (in double precision), the later half summed on the helper thread. */
  const sumOfSquares = (g: number, size: number): number => {
    const threads = arena.threads;
    if (!threads || !splits(size)) return k.sumSquares(g, size);
    if (!helperSum) {
      const cell = arena.alloc(2);
      if (!cell) return k.sumSquares(g, size);
      helperSum = new Float64Array(cell.buffer, cell.byteOffset, 1);
    }
    const mid = Math.ceil(size / 8) * 4;
    let own = 0;
    threads.run('sumSquaresInto', [g + mid * 4, size - mid, helperSum.byteOffset], () => {
      own = k.sumSquares(g, mid);
    });
    return own + helperSum[0];
  };

  /** Below this many LSTM units (samples × units) a cell is not worth splitting between threads. */
  const SPLIT_CELL_UNITS = 2048;

  /**
   * An LSTM cell kernel over the batch: with a helper thread, it takes the later half of the samples. Each
   * tensor's row is `widths[i]` × u floats (the gates 4u, the states u); `own(n)` runs the first n rows here.
   */
  const overRows = (
    n: number,
    u: number,
    widths: number[],
    tensors: number[],
    kernel: 'lstmCell' | 'lstmCellBackward',
    own: (rows: number) => void,
  ) => {
    const threads = arena.threads;
    if (!threads || n < 2 || n * u < SPLIT_CELL_UNITS) return own(n);
    const half = Math.ceil(n / 2);
    const later = tensors.map((ptr, i) => ptr + half * widths[i] * u * 4);
    threads.run(kernel, [...later, n - half, u], () => own(half));
  };

  /** Where each LSTM weight matrix was last packed from (by area name): a pass's first step packs afresh. */
  const packedFrom = new Map<string, number>();
  /**
   * An LSTM's recurrent weights packed as the product's B (Wh forward, Whᵀ backward): once per pass, the
   * later steps of the pass reuse them; -1 when memory is exhausted.
   */
  const packedWeights = (name: string, wh: number, n: number, kk: number, transB: boolean) => {
    const at = arena.scratch(name, k.packedBFloats(n, kk));
    if (at < 0 || packedFrom.get(name) === wh) return at;
    k.packBWhole(wh, n, kk, transB, at);
    packedFrom.set(name, wh);
    return at;
  };

  /**
   * A whole LSTM step over the batch: with a helper thread, each takes a band of samples (product and cell),
   * with its own packing area. `args(n0, n1, scratch)` are the kernel's arguments for samples [n0, n1).
   */
  const stepOverSamples = (
    n: number,
    u: number,
    kernel: 'lstmStepRows' | 'lstmStepBackwardRows',
    args: (n0: number, n1: number, scratch: number) => number[],
  ): boolean => {
    const scratch = arena.scratch(kernel, k.gemmRowsScratchFloats(n));
    if (scratch < 0) return false;
    const threads = arena.threads;
    const half = Math.ceil(n / 2);
    const helper =
      threads && n >= 2 && n * u >= SPLIT_CELL_UNITS
        ? arena.scratch(`${kernel}-helper`, k.gemmRowsScratchFloats(half))
        : -1;
    if (!threads || helper < 0) k[kernel](...args(0, n, scratch));
    else threads.run(kernel, args(half, n, helper), () => k[kernel](...args(0, half, scratch)));
    return true;
  };

  const convOverBatch = createConvOverBatch(arena);

  return {
    fill(out, value, size) {
      const p = ptrs(out);
      if (!p) return reference.fill(out, value, size);
      if (!splits(size)) return k.fill(p[0], value, size);
      const bits = floatBits(value);
      overItems('fillBits', size, (from, to) => [p[0] + from * 4, bits, to - from], 4);
    },
    copy(args) {
      const p = ptrs(args.src, args.out);
      if (!p) return reference.copy(args);
      // The training state's copies (a replay window's start: the weights and both optimizer slots) are large.
      // Ranges that overlap stay on one thread, whose memory.copy moves them as a whole.
      const overlap = Math.abs(p[0] - p[1]) < 4 * args.size;
      if (overlap || !splits(2 * args.size)) return k.copy(p[0], p[1], args.size, args.accumulate);
      overFloats('copy', args.size, p, [+args.accumulate]);
    },
    mul(args) {
      const p = ptrs(args.a, args.b, args.out);
      if (p) k.mul(p[0], p[1], p[2], args.size, args.accumulate);
      else reference.mul(args);
    },
    copyBlocks(args) {
      const p = ptrs(args.src, args.out);
      if (p)
        k.copyBlocks(
          p[0],
          args.srcOffset,
          args.srcStride,
          p[1],
          args.outOffset,
          args.outStride,
          args.blocks,
          args.blockSize,
          args.accumulate,
        );
      else reference.copyBlocks(args);
    },
    matmul(args) {
      const { a, b, out, m, n, k: inner, transA, transB, accumulate, bColumnSums } = args;
      const p = bColumnSums ? ptrs(a, b, out, bColumnSums) : ptrs(a, b, out);
      // B's column sums are summed as B is packed, where it is packed as it is stored.
      const sums = p && bColumnSums && !transB ? p[3] : 0;
      if (!p || !gemm(p[0], p[1], p[2], m, n, inner, transA, transB, accumulate, sums)) return reference.matmul(args);
      if (bColumnSums && !sums) columnSums(b, bColumnSums, inner, n, transB);
    },
    addBias(args) {
      const { outer, channels, inner } = args;
      const p = ptrs(args.out, args.bias);
      if (!p) return reference.addBias(args);
      const row = channels * inner;
      if (!splits(outer * row)) return k.addBias(p[0], p[1], outer, channels, inner);
      overItems('addBias', outer, (from, to) => [p[0] + from * row * 4, p[1], to - from, channels, inner]);
    },
    biasGrad(args) {
      const p = ptrs(args.dy, args.dBias);
      if (p) k.biasGrad(p[0], p[1], args.outer, args.channels, args.inner);
      else reference.biasGrad(args);
    },
    unary(args) {
      const { op, size } = args;
      const p = ptrs(args.x, args.y);
      if (!p || (op !== 'relu' && op !== 'sigmoid' && op !== 'tanh')) return reference.unary(args);
      if (splits(2 * size)) overFloats(op, size, p);
      else k[op](p[0], p[1], size);
    },
    lstmCell(args) {
      const p = ptrs(args.gates, args.cPrev, args.c, args.h);
      if (!p) return reference.lstmCell(args);
      const [gates, cPrev, c, h] = p;
      overRows(args.n, args.u, [4, 1, 1, 1], p, 'lstmCell', (n) => k.lstmCell(gates, cPrev, c, h, n, args.u));
    },
    lstmCellBackward(args) {
      const p = ptrs(args.gates, args.cPrev, args.c, args.dh, args.dc, args.dGates);
      if (!p) return reference.lstmCellBackward(args);
      const [gates, cPrev, c, dh, dc, dGates] = p;
      overRows(args.n, args.u, [4, 1, 1, 1, 1, 4], p, 'lstmCellBackward', (n) =>
        k.lstmCellBackward(gates, cPrev, c, dh, dc, dGates, n, args.u),
      );
    },
    lstmStep(a) {
      if (a.first) packedFrom.delete('lstm-wh');
      const { n, u } = a;
      const p = ptrs(a.projected, a.h, a.wh, a.gates, a.cPrev, a.c, a.hNext);
      const y = a.y ? arena.ptr(a.y) : 0;
      const wh = p && y >= 0 ? packedWeights('lstm-wh', p[2], 4 * u, u, false) : -1;
      if (!p || wh < 0) return composedStep(reference, a);
      const [projected, h, , gates, cPrev, c, hNext] = p;
      const yAt = a.y ? y + a.yOffset * 4 : 0;
      const pAt = projected + a.pOffset * 4;
      const fused = stepOverSamples(n, u, 'lstmStepRows', (n0, n1, scratch) => [
        pAt,
        a.pStride,
        h,
        wh,
        gates,
        cPrev,
        c,
        hNext,
        yAt,
        a.yStride,
        n0,
        n1,
        u,
        scratch,
      ]);
      if (!fused) composedStep(reference, a);
    },
    lstmStepBackward(a) {
      if (a.first) packedFrom.delete('lstm-wh-transposed');
      const { n, u } = a;
      const p = ptrs(a.wh, a.gates, a.cPrev, a.c, a.dc, a.dz, a.dProjected, a.dh);
      const dy = a.dy ? arena.ptr(a.dy) : 0;
      const dzNext = a.dzNext ? arena.ptr(a.dzNext) : 0;
      const whT = p && dy >= 0 && dzNext >= 0 ? packedWeights('lstm-wh-transposed', p[0], u, 4 * u, true) : -1;
      if (!p || whT < 0) return composedStepBackward(reference, a);
      const [, gates, cPrev, c, dc, dz, dProjected, dh] = p;
      const dyAt = a.dy ? dy + a.dyOffset * 4 : 0;
      const dpAt = dProjected + a.pOffset * 4;
      const fused = stepOverSamples(n, u, 'lstmStepBackwardRows', (n0, n1, scratch) => [
        dyAt,
        a.dyStride,
        dzNext,
        whT,
        gates,
        cPrev,
        c,
        dc,
        dz,
        dpAt,
        a.pStride,
        dh,
        n0,
        n1,
        u,
        scratch,
      ]);
      if (!fused) composedStepBackward(reference, a);
    },
    unaryBackward(args) {
      const { op, x, y, dy, dx, size, accumulate } = args;
      const p = ptrs(x, y, dy, dx);
      if (p && op === 'linear') return k.copy(p[2], p[3], size, accumulate);
      const kernel =
        op === 'relu' ? 'reluBackward' : op === 'sigmoid' ? 'sigmoidBackward' : op === 'tanh' ? 'tanhBackward' : null;
      if (!p || !kernel) return reference.unaryBackward(args);
      // ReLU's reads x, the others their output y; and dy; dx += …: four floats touched per element.
      const from = op === 'relu' ? p[0] : p[1];
      if (splits(4 * size)) overFloats(kernel, size, [from, p[2], p[3]], [accumulate ? 1 : 0]);
      else k[kernel](from, p[2], p[3], size, accumulate);
    },
    conv2d(args) {
      const p = ptrs(args.x, args.w, args.y);
      if (!p || !convOverBatch('convForward', [p[0], p[1], p[2]], args.g)) reference.conv2d(args);
    },
    conv2dBackwardWeight(args) {
      const p = ptrs(args.x, args.dy, args.dw);
      if (!p || !convOverBatch('convBackwardWeight', [p[0], p[1], p[2]], args.g)) reference.conv2dBackwardWeight(args);
    },
    conv2dBackwardInput(args) {
      const p = ptrs(args.dy, args.w, args.dx);
      if (!p || !convOverBatch('convBackwardInput', [p[0], p[1], p[2]], args.g, args.accumulate))
        reference.conv2dBackwardInput(args);
    },
    maxPool(args) {
      const { x, y, argmax, g } = args;
      const p = ptrs(x, y, argmax);
      if (!p) return reference.maxPool(args);
      const [inPlane, outPlane] = [g.h * g.w, g.oh * g.ow];
      if (!splits(g.n * g.cIn * (inPlane + 2 * outPlane)))
        return k.maxPool(p[0], p[1], p[2], g.n * g.cIn, g.h, g.w, ...geometry(g));
      overItems('maxPool', g.n * g.cIn, (from, to) => [
        ...[p[0] + from * inPlane * 4, p[1] + from * outPlane * 4, p[2] + from * outPlane * 4],
        ...[to - from, g.h, g.w, ...geometry(g)],
      ]);
    },
    maxPoolBackward(args) {
      const { dy, argmax, dx, g, accumulate } = args;
      const p = ptrs(dy, argmax, dx);
      if (!p) return reference.maxPoolBackward(args);
      const [inPlane, outPlane] = [g.h * g.w, g.oh * g.ow];
      if (!splits(g.n * g.cIn * (inPlane + 2 * outPlane)))
        return k.maxPoolBackward(p[0], p[1], p[2], g.n * g.cIn, g.h, g.w, outPlane, accumulate);
      overItems('maxPoolBackward', g.n * g.cIn, (from, to) => [
        ...[p[0] + from * outPlane * 4, p[1] + from * outPlane * 4, p[2] + from * inPlane * 4],
        ...[to - from, g.h, g.w, outPlane, accumulate ? 1 : 0],
      ]);
    },
    optimizerStep(args) {
      const p = ptrs(args.params, args.grads, args.slot1, args.slot2);
      if (!p) return reference.optimizerStep(args);
      const [params, grads, slot1, slot2] = p;
      // The kernel and its arguments from the operations' table; each kernel takes the slots it uses.
      const [kernel, kernelArgs] = updateOf(args.kind, args.hyper, args.step);
      if (!splits(4 * args.size)) {
        const slots = optimizerKernels[kernel].slots.map((slot) => (slot === 'slot1' ? slot1 : slot2));
        return (k[kernel] as (...a: (number | boolean)[]) => void)(params, grads, ...slots, args.size, ...kernelArgs);
      }
      // Half of the parameters each (the update reads and writes four floats a parameter, or more): the
      // same kernel on each half, its float arguments as bits, as the helper takes them.
      const kind = optimizerKernelNames.indexOf(kernel);
      const bits = kernelArgs.map((a) => (typeof a === 'boolean' ? +a : floatBits(a)));
      const at = (ptr: number, from: number) => ptr + from * 4;
      overItems(
        'optimizerBits',
        args.size,
        (from, to) => [kind, at(params, from), at(grads, from), at(slot1, from), at(slot2, from), to - from, ...bits],
        4,
      );
    },
    clipByGlobalNorm(args) {
      const { g, size, maxNorm, normSq } = args;
      const p = ptrs(g);
      if (!p) return reference.clipByGlobalNorm(args);
      const sq = sumOfSquares(p[0], size);
      normSq[0] = sq;
      if (maxNorm <= 0) return;
      const coefficient = maxNorm / (Math.sqrt(sq) + 1e-6);
      if (coefficient < 1) overFloats('scaleBits', size, [p[0]], [floatBits(coefficient)]);
    },
  };
}
