import { EngineError } from '../../errors';
import type { GpuQueue } from './gpu-queue';

/** A range of the session's GPU memory, in floats. */
export interface GpuBuf {
  readonly offset: number;
  readonly length: number;
}

/** Tensors start on 16-byte boundaries. */
const ALIGN = 4;
/** The first 512 floats hold reductions' partial sums (256 threads, two sums each). */
export const PARTIALS_OFFSET = 0;
const RESERVED_FLOATS = 512;

/**
 * One session's tensors in one GPU buffer (a binding sees it whole), handed out in order and never freed
 * one by one. It grows by copying into a larger buffer: once to the planned size (reserve), then by a
 * quarter at least when layers' own scratch needs more. The queue is told of every new buffer.
 */
export class GpuMemory {
  /** The largest buffer one binding may see: every tensor of the session must fit in it together. */
  readonly maxFloats: number;
  private buffer: GPUBuffer;
  private capacity: number;
  private top = RESERVED_FLOATS;
  private allocationCount = 0;
  /** Writes are converted to floats here, reused: a step's batch indices make no garbage. */
  private writeStaging = new Float32Array(1024);
  /** The kernels' own working memory by name: made at its first use and reused, larger only when needed. */
  private readonly scratchAreas = new Map<string, { offset: number; floats: number }>();

  constructor(
    private readonly device: GPUDevice,
    private readonly queue: GpuQueue,
  ) {
    this.maxFloats = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / 4);
    this.capacity = Math.min(1 << 20, this.maxFloats);
    this.buffer = this.createBuffer(this.capacity);
    queue.bindMemory(this.buffer);
  }

  /** Tensors allocated so far (scratch areas not counted). */
  get allocations(): number {
    return this.allocationCount;
  }

  alloc(size: number, label: string): GpuBuf {
    this.allocationCount++;
    return { offset: this.take(Math.max(size, 1), label), length: size };
  }

  /** The offset of a named working area of at least `floats` floats (not counted as an allocation). */
  scratch(name: string, floats: number): number {
    const area = this.scratchAreas.get(name);
    if (area && area.floats >= floats) return area.offset;
    const offset = this.take(floats, `working memory of ${name}`);
    this.scratchAreas.set(name, { offset, floats });
    return offset;
  }

  /** Grows to hold `floats` more at once, so the planned session is one buffer made once. */
  reserve(floats: number): void {
    const needed = this.top + Math.ceil(floats / ALIGN) * ALIGN;
    if (needed > this.capacity) this.grow(Math.min(needed, this.maxFloats), 'the planned session', true);
  }

  write(buf: GpuBuf, data: ArrayLike<number>, offset = 0): void {
    // Work recorded before the write must see the old values: submit it first.
    this.queue.flush();
    if (this.writeStaging.length < data.length) this.writeStaging = new Float32Array(data.length);
    this.writeStaging.set(data);
    this.device.queue.writeBuffer(this.buffer, (buf.offset + offset) * 4, this.writeStaging, 0, data.length);
  }

  async read(buf: GpuBuf): Promise<Float64Array> {
    const bytes = Math.max(buf.length, 1) * 4;
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const source = this.buffer;
    this.queue.flush((encoder) => encoder.copyBufferToBuffer(source, buf.offset * 4, staging, 0, bytes));
    await staging.mapAsync(GPUMapMode.READ);
    const values = Float64Array.from(new Float32Array(staging.getMappedRange().slice(0, buf.length * 4)));
    staging.unmap();
    staging.destroy();
    return values;
  }

  destroy(): void {
    this.buffer.destroy();
  }

  private take(floats: number, label: string): number {
    const offset = this.top;
    const end = offset + Math.ceil(floats / ALIGN) * ALIGN;
    if (end > this.capacity) this.grow(end, label);
    this.top = end;
    return offset;
  }

  /** A larger buffer, the tensors so far copied in: `exact` (a reservation), else a quarter larger at least. */
  private grow(needed: number, label: string, exact = false): void {
    if (needed > this.maxFloats)
      throw new EngineError(
        'TOO_LARGE',
        `${label}: the session needs ${needed * 4} bytes of GPU memory in one buffer; this GPU allows ${this.maxFloats * 4}`,
      );
    const next = exact ? needed : Math.min(Math.max(needed, Math.ceil(this.capacity * 1.25)), this.maxFloats);
    const bigger = this.createBuffer(next);
    const old = this.buffer;
    const used = this.top * 4;
    this.queue.flush((encoder) => encoder.copyBufferToBuffer(old, 0, bigger, 0, used));
    old.destroy();
    this.buffer = bigger;
    this.capacity = next;
    this.queue.bindMemory(bigger);
  }

  private createBuffer(floats: number): GPUBuffer {
    return this.device.createBuffer({
      size: floats * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }
}
