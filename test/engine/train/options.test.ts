import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { regressionData, xorData } from '../../../engine/data/synthetic';
import { initialise } from '../../../engine/init/initializers';
import { Random } from '../../../engine/init/random';
import { learningRate } from '../../../engine/optim/schedules';
import { Trainer } from '../../../engine/train/trainer';
import { chain, tinyMlp } from '../../helpers/graphs';

const mlp = tinyMlp;

function stats(values: Float64Array) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, variance, max: Math.max(...values.map(Math.abs)) };
}

/** Within 5%: 20,000 draws estimate a variance to about 1%. */
const expectNear = (value: number, expected: number) => expect(Math.abs(value / expected - 1)).toBeLessThan(0.05);

describe('initialisation', () => {
  const draw = (name: Parameters<typeof initialise>[2], fanIn: number, fanOut: number) => {
    const out = new Float64Array(20_000);
    initialise(out, { kind: 'weight', fanIn, fanOut }, name, new Random(1));
    return stats(out);
  };

  it('Glorot and He have the variances of their papers; the heuristic is bounded by 1/√fan_in', () => {
    expectNear(draw('glorot-uniform', 100, 50).variance, 2 / 150);
    expectNear(draw('glorot-normal', 100, 50).variance, 2 / 150);
    expectNear(draw('he-uniform', 100, 50).variance, 2 / 100);
    expectNear(draw('he-normal', 100, 50).variance, 2 / 100);
    const paper = draw('paper', 100, 50);
    expect(paper.max).toBeLessThanOrEqual(0.1);
    expectNear(paper.variance, 0.01 / 3);
    expect(Math.abs(draw('he-normal', 100, 50).mean)).toBeLessThan(0.01);
  });

  it('biases start at zero and a seed fixes the whole network', async () => {
    const a = new Trainer(mlp({ seed: 5 }), createCpuBackend(), xorData());
    const b = new Trainer(mlp({ seed: 5 }), createCpuBackend(), xorData());
    const c = new Trainer(mlp({ seed: 6 }), createCpuBackend(), xorData());
    const params = async (t: Trainer) => t.be.read(t.session.flat.params);
    expect(await params(a)).toEqual(await params(b));
    expect(await params(a)).not.toEqual(await params(c));
    const bias = a.session.params.find((p) => p.name === 'b')!;
    expect(Array.from((await params(a)).subarray(bias.offset, bias.offset + bias.size))).toEqual([0, 0, 0, 0]);
  });
});

describe('learning-rate schedules', () => {
  const training = { optimizer: { kind: 'sgd' as const, lr: 0.1 }, epochs: 10 };
  it('follow their formulas', () => {
    expect(learningRate({ ...training, schedule: { kind: 'constant' } }, 7)).toBe(0.1);
    expect(learningRate({ ...training, schedule: { kind: 'exponential', decay: 0.5 } }, 2)).toBeCloseTo(
      0.1 * Math.exp(-1),
    );
    expect(learningRate({ ...training, schedule: { kind: 'step', everyEpochs: 3, gamma: 0.5 } }, 7)).toBeCloseTo(0.025);
    const cosine = { ...training, schedule: { kind: 'cosine' as const, minLr: 0.01 } };
    expect(learningRate(cosine, 0)).toBeCloseTo(0.1);
    expect(learningRate(cosine, 5)).toBeCloseTo(0.055);
    expect(learningRate(cosine, 10)).toBeCloseTo(0.01);
  });

  it('are applied per epoch by the trainer', async () => {
    const lrs: number[] = [];
    const t = new Trainer(
      mlp({
        optimizer: { kind: 'sgd', lr: 0.1 },
        schedule: { kind: 'step', everyEpochs: 1, gamma: 0.5 },
        batchSize: 4,
        epochs: 3,
      }),
      createCpuBackend(),
      xorData(),
    );
    await t.fit({ onStep: (m) => lrs.push(m.lr) });
    expect(lrs).toEqual([0.1, 0.05, 0.025]);
  });
});

describe('sampling', () => {
  it('full batch takes one step per epoch, stochastic one per sample, mini-batch one per batch', async () => {
    const steps = async (training: Record<string, unknown>) => {
      const t = new Trainer(mlp({ epochs: 2, ...training }), createCpuBackend(), xorData(10));
      await t.fit();
      return t.step;
    };
    expect(await steps({ sampling: 'full-batch' })).toBe(2);
    expect(await steps({ sampling: 'stochastic' })).toBe(80);
    expect(await steps({ sampling: 'mini-batch', batchSize: 16 })).toBe(6);
  });

  it('shuffles with the seed: the same seed gives the same run', async () => {
    const run = async (seed: number) => {
      const t = new Trainer(mlp({ seed, batchSize: 5, epochs: 3 }), createCpuBackend(), xorData(10));
      return (await t.fit()).map((e) => e.trainLoss);
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });
});

describe('regularisation and clipping', () => {
  it('L2 (weight decay) adds l2·w to the gradient, L1 adds l1·sign(w); biases are spared', () => {
    const be = createCpuBackend('f64');
    const w = Float64Array.from([0.5, -2, 0]);
    const g = Float64Array.from([1, 1, 1]);
    be.regularize({ w, g, size: 3, l1: 0.1, l2: 0.01 });
    expect(Array.from(g)).toEqual([1 + 0.1 + 0.005, 1 - 0.1 - 0.02, 1]);
    const t = new Trainer(mlp({ regularization: { l1: 0, l2: 0.1 } }), createCpuBackend(), xorData());
    expect(t.session.params.map((p) => [p.name, p.spec.regularize])).toEqual([
      ['W', true],
      ['b', false],
      ['W', true],
      ['b', false],
    ]);
  });

  it('per-layer and global penalties add up', () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 3, l2: 0.2 }],
        ['dense', { units: 2 }],
      ],
      { regularization: { l1: 0.01, l2: 0.05 } },
    );
    const t = new Trainer(doc, createCpuBackend(), xorData());
    expect(t.session.params.filter((p) => p.name === 'W').map((p) => [p.l1, p.l2])).toEqual([
      [0.01, 0.25],
      [0.01, 0.05],
    ]);
  });

  it('clips the gradient to the global norm, as torch.nn.utils.clip_grad_norm_', () => {
    const be = createCpuBackend('f64');
    const g = Float64Array.from([3, 4]);
    const normSq = new Float64Array(1);
    be.clipByGlobalNorm({ g, size: 2, maxNorm: 1, normSq });
    expect(normSq[0]).toBe(25);
    expect(g[0]).toBeCloseTo(0.6, 6);
    expect(g[1]).toBeCloseTo(0.8, 6);
    const small = Float64Array.from([0.3, 0.4]);
    be.clipByGlobalNorm({ g: small, size: 2, maxNorm: 1, normSq });
    expect(Array.from(small)).toEqual([0.3, 0.4]);
  });
});

describe('early stopping and evaluation mode', () => {
  it('stops after `patience` epochs without improvement of the monitored loss', async () => {
    // A learning rate of ~0 never improves the loss after the first epoch.
    const t = new Trainer(
      mlp({ optimizer: { kind: 'sgd', lr: 1e-30 }, epochs: 50, earlyStopping: { patience: 3 } }),
      createCpuBackend(),
      xorData(),
    );
    const history = await t.fit();
    expect(t.stoppedEarly).toBe(true);
    expect(history).toHaveLength(4);
  });

  it('regression reports loss without accuracy', async () => {
    const doc = chain([2], [['dense', { units: 1 }]], { loss: { kind: 'mse' }, epochs: 1, batchSize: 10 });
    const t = new Trainer(doc, createCpuBackend(), regressionData(30, 0, 1));
    const [epoch] = await t.fit();
    expect(epoch.trainAccuracy).toBeUndefined();
    expect(epoch.trainLoss).toBeGreaterThan(0);
  });
});
