import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { WasmArena } from '../../../engine/backend/cpu/wasm/arena';

/** The distinct buffer objects a set of views was made on (one per growth of the memory they saw). */
const buffersOf = (views: ArrayBufferView[]) => new Set(views.map((v) => v.buffer)).size;

describe("the CPU backend's WebAssembly memory", () => {
  it('holds a session reserved up front in one buffer, however many tensors it allocates', () => {
    const be = createCpuBackend('f32');
    // As a trainer plans: 3 million floats in 300 tensors of assorted sizes.
    const sizes = Array.from({ length: 300 }, (_, i) => 1000 + ((i * 7919) % 19_000));
    be.reserve?.(sizes.reduce((a, b) => a + b, 0));
    const tensors = sizes.map((n) => be.alloc(n, 'tensor'));
    expect(tensors.every((t) => t instanceof Float32Array)).toBe(true);
    expect(buffersOf(tensors)).toBe(1);
    be.dispose?.();
  });

  it('grows by an eighth at least when it must grow: 400 tensors of 64 KiB take under 40 growths', () => {
    const arena = WasmArena.create()!;
    // 26 MB with no reservation: one growth per tensor before (400); by an eighth at least, 37 now.
    const tensors = Array.from({ length: 400 }, () => arena.alloc(16_384)!);
    expect(buffersOf(tensors)).toBeLessThan(40);
    // Every tensor is its own memory still: writing one changes no other.
    tensors[7].fill(3);
    expect(tensors[6].every((v) => v === 0) && tensors[8].every((v) => v === 0)).toBe(true);
    arena.dispose();
  });

  it("knows its tensors when another backend's memory grows in the same thread", () => {
    const mine = WasmArena.create()!;
    const other = WasmArena.create()!;
    const before = mine.alloc(16)!;
    // Another shared memory's growth gives this one a new buffer object (V8 refreshes them all) though it
    // has not grown: a tensor made then was taken for a plain array, and its kernels ran the reference
    // loops (two backends in one thread: a sweep's trainers, a new session before the old one is collected).
    for (let i = 0; i < 3; i++) other.alloc(20_000);
    const after = mine.alloc(2352)!;
    const grown = mine.alloc(64 * 1024)!;
    for (const t of [before, after, grown]) expect(mine.ptr(t)).toBeGreaterThan(0);
    expect(mine.ptr(new Float32Array(16))).toBe(-1);
    expect(mine.ptr(other.alloc(16)!)).toBe(-1);
    mine.dispose();
    other.dispose();
  });
});
