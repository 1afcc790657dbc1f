import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { splitValidation } from '../../../engine/data/dataset';
import { barsData, majorityData, regressionData, spiralData, xorData } from '../../../engine/data/synthetic';
import { evaluateSet } from '../../../engine/train/evaluate';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

describe('networks learn (CPU backend)', () => {
  it('an MLP learns XOR to 100%', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 8 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 2 }],
      ],
      {
        optimizer: { kind: 'adam', lr: 0.05 },
        batchSize: 4,
        epochs: 300,
        seed: 3,
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), xorData());
    await trainer.fit();
    const result = await evaluateSet(trainer, 'train');
    expect(result.accuracy).toBe(1);
    expect(result.loss).toBeLessThan(0.05);
  });

  it('an MLP separates three spirals with ReLU and momentum', async () => {
    const { train, validation } = splitValidation(spiralData(600, 3, 0.05, 1), 0.2, 1);
    const doc = chain(
      [2],
      [
        ['dense', { units: 32, init: 'he-uniform' }],
        ['activation', { fn: 'relu' }],
        ['dense', { units: 32, init: 'he-uniform' }],
        ['activation', { fn: 'relu' }],
        ['dense', { units: 3 }],
      ],
      {
        optimizer: { kind: 'momentum', lr: 0.1, momentum: 0.9 },
        batchSize: 32,
        epochs: 60,
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), train, validation);
    const history = await trainer.fit();
    expect(history.at(-1)!.valAccuracy).toBeGreaterThan(0.9);
  });

  it('a CNN tells horizontal from vertical bars', async () => {
    const { train, validation } = splitValidation(barsData(400, 8, 0.3, 2), 0.25, 2);
    const doc = chain(
      [1, 8, 8],
      [
        ['conv2d', { filters: 6, kernel: 3, padding: 'same' }],
        ['batchnorm'],
        ['activation', { fn: 'relu' }],
        ['maxpool2d', { size: 2 }],
        ['conv2d', { filters: 6, kernel: 3, padding: 1 }],
        ['activation', { fn: 'relu' }],
        ['globalavgpool'],
        ['dense', { units: 2 }],
      ],
      { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, epochs: 15 },
    );
    const trainer = new Trainer(doc, createCpuBackend(), train, validation);
    const history = await trainer.fit();
    expect(history.at(-1)!.valAccuracy).toBeGreaterThan(0.95);
  });

  it('an LSTM learns the majority of a bit sequence', async () => {
    const { train, validation } = splitValidation(majorityData(1200, 7, 4), 0.2, 4);
    const doc = chain(
      [7, 1],
      [
        ['lstm', { units: 12 }],
        ['dense', { units: 2 }],
      ],
      {
        optimizer: { kind: 'adam', lr: 0.02 },
        batchSize: 32,
        epochs: 25,
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), train, validation);
    const history = await trainer.fit();
    expect(history.at(-1)!.valAccuracy).toBeGreaterThan(0.95);
  });

  it('an Elman RNN learns the majority of a short bit sequence', async () => {
    const { train, validation } = splitValidation(majorityData(1200, 5, 6), 0.2, 6);
    const doc = chain(
      [5, 1],
      [
        ['rnn', { units: 12 }],
        ['dense', { units: 2 }],
      ],
      {
        optimizer: { kind: 'adam', lr: 0.02 },
        batchSize: 32,
        epochs: 25,
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), train, validation);
    const history = await trainer.fit();
    expect(history.at(-1)!.valAccuracy).toBeGreaterThan(0.95);
  });

  it('an MLP and mean squared error fit a regression', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 32 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 1 }],
      ],
      {
        loss: { kind: 'mse' },
        optimizer: { kind: 'adam', lr: 0.01 },
        batchSize: 32,
        epochs: 40,
      },
    );
    const trainer = new Trainer(doc, createCpuBackend(), regressionData(500, 0, 5));
    const history = await trainer.fit();
    expect(history[0].trainLoss).toBeGreaterThan(0.2);
    expect(history.at(-1)!.trainLoss).toBeLessThan(0.02);
  });
});
