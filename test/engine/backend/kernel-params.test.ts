import { describe, expect, it } from 'vitest';
import { MATMUL_TILES, shaderModules } from '../../../engine/backend/webgpu/gpu-queue';
import {
  f32,
  kernelParams,
  optimizerArgNames,
  packParams,
  wgslParamsOf,
} from '../../../engine/backend/webgpu/kernel-params';
import { shaderSources } from '../../../engine/backend/webgpu/shader-sources';
import { optimizerKinds, updateOf } from '../../../engine/ops/optimizers';

const ENTRY_POINT = /@compute[\s\S]*?fn\s+(\w+)/g;

describe('kernel parameters, one table for both sides', () => {
  it('packs arguments by name in the table order: floats by their bits, flags as they are, a geometry as 13 words', () => {
    expect(packParams('fill', { size: 5, value: 0.5, out: 7 })).toEqual([7, 5, f32(0.5)]);
    const g = { n: 1, cIn: 2, h: 3, w: 4, cOut: 5, kh: 6, kw: 7, sh: 8, sw: 9, ph: 10, pw: 11, oh: 12, ow: 13 };
    expect(
      packParams('conv2dBackwardWeightTiled', { x: 100, dy: 200, dest: 300, g, accumulate: true, pixelsPerGroup: 512 }),
    ).toEqual([100, 200, 300, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, true, 512]);
  });

  it('reads each field in WGSL from the word the backend writes it to', () => {
    expect(wgslParamsOf('fill')).toBe(
      'struct FillParams { out: u32, size: u32, value: f32 }\nfn fillParams() -> FillParams { return FillParams(u(0u), u(1u), f(2u)); }',
    );
    const conv = wgslParamsOf('conv2d');
    expect(conv).toContain('g: Geo, bias: u32');
    expect(conv).toContain(
      'Geo(u(3u), u(4u), u(5u), u(6u), u(7u), u(8u), u(9u), u(10u), u(11u), u(12u), u(13u), u(14u), u(15u)), u(16u)',
    );
    expect(wgslParamsOf('momentum')).toContain('flag(7u)');
  });

  it('every entry point has its parameters in the table and reads them only through its struct', () => {
    const entries = shaderModules(MATMUL_TILES).flatMap((m) => [...m.code.matchAll(ENTRY_POINT)].map((e) => e[1]));
    const tiles = Object.keys(MATMUL_TILES);
    for (const entry of entries) {
      const kernel = tiles.some((t) => entry.startsWith(t)) ? 'matmul' : entry;
      expect(Object.keys(kernelParams), entry).toContain(kernel);
    }
    // No kernel reads a word by its number: only the generated readers (in the prelude) do.
    for (const { file, code } of shaderModules(MATMUL_TILES))
      expect(code.match(/\b(u|f|flag)\(\d+u\)/g), file).toBeNull();
    expect(shaderSources.prelude).toContain('fn adamParams() -> AdamParams');
  });

  it('names every optimizer kernel argument the operations table gives, in its order', () => {
    expect(optimizerArgNames('adam')).toEqual(['stepSize', 'beta1', 'beta2', 'sqrtCorrection2', 'eps']);
    expect(optimizerArgNames('momentum')).toEqual(['lr', 'mu', 'nesterov']);
    // Each rule gives its kernel exactly the arguments the table names.
    const hyper = { lr: 0.1, momentum: 0.9, rho: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    for (const kind of optimizerKinds) {
      const [kernel, args] = updateOf(kind, hyper, 1);
      expect(optimizerArgNames(kernel).length, kind).toBe(args.length);
    }
  });
});
