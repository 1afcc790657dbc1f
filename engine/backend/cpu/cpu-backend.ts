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
import { meanSquaredError, sigmoidBinaryCrossEntropy, softmaxCrossEntropy } from './loss-kernels';
import { batchNorm, batchNormBackward } from './norm-kernels';
import { clipByGlobalNorm, optimizerStep, regularize } from './optimizer-kernels';
import { lstmCell, lstmCellBackward } from './recurrent-kernels';
import type { FloatArray } from './types';

export type CpuPrecision = 'f32' | 'f64';

/**
 * The CPU backend: typed arrays and plain loops. It is the readable reference every other backend is
 * tested against; in f64 it is the oracle for gradient checks.
 */
export function createCpuBackend(
  precision: CpuPrecision = 'f32',
  options: { fast?: boolean } = {},
): Backend<FloatArray> {
  let allocations = 0;
  // Float32 training takes the WebAssembly SIMD matrix multiply when the platform has it.
  const fastMatmul = precision === 'f32' && options.fast !== false ? createFastMatmul() : null;
  // With it, convolutions go through im2col and the same matrix multiply.
  const fastConv = fastMatmul ? createFastConv(fastMatmul) : null;
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
    read: async (buf) => Float64Array.from(buf),
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
    matmul: fastMatmul ?? matmul,
    addBias,
    biasGrad,
    unary,
    unaryBackward,
    softmax,
    softmaxBackward,
    conv2d: fastConv?.conv2d ?? conv2d,
    conv2dBackwardInput: fastConv?.conv2dBackwardInput ?? conv2dBackwardInput,
    conv2dBackwardWeight: fastConv?.conv2dBackwardWeight ?? conv2dBackwardWeight,
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
    sigmoidBinaryCrossEntropy,
    regularize,
    clipByGlobalNorm,
    optimizerStep,
  };
}
