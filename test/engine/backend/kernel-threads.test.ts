import { describe, expect, it } from 'vitest';
import { nodeSpawnThread } from '../../../cli/threads';
import { matmul } from '../../../engine/backend/cpu/dense-kernels';
import { WasmArena } from '../../../engine/backend/cpu/wasm/arena';
import { CONTROL_INTS, READY, type ThreadHandle } from '../../../engine/backend/cpu/wasm/kernel-threads';
import { HANG_MS } from '../../helpers/hang-guard';

/** A product split between this thread (columns [0, mid)) and the helper ([mid, n)), checked against the reference. */
function splitProduct(arena: WasmArena): boolean {
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
  arena.threads!.run('gemm', args, () =>
    kernels.gemm(a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, false, false, false, scratch, 0, 16, 0),
  );
  const expected = new Float32Array(m * n);
  matmul({ a, b, out: expected, m, n, k, transA: false, transB: false, accumulate: false });
  return expected.every((v, i) => Math.abs(v - c[i]) < 1e-4);
}

describe('the kernels helper thread', () => {
  it('takes one half of a product on the same shared memory', () => {
    const arena = WasmArena.create()!;
    arena.startThreads(nodeSpawnThread!);
    expect(arena.threads?.waitReady(HANG_MS)).toBe(true);
    for (let i = 0; i < 5; i++) expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.helping).toBe(true);
    expect(arena.threads?.helped).toBe(5);
    arena.dispose();
    expect(arena.threads).toBeNull();
  });

  it('says a kernel that traps on the helper as an error here, and goes on taking jobs', () => {
    const arena = WasmArena.create()!;
    arena.startThreads(nodeSpawnThread!);
    expect(arena.threads?.waitReady(HANG_MS)).toBe(true);
    // A fill past the end of memory traps in the helper's half (this thread's half is empty).
    const past = arena.alloc(4)!.buffer.byteLength;
    expect(() => arena.threads!.run('fillBits', [past, 0, 1024], () => {})).toThrow(/helper thread failed in fillBits/);
    expect(arena.threads?.helping).toBe(true);
    expect(splitProduct(arena)).toBe(true);
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

  it('takes a job back and gives the helper up when it said it was ready but never claims a job', () => {
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
    expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.helping).toBe(false);
    expect(terminated).toBe(true);
    // Later jobs run here straight away.
    expect(splitProduct(arena)).toBe(true);
  });
});
