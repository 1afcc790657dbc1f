import type { Conv2dGeometry } from '../backend';
import type { WasmArena } from './wasm/arena';

export type ConvKernel = 'convForward' | 'convBackwardInput' | 'convBackwardWeight';

/** About how many chunks of samples the two threads share out between them (see chunkOfSamples). */
const CHUNKS = 8;

/**
 * Samples a chunk: an eighth of the batch or so, in whole groups of samples that share a product (a chunk
 * that split a group would make two small products of it).
 */
export function chunkOfSamples(n: number, group: number): number {
  return Math.ceil(Math.ceil(n / CHUNKS) / group) * group;
}

/**
 * A convolution kernel over the batch: with a helper thread, the forward pass and the input gradient in
 * chunks of samples that both threads take until none is left (KernelThreads.runChunks); the weight
 * gradient, a sum over the samples, in fixed halves, the helper's into a sum of its own added in at the end.
 * Each thread has its own patch, side and packing areas. Samples of small planes share products, several
 * side by side (see samplesPerProduct in the kernels).
 */
export function createConvOverBatch(arena: WasmArena) {
  const k = arena.kernels;
  /** `accumulate`: the input gradient's (the other kernels add into their output, or overwrite it). */
  return (kernel: ConvKernel, tensors: [number, number, number], g: Conv2dGeometry, accumulate = true): boolean => {
    const P = g.oh * g.ow;
    const K = g.cIn * g.kh * g.kw;
    const group = k.samplesPerProduct(K, P, g.n);
    const [m, n] =
      kernel === 'convForward' ? [g.cOut, group * P] : kernel === 'convBackwardInput' ? [K, group * P] : [g.cOut, K];
    const shape = [g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];
    // What a kernel keeps in the product's area besides (or instead of) the product's packed operands.
    const ownWorkFloats =
      kernel === 'convForward'
        ? k.byPositionsScratchFloats(g.cOut, K)
        : kernel === 'convBackwardWeight'
          ? k.weightsInPlaceScratchFloats(g.cOut, K, P, g.n)
          : k.col2imRowsScratchFloats(g.kw); // col2im by rows' masks, once the product is done
    const area = (name: string, floats: number) => arena.scratch(name, floats);
    // The input gradient's col2im reads (and masks) a little past its columns' first and last rows.
    const slack = kernel === 'convBackwardInput' ? k.col2imSlackFloats(g.kw) : 0;
    const colsArea = (suffix: string) => {
      const at = area(`cols${suffix}`, K * P * group + 2 * slack);
      return at < 0 ? at : at + slack * 4;
    };
    // The side area only where samples share a product (0: unused by the kernel).
    const areas = (suffix: string) => [
      colsArea(suffix),
      group > 1 ? area(`side${suffix}`, g.cOut * P * group) : 0,
      // (The passes that read windows in place keep their tables and packed operands here instead.)
      area(`gemm${suffix}`, Math.max(k.gemmScratchFloats(m, n), ownWorkFloats)),
    ];
    const own = areas('');
    if (own.some((at) => at < 0)) return false;
    const flag = kernel === 'convBackwardInput' ? [accumulate ? 1 : 0] : [];
    const threads = arena.threads;
    const helper = threads && g.n > 1 ? areas('-helper') : [-1];
    const partial = kernel === 'convBackwardWeight' && helper[0] >= 0 ? area('dw-helper', g.cOut * K) : 0;
    if (!threads || helper.some((at) => at < 0) || partial < 0) {
      k[kernel](...tensors, 0, g.n, ...shape, ...own, ...flag);
      return true;
    }
    const [x, y, out] = tensors;
    if (kernel === 'convBackwardWeight') {
      // A sum over the samples: each thread's half in its own sum, always the same half, so that the
      // gradient's rounding (and the run, and a resumed run) never depends on which thread was faster.
      const half = Math.ceil(g.n / 2);
      k.fill(partial, 0, g.cOut * K);
      threads.run(kernel, [x, y, partial, half, g.n, ...shape, ...helper], () =>
        k[kernel](x, y, out, 0, half, ...shape, ...own),
      );
      k.copy(partial, out, g.cOut * K, true);
      return true;
    }
    // Each sample's output its own: chunks of samples (argument 3, n0, and 4, n1) go to whichever thread
    // is free.
    threads.runChunks(
      kernel,
      [...tensors, 0, 0, ...shape, ...helper, ...flag],
      [...tensors, 0, 0, ...shape, ...own, ...flag],
      3,
      g.n,
      chunkOfSamples(g.n, group),
    );
    return true;
  };
}
