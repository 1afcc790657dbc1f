/**
 * A second thread for the WebAssembly kernels: it instantiates the same module on the same shared memory
 * and waits on a control block there for jobs (a kernel and its integer arguments). The calling thread
 * posts a job for one half of the work, does the other half, and waits for the helper's half, or does it
 * too where the helper has not started on it yet (run); or both threads take chunks of a job until none
 * is left (runChunks).
 *
 * Threads are started by the platform (a blob Worker in browsers, worker_threads in Node), handed in as a
 * `SpawnThread`, so the engine itself stays free of platform imports.
 */

export interface ThreadHandle {
  postMessage(message: unknown): void;
  terminate(): void;
}
/** Starts a thread running `source`, a classic script (no imports). */
export type SpawnThread = (source: string) => ThreadHandle;

/** The kernels a helper runs, by job id. */
export const threadKernels = [
  'gemm',
  'convForward',
  'convBackwardInput',
  'convBackwardWeight',
  'lstmCell',
  'lstmCellBackward',
  'lstmStepRows',
  'lstmStepBackwardRows',
  'fillBits',
  'copy',
  'optimizerBits',
  'sumSquaresInto',
  'scaleBits',
  'relu',
  'reluBackward',
  'sigmoid',
  'tanh',
  'sigmoidBackward',
  'tanhBackward',
  'addBias',
  'maxPool',
  'maxPoolBackward',
] as const;
export type ThreadKernel = (typeof threadKernels)[number];

/** Control block layout (Int32 slots). */
const POSTED = 0; // sequence number of the last job posted
const TAKEN = 1; // sequence number the helper claimed (or the poster took back, negated)
const DONE = 2; // sequence number of the last job finished
const KERNEL = 3; // index into threadKernels; -1 asks the helper to stop
/** 1 once the helper has its module and waits for jobs (a test stands in for a helper with it). */
export const READY = 4;
const FAILED = 5; // the sequence number of a job whose kernel threw (a trap), set before DONE
// A job of chunks (runChunks): items [0, ITEMS) in chunks of CHUNK (0: a plain job), the chunk's range
// written at arguments RANGE_AT and RANGE_AT + 1, NEXT the next chunk either thread may claim.
const ITEMS = 6;
const CHUNK = 7;
const RANGE_AT = 8;
const NEXT = 9;
const ARGS = 10; // up to 24 integer arguments
export const CONTROL_INTS = ARGS + 24;

/**
 * The helper's code. It claims a job by moving TAKEN from the previous sequence number to the new one,
 * so a job the poster took back (the helper had not claimed it when the poster was done with its part:
 * asleep, without a core, or a blocked worker) is skipped.
 */
export const helperSource = `
const onFirstMessage = (handler) => {
  if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', handler);
  else self.onmessage = (event) => handler(event.data);
};
onFirstMessage(({ memory, bytes, control, kernels }) => {
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, control, ${CONTROL_INTS});
  const fns = kernels.map((name) => k[name]);
  // A job's arguments, read into one array kept for every job (none allocated while a run trains).
  const args = new Array(24).fill(0);
  let seen = 0;
  Atomics.store(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  for (;;) {
    Atomics.wait(ctl, ${POSTED}, seen);
    const seq = Atomics.load(ctl, ${POSTED});
    seen = seq;
    if (ctl[${KERNEL}] < 0) return;
    if (Atomics.compareExchange(ctl, ${TAKEN}, seq - 1, seq) !== seq - 1) {
      // Taken back (its chunks all done by the poster): the next job is likely on its way.
      for (let spin = 0; spin < 400000 && Atomics.load(ctl, ${POSTED}) === seen; spin++);
      continue;
    }
    try {
      const fn = fns[ctl[${KERNEL}]];
      for (let i = 0; i < 24; i++) args[i] = ctl[${ARGS} + i];
      const chunk = ctl[${CHUNK}];
      if (chunk === 0) fn(...args);
      else {
        const items = ctl[${ITEMS}];
        const at = ctl[${RANGE_AT}];
        for (let start = Atomics.add(ctl, ${NEXT}, chunk); start < items; start = Atomics.add(ctl, ${NEXT}, chunk)) {
          args[at] = start;
          args[at + 1] = Math.min(items, start + chunk);
          fn(...args);
        }
      }
    } catch {
      // Said, not thrown: a helper that died here would leave the poster waiting for DONE for ever.
      Atomics.store(ctl, ${FAILED}, seq);
    }
    Atomics.store(ctl, ${DONE}, seq);
    Atomics.notify(ctl, ${DONE});
    // Jobs come in runs (a layer after another): stay awake a moment before sleeping.
    for (let spin = 0; spin < 400000 && Atomics.load(ctl, ${POSTED}) === seen; spin++);
  }
});
`;

export class KernelThreads {
  private seq = 0;
  private alive = true;
  /** Jobs posted to the helper: each finished by it (helped) or taken back (takenBack). */
  posted = 0;
  /** Jobs the helper finished. */
  helped = 0;
  /** Jobs the helper had not claimed when this thread was done with its part: done here instead. */
  takenBack = 0;

  private constructor(
    private readonly ctl: Int32Array,
    private readonly thread: ThreadHandle,
    /** Runs a kernel on this thread (when the helper is gone). */
    private readonly runHere: (kernel: ThreadKernel, args: number[]) => void,
  ) {}

  /**
   * A helper thread on this memory, or null where the calling thread may not block (a page's main thread)
   * or threads cannot start.
   */
  static start(
    spawn: SpawnThread,
    memory: unknown,
    bytes: Uint8Array,
    control: Int32Array,
    runHere: (kernel: ThreadKernel, args: number[]) => void,
  ): KernelThreads | null {
    try {
      // Atomics.wait throws on a browser's main thread: there, no helper.
      Atomics.wait(control, CONTROL_INTS - 1, 1, 0);
      const thread = spawn(helperSource);
      thread.postMessage({ memory, bytes, control: control.byteOffset, kernels: threadKernels });
      return new KernelThreads(control, thread, runHere);
    } catch {
      return null;
    }
  }

  /**
   * Runs `kernel(args)` on the helper while `own()` runs here; returns when both are done. Until the helper
   * says it is ready, both halves run here: a browser starts a worker's worker only when the worker's own
   * event loop turns, which a training run does between slices, so the first jobs must not wait for it
   * (they waited 2 s and gave the helper up: the page's engine trained on one thread). A helper that has
   * not claimed the job by the time `own()` is done and a moment has passed (asleep, or its core taken by
   * another program) is not waited for: the job is taken back and its half run here, and the helper skips
   * it when it wakes. (Waiting for it was the longest wait of a step on a busy machine: a helper that lost
   * its core kept every job of the step waiting for it to come back; and one that had died stopped each
   * job for 2 s.)
   */
  run(kernel: ThreadKernel, args: number[], own: () => void): void {
    if (!this.helping) {
      own();
      this.runHere(kernel, args);
      return;
    }
    const seq = this.post(kernel, args, 0);
    this.settledIfThrows(seq, own);
    const ctl = this.ctl;
    // The helper usually finishes within microseconds of us: spin a moment before sleeping.
    for (let spin = 0; spin < 20000 && Atomics.load(ctl, DONE) !== seq; spin++);
    if (Atomics.load(ctl, DONE) === seq) {
      this.finished(kernel, seq);
      return;
    }
    // Claimed: wait for it. Not claimed yet: taken back, and run here.
    if (Atomics.compareExchange(ctl, TAKEN, seq - 1, -seq) === seq - 1) {
      this.takenBack++;
      this.runHere(kernel, args);
      return;
    }
    while (Atomics.load(ctl, DONE) !== seq) Atomics.wait(ctl, DONE, seq - 1);
    this.finished(kernel, seq);
  }

  /**
   * Runs `kernel` over items [0, items) in chunks of `chunk` items, this thread and the helper each claiming
   * the next chunk until none is left: a helper that starts late (woken from sleep, or its core busy with
   * another program) or runs slower takes fewer, where halves fixed in advance left this thread waiting for
   * the slower half. `args` (the helper's) and `ownArgs` (this thread's: its own work areas) are the
   * kernel's arguments, a chunk's first and last-plus-one items written at `rangeAt` and `rangeAt + 1`
   * (into `ownArgs` itself).
   * Each thread's chunks run with its own arguments, so a kernel that sums into its output may be given
   * a separate sum for each thread. A helper that has not claimed the job by the time the chunks are done
   * is simply not waited for: there is nothing left for it.
   */
  runChunks(
    kernel: ThreadKernel,
    args: number[],
    ownArgs: number[],
    rangeAt: number,
    items: number,
    chunk: number,
  ): void {
    const here = this.runHere;
    const own = ownArgs;
    const claimHere = (next: () => number) => {
      for (let start = next(); start < items; start = next()) {
        own[rangeAt] = start;
        own[rangeAt + 1] = Math.min(items, start + chunk);
        here(kernel, own);
      }
    };
    if (!this.helping) {
      let next = 0;
      claimHere(() => {
        next += chunk;
        return next - chunk;
      });
      return;
    }
    const ctl = this.ctl;
    const seq = this.post(kernel, args, chunk, items, rangeAt);
    this.settledIfThrows(seq, () => claimHere(() => Atomics.add(ctl, NEXT, chunk)));
    // Not claimed yet: taken back (the helper skips it when it wakes), nothing to wait for.
    if (Atomics.compareExchange(ctl, TAKEN, seq - 1, -seq) === seq - 1) {
      this.takenBack++;
      return;
    }
    for (let spin = 0; spin < 20000 && Atomics.load(ctl, DONE) !== seq; spin++);
    while (Atomics.load(ctl, DONE) !== seq) Atomics.wait(ctl, DONE, seq - 1);
    this.finished(kernel, seq);
  }

  /**
   * Runs this thread's part of job `seq`; if it throws (a kernel's trap: a bug), the helper is stopped
   * from taking more chunks and its part taken back or waited for before the error goes on, so that no
   * kernel is still writing when the next job (or the next run) is posted.
   */
  private settledIfThrows(seq: number, part: () => void): void {
    try {
      part();
    } catch (error) {
      const ctl = this.ctl;
      Atomics.store(ctl, NEXT, 0x3fffffff);
      if (Atomics.compareExchange(ctl, TAKEN, seq - 1, -seq) !== seq - 1)
        while (Atomics.load(ctl, DONE) !== seq) Atomics.wait(ctl, DONE, seq - 1);
      throw error;
    }
  }

  /** Posts a job to the helper (a plain one for chunk 0); its sequence number. */
  private post(kernel: ThreadKernel, args: number[], chunk: number, items = 0, rangeAt = 0): number {
    const ctl = this.ctl;
    const seq = ++this.seq;
    this.posted++;
    ctl[KERNEL] = threadKernels.indexOf(kernel);
    ctl.set(args, ARGS);
    ctl[CHUNK] = chunk;
    ctl[ITEMS] = items;
    ctl[RANGE_AT] = rangeAt;
    Atomics.store(ctl, NEXT, 0);
    // The helper claims a job by moving TAKEN on from the job before (which a taken-back job left negated).
    Atomics.store(ctl, TAKEN, seq - 1);
    Atomics.store(ctl, POSTED, seq);
    Atomics.notify(ctl, POSTED);
    return seq;
  }

  /** A job the helper finished: counted, or, where its kernel threw, an error here (the run ends with it). */
  private finished(kernel: ThreadKernel, seq: number): void {
    if (Atomics.load(this.ctl, FAILED) === seq)
      throw new Error(`the CPU kernels' helper thread failed in ${kernel} (a kernel bug: please report it)`);
    this.helped++;
  }

  /** Whether the helper has claimed the job posted last (it may be done with it). */
  get claimedLast(): boolean {
    return Atomics.load(this.ctl, TAKEN) === this.seq && this.seq > 0;
  }

  /** Whether the helper thread takes jobs: started, and not given up. */
  get helping(): boolean {
    return this.alive && Atomics.load(this.ctl, READY) === 1;
  }

  /** Waits up to `ms` for the helper to be ready (where this thread may block); whether it is. */
  waitReady(ms: number): boolean {
    if (this.alive && Atomics.load(this.ctl, READY) !== 1) Atomics.wait(this.ctl, READY, 0, ms);
    return this.helping;
  }

  stop(): void {
    if (!this.alive) return;
    this.alive = false;
    this.ctl[KERNEL] = -1;
    Atomics.store(this.ctl, POSTED, ++this.seq);
    Atomics.notify(this.ctl, POSTED);
    this.thread.terminate();
  }
}
