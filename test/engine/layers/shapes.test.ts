import { describe, expect, it } from 'vitest';
import type { Shape } from '../../../engine/layers/layer';
import { type LayerKind, layers } from '../../../engine/layers/registry';

/** Output shape of one layer from raw params (defaults applied by its own schema). */
function out(kind: LayerKind, params: unknown, ...inputs: Shape[]) {
  const def = layers[kind];
  // biome-ignore lint/suspicious/noExplicitAny: the params were just parsed by this def's schema
  const p = def.params.parse(params) as any;
  return def.outputShape(p, inputs);
}

describe('shape rules (per sample, batch excluded)', () => {
  it('conv2d follows floor((H + 2p - k) / s) + 1, as PyTorch', () => {
    expect(out('conv2d', { filters: 6, kernel: 5, padding: 2 }, [1, 28, 28])).toEqual({ ok: true, shape: [6, 28, 28] });
    expect(out('conv2d', { filters: 16, kernel: 5 }, [6, 14, 14])).toEqual({ ok: true, shape: [16, 10, 10] });
    expect(out('conv2d', { filters: 96, kernel: 11, stride: 4, padding: 2 }, [3, 224, 224])).toEqual({
      ok: true,
      shape: [96, 55, 55],
    });
    expect(out('conv2d', { filters: 4, kernel: [3, 5], padding: 'same' }, [2, 9, 9])).toEqual({
      ok: true,
      shape: [4, 9, 9],
    });
  });

  it('conv2d names the field that makes a shape impossible', () => {
    expect(out('conv2d', { filters: 1, kernel: 7 }, [1, 5, 5])).toMatchObject({ ok: false, field: 'kernel' });
    // 'same' takes any kernel and stride (TensorFlow's rule): an even kernel pads one more at the end.
    expect(out('conv2d', { filters: 1, kernel: 2, padding: 'same' }, [1, 5, 5])).toEqual({
      ok: true,
      shape: [1, 5, 5],
    });
    expect(out('conv2d', { filters: 1, kernel: 3, stride: 2, padding: 'same' }, [1, 5, 5])).toEqual({
      ok: true,
      shape: [1, 3, 3],
    });
    expect(out('conv2d', { filters: 1, kernel: 3 }, [10])).toMatchObject({ ok: false, field: 'in' });
  });

  it('pooling defaults its stride to its size', () => {
    expect(out('maxpool2d', {}, [6, 28, 28])).toEqual({ ok: true, shape: [6, 14, 14] });
    expect(out('avgpool2d', { size: 3, stride: 2, padding: 1 }, [8, 7, 7])).toEqual({ ok: true, shape: [8, 4, 4] });
    expect(out('maxpool2d', { size: 2, padding: 2 }, [1, 8, 8])).toMatchObject({ ok: false, field: 'padding' });
    expect(out('globalavgpool', {}, [32, 7, 7])).toEqual({ ok: true, shape: [32] });
  });

  it('dense needs a vector; flatten and reshape keep the element count', () => {
    expect(out('dense', { units: 10 }, [1, 28, 28])).toMatchObject({ ok: false, field: 'in' });
    expect(out('flatten', {}, [16, 5, 5])).toEqual({ ok: true, shape: [400] });
    expect(out('reshape', { shape: [28, -1] }, [784])).toEqual({ ok: true, shape: [28, 28] });
    expect(out('reshape', { shape: [5, -1] }, [784])).toMatchObject({ ok: false, field: 'shape' });
  });

  it('add needs equal shapes; concat joins channels', () => {
    expect(out('add', {}, [8, 4, 4], [8, 4, 4])).toEqual({ ok: true, shape: [8, 4, 4] });
    expect(out('add', {}, [8, 4, 4], [4, 4, 4])).toMatchObject({ ok: false, field: 'in1' });
    expect(out('concat', { inputs: 3 }, [8, 4, 4], [16, 4, 4], [4, 4, 4])).toEqual({ ok: true, shape: [28, 4, 4] });
    expect(out('concat', {}, [8, 4, 4], [8, 2, 4])).toMatchObject({ ok: false, field: 'in1' });
  });

  it('recurrent layers return the last step or every step', () => {
    expect(out('lstm', { units: 128 }, [28, 28])).toEqual({ ok: true, shape: [128] });
    expect(out('rnn', { units: 16, returnSequences: true }, [10, 3])).toEqual({ ok: true, shape: [10, 16] });
    expect(out('lstm', { units: 4 }, [28])).toMatchObject({ ok: false, field: 'in' });
  });

  it('counts parameters as PyTorch does (one bias vector for recurrent layers)', () => {
    const count = (kind: LayerKind, params: unknown, input: Shape) => {
      const def = layers[kind];
      // biome-ignore lint/suspicious/noExplicitAny: parsed by the same def
      const specs = def.paramSpecs(def.params.parse(params) as any, [input]);
      return Object.values(specs).reduce((s, x) => s + x.shape.reduce((a, b) => a * b, 1), 0);
    };
    expect(count('dense', { units: 256 }, [784])).toBe(784 * 256 + 256);
    expect(count('conv2d', { filters: 6, kernel: 5 }, [1, 28, 28])).toBe(6 * 25 + 6);
    expect(count('lstm', { units: 128 }, [28, 28])).toBe(4 * 128 * (28 + 128) + 4 * 128);
    expect(count('batchnorm', {}, [32, 7, 7])).toBe(64);
  });

  it('every kind has a strict params schema with a description', () => {
    for (const def of Object.values(layers)) {
      expect(def.description.length).toBeGreaterThan(20);
      expect(def.params.safeParse({ notAParam: 1 }).success).toBe(false);
    }
  });
});

describe('palette defaults', () => {
  it('every kind has defaults its own schema accepts', () => {
    for (const def of Object.values(layers)) expect(def.params.safeParse(def.defaults).success, def.kind).toBe(true);
  });
});

describe("a layer's summary under its title", () => {
  const summary = (kind: LayerKind, params: unknown) => {
    const def = layers[kind];
    // biome-ignore lint/suspicious/noExplicitAny: the params were just parsed by this def's schema
    return def.summary?.(def.params.parse(params) as any);
  };
  it('counts units in words, one unit singular', () => {
    expect(summary('dense', { units: 1 })).toBe('1 unit');
    expect(summary('dense', { units: 64 })).toBe('64 units');
    expect(summary('lstm', { units: 1, returnSequences: true })).toBe('1 unit, all steps');
    expect(summary('rnn', { units: 32 })).toBe('32 units');
  });
});
