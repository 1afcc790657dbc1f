import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { analyseGraph } from '../../../engine/graph/analysis';
import {
  paretoFront,
  parseSweepSetting,
  rankResults,
  type SweepResult,
  sweepCombinations,
  withValues,
} from '../../../engine/train/sweep';
import { runSweep, type SweepRunOptions } from '../../../engine/train/sweep-runner';
import { chain } from '../../helpers/graphs';

/** A small spiral classifier: dense d1 (8 units), tanh, dense 3; Adam, batches of 32, 4 epochs. */
const toy = () =>
  chain(
    [2],
    [
      ['dense', { units: 8 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 3 }],
    ],
    { optimizer: { kind: 'adam', lr: 0.01 }, batchSize: 32, epochs: 4, validation: { split: 0.2 } },
  );

const data = spiralData(300, 3, 0.1, 1);
const validation = spiralData(80, 3, 0.1, 2);
const options = (over: Partial<SweepRunOptions> = {}): SweepRunOptions => ({
  dataFor: async () => ({ train: data, validation }),
  makeBackend: () => createCpuBackend(),
  shouldStop: () => false,
  ...over,
});
const spec = { settings: [parseSweepSetting('lr=0.003,0.03'), parseSweepSetting('n1.units=4,16')] };

describe('sweeps: the combinations', () => {
  it('a grid (the last setting fastest), or distinct random draws the same for a seed', () => {
    expect(sweepCombinations(toy(), spec)).toEqual([
      { lr: 0.003, 'n1.units': 4 },
      { lr: 0.003, 'n1.units': 16 },
      { lr: 0.03, 'n1.units': 4 },
      { lr: 0.03, 'n1.units': 16 },
    ]);
    const wide = { settings: [parseSweepSetting('lr=1,2,3,4,5'), parseSweepSetting('batch=8,16,32,64')] };
    const drawn = sweepCombinations(toy(), { ...wide, random: 6, seed: 9 });
    expect(drawn).toHaveLength(6);
    expect(new Set(drawn.map((v) => JSON.stringify(v))).size).toBe(6);
    expect(sweepCombinations(toy(), { ...wide, random: 6, seed: 9 })).toEqual(drawn);
    expect(sweepCombinations(toy(), { ...wide, random: 6, seed: 10 })).not.toEqual(drawn);
    // More draws than combinations: each once.
    expect(sweepCombinations(toy(), { ...wide, random: 50 })).toHaveLength(20);
  });

  it('counts the runs before making any: a grid of a million refused at once, a grid past 2³² even for random draws', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => String(0.001 * (i + 1))).join(',');
    const units = Array.from({ length: 100 }, (_, i) => String(i + 1)).join(',');
    const million = {
      settings: [`lr=${hundred}`, `n1.units=${units}`, `seed=${units}`].map((s) => parseSweepSetting(s)),
    };
    expect(() => sweepCombinations(toy(), million)).toThrow(
      'the sweep has 1000000 runs, over the limit of 1000: use fewer values or --random',
    );
    // Drawn from it: 5 runs.
    expect(sweepCombinations(toy(), { ...million, random: 5, seed: 1 })).toHaveLength(5);
    // Six such settings make 10¹² combinations: too many to draw from (they are indexed by 32 bits), and
    // refused without an array of them (one would need 8 TB).
    const huge = { settings: [...million.settings, ...million.settings.map((s) => ({ ...s }))], random: 5 };
    huge.settings[3].name = 'epochs';
    huge.settings[4].name = 'batch';
    huge.settings[5].name = 'l2';
    expect(() => sweepCombinations(toy(), huge)).toThrow(
      "the sweep's settings make 1.00e+12 combinations, over the limit of 4294967296: use fewer values",
    );
  });

  it('sets training settings and layer parameters, and refuses what the document refuses, by name', () => {
    const doc = withValues(toy(), { lr: 0.5, batch: 7, 'n1.units': 12, optimizer: 'sgd' }, 2);
    expect(doc.training.optimizer).toEqual({ kind: 'sgd', lr: 0.5 });
    expect(doc.training.batchSize).toBe(7);
    expect(doc.training.epochs).toBe(2);
    expect(doc.nodes.find((n) => n.id === 'n1')!.params).toMatchObject({ units: 12 });
    expect(() => sweepCombinations(toy(), { settings: [parseSweepSetting('n1.units=8,0')] })).toThrow(
      'sweep values n1.units=0: nodes[1].params.units',
    );
    expect(() => sweepCombinations(toy(), { settings: [parseSweepSetting('nowhere.units=8')] })).toThrow(
      'sweep setting "nowhere.units": not a training setting',
    );
    expect(() => parseSweepSetting('lr')).toThrow('sweep setting "lr": write name=value1,value2,…');
    expect(parseSweepSetting('optimizer=sgd, adam').values).toEqual(['sgd', 'adam']);
  });

  it('ranks by validation error and finds the Pareto front of error against cost', () => {
    const result = (valAccuracy: number, multiplyAdds: number, status: SweepResult['status'] = 'completed') => ({
      ...template,
      status,
      valAccuracy,
      multiplyAdds,
    });
    const [a, b, c, d, e] = [
      result(0.9, 100),
      result(0.95, 300),
      result(0.85, 50),
      result(0.9, 200),
      result(0.99, 10, 'failed'),
    ];
    expect(rankResults([a, b, c, d, e])).toEqual([b, a, d, c, e]);
    // d costs more than a for the same error; e failed.
    expect(paretoFront([a, b, c, d, e])).toEqual([a, b, c]);
  });
});

/** A result's fields that ranking does not read. */
const template: SweepResult = {
  values: {},
  status: 'completed',
  epochs: 1,
  steps: 1,
  params: 1,
  multiplyAdds: 1,
  seconds: 1,
  curve: { step: [], loss: [] },
  history: [],
  training: toy().training,
  fingerprint: '0000000000000000',
};

describe('sweeps: the runs', () => {
  it('four runs of a toy network complete, each a fresh run of its values with its figures and curve', async () => {
    const results = await runSweep(toy(), spec, options());
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const r of results) {
      expect(r.epochs).toBe(4);
      expect(r.valAccuracy).toBeGreaterThan(0);
      expect(r.curve.step.length).toBeGreaterThan(10);
    }
    // Parameters and cost follow the width: 2·4 + 4 + 4·3 + 3 = 27 parameters at 4 units.
    expect(results[0].params).toBe(27);
    expect(results[1].params).toBe(2 * 16 + 16 + 16 * 3 + 3);
    expect(results[0].multiplyAdds).toBe(analyseGraph(withValues(toy(), results[0].values)).totals.flops / 2);
    expect(results[1].multiplyAdds).toBeGreaterThan(results[0].multiplyAdds);
  });

  it('stopping keeps the finished runs; resuming runs only the rest, to the same results', async () => {
    const whole = await runSweep(toy(), spec, options());
    let told = 0;
    const first = await runSweep(toy(), spec, options({ shouldStop: () => told >= 2, onResult: () => told++ }));
    expect(first.map((r) => r.status)).toEqual(['completed', 'completed']);
    const ran: number[] = [];
    const rest = await runSweep(toy(), spec, options({ done: first, onResult: (_r, i) => ran.push(i) }));
    expect(ran).toEqual([2, 3]);
    const figures = (r: SweepResult) => [r.values, r.status, r.valAccuracy, r.valLoss, r.trainLoss, r.curve];
    expect(rest.map(figures)).toEqual(whole.map(figures));
  });

  it('a run stopped mid-way is marked stopped and ends the sweep; a run that fails is named and the rest go on', async () => {
    let steps = 0;
    const stopped = await runSweep(toy(), spec, options({ shouldStop: () => steps > 5, onProgress: () => steps++ }));
    expect(stopped.map((r) => r.status)).toEqual(['stopped']);
    // A run whose data cannot be read (the first) fails with the reason; the next runs as usual.
    const failing = await runSweep(
      toy(),
      { settings: [parseSweepSetting('split=0.5,0.2')] },
      options({
        dataFor: async (doc) => {
          if (doc.training.validation.split === 0.5) throw new Error('the data file went away');
          return { train: data, validation };
        },
      }),
    );
    expect(failing.map((r) => [r.status, r.error])).toEqual([
      ['failed', 'the data file went away'],
      ['completed', undefined],
    ]);
  });
});
