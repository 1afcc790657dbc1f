import { CONTROL_INTS, KernelThreads, type SpawnThread, type ThreadKernel } from './kernel-threads';
import { kernelsRelaxedWasm } from './kernels-relaxed-wasm';
import { kernelsWasm } from './kernels-wasm';

/** The little of the WebAssembly API used here (typed locally: the engine compiles for workers and Node alike). */
interface WasmMemory {
  buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  validate(bytes: Uint8Array): boolean;
}

const decode = (base64: string) => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));

/**
 * The kernels' module: built with relaxed SIMD (fused multiply-adds in the products, see kernels/math.ts)
 * where the runtime validates it (browsers, Electron; Node 20 with its flag, see cli/threads.ts), else
 * without. `relaxed: false` asks for the plain one (the tests check both against the reference loops).
 */
function kernelModule(wasm: WasmApi, relaxed: boolean): { bytes: Uint8Array; fused: boolean } {
  if (relaxed) {
    const bytes = decode(kernelsRelaxedWasm);
    if (wasm.validate(bytes)) return { bytes, fused: true };
  }
  return { bytes: decode(kernelsWasm), fused: false };
}

type Ptr = number;

/** The AssemblyScript kernels' exports (engine/backend/cpu/wasm/kernels/). Pointers are byte offsets. */
export interface WasmKernels {
  gemm(
    a: Ptr,
    b: Ptr,
    c: Ptr,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
    scratch: Ptr,
    jFrom: number,
    jTo: number,
    bSums: Ptr,
  ): void;
  gemmScratchFloats(m: number, n: number): number;
  packedBFloats(n: number, k: number): number;
  packBWhole(b: Ptr, n: number, k: number, transB: boolean, out: Ptr): void;
  gemmRowsScratchFloats(m: number): number;
  copy(src: Ptr, out: Ptr, n: number, accumulate: boolean): void;
  fill(out: Ptr, value: number, n: number): void;
  fillBits(out: Ptr, bits: number, n: number): void;
  mul(a: Ptr, b: Ptr, out: Ptr, n: number, accumulate: boolean): void;
  relu(x: Ptr, y: Ptr, n: number): void;
  reluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number, accumulate: boolean): void;
  sigmoidBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number, accumulate: boolean): void;
  tanhBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number, accumulate: boolean): void;
  addBias(out: Ptr, bias: Ptr, outer: number, channels: number, inner: number): void;
  biasGrad(dy: Ptr, dBias: Ptr, outer: number, channels: number, inner: number): void;
  copyBlocks(
    src: Ptr,
    srcOffset: number,
    srcStride: number,
    out: Ptr,
    outOffset: number,
    outStride: number,
    blocks: number,
    blockSize: number,
    accumulate: boolean,
  ): void;
  optimizerBits(kind: number, p: Ptr, g: Ptr, slot1: Ptr, slot2: Ptr, n: number, ...argumentBits: number[]): void;
  sgd(p: Ptr, g: Ptr, n: number, lr: number): void;
  momentum(p: Ptr, g: Ptr, v: Ptr, n: number, lr: number, mu: number, nesterov: boolean): void;
  scaledBySquares(p: Ptr, g: Ptr, s: Ptr, n: number, lr: number, decay: number, gain: number, eps: number): void;
  adadelta(p: Ptr, g: Ptr, u: Ptr, s: Ptr, n: number, lr: number, rho: number, eps: number): void;
  adam(
    p: Ptr,
    g: Ptr,
    v: Ptr,
    s: Ptr,
    n: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    sqrtCorrection2: number,
    eps: number,
  ): void;
  sumSquares(g: Ptr, n: number): number;
  sumSquaresInto(g: Ptr, n: number, out: Ptr): void;
  scale(g: Ptr, n: number, c: number): void;
  scaleBits(g: Ptr, n: number, bits: number): void;
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  maxPool(...args: number[]): void;
  maxPoolBackward(
    dy: Ptr,
    argmax: Ptr,
    dx: Ptr,
    planes: number,
    h: number,
    w: number,
    outPlane: number,
    accumulate: boolean,
  ): void;
  lstmCell(gates: Ptr, cPrev: Ptr, c: Ptr, h: Ptr, n: number, u: number): void;
  lstmCellBackward(gates: Ptr, cPrev: Ptr, c: Ptr, dh: Ptr, dc: Ptr, dGates: Ptr, n: number, u: number): void;
  lstmStepRows(...args: number[]): void;
  lstmStepBackwardRows(...args: number[]): void;
  sigmoid(x: Ptr, y: Ptr, n: number): void;
  tanh(x: Ptr, y: Ptr, n: number): void;
  samplesPerProduct(K: number, P: number, n: number): number;
  col2imSlackFloats(kw: number): number;
  col2imRowsScratchFloats(kw: number): number;
  byPositionsScratchFloats(cOut: number, K: number): number;
  weightsInPlaceScratchFloats(cOut: number, K: number, P: number, n: number): number;
  convForward(...args: number[]): void;
  convBackwardInput(...args: number[]): void;
  convBackwardWeight(...args: number[]): void;
}

/** Stops helper threads of arenas nobody holds any more (a backend that was not disposed). */
const orphans = new FinalizationRegistry<KernelThreads>((threads) => threads.stop());

const PAGE = 65536;
/** 2 GiB: the most a backend's tensors (datasets included) may take in WebAssembly memory. */
const MAX_PAGES = 32768;
/** The kernels keep no static data; the first page stays theirs all the same. */
const FIRST_FREE = PAGE;
/** Room a session reserves past its plan for the kernels' work areas (packed operands, im2col columns). */
const WORK_AREAS = 4 * 2 ** 20;

/**
 * The CPU backend's memory: one shared WebAssembly memory holding every tensor of a session, so that the
 * WebAssembly kernels work on them in place (no copies in or out). Shared memory never moves when it
 * grows, so the Float32Array views handed out stay valid. Null where shared WebAssembly memory is not
 * available (a page without cross-origin isolation): the backend then keeps plain arrays.
 */
export class WasmArena {
  private top = FIRST_FREE;
  /**
   * The ArrayBuffer objects this memory has shown (a new one at each growth, its own or another shared
   * memory's in this thread), held weakly: a buffer no tensor views any more is not kept alive by this set
   * (Chromium's memory measurement counts each live one in full).
   */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** Work areas by name: where each starts (bytes) and how many floats it holds. */
  private readonly scratchAreas = new Map<string, { at: number; floats: number }>();

  /** The helper thread, when the platform gave a way to start one. */
  threads: KernelThreads | null = null;

  private constructor(
    private readonly memory: WasmMemory,
    private readonly bytes: Uint8Array,
    readonly kernels: WasmKernels,
    /** Whether the kernels multiply-add in one fused instruction (the relaxed SIMD module). */
    readonly fusedMultiplyAdd: boolean,
  ) {
    this.buffers.add(memory.buffer);
  }

  static create({ relaxedSimd = true }: { relaxedSimd?: boolean } = {}): WasmArena | null {
    try {
      const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
      if (!wasm || typeof SharedArrayBuffer === 'undefined') return null;
      const memory = new wasm.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
      const { bytes, fused } = kernelModule(wasm, relaxedSimd);
      const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
      return new WasmArena(memory, bytes, instance.exports as WasmKernels, fused);
    } catch {
      // No WebAssembly SIMD, no shared memory, or WebAssembly forbidden.
      return null;
    }
  }

  /** Starts a helper thread on this memory (the kernels then split large products and batches in two). */
  startThreads(spawn: SpawnThread): void {
    const block = this.alloc(CONTROL_INTS);
    if (!block || this.threads) return;
    const control = new Int32Array(block.buffer, block.byteOffset, CONTROL_INTS);
    const kernels = this.kernels as unknown as Record<ThreadKernel, (...args: number[]) => void>;
    this.threads = KernelThreads.start(spawn, this.memory, this.bytes, control, (kernel, args) =>
      kernels[kernel](...args),
    );
    if (this.threads) orphans.register(this, this.threads, this);
  }

  /** Stops the helper thread; the memory goes when the last view of it does. */
  dispose(): void {
    this.threads?.stop();
    this.threads = null;
    orphans.unregister(this);
  }

  /** Zero-filled floats in WebAssembly memory, or null when the memory cannot grow that far. */
  alloc(floats: number): Float32Array | null {
    const bytes = Math.ceil(floats / 4) * 16;
    if (!this.reserve(this.top + bytes)) return null;
    const view = new Float32Array(this.memory.buffer, this.top, floats);
    // The buffer object the view was made on, whichever it is: another shared memory's growth in this thread
    // gives this memory a new one without any growth of its own, and tensors made on it were taken for plain
    // arrays (their kernels then ran the reference loops; the threaded kernel tests compared those with
    // themselves).
    this.buffers.add(view.buffer);
    this.top += bytes;
    return view;
  }

  /**
   * Grows the memory at once for `floats` more floats (an eighth more, and WORK_AREAS, for the kernels' work
   * areas). Each growth makes a new SharedArrayBuffer object over the same memory, and the tensors viewed
   * through each keep theirs alive: Chromium's memory accounting counts every one of them in full (a session
   * that grew thirty times counted four to six times its size). Reserved once, a session's tensors share one.
   */
  reserveFloats(floats: number): void {
    this.reserve(Math.min(MAX_PAGES * PAGE, this.top + Math.ceil(((floats / 4) * 16 * 9) / 8) + WORK_AREAS));
  }

  /** The byte offset of an array in this memory, or -1 for an array elsewhere. */
  ptr(a: ArrayBufferView): number {
    return a instanceof Float32Array && this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /**
   * The named work area, at least `floats` floats, reused between calls (it grows to the largest layer's
   * need during the first step, then stays); -1 when memory is exhausted.
   */
  scratch(name: string, floats: number): number {
    const area = this.scratchAreas.get(name);
    if (area && area.floats >= floats) return area.at;
    const fresh = this.alloc(floats);
    if (!fresh) return -1;
    this.scratchAreas.set(name, { at: fresh.byteOffset, floats });
    return fresh.byteOffset;
  }

  private reserve(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    if (end > MAX_PAGES * PAGE) return false;
    // By an eighth at least: work areas that grow layer by layer then take a few growths, not one each.
    const target = Math.min(MAX_PAGES * PAGE, Math.max(end, have + have / 8));
    // Where the system refuses the eighth, the exact need may still fit.
    if (!this.grow(target - have) && !this.grow(end - have)) return false;
    this.buffers.add(this.memory.buffer);
    return true;
  }

  private grow(bytes: number): boolean {
    try {
      this.memory.grow(Math.ceil(bytes / PAGE));
      return true;
    } catch {
      return false;
    }
  }
}
