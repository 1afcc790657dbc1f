import { EngineError } from '../errors';
import type { Backend } from './backend';
import type { BackendId } from './backend-id';
import { createCpuBackend } from './cpu/cpu-backend';
import type { SpawnThread } from './cpu/wasm/kernel-threads';
import { probeWebGpu } from './status';
import { GpuPipelines, largestLimits } from './webgpu/gpu-queue';
import { webGpuBackendOn } from './webgpu/webgpu-backend';

export type BackendChoice = 'auto' | BackendId;

/** The backend a session trains on: how to make one (again, after new settings), and why it was chosen. */
export interface ChosenBackend {
  id: BackendId;
  /** "CPU", or the GPU adapter's name. */
  label: string;
  /** Why this one, for the status line (e.g. why auto stayed on the CPU). */
  reason: string;
  make(): Backend;
  /** Why the GPU device was lost, once it is (WebGPU only; the driver reset, the GPU went away...). */
  lost(): string | undefined;
  /** What to train on after a loss: a new device when the GPU answers again, else the CPU. */
  replacement(): Promise<ChosenBackend>;
  /** Gives the GPU device back when the session closes (its backends are disposed first). */
  release(): void;
}

/**
 * Resolves the document's backend setting: `auto` takes WebGPU on a hardware adapter and the CPU otherwise
 * (a software adapter such as SwiftShader is correct but slower than the CPU, so never chosen by itself);
 * `webgpu` insists, and fails with the reason when there is no adapter. The GPU's pipelines are compiled
 * here, once, so a shader error is reported (with its file and line) before training starts.
 */
export async function chooseBackend(
  choice: BackendChoice,
  env: { gpu: GPU | undefined; spawnThread?: SpawnThread },
): Promise<ChosenBackend> {
  const cpu = (reason: string): ChosenBackend => ({
    id: 'cpu',
    label: 'CPU',
    reason,
    make: () => createCpuBackend('f32', { spawnThread: env.spawnThread }),
    lost: () => undefined,
    replacement: async () => cpu(reason),
    release: () => {},
  });
  if (choice === 'cpu') return cpu('chosen in the training settings');
  const status = await probeWebGpu(env.gpu);
  if (!status.available) {
    if (choice === 'webgpu') throw new EngineError('WEBGPU_UNAVAILABLE', `WebGPU cannot train here: ${status.detail}`);
    return cpu(`auto: no GPU (${status.detail})`);
  }
  if (choice === 'auto' && status.software) return cpu(`auto: ${status.label} is a software adapter`);
  return openWebGpu(
    env.gpu!,
    status.label,
    choice === 'auto' ? 'auto: hardware GPU' : 'chosen in the training settings',
    cpu,
  );
}

async function openWebGpu(
  gpu: GPU,
  label: string,
  reason: string,
  cpu: (reason: string) => ChosenBackend,
): Promise<ChosenBackend> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new EngineError('WEBGPU_UNAVAILABLE', 'the GPU adapter went away');
  const device = await adapter.requestDevice({
    requiredLimits: largestLimits(adapter),
  });
  let lostReason: string | undefined;
  let closing = false;
  void device.lost.then((info) => {
    if (!closing) lostReason = info.message || info.reason || 'unknown reason';
  });
  const pipelines = await GpuPipelines.compile(device);
  return {
    id: 'webgpu',
    label,
    reason,
    make: () => webGpuBackendOn(pipelines),
    lost: () => lostReason,
    release: () => {
      closing = true;
      device.destroy();
    },
    async replacement() {
      try {
        return await openWebGpu(gpu, label, `a new GPU device after the last was lost (${lostReason})`, cpu);
      } catch (error) {
        return cpu(`the GPU was lost (${lostReason}) and did not come back: ${(error as Error).message}`);
      }
    },
  };
}
