/**
 * What the Node side of the browser WebGPU backend sends to the page: the backend calls of one batch, in
 * order, with buffers named by number. A batch ends with the reads whose values come back.
 */
import type { KernelTime } from '../../../engine/backend/webgpu/gpu-profiler';
import type { MatmulTile } from '../../../engine/backend/webgpu/matmul-shader';

export type BufRef = { $buf: number };
export type Op =
  | { op: 'alloc'; id: number; size: number; label: string }
  | { op: 'view'; id: number; of: number; offset: number; size: number }
  | { op: 'write'; id: number; data: number[]; offset: number }
  | { op: 'call'; kernel: string; args: unknown[] }
  | { op: 'read'; id: number };

export interface BatchResult {
  reads: number[][];
  allocations: number;
  dispatches: number;
  /** The first error the batch raised, with its engine code when it has one. */
  error?: { code?: string; message: string };
}

/**
 * A second backend on the page's device that runs every matrix product with one tile (of `tiles`, or of
 * the default sizes), compiled with only the product's kernels and the element-wise ones (split-K sums).
 */
export interface ProductVariant {
  matmulTiles: string;
  tiles?: Record<string, MatmulTile>;
}

export interface PageHarness {
  /** The adapter's name, once the backend is compiled. */
  ready: Promise<string>;
  /** Runs a batch on the page's backend, or on a product variant of it (same device, its own buffers). */
  run(ops: Op[], variant?: ProductVariant): Promise<BatchResult>;
  /** Times every dispatch from now on (false when the device has no timestamp queries). */
  startProfiling(): Promise<boolean>;
  /** The kernels' GPU times since profiling started. */
  kernelTimes(): Promise<KernelTime[]>;
  /** Compiles a shader file as the backend does: null, or the error it reports. */
  shaderError(file: string, code: string): Promise<string | null>;
  /** Creates the pipeline of every entry point (the backend makes each at its first use): how many, and errors. */
  everyPipeline(): Promise<{ created: number; errors: string[] }>;
}
