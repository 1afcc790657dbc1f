import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shaderSources } from '../../../engine/backend/webgpu/shader-sources';
import { activationOps, unaryOps } from '../../../engine/ops/activations';
import { optimizerKernels, optimizerKinds, optimizerRules } from '../../../engine/ops/optimizers';

const fixtures = join(import.meta.dirname, '../../fixtures');
const kernelSources = readFileSync(
  join(import.meta.dirname, '../../../engine/backend/cpu/wasm/kernels/optimizer.ts'),
  'utf8',
);

describe('the activations table', () => {
  for (const op of unaryOps)
    it(`${op}: its derivative is its function's, and neither is flat`, () => {
      const { forward, backward } = activationOps[op];
      const alpha = 0.3;
      const h = 1e-6;
      let moved = 0;
      for (const x of [-2.1, -0.7, -0.05, 0.05, 0.4, 1.9]) {
        const y = forward(x, alpha);
        const numeric = (forward(x + h, alpha) - forward(x - h, alpha)) / (2 * h);
        expect(backward(x, y, 1, alpha), `${op}'(${x})`).toBeCloseTo(numeric, 5);
        moved += Math.abs(y) + Math.abs(backward(x, y, 1, alpha));
      }
      expect(moved).toBeGreaterThan(0);
    });

  it('generates one WGSL case per operation for each unary kernel, and NaN for anything else', () => {
    const elementwise = shaderSources.elementwise;
    for (const [code, op] of unaryOps.entries()) {
      expect(elementwise).toContain(`case ${code}u: { y = ${activationOps[op].wgsl.forward}; } // ${op}`);
      expect(elementwise).toContain(`case ${code}u: { d = ${activationOps[op].wgsl.backward}; } // ${op}`);
    }
    expect(elementwise).not.toContain('@generated');
    expect(elementwise.match(/default: \{ [yd] = sqrt\(-1\.0 - abs\(/g)).toHaveLength(2);
  });
});

describe('the optimizers table', () => {
  it('names kernels that every backend has: the WGSL entry point and the WebAssembly export', () => {
    for (const kernel of Object.keys(optimizerKernels)) {
      expect(shaderSources.optimizer, kernel).toMatch(new RegExp(`fn ${kernel}\\(`));
      expect(kernelSources, kernel).toMatch(new RegExp(`export function ${kernel}\\(`));
    }
  });

  it('gives every kind its PyTorch case, from the examples the table holds', () => {
    const exported = JSON.parse(readFileSync(join(fixtures, 'optimizer-examples.json'), 'utf8'));
    expect(exported).toEqual(
      optimizerKinds.map((kind) => ({ kind, hyper: optimizerRules[kind].example, torch: optimizerRules[kind].torch })),
    );
    const reference = JSON.parse(readFileSync(join(fixtures, 'pytorch-reference.json'), 'utf8'));
    expect(reference.optimizers.map((c: { kind: string }) => c.kind)).toEqual(optimizerKinds);
  });
});
