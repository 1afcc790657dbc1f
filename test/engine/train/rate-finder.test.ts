import { describe, expect, it } from 'vitest';
import { createEngineApi } from '../../../engine/api';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { findLearningRate, rateSearchSummary } from '../../../engine/train/rate-finder';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

const spiral = (optimizer: Record<string, unknown>) =>
  chain(
    [2],
    [
      ['dense', { units: 32 }],
      ['activation', { fn: 'relu' }],
      ['dense', { units: 3 }],
    ],
    { optimizer, batchSize: 32, epochs: 100_000, dataset: { source: 'synthetic', generator: 'spiral' } },
  );

describe('the learning-rate range test', () => {
  it('steps through rates rising geometrically, smooths the losses, and stops once they blow up', async () => {
    const trainer = new Trainer(spiral({ kind: 'sgd', lr: 0.1 }), createCpuBackend(), spiralData(600, 3, 0.1, 1));
    const found = await findLearningRate(trainer, { from: 1e-4, to: 1000, steps: 120 });
    const { rates, losses, smoothed } = found;
    expect(rates[0]).toBeCloseTo(1e-4, 12);
    // Each rate the one before times (to / from)^(1 / (steps − 1)).
    const ratio = (1000 / 1e-4) ** (1 / 119);
    for (let i = 1; i < rates.length; i++) expect(rates[i] / rates[i - 1]).toBeCloseTo(ratio, 9);
    // The smoothed loss is the bias-corrected moving average of the losses (β = 0.9).
    let average = 0;
    losses.forEach((loss, i) => {
      average = 0.9 * average + 0.1 * loss;
      expect(smoothed[i]).toBeCloseTo(average / (1 - 0.9 ** (i + 1)), 10);
    });
    // SGD at rates up to 1000 blows up before the end: stopped by the smoothed loss or a non-finite step.
    expect(found.ended).not.toBe('steps');
    expect(rates.length).toBeLessThan(120);
    // The suggestion: a tenth of the rate at the lowest smoothed loss past the first ten steps.
    const after = smoothed.slice(10);
    const best = 10 + after.indexOf(Math.min(...after));
    expect(found.lowest).toEqual({ rate: rates[best], loss: smoothed[best] });
    expect(found.suggested).toBeCloseTo(rates[best] / 10, 12);
    expect(trainer.rateOverride).toBeUndefined();
  });

  it("suggests a rate that trains: far lower loss in 150 steps than the range's lowest rate", async () => {
    const engine = createEngineApi({ gpu: undefined, cores: 1 });
    const doc = spiral({ kind: 'sgd', lr: 0.1 });
    await engine.open({ doc, data: { kind: 'document' } });
    const before = await engine.checkpoint();
    const found = await engine.findLearningRate({ from: 1e-5, to: 10, steps: 100 });
    expect(found.suggested).toBeGreaterThan(1e-3);
    expect(found.suggested).toBeLessThan(10);
    // The session's own weights and position are untouched by the test.
    expect(await engine.checkpoint()).toEqual(before);
    await engine.close();
    const lossAfter = async (lr: number) => {
      const trainer = new Trainer(spiral({ kind: 'sgd', lr }), createCpuBackend(), spiralData(600, 3, 0.1, 1));
      let last = Number.NaN;
      await trainer.runSteps(150, { onStep: (m) => (last = m.epochLoss) });
      return last;
    };
    expect(await lossAfter(found.suggested!)).toBeLessThan(0.8 * (await lossAfter(1e-5)));
  });

  it("reads trained weights' flat, noisy start as no lowest point: the rate suggested is where the loss moves", async () => {
    // Trained to a loss of a few hundredths, whose batches' losses vary by several times: a lucky batch of the
    // first steps was read as the lowest point (a rate of 1e-7 suggested), and its quadruple as divergence.
    const trainer = new Trainer(spiral({ kind: 'adam', lr: 0.01 }), createCpuBackend(), spiralData(600, 3, 0.1, 1));
    await trainer.runSteps(1500);
    const found = await findLearningRate(trainer, { from: 1e-6, to: 1, steps: 100 });
    expect(found.rates.length).toBeGreaterThan(50);
    expect(found.lowest!.rate).toBeGreaterThan(1e-3);
    expect(found.suggested).toBeGreaterThan(1e-4);
  });

  it('suggests nothing where the loss does not fall: a network that cannot learn', async () => {
    // No hidden layer between the points and the scores, at rates too small to move it: a flat curve.
    const flat = new Trainer(
      chain([2], [['dense', { units: 3 }]], { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 32, epochs: 100_000 }),
      createCpuBackend(),
      spiralData(600, 3, 0.1, 1),
    );
    const found = await findLearningRate(flat, { from: 1e-9, to: 1e-6, steps: 50 });
    expect(found.suggested).toBeUndefined();
    expect(rateSearchSummary(found)).toMatch(/the loss did not fall, so no rate is suggested/);
  });

  it('ends when asked, after the step under way, with the steps taken so far', async () => {
    const engine = createEngineApi({ gpu: undefined, cores: 1 });
    await engine.open({ doc: spiral({ kind: 'sgd', lr: 0.1 }), data: { kind: 'document' } });
    const searching = engine.findLearningRate({ steps: 100 });
    await engine.stopFindingRate();
    const found = await searching;
    expect(found.ended).toBe('stopped');
    expect(found.rates).toHaveLength(1);
    expect(found.suggested).toBeUndefined();
    expect(rateSearchSummary(found)).toMatch(/^1 step from 1e-6; stopped at 1e-6, as asked: the loss did not fall/);
    // A stop with no test under way does nothing to the next one.
    await engine.stopFindingRate();
    expect((await engine.findLearningRate({ steps: 20 })).rates).toHaveLength(20);
    await engine.close();
  });

  it('refuses a range that is not one', async () => {
    const trainer = new Trainer(spiral({ kind: 'sgd', lr: 0.1 }), createCpuBackend(), spiralData(60, 3, 0.1, 1));
    for (const bad of [{ from: 0 }, { from: 1, to: 0.5 }, { steps: 1 }, { steps: 2.5 }, { steps: 5000 }])
      await expect(findLearningRate(trainer, bad)).rejects.toThrow(
        /a range test needs 0 < from < to and 2 to 1000 steps/,
      );
  });
});
