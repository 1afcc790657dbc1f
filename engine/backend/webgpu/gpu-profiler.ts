/** GPU time of one kernel, summed over its dispatches. */
export interface KernelTime {
  entry: string;
  dispatches: number;
  microseconds: number;
}

/**
 * Per-kernel GPU time from timestamp queries (the device needs the 'timestamp-query' feature). While it is
 * on, the queue gives every dispatch its own compute pass with a timestamp at each end; each submission's
 * timestamps are resolved into a buffer and read back without waiting. For benchmarks and diagnosis: a
 * pass per dispatch adds barriers, so the sum exceeds a normal step's time, but the shares are the kernels'.
 */
export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private entries: string[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly totals = new Map<string, KernelTime>();

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity: number,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    this.resolved = device.createBuffer({
      size: 16 * capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** A compute pass for dispatch number `slot` of the submission (of `entry`), timed at both ends. */
  pass(encoder: GPUCommandEncoder, slot: number, entry: string): GPUComputePassEncoder {
    this.entries[slot] = entry;
    return encoder.beginComputePass({
      timestampWrites: {
        querySet: this.querySet,
        beginningOfPassWriteIndex: 2 * slot,
        endOfPassWriteIndex: 2 * slot + 1,
      },
    });
  }

  /** Resolves the submission's `slots` dispatches' timestamps into a buffer to be read once it has run. */
  resolve(encoder: GPUCommandEncoder, slots: number): () => void {
    if (slots === 0) return () => {};
    const readback = this.device.createBuffer({
      size: 16 * slots,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.resolveQuerySet(this.querySet, 0, 2 * slots, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, readback, 0, 16 * slots);
    const entries = this.entries.slice(0, slots);
    // Called after the submission: the read waits for the GPU without blocking the queue.
    return () => {
      this.pending.push(
        readback.mapAsync(GPUMapMode.READ).then(() => {
          const stamps = new BigUint64Array(readback.getMappedRange());
          entries.forEach((entry, i) => {
            const total = this.totals.get(entry) ?? { entry, dispatches: 0, microseconds: 0 };
            total.dispatches++;
            total.microseconds += Number(stamps[2 * i + 1] - stamps[2 * i]) / 1000;
            this.totals.set(entry, total);
          });
          readback.unmap();
          readback.destroy();
        }),
      );
    };
  }

  /** The kernels' times since the last report, longest first (waits for the reads in flight). */
  async report(): Promise<KernelTime[]> {
    await Promise.all(this.pending.splice(0));
    const times = [...this.totals.values()].sort((a, b) => b.microseconds - a.microseconds);
    this.totals.clear();
    return times;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
  }
}
