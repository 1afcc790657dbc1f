import { matmul as referenceMatmul } from './dense-kernels';
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
 * Matrix multiply with a WebAssembly SIMD kernel (4 × 8 register blocks) for the bulk of the output and
 * the reference loops for the edges. Operands are packed row-major into the module's memory (transposing
 * on the way), so the kernel only ever sees C[M, N] += A[M, K] · B[K, N]. Float32 only; checked against
 * the reference kernel in the tests.
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
    const { a, b, out, m, n, k, transA, transB, accumulate } = args;
    const m4 = m - (m % 4);
    const n8 = n - (n % 8);
    if (!(out instanceof Float32Array) || m4 === 0 || n8 === 0 || m * n * k < MIN_WORK) return referenceMatmul(args);
    const aOff = 0;
    const bOff = m4 * k;
    const cOff = bOff + k * n8;
    ensure(cOff + m4 * n8);
    const h = heap;
    for (let i = 0; i < m4; i++)
      if (transA) for (let p = 0; p < k; p++) h[aOff + i * k + p] = a[p * m + i];
      else h.set(a.subarray(i * k, i * k + k), aOff + i * k);
    for (let p = 0; p < k; p++)
      if (transB) for (let j = 0; j < n8; j++) h[bOff + p * n8 + j] = b[j * k + p];
      else h.set(b.subarray(p * n, p * n + n8), bOff + p * n8);
    for (let i = 0; i < m4; i++)
      if (accumulate) h.set(out.subarray(i * n, i * n + n8), cOff + i * n8);
      else h.fill(0, cOff + i * n8, cOff + i * n8 + n8);
    gemm.gemm4x8(aOff * 4, bOff * 4, cOff * 4, m4, n8, k);
    for (let i = 0; i < m4; i++) out.set(h.subarray(cOff + i * n8, cOff + i * n8 + n8), i * n);
    edges(args, m4, n8);
  };
}

/** The rows below m4 (all columns) and the columns right of n8 (rows above m4), by the plain loops. */
function edges({ a, b, out, m, n, k, transA, transB, accumulate }: MatmulArgs, m4: number, n8: number): void {
  const at = (i: number, p: number) => (transA ? a[p * m + i] : a[i * k + p]);
  const bt = (p: number, j: number) => (transB ? b[j * k + p] : b[p * n + j]);
  const cell = (i: number, j: number) => {
    let sum = 0;
    for (let p = 0; p < k; p++) sum += at(i, p) * bt(p, j);
    out[i * n + j] = accumulate ? out[i * n + j] + sum : sum;
  };
  for (let i = 0; i < m4; i++) for (let j = n8; j < n; j++) cell(i, j);
  for (let i = m4; i < m; i++) for (let j = 0; j < n; j++) cell(i, j);
}

export type { FloatArray };
