import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { splitValidation } from '../../../engine/data/dataset';
import { barsData, majorityData } from '../../../engine/data/synthetic';
import type { GraphDocument } from '../../../engine/graph';
import { decodeCheckpoint, encodeCheckpoint } from '../../../engine/train/checkpoint';
import { evaluateSet } from '../../../engine/train/evaluate';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

/** A CNN with batch norm and dropout (state and randomness), trained with Adam (two optimizer slots). */
const cnn = (): GraphDocument =>
  chain(
    [1, 8, 8],
    [
      ['conv2d', { filters: 4, kernel: 3, padding: 1 }],
      ['batchnorm'],
      ['activation', { fn: 'relu' }],
      ['maxpool2d'],
      ['flatten'],
      ['dropout', { rate: 0.3 }],
      ['dense', { units: 2 }],
    ],
    { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 24, epochs: 10, seed: 11 },
  );

const data = () => splitValidation(barsData(120, 8, 0.3, 9), 0.2, 9);

describe('checkpoints', () => {
  it('resume exactly: 2N steps equal N steps, save, load into a new trainer, N steps', async () => {
    const N = 7; // crosses an epoch boundary (4 batches per epoch)
    const { train, validation } = data();
    const straight = new Trainer(cnn(), createCpuBackend(), train, validation);
    await straight.runSteps(2 * N);
    const expected = await straight.checkpoint();

    const first = new Trainer(cnn(), createCpuBackend(), train, validation);
    await first.runSteps(N);
    const saved = encodeCheckpoint(await first.checkpoint());
    const second = new Trainer(cnn(), createCpuBackend(), train, validation);
    second.restore(decodeCheckpoint(saved));
    await second.runSteps(N);
    const resumed = await second.checkpoint();

    expect(resumed.step).toBe(2 * N);
    expect(Buffer.from(resumed.params.buffer).equals(Buffer.from(expected.params.buffer))).toBe(true);
    expect(Buffer.from(resumed.slot1.buffer).equals(Buffer.from(expected.slot1.buffer))).toBe(true);
    expect(Buffer.from(resumed.slot2.buffer).equals(Buffer.from(expected.slot2.buffer))).toBe(true);
    expect(resumed.layerState).toEqual(expected.layerState);
    expect(resumed.random).toEqual(expected.random);
    // The whole history comes back with the checkpoint, and the epochs after the resume match (timings aside).
    const losses = (h: typeof straight.history) =>
      h.map(({ epoch, trainLoss, valLoss, trainAccuracy }) => ({ epoch, trainLoss, valLoss, trainAccuracy }));
    expect(straight.history).toHaveLength(3);
    expect(losses(second.history)).toEqual(losses(straight.history));
  });

  it('refuses a checkpoint of another network', async () => {
    const { train } = data();
    const trainer = new Trainer(cnn(), createCpuBackend(), train);
    const other = new Trainer(
      chain(
        [7, 1],
        [
          ['lstm', { units: 3 }],
          ['dense', { units: 2 }],
        ],
      ),
      createCpuBackend(),
      majorityData(20, 7, 1),
    );
    const cp = await other.checkpoint();
    expect(() => trainer.restore(cp)).toThrow(/the checkpoint: it belongs to another network/);
  });

  it('refuses bytes that are not a checkpoint', () => {
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a Netloom checkpoint/);
  });
});

describe('a training step allocates nothing', () => {
  it('creates no backend buffer over 100 steps, evaluation included', async () => {
    const be = createCpuBackend();
    const { train, validation } = data();
    const trainer = new Trainer({ ...cnn(), training: { ...cnn().training, epochs: 100 } }, be, train, validation);
    const before = be.allocations;
    expect(before).toBeGreaterThan(10);
    await trainer.runSteps(100);
    await evaluateSet(trainer);
    expect(be.allocations).toBe(before);
    expect(trainer.step).toBe(100);
  });
});

describe('batches gathered from the host', () => {
  it('train exactly as batches gathered from a copy of the dataset on the backend', async () => {
    const { train, validation } = data();
    const fromHost = new Trainer(cnn(), createCpuBackend(), train, validation);
    // The same backend without host gathering: the trainer uploads the datasets and gathers there.
    const uploading = new Proxy(createCpuBackend(), {
      get: (backend, key) => (key === 'gatherHostRows' ? undefined : Reflect.get(backend, key)),
    });
    const fromCopy = new Trainer(cnn(), uploading, train, validation);
    expect(fromHost.be.allocations).toBeLessThan(fromCopy.be.allocations);
    await fromHost.runSteps(9);
    await fromCopy.runSteps(9);
    const [a, b] = [await fromHost.checkpoint(), await fromCopy.checkpoint()];
    expect(Array.from(a.params)).toEqual(Array.from(b.params));
    expect((await evaluateSet(fromHost, 'validation')).loss).toBe((await evaluateSet(fromCopy, 'validation')).loss);
  });
});
