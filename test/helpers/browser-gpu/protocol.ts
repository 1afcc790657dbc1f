/**
 * What the Node side of the browser WebGPU backend sends to the page: the backend calls of one batch, in
 * order, with buffers named by number. A batch ends with the reads whose values come back.
 */
import type { KernelTime } from '../../../engine/backend/webgpu/gpu-profiler';

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

export interface PageHarness {
  /** The adapter's name, once the backend is compiled. */
  ready: Promise<string>;
  run(ops: Op[]): Promise<BatchResult>;
  /** Times every dispatch from now on (false when the device has no timestamp queries). */
  startProfiling(): Promise<boolean>;
  /** The kernels' GPU times since profiling started. */
  kernelTimes(): Promise<KernelTime[]>;
  /** Compiles a shader file as the backend does: null, or the error it reports. */
  shaderError(file: string, code: string): Promise<string | null>;
}
