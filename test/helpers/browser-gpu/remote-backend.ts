import type { Backend, Buf } from '../../../engine/backend/backend';
import type { KernelTime } from '../../../engine/backend/webgpu/gpu-profiler';
import type { MatmulTile } from '../../../engine/backend/webgpu/matmul-shader';
import type { WebGpuOptions } from '../../../engine/backend/webgpu/webgpu-backend';
import { EngineError, type EngineErrorCode } from '../../../engine/errors';
import type { BatchResult, Op, PageHarness, ProductVariant } from './protocol';
import { openTestPage } from './test-page';

/** A buffer of the page's backend, named by number. */
class RemoteBuf implements Buf {
  constructor(
    readonly id: number,
    readonly length: number,
  ) {}
}

export type RemoteGpuBackend = Backend<RemoteBuf> & {
  /** The page's adapter, e.g. "SwiftShader Device (Subzero)". */
  readonly adapter: string;
  /** Dispatches the page's backend has recorded, as of the last read. */
  readonly dispatches: number;
  close(): Promise<void>;
  /** Compiles a shader file in the page as the backend does: null, or the error it reports. */
  shaderError(file: string, code: string): Promise<string | null>;
  /** Creates the pipeline of every entry point in the page: how many, and the errors. */
  everyPipeline(): Promise<{ created: number; errors: string[] }>;
  /** The GPU time of each kernel that `record`'s calls dispatch, or null without timestamp queries. */
  kernelTimes(record: () => void): Promise<KernelTime[] | null>;
  /**
   * Another backend on the same page and device that runs every matrix product with one tile: only the
   * product's kernels are compiled for it, not a whole new page. Closing it closes nothing.
   */
  productVariant(variant: ProductVariant): RemoteGpuBackend;
};

/** A kernel argument for the page: buffers (alone or as fields of the argument object) become numbers. */
function encode(arg: unknown): unknown {
  if (arg instanceof RemoteBuf) return { $buf: arg.id };
  if (typeof arg !== 'object' || arg === null) return arg;
  return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, v instanceof RemoteBuf ? { $buf: v.id } : v]));
}

const baseMembers = new Set([
  'productVariant',
  'id',
  'alloc',
  'view',
  'write',
  'read',
  'allocations',
  'dispose',
  'adapter',
  'shaderError',
  'everyPipeline',
]);

/**
 * The WebGPU backend running in Chromium's page (on SwiftShader here), seen from Node as an ordinary
 * backend: calls are queued and sent to the page in one batch at each read, so the same test code runs on
 * every backend. (Chromium rather than dawn.node: dawn.node on SwiftShader crashes the process at random
 * under this many pipelines.) Errors the page raises come back as EngineErrors at the read.
 */
export async function openBrowserGpuBackend(
  options: WebGpuOptions & { tiles?: Record<string, MatmulTile> } = {},
): Promise<RemoteGpuBackend> {
  const query = new URLSearchParams();
  if (options.matmulTiles) query.set('matmul', options.matmulTiles);
  if (options.tiles) query.set('tiles', JSON.stringify(options.tiles));
  const { page, pageErrors, close } = await openTestPage('page.ts', query.size > 0 ? `?${query}` : '');
  await page.waitForFunction(() => 'gpuHarness' in window, undefined, { polling: 50 });
  const adapter = await page.evaluate(async () =>
    String(await (window as unknown as { gpuHarness: PageHarness }).gpuHarness.ready),
  );

  let nextId = 1;
  let sent: Promise<unknown> = Promise.resolve();
  const send = (batch: Op[], variant?: ProductVariant): Promise<BatchResult> => {
    const result = sent.then(() =>
      page.evaluate(
        async ([b, v]) => await (window as unknown as { gpuHarness: PageHarness }).gpuHarness.run(b, v ?? undefined),
        [batch, variant ?? null] as const,
      ),
    );
    sent = result.catch(() => undefined);
    return result;
  };

  /** A backend over the page: its default one, or a product variant (buffer numbers shared, so never mixed up). */
  const remote = (variant?: ProductVariant): RemoteGpuBackend => {
    let ops: Op[] = [];
    let allocations = 0;
    let dispatches = 0;
    const base = {
      id: 'webgpu' as const,
      adapter,
      alloc(size: number, label: string) {
        const buf = new RemoteBuf(nextId++, size);
        ops.push({ op: 'alloc', id: buf.id, size, label });
        allocations++;
        return buf;
      },
      view(of: RemoteBuf, offset: number, size: number) {
        const buf = new RemoteBuf(nextId++, size);
        ops.push({ op: 'view', id: buf.id, of: of.id, offset, size });
        return buf;
      },
      write(buf: RemoteBuf, data: ArrayLike<number>, offset = 0) {
        ops.push({ op: 'write', id: buf.id, data: Array.from(data), offset });
      },
      async read(buf: RemoteBuf) {
        ops.push({ op: 'read', id: buf.id });
        const batch = ops;
        ops = [];
        const result = await send(batch, variant);
        dispatches = result.dispatches;
        if (result.error)
          throw new EngineError((result.error.code ?? 'INTERNAL') as EngineErrorCode, result.error.message);
        if (pageErrors.length > 0) throw new Error(`the WebGPU page failed: ${pageErrors.join('; ')}`);
        return Float64Array.from(result.reads[0]);
      },
      get allocations() {
        return allocations;
      },
      get dispatches() {
        return dispatches;
      },
      close: variant ? async () => {} : close,
      productVariant: (v: ProductVariant) => remote(v),
      /**
       * The GPU time of each kernel the calls made by `record` dispatch (see GpuProfiler), or null when the
       * page's device has no timestamp queries.
       */
      async kernelTimes(record: () => void): Promise<KernelTime[] | null> {
        type Page = { gpuHarness: PageHarness };
        await send(ops.splice(0));
        if (!(await page.evaluate(async () => await (window as unknown as Page).gpuHarness.startProfiling())))
          return null;
        record();
        await send(ops.splice(0));
        return page.evaluate(async () => await (window as unknown as Page).gpuHarness.kernelTimes());
      },
      everyPipeline: () =>
        page.evaluate(() => (window as unknown as { gpuHarness: PageHarness }).gpuHarness.everyPipeline()),
      shaderError: (file: string, code: string) =>
        page.evaluate(([f, c]) => (window as unknown as { gpuHarness: PageHarness }).gpuHarness.shaderError(f, c), [
          file,
          code,
        ] as const),
    };
    // Every other member is a kernel: recorded with its buffers replaced by their numbers.
    return new Proxy(base, {
      get(target, name, receiver) {
        // Not a thenable: `await` looks for `then`.
        if (name === 'then') return undefined;
        if (typeof name !== 'string' || baseMembers.has(name) || name in target)
          return Reflect.get(target, name, receiver);
        return (...args: unknown[]) => ops.push({ op: 'call', kernel: name, args: args.map(encode) });
      },
    }) as unknown as RemoteGpuBackend;
  };
  return remote();
}
