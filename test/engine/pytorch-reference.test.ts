import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, OptimizerHyper, OptimizerKind } from '../../engine/backend/backend';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import type { Mode } from '../../engine/layers/layer';
import { size } from '../../engine/layers/layer';
import { type LayerKind, layerDef, layerKinds } from '../../engine/layers/registry';
import { openBrowserGpuBackend } from '../helpers/browser-gpu/remote-backend';
import { buildLayer, forwardBackward } from '../helpers/layer-harness';
import { runLayerOn } from '../helpers/layer-on-backend';
import { runLossOn } from '../helpers/losses';

/**
 * The engine against PyTorch's numbers (test/fixtures/pytorch-reference.json, written by
 * scripts/gen-fixtures.py): every layer example, loss and optimizer, computed here in float32 on each
 * backend: the CPU, and WebGPU in Chromium (on SwiftShader on machines without a GPU).
 */
const fixtures = join(import.meta.dirname, '../fixtures');
const reference = JSON.parse(readFileSync(join(fixtures, 'pytorch-reference.json'), 'utf8'));
const examples = JSON.parse(readFileSync(join(fixtures, 'layer-examples.json'), 'utf8'));

interface LayerCase {
  kind: LayerKind;
  index: number;
  mode: Mode;
  params: unknown;
  inputs: number[][];
  n: number;
  x: number[][];
  weights: Record<string, number[]>;
  state: Record<string, number[]>;
  stateAfter: Record<string, number[]>;
  r: number[];
  y: number[];
  dx: number[][];
  grads: Record<string, number[]>;
}

/** Relative error below 1e-4, measured against each tensor's own magnitude so near-zero entries do not dominate. */
function expectClose(actual: ArrayLike<number>, expected: number[], label: string) {
  expect(actual.length >= expected.length, `${label}: length`).toBe(true);
  const scale = expected.reduce((s, v) => s + Math.abs(v), 0) / Math.max(expected.length, 1);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + scale + 1e-12);
    expect(error, `${label}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`).toBeLessThan(1e-4);
  }
}

/**
 * The backends every case runs on: the CPU, and WebGPU in Chromium (SwiftShader here). `npm run test:quick`
 * names the CPU alone (NETLOOM_TEST_BACKENDS=cpu); `npm test` runs both.
 */
const allBackends: { name: string; open: () => Promise<Backend & { close?: () => Promise<void> }> }[] = [
  { name: 'cpu', open: async () => createCpuBackend('f32') },
  { name: 'webgpu', open: openBrowserGpuBackend },
];
const chosen = process.env.NETLOOM_TEST_BACKENDS?.split(',');
const backends = allBackends.filter((b) => !chosen || chosen.includes(b.name));

describe.each(backends)('on $name', ({ open }) => {
  let be: Backend & { close?: () => Promise<void> };
  beforeAll(async () => {
    // Opening WebGPU compiles every pipeline on SwiftShader (~20 s quiet): the limit only catches a hang.
    be = await open();
  });
  afterAll(() => be?.close?.());

  describe('layers match PyTorch (float32, relative error < 1e-4)', () => {
    for (const c of reference.layers as LayerCase[]) {
      it(`${c.kind} #${c.index} ${JSON.stringify(c.params)} (${c.mode})`, async () => {
        const result = await runLayerOn(be, c);
        expectClose(result.y, c.y, 'y');
        c.dx.forEach((expected, i) => {
          expectClose(result.dx[i], expected, `dx${i}`);
        });
        for (const [name, expected] of Object.entries(c.grads)) expectClose(result.grads[name], expected, `d${name}`);
        for (const [name, expected] of Object.entries(c.stateAfter ?? {}))
          expectClose(result.state[name], expected, name);
      });
    }
  });

  describe('losses match PyTorch', () => {
    for (const c of reference.losses as {
      kind: string;
      logits: number[];
      targets: number[];
      rows: number;
      cols: number;
      loss: number;
      dLogits: number[];
    }[]) {
      it(c.kind, async () => {
        const { loss, dLogits } = await runLossOn(be, c.kind, c.logits, c.targets, c.rows, c.cols);
        expectClose([loss], [c.loss], 'loss');
        expectClose(dLogits, c.dLogits, 'dLogits');
      });
    }
  });

  describe('optimizers follow PyTorch for 20 steps', () => {
    for (const c of reference.optimizers as {
      kind: OptimizerKind;
      hyper: Partial<OptimizerHyper> & { lr: number };
      p0: number[];
      grads: number[][];
      trajectory: number[][];
    }[]) {
      it(c.kind, async () => {
        const n = c.p0.length;
        const [params, grads, slot1, slot2] = ['params', 'grads', 'slot1', 'slot2'].map((label) => be.alloc(n, label));
        be.write(params, c.p0);
        const hyper: OptimizerHyper = { momentum: 0, rho: 0, beta1: 0, beta2: 0, eps: 0, ...c.hyper };
        for (const [step, g] of c.grads.entries()) {
          be.write(grads, g);
          be.optimizerStep({ kind: c.kind, hyper, params, grads, slot1, slot2, size: n, step: step + 1 });
          expectClose(await be.read(params), c.trajectory[step], `step ${step + 1}`);
        }
      });
    }
  });
});

it('every example in the registry has its PyTorch case, and the examples are current', () => {
  const current = layerKinds.flatMap((kind) =>
    layerDef(kind).examples.map((e, index) => ({
      kind,
      index,
      params: layerDef(kind).params.parse(e.params),
      inputs: e.inputs,
    })),
  );
  expect(current.map(({ kind, index, params, inputs }) => ({ kind, index, params, inputs }))).toEqual(
    examples.map(({ kind, index, params, inputs }: LayerCase) => ({ kind, index, params, inputs })),
  );
  const covered = new Set((reference.layers as LayerCase[]).map((c) => `${c.kind}#${c.index}`));
  for (const e of current)
    if (e.kind !== 'dropout') expect(covered.has(`${e.kind}#${e.index}`), `${e.kind}#${e.index}`).toBe(true);
});

describe('dropout (PyTorch draws its own mask, so its semantics are checked)', () => {
  it('zeroes about `rate` of the units, scales the rest by 1/(1 − rate), and is the identity in evaluation', () => {
    const rig = buildLayer('dropout', { rate: 0.3 }, [[10_000]], { n: 2, precision: 'f32' });
    const r = new Float32Array(20_000).fill(1);
    forwardBackward(rig, r, 'train');
    let zeros = 0;
    for (let i = 0; i < 20_000; i++) {
      if (rig.y[i] === 0) zeros++;
      else expect(rig.y[i]).toBeCloseTo(rig.x[0][i] / 0.7, 5);
      expect(rig.dx[0][i]).toBeCloseTo(rig.y[i] === 0 ? 0 : 1 / 0.7, 5);
    }
    expect(zeros / 20_000).toBeGreaterThan(0.28);
    expect(zeros / 20_000).toBeLessThan(0.32);
    rig.passes.forward(2, 'eval', 0);
    expect(Array.from(rig.y.subarray(0, 20_000))).toEqual(Array.from(rig.x[0].subarray(0, 20_000)));
  });

  it('draws a new mask each step, the same one for the same step', () => {
    const rig = buildLayer('dropout', { rate: 0.5 }, [[64]], { n: 1, precision: 'f32' });
    rig.x[0].fill(1);
    const maskAt = (step: number) => {
      rig.passes.forward(1, 'train', step);
      return Array.from(rig.y.subarray(0, 64));
    };
    expect(maskAt(1)).toEqual(maskAt(1));
    expect(maskAt(1)).not.toEqual(maskAt(2));
    expect(size([64])).toBe(64);
  });
});
