import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../engine/backend/backend';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { xorData } from '../../../engine/data/synthetic';
import type { EngineError } from '../../../engine/errors';
import type { GraphDocument } from '../../../engine/graph';
import { type EpochMetrics, type StepMetrics, Trainer } from '../../../engine/train/trainer';
import { chain, tinyMlp } from '../../helpers/graphs';

/**
 * The trainer's deferred mode (the GPU's: steps recorded without reads, metrics read in groups), run here
 * on the CPU backend marked as deferred, against the same training with a read after every step.
 */
const deferred = (): Backend => Object.assign(Object.create(createCpuBackend()), { deferredReads: true });

async function train(
  be: Backend,
  training: Record<string, unknown>,
  steps: number,
  velocity = 0,
  graph: (training: Record<string, unknown>) => GraphDocument = tinyMlp,
) {
  // 64 samples: 8 batches of 8 per epoch.
  const trainer = new Trainer(graph(training), be, xorData(16));
  if (velocity) be.write(trainer.session.flat.slot1, new Float32Array(trainer.session.paramCount).fill(velocity));
  const seen: StepMetrics[] = [];
  const epochs: EpochMetrics[] = [];
  let error: EngineError | undefined;
  try {
    await trainer.runSteps(steps, { onStep: (m) => seen.push(m), onEpoch: (m) => epochs.push(m) });
  } catch (e) {
    error = e as EngineError;
  }
  return {
    seen,
    epochs: epochs.map(({ seconds, ...rest }) => rest),
    error,
    step: trainer.step,
    params: await trainer.be.read(trainer.session.flat.params),
    layerState: (await trainer.checkpoint()).layerState,
  };
}

describe('deferred metric reads', () => {
  it('report the same steps and epochs, and reach the same weights, as a read after every step', async () => {
    const settings = { optimizer: { kind: 'adam', lr: 0.05 }, batchSize: 8 };
    const [a, b] = [await train(createCpuBackend(), settings, 30), await train(deferred(), settings, 30)];
    expect(a.seen).toHaveLength(30);
    expect(b.seen).toEqual(a.seen);
    expect(b.epochs).toEqual(a.epochs);
    expect(b.epochs).toHaveLength(3);
    expect(b.params).toEqual(a.params);
  });

  it('a step that goes non-finite in the middle of a group stops training exactly before it', async () => {
    // A huge (finite) velocity: a few momentum steps in, the network overflows.
    const settings = { optimizer: { kind: 'momentum', lr: 10, momentum: 0.9 }, batchSize: 8 };
    const [a, b] = [await train(createCpuBackend(), settings, 40, 1e17), await train(deferred(), settings, 40, 1e17)];
    expect(a.error?.code, a.error?.message).toBe('NON_FINITE');
    expect(a.step, a.error?.message).toBeGreaterThan(0);
    expect(a.step).toBeLessThan(16);
    expect(b.error?.message).toBe(a.error?.message);
    expect(b.error?.nodeId).toBe(a.error?.nodeId);
    expect(b.step).toBe(a.step);
    expect(b.params).toEqual(a.params);
    expect(b.seen).toEqual(a.seen);
    // Both are where a run of exactly the steps before the bad one ends (the state restored and replayed).
    const straight = await train(createCpuBackend(), settings, a.step, 1e17);
    expect(straight.error).toBeUndefined();
    expect(a.params).toEqual(straight.params);
  });

  it("a stop mid-group leaves batch norm's running statistics as they were before the bad step", async () => {
    const withBatchNorm = (training: Record<string, unknown>) =>
      chain(
        [2],
        [['dense', { units: 4 }], ['batchnorm'], ['activation', { fn: 'tanh' }], ['dense', { units: 2 }]],
        training,
      );
    const settings = { optimizer: { kind: 'momentum', lr: 10, momentum: 0.9 }, batchSize: 8 };
    const [a, b] = [
      await train(createCpuBackend(), settings, 40, 1e17, withBatchNorm),
      await train(deferred(), settings, 40, 1e17, withBatchNorm),
    ];
    expect(a.error?.code, a.error?.message).toBe('NON_FINITE');
    expect(a.step).toBeGreaterThan(1);
    expect(b.step).toBe(a.step);
    const stats = Object.keys(a.layerState);
    expect(stats).toEqual(['n2.runningMean', 'n2.runningVar']);
    for (const name of stats) {
      // The failing step (and the pass that named its node) moved them to NaN; undone, they are finite and
      // the same whether the steps were read one by one or replayed.
      expect(Array.from(a.layerState[name]).every(Number.isFinite), name).toBe(true);
      expect(b.layerState[name], name).toEqual(a.layerState[name]);
    }
    expect(b.params).toEqual(a.params);
    const straight = await train(createCpuBackend(), settings, a.step, 1e17, withBatchNorm);
    expect(straight.error).toBeUndefined();
    expect(a.params).toEqual(straight.params);
    expect(a.layerState).toEqual(straight.layerState);
  });

  it('a non-finite loss names the node, as with a read after every step', async () => {
    const run = async (be: Backend) => {
      const trainer = new Trainer(tinyMlp({ optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8 }), be, xorData(16));
      await trainer.runSteps(2);
      // Values near the float32 limit overflow in the first dense layer's sums (loaded as weights are).
      trainer.restore({
        ...(await trainer.checkpoint()),
        params: new Float32Array(trainer.session.paramCount).fill(3e38),
      });
      const error = await trainer.runSteps(3).then(
        () => undefined,
        (e: EngineError) => e,
      );
      return { error, step: trainer.step, params: await be.read(trainer.session.flat.params) };
    };
    const [a, b] = [await run(createCpuBackend()), await run(deferred())];
    expect(a.error?.message).toMatch(/step 3: the loss is NaN; node "n1" is the first to output/);
    expect(b.error?.message).toBe(a.error?.message);
    expect(b.error?.nodeId).toBe('n1');
    expect(b.step).toBe(2);
    expect(b.params).toEqual(a.params);
  });
});
