import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { barsData, majorityData } from '../../../engine/data/synthetic';
import { explain, layerOutput, layerWeights, statesOverTime } from '../../../engine/train/explain';
import { sessionWeightOf } from '../../../engine/train/network-weights';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

/** A small image classifier: convolution, batch norm, tanh, pooling and a dense layer (smooth almost everywhere). */
const smallCnn = () =>
  chain(
    [1, 6, 6],
    [
      ['conv2d', { filters: 3, kernel: 3 }],
      ['batchnorm'],
      ['activation', { fn: 'tanh' }],
      ['avgpool2d', { size: 2 }],
      ['flatten'],
      ['dense', { units: 2 }],
    ],
    { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 8 },
  );

describe('look inside: saliency, Grad-CAM, feature maps, states and weights from the engine passes', () => {
  it('saliency is ∂score/∂input, equal to central differences of the class score (float64)', async () => {
    const data = barsData(32, 6, 0.2, 3);
    const trainer = new Trainer(smallCnn(), createCpuBackend('f64'), data);
    await trainer.runSteps(6);
    const x = data.x.slice(36 * 4, 36 * 5);
    const why = await explain(trainer, x, { target: 1 });
    expect(why.target).toBe(1);
    expect(why.inputShape).toEqual([1, 6, 6]);
    // The class score in float64, straight from the training session's forward pass (evaluation mode).
    const score = async (input: Float32Array) => {
      trainer.be.write(trainer.session.input, input);
      trainer.session.forward(1, 'eval', trainer.step);
      return (await trainer.be.read(trainer.session.output))[1];
    };
    expect(why.score).toBeCloseTo(await score(x), 6);
    const eps = 1e-3;
    let largest = 0;
    for (let i = 0; i < 36; i++) {
      const up = x.slice();
      const down = x.slice();
      up[i] += eps;
      down[i] -= eps;
      // The input is float32: the step actually taken is what the stored values differ by.
      const numeric = ((await score(up)) - (await score(down))) / (up[i] - down[i]);
      expect(Math.abs(why.gradient[i] - numeric)).toBeLessThan(1e-5 + 1e-4 * Math.abs(numeric));
      expect(why.saliency[i]).toBe(Math.abs(why.gradient[i]));
      largest = Math.max(largest, Math.abs(numeric));
    }
    expect(largest).toBeGreaterThan(1e-3);
    // By default the highest-scoring class is explained.
    const scores = (await layerOutput(trainer, 'n6', x)).values;
    expect((await explain(trainer, x)).target).toBe(scores[1] > scores[0] ? 1 : 0);
    await expect(explain(trainer, x, { target: 2 })).rejects.toThrow("output 2 is not one of the network's 2 outputs");
  });

  it('Grad-CAM equals a case computed by hand: 1 × 1 convolutions, global average pooling and a dense layer', async () => {
    const doc = chain([1, 2, 2], [['conv2d', { filters: 2, kernel: 1 }], ['globalavgpool'], ['dense', { units: 2 }]], {
      optimizer: { kind: 'sgd', lr: 0.1 },
      batchSize: 4,
    });
    const trainer = new Trainer(doc, createCpuBackend('f64'), barsData(4, 2, 0, 1));
    // Weights chosen: A_0 = 2x + 1, A_1 = −x; score_c = Σ_k V[k, c] mean(A_k) + c_b.
    const set: Record<string, number[]> = { 'n1.W': [2, -1], 'n1.b': [1, 0], 'n3.W': [0.5, -1, 3, 2], 'n3.b': [0, 0] };
    for (const slot of trainer.session.params)
      trainer.be.write(
        trainer.be.view(trainer.session.flat.params, slot.offset, slot.size),
        set[`${slot.nodeId}.${slot.name}`],
      );
    const x = new Float32Array([1, -2, 0.5, 3]);
    const why = await explain(trainer, x, { target: 0 });
    expect(why.gradCam?.nodeId).toBe('n1');
    // ∂score_0/∂A_k = V[k, 0] / 4 everywhere, so α = (0.5/4, 3/4), and the map is ReLU(α_0 A_0 + α_1 A_1).
    const byHand = Array.from(x, (v) => Math.max(0, (0.5 / 4) * (2 * v + 1) + (3 / 4) * -v));
    expect(why.gradCam?.height).toBe(2);
    expect(Array.from(why.gradCam!.values).map((v) => +v.toFixed(6))).toEqual(byHand.map((v) => +v.toFixed(6)));
    expect(why.score).toBeCloseTo(0.5 * (2 * 0.625 + 1) + 3 * -0.625, 6);
    // A layer without feature maps is refused by name.
    await expect(explain(trainer, x, { gradCamLayer: 'n3' })).rejects.toThrow('"n3" makes [2]');
  });

  it('looking inside leaves training as it was (shared weights untouched, the same next steps)', async () => {
    const data = barsData(32, 6, 0.2, 3);
    const looked = new Trainer(smallCnn(), createCpuBackend(), data);
    const untouched = new Trainer(smallCnn(), createCpuBackend(), data);
    await looked.runSteps(3);
    await untouched.runSteps(3);
    const x = data.x.slice(0, 36);
    expect((await layerOutput(looked, 'n1', x)).shape).toEqual([3, 4, 4]);
    await explain(looked, x);
    await looked.runSteps(3);
    await untouched.runSteps(3);
    const figures = (t: Trainer) => t.history.map(({ seconds: _, ...rest }) => rest);
    expect(figures(looked)).toEqual(figures(untouched));
    const [a, c] = [
      await looked.be.read(looked.session.flat.params),
      await untouched.be.read(untouched.session.flat.params),
    ];
    expect(Array.from(a)).toEqual(Array.from(c));
  });

  it("an LSTM's states over time follow its equations step by step and end at its output", async () => {
    const doc = chain([5, 1], [['lstm', { units: 3, returnSequences: true }], ['flatten'], ['dense', { units: 2 }]], {
      optimizer: { kind: 'adam', lr: 0.01 },
      batchSize: 8,
    });
    const data = majorityData(16, 5, 2);
    const trainer = new Trainer(doc, createCpuBackend('f64'), data);
    await trainer.runSteps(2);
    const x = data.x.slice(0, 5);
    const states = await statesOverTime(trainer, 'n1', x);
    const names = ['hidden state', 'cell state', 'input gate', 'forget gate', 'cell candidate', 'output gate'];
    expect(states.map((s) => s.name)).toEqual(names);
    const [h, c, i, f, g, o] = names.map((name) => states.find((s) => s.name === name)!.values);
    for (let t = 0; t < 5; t++)
      for (let j = 0; j < 3; j++) {
        const k = t * 3 + j;
        const cPrev = t === 0 ? 0 : c[k - 3];
        expect(c[k]).toBeCloseTo(f[k] * cPrev + i[k] * g[k], 6);
        expect(h[k]).toBeCloseTo(o[k] * Math.tanh(c[k]), 6);
      }
    // Every step's hidden state is the layer's output (it returns every step).
    expect(Array.from(h)).toEqual(Array.from((await layerOutput(trainer, 'n1', x)).values));
    await expect(statesOverTime(trainer, 'n3', x)).rejects.toThrow('"n3" (dense) keeps no state over time');
  });

  it("weights as pictures: a convolution's filters, and a dense layer's units over the image it reads", async () => {
    const doc = chain([1, 4, 4], [['conv2d', { filters: 2, kernel: 3 }], ['flatten'], ['dense', { units: 2 }]], {
      batchSize: 4,
    });
    const trainer = new Trainer(doc, createCpuBackend(), barsData(8, 4, 0.1, 1));
    const weight = await sessionWeightOf(trainer.session);
    const filters = await layerWeights(trainer, 'n1');
    expect(filters.shape).toEqual([2, 1, 3, 3]);
    expect(Array.from(filters.values)).toEqual(Array.from(weight('n1', 'W')));
    expect(filters.imageShape).toBeUndefined();
    const dense = await layerWeights(trainer, 'n3');
    expect(dense.shape).toEqual([8, 2]);
    expect(dense.imageShape).toEqual([2, 2, 2]);
    const straight = new Trainer(
      chain([1, 4, 4], [['flatten'], ['dense', { units: 3 }]]),
      createCpuBackend(),
      barsData(8, 4, 0.1, 1),
    );
    expect((await layerWeights(straight, 'n2')).imageShape).toEqual([1, 4, 4]);
    await expect(layerWeights(trainer, 'n2')).rejects.toThrow('"n2" (flatten) has no weights to show');
  });
});
