/**
 * Runs in Chromium: the WebGPU backend on the page's adapter (SwiftShader in the tests), driven by batches
 * of backend calls from Node (see remote-backend.ts). Bundled by esbuild when the tests start.
 */
import type { Backend } from '../../../engine/backend/backend';
import { compileShader, GpuPipelines, largestLimits } from '../../../engine/backend/webgpu/gpu-queue';
import {
  type GpuBuf,
  type WebGpuBackend,
  type WebGpuOptions,
  webGpuBackendOn,
} from '../../../engine/backend/webgpu/webgpu-backend';
import { EngineError } from '../../../engine/errors';
import type { BatchResult, BufRef, Op, PageHarness, ProductVariant } from './protocol';

async function open(): Promise<{ be: WebGpuBackend; name: string; device: GPUDevice; pipelines: GpuPipelines }> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter in this page');
  const device = await adapter.requestDevice({
    requiredLimits: largestLimits(adapter),
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
  });
  const query = new URLSearchParams(location.search);
  const matmulTiles = query.get('matmul') as WebGpuOptions['matmulTiles'] | null;
  const tiles = query.get('tiles');
  const pipelines = await GpuPipelines.compile(device, tiles ? JSON.parse(tiles) : undefined);
  const be = webGpuBackendOn(pipelines, { matmulTiles: matmulTiles ?? undefined });
  return { be, device, pipelines, name: adapter.info.description || adapter.info.vendor || 'unnamed adapter' };
}

const opened = open();
const bufs = new Map<number, GpuBuf>();
let chain: Promise<unknown> = opened;

const isRef = (v: unknown): v is BufRef => typeof v === 'object' && v !== null && '$buf' in v;

/** Buffers named by number (alone, or as fields of the argument object) back to the backend's own. */
function decode(arg: unknown): unknown {
  if (isRef(arg)) return bufs.get(arg.$buf);
  if (typeof arg !== 'object' || arg === null) return arg;
  return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, isRef(v) ? bufs.get(v.$buf) : v]));
}

/** Product variants by their settings, compiled once each on the page's device. */
const variants = new Map<string, Promise<WebGpuBackend>>();
const productModules = (file: string) => file.startsWith('matmul-shader.ts(') || file === 'elementwise.wgsl';

function variantBackend(variant: ProductVariant): Promise<WebGpuBackend> {
  const key = JSON.stringify(variant);
  let made = variants.get(key);
  if (!made) {
    made = opened.then(async ({ device }) =>
      webGpuBackendOn(await GpuPipelines.compile(device, variant.tiles, productModules), {
        matmulTiles: variant.matmulTiles,
      }),
    );
    variants.set(key, made);
  }
  return made;
}

async function runBatch(ops: Op[], variant?: ProductVariant): Promise<BatchResult> {
  const be = variant ? await variantBackend(variant) : (await opened).be;
  const reads: number[][] = [];
  try {
    for (const o of ops) {
      if (o.op === 'alloc') bufs.set(o.id, be.alloc(o.size, o.label));
      else if (o.op === 'view') bufs.set(o.id, be.view(bufs.get(o.of)!, o.offset, o.size));
      else if (o.op === 'write') be.write(bufs.get(o.id)!, o.data, o.offset);
      else if (o.op === 'read') reads.push(Array.from(await be.read(bufs.get(o.id)!)));
      else {
        (be[o.kernel as keyof Backend] as (...a: unknown[]) => void)(...o.args.map(decode));
      }
    }
  } catch (e) {
    const error = { code: e instanceof EngineError ? e.code : undefined, message: (e as Error).message };
    return { reads, allocations: be.allocations, dispatches: be.dispatches, error };
  }
  return { reads, allocations: be.allocations, dispatches: be.dispatches };
}

const harness: PageHarness = {
  ready: opened.then((o) => o.name),
  async shaderError(file, code) {
    try {
      await compileShader((await opened).device, file, code);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  },
  async everyPipeline() {
    await chain;
    const { device, pipelines } = await opened;
    const errors: string[] = [];
    for (const entry of pipelines.entries) {
      device.pushErrorScope('validation');
      pipelines.get(entry);
      const error = await device.popErrorScope();
      if (error) errors.push(`${entry}: ${error.message}`);
    }
    return { created: pipelines.entries.length, errors };
  },
  async startProfiling() {
    await chain;
    return (await opened).be.startProfiling();
  },
  async kernelTimes() {
    await chain;
    return (await opened).be.kernelTimes();
  },
  run(ops, variant) {
    const result = chain.then(() => runBatch(ops, variant));
    chain = result.catch(() => undefined);
    return result;
  },
};
(window as unknown as { gpuHarness: PageHarness }).gpuHarness = harness;
