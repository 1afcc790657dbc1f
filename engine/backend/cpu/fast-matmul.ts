import { columnSums, matmul as referenceMatmul } from './dense-kernels';
import type { FloatArray } from './types';
import { gemmWasm } from './wasm/gemm-wasm';

type MatmulArgs = Parameters<typeof referenceMatmul>[0];

/** The little of the WebAssembly API used here (typed locally: the engine compiles for workers and Node alike). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
}

interface Gemm {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gemm4x8(a: number, b: number, c: number, m: number, n: number, k: number): void;
}

/** Below this many multiply-adds, copying into WebAssembly costs more than it saves. */
const MIN_WORK = 16_384;

function instantiate(): Gemm | null {
  try {
    const bytes = Uint8Array.from(atob(gemmWasm), (ch) => ch.charCodeAt(0));
    // Synchronous: the module is tiny, and the engine builds its backend synchronously.
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) return null;
    const instance = new wasm.Instance(new wasm.Module(bytes));
    return instance.exports as Gemm;
  } catch {
    // No WebAssembly SIMD (or WebAssembly forbidden): the reference loops do the work.
    return null;
  }
}

/**
 * Matrix multiply with a WebAssembly SIMD kernel (4 × 8 register blocks). Operands are packed row-major
 * into the module's memory (transposing on the way, padding with zeros to whole blocks), so the kernel only
 * ever sees C[M, N] += A[M, K] · B[K, N]. Float32 only; checked against the reference kernel in the tests.
 */
export function createFastMatmul(): ((args: MatmulArgs) => void) | null {
  const gemm = instantiate();
  if (!gemm) return null;
  let heap = new Float32Array(gemm.memory.buffer);
  const ensure = (floats: number) => {
    const bytes = floats * 4;
    if (gemm.memory.buffer.byteLength < bytes)
      gemm.memory.grow(Math.ceil((bytes - gemm.memory.buffer.byteLength) / 65536));
    if (heap.buffer !== gemm.memory.buffer) heap = new Float32Array(gemm.memory.buffer);
  };
  return (args) => {
    const { a, b, out, m, n, k, transA, transB, accumulate, bColumnSums } = args;
    if (!(out instanceof Float32Array) || m * n * k < MIN_WORK) return referenceMatmul(args);
    if (bColumnSums) columnSums(b, bColumnSums, k, n, transB);
    // The kernel works on 4 × 8 blocks: pad the operands with zeros up to whole blocks.
    const mp = Math.ceil(m / 4) * 4;
    const np = Math.ceil(n / 8) * 8;
    const aOff = 0;
    const bOff = mp * k;
    const cOff = bOff + k * np;
    ensure(cOff + mp * np);
    const h = heap;
    for (let i = 0; i < m; i++)
      if (transA) for (let p = 0; p < k; p++) h[aOff + i * k + p] = a[p * m + i];
      else h.set(a.subarray(i * k, i * k + k), aOff + i * k);
    h.fill(0, aOff + m * k, bOff);
    for (let p = 0; p < k; p++) {
      const row = bOff + p * np;
      if (transB) for (let j = 0; j < n; j++) h[row + j] = b[j * k + p];
      else h.set(b.subarray(p * n, p * n + n), row);
      if (np > n) h.fill(0, row + n, row + np);
    }
    for (let i = 0; i < mp; i++) {
      const row = cOff + i * np;
      if (accumulate && i < m) {
        h.set(out.subarray(i * n, i * n + n), row);
        if (np > n) h.fill(0, row + n, row + np);
      } else h.fill(0, row, row + np);
    }
    gemm.gemm4x8(aOff * 4, bOff * 4, cOff * 4, mp, np, k);
    for (let i = 0; i < m; i++) out.set(h.subarray(cOff + i * np, cOff + i * np + n), i * n);
  };
}

export type { FloatArray };
