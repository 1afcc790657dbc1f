import { describe, expect, it } from 'vitest';
import { createEngineApi } from '../../../engine/api';
import { chooseBackend } from '../../../engine/backend/choose';
import { cpuStatus, probeWebGpu } from '../../../engine/backend/status';

/** A stand-in for navigator.gpu that answers requestAdapter as told. */
function fakeGpu(adapter: (() => Promise<unknown>) | null): GPU {
  return { requestAdapter: adapter ?? (async () => null) } as unknown as GPU;
}
const adapterWith = (info: Partial<GPUAdapterInfo>) => async () => ({
  info: { vendor: '', architecture: '', device: '', description: '', ...info },
});

describe('backend status', () => {
  it('says why WebGPU is missing', async () => {
    expect(await probeWebGpu(undefined)).toMatchObject({
      available: false,
      detail: expect.stringMatching(/navigator\.gpu is missing/),
    });
    expect(await probeWebGpu(fakeGpu(null))).toMatchObject({
      available: false,
      detail: expect.stringMatching(/no GPU adapter/),
    });
    const throwing = fakeGpu(async () => {
      throw new Error('driver crashed');
    });
    expect(await probeWebGpu(throwing)).toMatchObject({
      available: false,
      detail: expect.stringMatching(/driver crashed/),
    });
  });

  it('names a hardware adapter and marks software ones', async () => {
    const nvidia = await probeWebGpu(
      fakeGpu(adapterWith({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' })),
    );
    expect(nvidia).toEqual({
      id: 'webgpu',
      available: true,
      label: 'nvidia hopper NVIDIA H100',
      software: false,
      detail: 'hardware adapter',
    });
    const swiftshader = await probeWebGpu(fakeGpu(adapterWith({ vendor: 'google', architecture: 'swiftshader' })));
    expect(swiftshader).toMatchObject({ available: true, software: true });
    const fallback = await probeWebGpu(fakeGpu(adapterWith({ vendor: 'x', isFallbackAdapter: true })));
    expect(fallback.software).toBe(true);
  });

  it('lists the CPU first, with its thread count', async () => {
    const api = createEngineApi({ gpu: undefined, cores: 2 });
    expect(await api.ping()).toBe('pong');
    const [cpu, gpu] = await api.backends();
    // Node has shared memory: the kernels run in place; and relaxed SIMD (flagged on for the tests, as for
    // the command line): their multiply-adds are fused.
    expect(cpu).toEqual({
      id: 'cpu',
      available: true,
      label: 'CPU',
      detail: '2 threads, WebAssembly SIMD in shared memory, fused multiply-add',
    });
    expect(gpu.id).toBe('webgpu');
  });

  it('says how the CPU kernels run where shared memory or SIMD is missing', () => {
    expect(cpuStatus(1, 'simd').detail).toBe('1 thread, WebAssembly SIMD');
    expect(cpuStatus(2, 'shared-memory', false).detail).toBe('2 threads, WebAssembly SIMD in shared memory');
    expect(cpuStatus(undefined, 'plain').detail).toBe('thread count unknown');
  });
});

describe('choosing the backend of a session', () => {
  it('auto stays on the CPU without a GPU or on a software adapter, and says why', async () => {
    expect(await chooseBackend('auto', { gpu: undefined })).toMatchObject({
      id: 'cpu',
      reason: expect.stringMatching(/^auto: no GPU \(.*navigator\.gpu is missing/),
    });
    const swiftShader = fakeGpu(adapterWith({ vendor: 'google', description: 'SwiftShader Device' }));
    expect(await chooseBackend('auto', { gpu: swiftShader })).toMatchObject({
      id: 'cpu',
      reason: expect.stringMatching(/software adapter/),
    });
    expect((await chooseBackend('cpu', { gpu: swiftShader })).make().id).toBe('cpu');
  });

  it('auto takes a hardware adapter, and WebGPU insists even on a software one', async () => {
    const asked: string[] = [];
    const gpuNamed = (description: string) =>
      fakeGpu(async () => ({
        info: { vendor: 'nvidia', architecture: '', device: '', description },
        limits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 },
        requestDevice: async () => {
          asked.push(description);
          throw new Error('no device in this test');
        },
      }));
    await expect(chooseBackend('auto', { gpu: gpuNamed('H200') })).rejects.toThrow(/no device in this test/);
    await expect(chooseBackend('webgpu', { gpu: gpuNamed('SwiftShader') })).rejects.toThrow(/no device/);
    expect(asked).toEqual(['H200', 'SwiftShader']);
    await expect(chooseBackend('webgpu', { gpu: undefined })).rejects.toMatchObject({
      code: 'WEBGPU_UNAVAILABLE',
      message: expect.stringMatching(/WebGPU cannot train here: .*navigator\.gpu is missing/),
    });
  });
});
