import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { largestLimits } from '../engine/backend/webgpu/gpu-queue';

/**
 * WebGPU in Node (dawn.node), its globals (GPUBufferUsage...) installed. Without VK_ICD_FILENAMES, Vulkan is
 * pointed at the SwiftShader driver that Debian's chromium package ships, when there is one (these GPU-less
 * machines); the GPU machine's run script sets the NVIDIA driver. `flags` go to dawn.node (Dawn toggles).
 */
export function nodeGpu(flags: string[] = []): GPU {
  if (!process.env.VK_ICD_FILENAMES) {
    const icd = swiftShaderIcd();
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  Object.assign(globalThis, globals);
  return create(flags);
}

/** A device on dawn.node's adapter, with the largest buffers it allows. */
export async function nodeGpuDevice(): Promise<GPUDevice> {
  const gpu = nodeGpu();
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (is chromium-common installed, for SwiftShader?)');
  return adapter.requestDevice({
    requiredLimits: largestLimits(adapter),
  });
}

function swiftShaderIcd(): string | undefined {
  const usual = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (existsSync(usual)) return usual;
  try {
    return execFileSync('dpkg', ['-L', 'chromium-common'], { encoding: 'utf8' })
      .split('\n')
      .find((line) => line.endsWith('vk_swiftshader_icd.json'));
  } catch {
    return undefined;
  }
}
