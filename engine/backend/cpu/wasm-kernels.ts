import type { Backend, Conv2dGeometry } from '../backend';
import type { FloatArray } from './types';
import type { WasmArena } from './wasm/arena';

type CpuBackend = Backend<FloatArray>;

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
  ) => {
    const scratch = arena.scratch('gemm', k.gemmScratchFloats(m, n));
    if (scratch < 0) return false;
    k.gemm(a, b, c, m, n, kk, tA, tB, acc, scratch, 0, n);
    return true;
  };

  /** The patches of one sample (im2col), or the sample itself for 1×1 convolutions with stride 1 and no padding. */
  const patches = (x: number, g: Conv2dGeometry): number => {
    if (g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0) return x;
    const cols = arena.scratch('cols', g.cIn * g.kh * g.kw * g.oh * g.ow);
    if (cols < 0) return -1;
    k.im2col(x, cols, g.cIn, g.h, g.w, ...geometry(g));
    return cols;
  };

  return {
    fill(out, value, size) {
      const p = ptrs(out);
      if (p) k.fill(p[0], value, size);
      else reference.fill(out, value, size);
    },
    copy(args) {
      const p = ptrs(args.src, args.out);
      if (p) k.copy(p[0], p[1], args.size, args.accumulate);
      else reference.copy(args);
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
      const { a, b, out, m, n, k: inner, transA, transB, accumulate } = args;
      const p = ptrs(a, b, out);
      if (!p || !gemm(p[0], p[1], p[2], m, n, inner, transA, transB, accumulate)) reference.matmul(args);
    },
    addBias(args) {
      const p = ptrs(args.out, args.bias);
      if (p) k.addBias(p[0], p[1], args.outer, args.channels, args.inner);
      else reference.addBias(args);
    },
    biasGrad(args) {
      const p = ptrs(args.dy, args.dBias);
      if (p) k.biasGrad(p[0], p[1], args.outer, args.channels, args.inner);
      else reference.biasGrad(args);
    },
    unary(args) {
      const p = args.op === 'relu' ? ptrs(args.x, args.y) : null;
      if (p) k.relu(p[0], p[1], args.size);
      else reference.unary(args);
    },
    unaryBackward(args) {
      const { op, x, y, dy, dx, size } = args;
      const p = ptrs(x, y, dy, dx);
      if (p && op === 'relu') k.reluBackward(p[0], p[2], p[3], size);
      else if (p && op === 'sigmoid') k.sigmoidBackward(p[1], p[2], p[3], size);
      else if (p && op === 'tanh') k.tanhBackward(p[1], p[2], p[3], size);
      else if (p && op === 'linear') k.copy(p[2], p[3], size, true);
      else reference.unaryBackward(args);
    },
    conv2d(args) {
      const { x, w, y, g } = args;
      const p = ptrs(x, w, y);
      const P = g.oh * g.ow;
      const K = g.cIn * g.kh * g.kw;
      if (!p) return reference.conv2d(args);
      for (let b = 0; b < g.n; b++) {
        const cols = patches(p[0] + 4 * b * g.cIn * g.h * g.w, g);
        if (cols < 0 || !gemm(p[1], cols, p[2] + 4 * b * g.cOut * P, g.cOut, P, K, false, false, false))
          return reference.conv2d(args);
      }
    },
    conv2dBackwardWeight(args) {
      const { x, dy, dw, g } = args;
      const p = ptrs(x, dy, dw);
      const P = g.oh * g.ow;
      const K = g.cIn * g.kh * g.kw;
      if (!p) return reference.conv2dBackwardWeight(args);
      // Each sample adds its share, so a failure part-way cannot fall back: check the memory first.
      if (arena.scratch('gemm', k.gemmScratchFloats(g.cOut, K)) < 0 || arena.scratch('cols', K * P) < 0)
        return reference.conv2dBackwardWeight(args);
      for (let b = 0; b < g.n; b++) {
        const cols = patches(p[0] + 4 * b * g.cIn * g.h * g.w, g);
        gemm(p[1] + 4 * b * g.cOut * P, cols, p[2], g.cOut, K, P, false, true, true);
      }
    },
    conv2dBackwardInput(args) {
      const { dy, w, dx, g } = args;
      const p = ptrs(dy, w, dx);
      const P = g.oh * g.ow;
      const K = g.cIn * g.kh * g.kw;
      const direct = g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0;
      const dcols = direct ? 0 : arena.scratch('dcols', K * P);
      if (!p || dcols < 0 || arena.scratch('gemm', k.gemmScratchFloats(K, P)) < 0)
        return reference.conv2dBackwardInput(args);
      for (let b = 0; b < g.n; b++) {
        const dxAt = p[2] + 4 * b * g.cIn * g.h * g.w;
        // dcols = Wᵀ · dy, then scattered back (col2im); a 1×1 convolution adds Wᵀ · dy to dx directly.
        if (direct) gemm(p[1], p[0] + 4 * b * g.cOut * P, dxAt, K, P, g.cOut, true, false, true);
        else {
          gemm(p[1], p[0] + 4 * b * g.cOut * P, dcols, K, P, g.cOut, true, false, false);
          k.col2im(dcols, dxAt, g.cIn, g.h, g.w, ...geometry(g));
        }
      }
    },
    maxPool(args) {
      const { x, y, argmax, g } = args;
      const p = ptrs(x, y, argmax);
      if (p) k.maxPool(p[0], p[1], p[2], g.n * g.cIn, g.h, g.w, ...geometry(g));
      else reference.maxPool(args);
    },
    maxPoolBackward(args) {
      const { dy, argmax, dx, g } = args;
      const p = ptrs(dy, argmax, dx);
      if (p) k.maxPoolBackward(p[0], p[1], p[2], g.n * g.cIn, g.h, g.w, g.oh * g.ow);
      else reference.maxPoolBackward(args);
    },
    optimizerStep(args) {
      const { kind, hyper: h, size, step } = args;
      const p = ptrs(args.params, args.grads, args.slot1, args.slot2);
      if (!p) return reference.optimizerStep(args);
      const [params, grads, slot1, slot2] = p;
      switch (kind) {
        case 'sgd':
          return k.sgd(params, grads, size, h.lr);
        case 'momentum':
        case 'nesterov':
          return k.momentum(params, grads, slot1, size, h.lr, h.momentum, kind === 'nesterov');
        case 'adagrad':
          return k.scaledBySquares(params, grads, slot2, size, h.lr, 1, 1, h.eps);
        case 'rmsprop':
          return k.scaledBySquares(params, grads, slot2, size, h.lr, h.rho, 1 - h.rho, h.eps);
        case 'adadelta':
          return k.adadelta(params, grads, slot1, slot2, size, h.lr, h.rho, h.eps);
        case 'adam':
          return k.adam(
            params,
            grads,
            slot1,
            slot2,
            size,
            h.lr / (1 - h.beta1 ** step),
            h.beta1,
            h.beta2,
            Math.sqrt(1 - h.beta2 ** step),
            h.eps,
          );
      }
    },
    clipByGlobalNorm(args) {
      const { g, size, maxNorm, normSq } = args;
      const p = ptrs(g);
      if (!p) return reference.clipByGlobalNorm(args);
      const sq = k.sumSquares(p[0], size);
      normSq[0] = sq;
      if (maxNorm <= 0) return;
      const coefficient = maxNorm / (Math.sqrt(sq) + 1e-6);
      if (coefficient < 1) k.scale(p[0], size, coefficient);
    },
  };
}
