import { expect } from 'vitest';
import { nodeSpawnThread } from '../../cli/threads';
import { WasmArena } from '../../engine/backend/cpu/wasm/arena';
import { HANG_MS } from './hang-guard';

/** An arena of its own with a helper thread that has said it is ready (so that its jobs can be counted). */
export function threadedArena(): WasmArena {
  const arena = WasmArena.create()!;
  arena.startThreads(nodeSpawnThread!);
  expect(arena.threads?.waitReady(HANG_MS)).toBe(true);
  return arena;
}

const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits (up to HANG_MS) for the helper to claim the job just posted: a helper asleep when a job comes wakes
 * in a moment, and a job it has not claimed by the time this thread is done with its part is taken back.
 */
export function untilClaimed(arena: WasmArena): void {
  for (let waited = 0; !arena.threads!.claimedLast && waited < HANG_MS; waited++) Atomics.wait(nap, 0, 0, 1);
}

/**
 * Runs `work` with this thread's chunks of a job slowed: each waits for the helper to have claimed the job,
 * then rests `ms` (a thread that lost its core a moment), so that the helper takes most chunks. (A half
 * taken back from the helper runs at once: the helper will never claim it.)
 */
export function withThisThreadSlow<T>(arena: WasmArena, ms: number, work: () => T): T {
  const threads = arena.threads as unknown as {
    runHere: (kernel: string, args: number[]) => void;
    takenBack: number;
  };
  const run = threads.runHere;
  let takenBack = threads.takenBack;
  threads.runHere = (kernel, args) => {
    if (threads.takenBack === takenBack) {
      untilClaimed(arena);
      Atomics.wait(nap, 0, 0, ms);
    }
    takenBack = threads.takenBack;
    run(kernel, args);
  };
  try {
    return work();
  } finally {
    threads.runHere = run;
  }
}
