import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Backend, Buf } from '../../../engine/backend/backend';
import type { WebGpuOptions } from '../../../engine/backend/webgpu/webgpu-backend';
import { EngineError, type EngineErrorCode } from '../../../engine/errors';
import { chromiumLaunchOptions } from '../chromium';
import type { BatchResult, Op, PageHarness } from './protocol';

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
};

/** A kernel argument for the page: buffers (alone or as fields of the argument object) become numbers. */
function encode(arg: unknown): unknown {
  if (arg instanceof RemoteBuf) return { $buf: arg.id };
  if (typeof arg !== 'object' || arg === null) return arg;
  return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, v instanceof RemoteBuf ? { $buf: v.id } : v]));
}

const baseMembers = new Set(['id', 'alloc', 'view', 'write', 'read', 'allocations', 'dispose', 'adapter']);

/**
 * The WebGPU backend running in Chromium's page (on SwiftShader here), seen from Node as an ordinary
 * backend: calls are queued and sent to the page in one batch at each read, so the same test code runs on
 * every backend. (Chromium rather than dawn.node: dawn.node on SwiftShader crashes the process at random
 * under this many pipelines.) Errors the page raises come back as EngineErrors at the read.
 */
export async function openBrowserGpuBackend(options: WebGpuOptions = {}): Promise<RemoteGpuBackend> {
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, 'page.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    target: 'chrome120',
  });
  const script = bundle.outputFiles[0].text;
  const server: Server = createServer((request, response) => {
    const js = request.url === '/page.js';
    response.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    response.end(js ? script : '<!doctype html><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const browser: Browser = await chromium.launch(chromiumLaunchOptions());
  const page: Page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const query = options.matmulTiles ? `?matmul=${options.matmulTiles}` : '';
  await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/${query}`);
  await page.waitForFunction(() => 'gpuHarness' in window, undefined, { polling: 50 });
  const adapter = await page.evaluate(async () =>
    String(await (window as unknown as { gpuHarness: PageHarness }).gpuHarness.ready),
  );

  let ops: Op[] = [];
  let nextId = 1;
  let allocations = 0;
  let dispatches = 0;
  let sent: Promise<unknown> = Promise.resolve();
  const send = (batch: Op[]): Promise<BatchResult> => {
    const result = sent.then(() =>
      page.evaluate(async (b) => await (window as unknown as { gpuHarness: PageHarness }).gpuHarness.run(b), batch),
    );
    sent = result.catch(() => undefined);
    return result;
  };

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
      const result = await send(batch);
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
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
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
}
