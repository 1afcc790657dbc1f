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
});
