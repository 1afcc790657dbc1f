import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { FloatArray } from '../../../engine/backend/cpu/types';
import { Random } from '../../../engine/init/random';
import type { Mode } from '../../../engine/layers/layer';
import { size } from '../../../engine/layers/layer';
import { layerDef, layerKinds, layers } from '../../../engine/layers/registry';
import { buildLayer, forwardBackward, type LayerRig, weightedSum } from '../../helpers/layer-harness';
import { runLoss } from '../../helpers/losses';

/**
 * Central differences in double precision for every example of every layer in the registry:
 * ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h, compared with the layer's own backward pass.
 */
const H = 1e-6;
const TOLERANCE = 1e-6;
/** Entries checked per tensor: all of a small one, a seeded sample of a large one. */
const MAX_CHECKED = 60;

function check(rig: LayerRig, mode: Mode, label: string) {
  const random = new Random(5);
  const r = new Float64Array(rig.n * size(rig.outputShape)).map(() => random.uniform(-1, 1));
  forwardBackward(rig, r, mode);
  const analytic = {
    dx: rig.dx.map((d) => Float64Array.from(d)),
    grads: Object.fromEntries(Object.entries(rig.grads).map(([k, g]) => [k, Float64Array.from(g)])),
  };
  // Two zero gradients agree with each other: a pass that computes nothing must not pass the check.
  const someNonZero = (values: ArrayLike<number>) => Array.prototype.some.call(values, (v: number) => v !== 0);
  expect(someNonZero(rig.y), `${label}: the output is all zeros`).toBe(true);
  analytic.dx.forEach((d, i) => {
    expect(someNonZero(d), `${label}: dx${i} is all zeros`).toBe(true);
  });
  for (const [name, g] of Object.entries(analytic.grads))
    expect(someNonZero(g), `${label}: the gradient of ${name} is all zeros`).toBe(true);
  const loss = () => {
    rig.passes.forward(rig.n, mode, 7);
    return weightedSum(rig, r);
  };
  const compare = (tensor: FloatArray, grad: Float64Array, count: number, name: string) => {
    const picks =
      count <= MAX_CHECKED
        ? Array.from({ length: count }, (_, i) => i)
        : Array.from({ length: MAX_CHECKED }, () => Math.floor(random.next() * count));
    for (const i of picks) {
      const saved = tensor[i];
      tensor[i] = saved + H;
      const up = loss();
      tensor[i] = saved - H;
      const down = loss();
      tensor[i] = saved;
      const numeric = (up - down) / (2 * H);
      const error = Math.abs(numeric - grad[i]) / Math.max(1, Math.abs(numeric) + Math.abs(grad[i]));
      expect(error, `${label}: ${name}[${i}] numeric ${numeric} vs backward ${grad[i]}`).toBeLessThan(TOLERANCE);
    }
  };
  rig.x.forEach((x, i) => {
    compare(x, analytic.dx[i], rig.n * size(rig.inputShapes[i]), `x${i}`);
  });
  for (const [name, w] of Object.entries(rig.weights)) compare(w, analytic.grads[name], w.length, name);
}

const cases = layerKinds.flatMap((kind) => layers[kind].examples.map((example, i) => ({ kind, example, i })));

describe('gradient checks (central differences, float64)', () => {
  it('every layer kind but Input has examples', () => {
    for (const kind of layerKinds) if (kind !== 'input') expect(layers[kind].examples.length, kind).toBeGreaterThan(0);
  });

  for (const { kind, example, i } of cases) {
    const modes: Mode[] = kind === 'batchnorm' || kind === 'dropout' ? ['train', 'eval'] : ['train'];
    for (const mode of modes)
      it(`${kind} #${i} ${JSON.stringify(example.params)} on ${JSON.stringify(example.inputs)} (${mode})`, () => {
        check(buildLayer(kind, example.params, example.inputs), mode, `${kind} #${i}`);
      });
  }
});

describe('every layer writes its input gradient outright when it alone writes it', () => {
  // Where a layer alone writes a gradient the session does not zero it (gradientWriters): each layer's
  // backward pass, started on a dx of NaN, must give exactly what it adds into a zeroed one. (Flatten and
  // Reshape write nothing: their input's gradient is their own.)
  const computing = cases.filter(({ kind }) => !layerDef(kind).aliasesInput);
  for (const { kind, example, i } of computing)
    for (const mode of (kind === 'batchnorm' || kind === 'dropout' ? ['train', 'eval'] : ['train']) as Mode[])
      it(`${kind} #${i} ${JSON.stringify(example.params)} (${mode})`, () => {
        const added = buildLayer(kind, example.params, example.inputs);
        const written = buildLayer(kind, example.params, example.inputs, { dxFresh: true });
        const r = new Float64Array(added.n * size(added.outputShape)).map((_, j) => Math.sin(j + 1));
        forwardBackward(added, r, mode);
        forwardBackward(written, r, mode, Number.NaN);
        written.dx.forEach((dx, k) => {
          const count = added.n * size(added.inputShapes[k]);
          // (+ 0: a zeroed dx turns an added −0 into +0)
          expect(
            Array.from(dx.subarray(0, count), (v) => v + 0),
            `dx${k}`,
          ).toEqual(Array.from(added.dx[k].subarray(0, count), (v) => v + 0));
        });
      });
});

describe('loss gradient checks (central differences, float64)', () => {
  const be = createCpuBackend('f64');
  const random = new Random(8);
  const rows = 4;
  const cols = 3;
  const logits = new Float64Array(rows * cols).map(() => random.uniform(-3, 3));
  const kinds = {
    'softmax-cross-entropy': { targets: Float64Array.from([0, 2, 1, 2]) },
    mse: { targets: new Float64Array(rows * cols).map(() => random.uniform(-1, 1)) },
    'mse-one-hot': { targets: Float64Array.from([2, 0, 1, 1]) },
    'sigmoid-binary-cross-entropy': { targets: new Float64Array(rows * cols).map(() => (random.next() < 0.5 ? 0 : 1)) },
  };
  for (const [kind, { targets }] of Object.entries(kinds)) {
    it(kind, () => {
      const d = new Float64Array(rows * cols);
      const run = () => runLoss(be, kind, logits, targets, d, rows, cols);
      run();
      const analytic = Float64Array.from(d);
      for (let i = 0; i < logits.length; i++) {
        const saved = logits[i];
        logits[i] = saved + H;
        const up = run();
        logits[i] = saved - H;
        const down = run();
        logits[i] = saved;
        expect(Math.abs((up - down) / (2 * H) - analytic[i])).toBeLessThan(TOLERANCE);
      }
    });
  }
});
