import { describe, expect, it } from 'vitest';
import { conv2d } from '../../../engine/backend/cpu/conv-kernels';
import { matmul } from '../../../engine/backend/cpu/dense-kernels';
import { WasmArena } from '../../../engine/backend/cpu/wasm/arena';
import { CONTROL_INTS, READY, type ThreadHandle } from '../../../engine/backend/cpu/wasm/kernel-threads';
import { threadedArena, untilClaimed, withThisThreadSlow } from '../../helpers/threaded-arena';

/**
 * A product split between this thread (columns [0, mid)) and the helper ([mid, n)), checked against the
 * reference; `waitForHelper`: this thread's part starts once the helper has claimed its own.
 */
function splitProduct(arena: WasmArena, waitForHelper = false): boolean {
  const [m, n, k] = [9, 40, 33];
  const a = arena.alloc(m * k)!;
  const b = arena.alloc(k * n)!;
  const c = arena.alloc(m * n)!;
  a.forEach((_, i) => {
    a[i] = Math.sin(i);
  });
  b.forEach((_, i) => {
    b[i] = Math.cos(i);
  });
  const kernels = arena.kernels;
  const scratch = arena.scratch('own', kernels.gemmScratchFloats(m, n));
  const helperScratch = arena.scratch('helper', kernels.gemmScratchFloats(m, n));
  const args = [a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, 0, 0, 0, helperScratch, 16, n, 0];
  arena.threads!.run('gemm', args, () => {
    if (waitForHelper) untilClaimed(arena);
    kernels.gemm(a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, false, false, false, scratch, 0, 16, 0);
  });
  const expected = new Float32Array(m * n);
  matmul({ a, b, out: expected, m, n, k, transA: false, transB: false, accumulate: false });
  return expected.every((v, i) => Math.abs(v - c[i]) < 1e-4);
}

/**
 * A convolution's forward pass over 32 samples in chunks of 2 shared by both threads, each thread with its
 * own weights (the helper's twice this thread's): each sample's output says which thread computed it.
 * `slowHere`: this thread's chunks wait for the helper's claim, then rest 5 ms (withThisThreadSlow);
 * `trap`: the output lies past the memory's end for both threads (the kernel traps on whichever takes a
 * chunk: both threads can; the helper may take them all before this thread takes one).
 */
function chunkedConvolution(arena: WasmArena, slowHere: boolean, trap = false) {
  const g = { n: 32, cIn: 2, h: 9, w: 9, cOut: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0, oh: 7, ow: 7 };
  const sample = g.cOut * g.oh * g.ow;
  const x = arena.alloc(g.n * g.cIn * g.h * g.w)!;
  const w = arena.alloc(g.cOut * g.cIn * g.kh * g.kw)!;
  const twice = arena.alloc(w.length)!;
  const y = arena.alloc(g.n * sample)!.fill(Number.NaN);
  x.forEach((_, i) => {
    x[i] = Math.sin(i);
  });
  w.forEach((_, i) => {
    w[i] = Math.cos(i);
    twice[i] = 2 * w[i];
  });
  const shape = [g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];
  const areas = (name: string) => [1, 2, 3].map((i) => arena.scratch(`${name}${i}`, 4096));
  const threads = arena.threads!;
  const convolution = () =>
    threads.runChunks(
      'convForward',
      [x.byteOffset, twice.byteOffset, trap ? 0x7ff00000 : y.byteOffset, 0, 0, ...shape, ...areas('helper')],
      [x.byteOffset, w.byteOffset, trap ? 0x7ff00000 : y.byteOffset, 0, 0, ...shape, ...areas('own')],
      3,
      g.n,
      2,
    );
  if (slowHere) withThisThreadSlow(arena, 5, convolution);
  else convolution();
  const expected = new Float32Array(y.length);
  conv2d({ x, w, y: expected, g });
  // Which thread computed each sample: 1 here, 2 the helper, 0 neither (or a wrong value).
  return Array.from({ length: g.n }, (_, b) => {
    const near = (factor: number) =>
      Array.from({ length: sample }, (_, i) => b * sample + i).every(
        (i) => Math.abs(y[i] - factor * expected[i]) < 1e-4 * (1 + Math.abs(expected[i])),
      );
    return near(1) ? 1 : near(2) ? 2 : 0;
  });
}

describe('the kernels helper thread', () => {
  it('shares a job out in chunks: each thread takes the next one until none is left, every chunk once', () => {
    const arena = threadedArena();
    // This thread resting before each chunk, the helper takes most of them; chunks of two samples each.
    const by = chunkedConvolution(arena, true);
    expect(by).not.toContain(0);
    expect(by.filter((t) => t === 2).length).toBeGreaterThan(by.filter((t) => t === 1).length);
    for (let b = 0; b < by.length; b += 2) expect(by[b + 1]).toBe(by[b]);
    expect(arena.threads?.helped).toBe(1);
    // Plain jobs and chunked ones, one after another.
    expect(splitProduct(arena)).toBe(true);
    expect(chunkedConvolution(arena, false)).not.toContain(0);
    expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.helping).toBe(true);
    arena.dispose();
  });

  it('stops the helper and waits for its part when this thread’s part throws; the next jobs go on', () => {
    const arena = threadedArena();
    expect(() => chunkedConvolution(arena, false, true)).toThrow(/out of bounds|helper thread failed in convForward/);
    // The helper's part long enough (8M floats) to be under way when this thread's part throws.
    const size = 8 << 20;
    const t = arena.alloc(size)!;
    expect(() =>
      arena.threads!.run('fillBits', [t.byteOffset, 0x3f800000, size], () => {
        untilClaimed(arena);
        throw new Error('this part failed');
      }),
    ).toThrow('this part failed');
    // The helper's part was done before the error went on: its last float is there.
    expect(t[size - 1]).toBe(1);
    expect(t.every((v) => v === 1)).toBe(true);
    expect(chunkedConvolution(arena, false)).not.toContain(0);
    expect(splitProduct(arena, true)).toBe(true);
    arena.dispose();
  });

  it('does every chunk here when the helper is not ready, or never claims the job (without waiting for it)', () => {
    const arena = WasmArena.create()!;
    arena.startThreads(() => ({ postMessage: () => {}, terminate: () => {} }));
    expect(chunkedConvolution(arena, false)).toEqual(new Array(32).fill(1));
    const asleep = WasmArena.create()!;
    // Says it is ready, then never takes a job: the chunks are all done here, and the job taken back.
    asleep.startThreads(() => ({
      postMessage: ({ memory, control }: { memory: WebAssembly.Memory; control: number }) =>
        Atomics.store(new Int32Array(memory.buffer, control, CONTROL_INTS), READY, 1),
      terminate: () => {},
    }));
    expect(chunkedConvolution(asleep, false)).toEqual(new Array(32).fill(1));
    expect(asleep.threads?.helping).toBe(true);
  });

  it('takes one half of a product on the same shared memory', () => {
    const arena = threadedArena();
    for (let i = 0; i < 5; i++) expect(splitProduct(arena, true)).toBe(true);
    expect(arena.threads?.helping).toBe(true);
    expect(arena.threads?.helped).toBe(5);
    // Jobs not waited for: each done by the helper or taken back (a helper asleep takes the next ones).
    for (let i = 0; i < 3; i++) expect(splitProduct(arena)).toBe(true);
    expect(splitProduct(arena, true)).toBe(true);
    expect(arena.threads!.helped + arena.threads!.takenBack).toBe(9);
    expect(arena.threads!.helped).toBeGreaterThanOrEqual(6);
    arena.dispose();
    expect(arena.threads).toBeNull();
  });

  it('says a kernel that traps on the helper as an error here, and goes on taking jobs', () => {
    const arena = threadedArena();
    // A fill past the end of memory traps in the helper's half (this thread's half is empty).
    const past = arena.alloc(4)!.buffer.byteLength;
    expect(() => arena.threads!.run('fillBits', [past, 0, 1024], () => untilClaimed(arena))).toThrow(
      /helper thread failed in fillBits/,
    );
    expect(arena.threads?.helping).toBe(true);
    expect(splitProduct(arena, true)).toBe(true);
    expect(arena.threads?.helped).toBe(1);
    arena.dispose();
  });

  it('runs jobs here, without waiting, until the helper says it is ready (a worker not started yet)', () => {
    const arena = WasmArena.create()!;
    let terminated = false;
    const notStarted: ThreadHandle = {
      postMessage: () => {},
      terminate: () => {
        terminated = true;
      },
    };
    arena.startThreads(() => notStarted);
    for (let i = 0; i < 3; i++) expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.helping).toBe(false);
    expect(arena.threads?.helped).toBe(0);
    // Not given up: it may start later (a browser starts it when the engine's event loop turns).
    expect(terminated).toBe(false);
  });

  it('takes a job back and runs it here, without waiting, when the helper has not claimed it (asleep, or dead)', () => {
    const arena = WasmArena.create()!;
    let terminated = false;
    const dead: ThreadHandle = {
      // Says it is ready (as the real helper does once its module is up), then never takes a job.
      postMessage: ({ memory, control }: { memory: WebAssembly.Memory; control: number }) => {
        Atomics.store(new Int32Array(memory.buffer, control, CONTROL_INTS), READY, 1);
      },
      terminate: () => {
        terminated = true;
      },
    };
    arena.startThreads(() => dead);
    expect(arena.threads?.helping).toBe(true);
    for (let i = 0; i < 3; i++) expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.takenBack).toBe(3);
    expect(arena.threads?.helped).toBe(0);
    // Not given up: a helper that lost its core a moment takes the jobs after.
    expect(arena.threads?.helping).toBe(true);
    expect(terminated).toBe(false);
  });
});
