import { describe, expect, it } from 'vitest';
import { nodeSpawnThread } from '../../../cli/threads';
import { matmul } from '../../../engine/backend/cpu/dense-kernels';
import { WasmArena } from '../../../engine/backend/cpu/wasm/arena';
import type { ThreadHandle } from '../../../engine/backend/cpu/wasm/kernel-threads';

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
  const args = [a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, 0, 0, 0, helperScratch, 16, n];
  arena.threads!.run('gemm', args, () =>
    kernels.gemm(a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, false, false, false, scratch, 0, 16),
  );
  const expected = new Float32Array(m * n);
  matmul({ a, b, out: expected, m, n, k, transA: false, transB: false, accumulate: false });
  return expected.every((v, i) => Math.abs(v - c[i]) < 1e-4);
}

describe('the kernels helper thread', () => {
  it('takes one half of a product on the same shared memory', () => {
    const arena = WasmArena.create()!;
    arena.startThreads(nodeSpawnThread!);
    for (let i = 0; i < 5; i++) expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.helping).toBe(true);
    arena.dispose();
    expect(arena.threads).toBeNull();
  });

  it('takes a job back and gives the helper up when it never starts', () => {
    const arena = WasmArena.create()!;
    let terminated = false;
    const dead: ThreadHandle = {
      postMessage: () => {},
      terminate: () => {
        terminated = true;
      },
    };
    arena.startThreads(() => dead);
    expect(splitProduct(arena)).toBe(true);
    expect(arena.threads?.helping).toBe(false);
    expect(terminated).toBe(true);
    // Later jobs run here straight away.
    expect(splitProduct(arena)).toBe(true);
  });
});
