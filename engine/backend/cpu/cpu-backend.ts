import type { Backend } from '../backend';
import {
  avgPool,
  avgPoolBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool,
  maxPoolBackward,
} from './conv-kernels';
import { addBias, biasGrad, matmul } from './dense-kernels';
import { dropout, softmax, softmaxBackward, unary, unaryBackward } from './elementwise-kernels';
import { createFastConv } from './fast-conv';
import { createFastMatmul } from './fast-matmul';
import {
  meanSquaredError,
  meanSquaredErrorOneHot,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
} from './loss-kernels';
import { batchNorm, batchNormBackward } from './norm-kernels';
import { clipByGlobalNorm, optimizerStep, regularize } from './optimizer-kernels';
import { lstmCell, lstmCellBackward } from './recurrent-kernels';
import type { FloatArray } from './types';
import { WasmArena } from './wasm/arena';
import type { SpawnThread } from './wasm/kernel-threads';
import { wasmKernels } from './wasm-kernels';

export type CpuPrecision = 'f32' | 'f64';

/**
 * The CPU backend. In float32 (training) its tensors live in shared WebAssembly memory and the SIMD
 * kernels run on them in place; `fast: false`, float64 (the oracle for gradient checks) and platforms
 * without WebAssembly get the readable reference loops every faster path is tested against.
 */
export function createCpuBackend(precision: CpuPrecision = 'f32', options: CpuOptions = {}): Backend<FloatArray> {
  return withBiasEpilogues(cpuKernels(precision, options));
}

interface CpuOptions {
  fast?: boolean;
  /** How to start a helper thread (the platform's workers); without it the kernels run on one thread. */
  spawnThread?: SpawnThread;
  /** false: the kernels without relaxed SIMD even where the runtime has it (see WasmArena.create). */
  relaxedSimd?: boolean;
}

/**
 * The optional bias of matmul and conv2d (one kernel on the GPU) as the product followed by addBias: on
 * the CPU the bias pass costs little, and every product and convolution kernel stays bias-free.
 */
function withBiasEpilogues(be: Backend<FloatArray>): Backend<FloatArray> {
  const { matmul: product, conv2d: convolution } = be;
  be.matmul = (args) => {
    product(args);
    if (args.bias) be.addBias({ out: args.out, bias: args.bias, outer: args.m, channels: args.n, inner: 1 });
  };
  be.conv2d = (args) => {
    convolution(args);
    const { g } = args;
    if (args.bias) be.addBias({ out: args.y, bias: args.bias, outer: g.n, channels: g.cOut, inner: g.oh * g.ow });
  };
  return be;
}

function cpuKernels(precision: CpuPrecision, options: CpuOptions): Backend<FloatArray> {
  const reference = referenceBackend(precision);
  if (precision !== 'f32' || options.fast === false) return reference;
  // Float32 training keeps its tensors in shared WebAssembly memory and runs the SIMD kernels on them.
  const arena = WasmArena.create({ relaxedSimd: options.relaxedSimd });
  if (arena) {
    if (options.spawnThread) arena.startThreads(options.spawnThread);
    let allocated = 0;
    return {
      ...reference,
      ...wasmKernels(arena, reference),
      alloc(size, label) {
        // A full arena (over 2 GiB) still trains, on plain arrays with the reference kernels.
        const inArena = arena.alloc(size);
        if (!inArena) return reference.alloc(size, label);
        allocated++;
        return inArena;
      },
      get allocations() {
        return allocated + reference.allocations;
      },
      reserve: (floats) => arena.reserveFloats(floats),
      dispose: () => arena.dispose(),
    };
  }
  // Without shared memory: the SIMD matrix multiply on copies of the operands, convolutions through im2col.
  const fastMatmul = createFastMatmul();
  if (!fastMatmul) return reference;
  const fastConv = createFastConv(fastMatmul);
  return {
    ...reference,
    matmul: fastMatmul,
    conv2d: fastConv.conv2d,
    conv2dBackwardInput: fastConv.conv2dBackwardInput,
    conv2dBackwardWeight: fastConv.conv2dBackwardWeight,
    get allocations() {
      return reference.allocations;
    },
  };
}

/** Typed arrays and the readable loops: the oracle every faster path is tested against. */
function referenceBackend(precision: CpuPrecision): Backend<FloatArray> {
  let allocations = 0;
  return {
    id: 'cpu',
    alloc(size) {
      allocations++;
      return precision === 'f32' ? new Float32Array(size) : new Float64Array(size);
    },
    view: (buf, offset, size) => buf.subarray(offset, offset + size),
    write(buf, data, offset = 0) {
      buf.set(data, offset);
    },
    // One native copy (Float64Array.from walks the source element by element).
    read: async (buf) => new Float64Array(buf),
    hostView: (buf) => buf,
    get allocations() {
      return allocations;
    },
    fill: (out, value, size) => void out.fill(value, 0, size),
    copy({ src, out, size, accumulate }) {
      if (accumulate) for (let i = 0; i < size; i++) out[i] += src[i];
      else out.set(src.subarray(0, size));
    },
    mul({ a, b, out, size, accumulate }) {
      if (accumulate) for (let i = 0; i < size; i++) out[i] += a[i] * b[i];
      else for (let i = 0; i < size; i++) out[i] = a[i] * b[i];
    },
    copyBlocks({ src, srcOffset, srcStride, out, outOffset, outStride, blocks, blockSize, accumulate }) {
      for (let b = 0; b < blocks; b++) {
        const s = srcOffset + b * srcStride;
        const o = outOffset + b * outStride;
        if (accumulate) for (let j = 0; j < blockSize; j++) out[o + j] += src[s + j];
        else for (let j = 0; j < blockSize; j++) out[o + j] = src[s + j];
      }
    },
    gatherRows({ src, indices, out, rowSize, count }) {
      for (let i = 0; i < count; i++) {
        const from = indices[i] * rowSize;
        out.set(src.subarray(from, from + rowSize), i * rowSize);
      }
    },
    gatherHostRows({ src, rows, out, rowSize }) {
      for (let i = 0; i < rows.length; i++) {
        const from = rows[i] * rowSize;
        out.set(src.subarray(from, from + rowSize), i * rowSize);
      }
    },
    matmul,
    addBias,
    biasGrad,
    unary,
    unaryBackward,
    softmax,
    softmaxBackward,
    conv2d,
    conv2dBackwardInput,
    conv2dBackwardWeight,
    maxPool,
    maxPoolBackward,
    avgPool,
    avgPoolBackward,
    batchNorm,
    batchNormBackward,
    dropout,
    lstmCell,
    lstmCellBackward,
    softmaxCrossEntropy,
    meanSquaredError,
    meanSquaredErrorOneHot,
    sigmoidBinaryCrossEntropy,
    regularize,
    clipByGlobalNorm,
    optimizerStep,
  };
}
