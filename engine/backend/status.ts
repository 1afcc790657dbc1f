import { counted } from '../words';
import type { BackendId } from './backend-id';

export type { BackendId };

/** What the status bar and the backend picker show about one backend. */
export interface BackendStatus {
  id: BackendId;
  available: boolean;
  /** Short name: "CPU", or the GPU adapter's name. */
  label: string;
  /** Why it is unavailable, or a note on what it is. */
  detail: string;
  /** A software rasteriser (SwiftShader, llvmpipe): correct but slow, never picked automatically. */
  software?: boolean;
}

/**
 * The CPU backend as this platform runs it: the SIMD kernels in place on shared WebAssembly memory (their
 * products' multiply-adds fused where the runtime has relaxed SIMD), the SIMD matrix multiply on copies (no
 * shared memory: a page without cross-origin isolation), or plain loops.
 */
export function cpuStatus(
  cores: number | undefined,
  kernels: 'shared-memory' | 'simd' | 'plain' = 'plain',
  fusedMultiplyAdd = false,
): BackendStatus {
  const threads = cores && cores > 0 ? counted(cores, 'thread') : 'thread count unknown';
  const how = { 'shared-memory': ', WebAssembly SIMD in shared memory', simd: ', WebAssembly SIMD', plain: '' }[
    kernels
  ];
  const fused = kernels === 'shared-memory' && fusedMultiplyAdd ? ', fused multiply-add' : '';
  return { id: 'cpu', available: true, label: 'CPU', detail: `${threads}${how}${fused}` };
}

const softwareNames = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** Asks WebGPU for an adapter and describes it; never throws. */
export async function probeWebGpu(gpu: GPU | undefined): Promise<BackendStatus> {
  const unavailable = (detail: string): BackendStatus => ({ id: 'webgpu', available: false, label: 'WebGPU', detail });
  if (!gpu) return unavailable('this browser or runtime has no WebGPU (navigator.gpu is missing)');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return unavailable(`requesting an adapter failed: ${(error as Error).message}`);
  }
  if (!adapter) return unavailable('no GPU adapter was found (driver missing or GPU blocked)');
  const info = adapter.info;
  const name =
    [info.vendor, info.architecture, info.description || info.device].filter((s) => s && s.length > 0).join(' ') ||
    'unnamed adapter';
  const software = info.isFallbackAdapter === true || softwareNames.test(name);
  return {
    id: 'webgpu',
    available: true,
    label: name,
    software,
    detail: software ? 'software adapter: correct but slow, so "auto" uses the CPU' : 'hardware adapter',
  };
}
