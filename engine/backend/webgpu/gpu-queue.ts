import { EngineError } from '../../errors';
import { GpuProfiler, type KernelTime } from './gpu-profiler';
import { fitTile, type MatmulTile, matmulShader, TRANSPOSITIONS } from './matmul-shader';
import { shaderSources } from './shader-sources';

export type { MatmulTile } from './matmul-shader';

import type { Param } from './kernel-params';

const ENTRY_POINT = /@compute[\s\S]*?fn\s+(\w+)/g;

/**
 * Tile sizes of the matrix product's kernels (see matmul-shader.ts), largest first: each product takes the
 * largest it has enough tiles of to fill a big GPU. Chosen by scripts/bench-gpu.ts --sweep on an H200 at
 * 4096³ (docs/bench-gpu-h200-sweep.json): 128 x 128 with 8 x 8 per thread, K step 8, prefetched 35.4 TFLOP/s;
 * 64 x 64 with 4 x 4, K step 16 27.5; 32 x 32 for small products, which split K instead.
 */
export const MATMUL_TILES = {
  matmulLarge: { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8, prefetch: true },
  matmulMedium: { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 },
  matmulSmall: { BM: 32, BN: 32, BK: 16, TM: 4, TN: 4 },
} satisfies Record<string, MatmulTile>;

/**
 * The modules to compile: every .wgsl file but the prelude (which each one is prefixed with), and the
 * matrix product generated once per tile size and transposition (entry points `matmulLargeNN`...).
 */
export function shaderModules(tiles: Record<string, MatmulTile> = MATMUL_TILES): { file: string; code: string }[] {
  const files = Object.entries(shaderSources).filter(([file]) => file !== 'prelude');
  const matmuls = Object.entries(tiles).flatMap(([name, tile]) =>
    TRANSPOSITIONS.map((t) => ({ file: `matmul-shader.ts(${name}${t})`, code: matmulShader(tile, t, `${name}${t}`) })),
  );
  return [...files.map(([file, code]) => ({ file: `${file}.wgsl`, code })), ...matmuls];
}

/**
 * The limits a device is asked for: the adapter's largest buffers (a session's tensors share one) and its
 * largest workgroup memory (bigger matrix-product tiles where the GPU has it).
 */
export function largestLimits(adapter: GPUAdapter): Record<string, number> {
  const { maxStorageBufferBindingSize, maxBufferSize, maxComputeWorkgroupStorageSize } = adapter.limits;
  return { maxStorageBufferBindingSize, maxBufferSize, maxComputeWorkgroupStorageSize };
}

/**
 * One shader file (named with its extension, e.g. conv.wgsl) compiled after the prelude; its errors are
 * thrown with the file's own line numbers.
 */
export async function compileShader(device: GPUDevice, file: string, code: string): Promise<GPUShaderModule> {
  const module = device.createShaderModule({ label: file, code: `${shaderSources.prelude}\n${code}` });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw shaderError(file, errors);
  return module;
}

/** A compilation error with its file, line and column (the prelude's lines taken off). */
export function shaderError(file: string, errors: readonly GPUCompilationMessage[]): EngineError {
  const preludeLines = shaderSources.prelude.split('\n').length;
  const where = (line: number) => (line > preludeLines ? `${file}:${line - preludeLines}` : `prelude.wgsl:${line}`);
  return new EngineError(
    'WEBGPU_SHADER',
    `a WebGPU shader did not compile: ${errors.map((m) => `${where(m.lineNum)}:${m.linePos}: ${m.message}`).join('; ')}`,
  );
}

/** Workgroup counts of a dispatch. */
export interface Workgroups {
  x: number;
  y: number;
  z?: number;
}

/** Bytes between two dispatches' parameter blocks (WebGPU's minimum uniform offset alignment). */
const SLOT_BYTES = 256;
/** Dispatches recorded before their parameters must be uploaded and the work submitted. */
const SLOTS = 1024;
/** Workgroups per dimension, at most. */
const MAX_GROUPS = 65535;

/**
 * Every pipeline of the backend, for one device, shared by its sessions. They share one layout: the
 * session's storage buffer and a parameter block.
 */
export class GpuPipelines {
  private readonly created = new Map<string, GPUComputePipeline>();

  private constructor(
    readonly device: GPUDevice,
    readonly layout: GPUBindGroupLayout,
    private readonly pipelineLayout: GPUPipelineLayout,
    /** The compiled module of each entry point. */
    private readonly modules: Map<string, { file: string; module: GPUShaderModule }>,
    readonly tiles: Record<string, MatmulTile>,
  ) {}

  /**
   * Compiles every shader module, so that a compilation error is reported with its file, line and message
   * before any training starts. Each pipeline is created at its first use: a network uses a few of the
   * kernels, and creating a pipeline (the driver's code generation) costs far more than checking a module
   * (on a software GPU, seconds for all of them). `include` keeps only some modules (by file name), for a
   * second set of pipelines on the same device that needs only a few kernels (other product tiles).
   */
  static async compile(
    device: GPUDevice,
    wanted: Record<string, MatmulTile> = MATMUL_TILES,
    include: (file: string) => boolean = () => true,
  ): Promise<GpuPipelines> {
    const tiles = Object.fromEntries(
      Object.entries(wanted).map(([name, tile]) => [name, fitTile(tile, device.limits.maxComputeWorkgroupStorageSize)]),
    );
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        {
          binding: 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 128 },
        },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const modules = new Map<string, { file: string; module: GPUShaderModule }>();
    for (const { file, code } of shaderModules(tiles).filter((m) => include(m.file))) {
      const module = await compileShader(device, file, code);
      for (const match of code.matchAll(ENTRY_POINT)) modules.set(match[1], { file, module });
    }
    return new GpuPipelines(device, layout, pipelineLayout, modules, tiles);
  }

  /** The entry points this set can run. */
  get entries(): string[] {
    return [...this.modules.keys()];
  }

  get(entry: string): GPUComputePipeline {
    const made = this.created.get(entry);
    if (made) return made;
    const source = this.modules.get(entry);
    if (!source) throw new EngineError('INTERNAL', `no WebGPU pipeline "${entry}"`);
    // Created synchronously and without error scopes: dawn.node crashes with either (asynchronous creation
    // with an explicit layout; push/popErrorScope). The module was checked when the set was compiled.
    const pipeline = this.device.createComputePipeline({
      label: `${source.file}.${entry}`,
      layout: this.pipelineLayout,
      compute: { module: source.module, entryPoint: entry },
    });
    this.created.set(entry, pipeline);
    return pipeline;
  }
}

/**
 * Records kernel dispatches into one command encoder and one compute pass, each with its parameter block in
 * a ring of uniform slots bound with a dynamic offset; `flush` uploads the blocks and submits everything at
 * once.
 */
export class GpuQueue {
  private readonly params: GPUBuffer;
  private readonly paramWords = new Uint32Array((SLOTS * SLOT_BYTES) / 4);
  private readonly paramFloats = new Float32Array(this.paramWords.buffer);
  private slot = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private bindGroup: GPUBindGroup | null = null;
  private profiler: GpuProfiler | null = null;
  readonly device: GPUDevice;
  dispatches = 0;

  constructor(private readonly pipelines: GpuPipelines) {
    this.device = pipelines.device;
    this.params = this.device.createBuffer({
      size: SLOTS * SLOT_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  /** The storage buffer every dispatch sees (a new one after the memory grew). */
  bindMemory(memory: GPUBuffer): void {
    this.flush();
    this.bindGroup = this.device.createBindGroup({
      layout: this.pipelines.layout,
      entries: [
        { binding: 0, resource: { buffer: memory } },
        { binding: 1, resource: { buffer: this.params, size: 128 } },
      ],
    });
  }

  /** Records `entry` over `threads` threads (64 to a workgroup), or over explicit workgroup counts. */
  run(entry: string, args: Param[], threads: number | Workgroups): void {
    const pipeline = this.pipelines.get(entry);
    if (!this.bindGroup) throw new EngineError('INTERNAL', 'the WebGPU queue has no memory bound');
    if (typeof threads === 'number' && threads === 0) return;
    if (this.slot === SLOTS) this.flush();
    const base = (this.slot * SLOT_BYTES) / 4;
    if (args.length > 30) throw new EngineError('INTERNAL', `${entry}: ${args.length} arguments, at most 30`);
    args.forEach((a, i) => {
      if (typeof a === 'object') this.paramFloats[base + i] = a.f;
      else this.paramWords[base + i] = typeof a === 'boolean' ? Number(a) : a >>> 0;
    });
    // The shaders' −∞ and NaN (see prelude.wgsl).
    this.paramWords[base + 30] = 0xff800000;
    this.paramWords[base + 31] = 0x7fc00000;
    if (this.profiler) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.profiler.pass(this.encoder, this.slot, entry);
    } else if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, this.bindGroup, [this.slot * SLOT_BYTES]);
    if (typeof threads === 'number') {
      const groups = Math.ceil(threads / 64);
      this.pass.dispatchWorkgroups(Math.min(groups, MAX_GROUPS), Math.ceil(groups / MAX_GROUPS));
    } else this.pass.dispatchWorkgroups(threads.x, threads.y, threads.z ?? 1);
    if (this.profiler) {
      this.pass.end();
      this.pass = null;
    }
    this.slot++;
    this.dispatches++;
  }

  /** Ends the pass, uploads the parameter blocks used, and submits the recorded work (plus `extra`). */
  flush(extra?: (encoder: GPUCommandEncoder) => void): void {
    if (!this.encoder && !extra) return;
    const encoder = this.encoder ?? this.device.createCommandEncoder();
    this.pass?.end();
    extra?.(encoder);
    const readTimes = this.profiler?.resolve(encoder, this.slot);
    if (this.slot > 0) this.device.queue.writeBuffer(this.params, 0, this.paramWords, 0, (this.slot * SLOT_BYTES) / 4);
    this.device.queue.submit([encoder.finish()]);
    readTimes?.();
    this.encoder = null;
    this.pass = null;
    this.slot = 0;
  }

  /** Times every dispatch from now on (see GpuProfiler); false when the device has no timestamp queries. */
  startProfiling(): boolean {
    if (!this.device.features.has('timestamp-query')) return false;
    this.flush();
    this.profiler ??= new GpuProfiler(this.device, SLOTS);
    return true;
  }

  /** Each kernel's GPU time since profiling started or was last reported. */
  kernelTimes(): Promise<KernelTime[]> {
    this.flush();
    return this.profiler?.report() ?? Promise.resolve([]);
  }

  destroy(): void {
    this.profiler?.destroy();
    this.params.destroy();
  }
}
