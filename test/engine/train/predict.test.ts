import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { barsData, spiralData } from '../../../engine/data/synthetic';
import { layerOutput } from '../../../engine/train/explain';
import { sessionWeightOf } from '../../../engine/train/network-weights';
import { predict, prepareInputs } from '../../../engine/train/predict';
import { predictionsCsv } from '../../../engine/train/predictions-csv';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

describe("predictions on the user's inputs", () => {
  it("equal the evaluation pass's outputs for the same samples (softmax of its logits, to 1e-6)", async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 16 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 3 }],
      ],
      { optimizer: { kind: 'adam', lr: 0.02 }, batchSize: 32, epochs: 50 },
    );
    const data = spiralData(300, 3, 0.1, 1);
    const validation = spiralData(70, 3, 0.1, 2);
    const trainer = new Trainer(doc, createCpuBackend(), data, validation);
    await trainer.runSteps(60);
    // The evaluation pass's logits of the validation set, batch by batch (70 samples: a partial batch too).
    const logits = new Float32Array(70 * 3);
    await trainer.forEachEvalBatch('validation', async (start, n) => {
      logits.set((await trainer.be.read(trainer.session.output)).subarray(0, 3 * n), 3 * start);
    });
    const inputs = prepareInputs(trainer, {
      kind: 'rows',
      x: validation.x,
      names: Array.from({ length: 70 }, (_, i) => `sample ${i}`),
    });
    const result = await predict(trainer, inputs.x, 70);
    expect(result.kind).toBe('probabilities');
    expect(result.width).toBe(3);
    for (let r = 0; r < 70; r++) {
      const row = Array.from(logits.subarray(3 * r, 3 * r + 3));
      const top = Math.max(...row);
      const sum = row.reduce((s, v) => s + Math.exp(v - top), 0);
      for (let c = 0; c < 3; c++)
        expect(Math.abs(result.outputs[3 * r + c] - Math.exp(row[c] - top) / sum)).toBeLessThan(1e-6);
    }
    expect(result.ms).toBeGreaterThanOrEqual(0);
    // Inputs of another size are refused with the shape the network takes.
    await expect(predict(trainer, new Float32Array(5), 2)).rejects.toThrow('2 inputs of [2] are 4 values, not 5');
    // The same points typed as text, one a line, give the same answers.
    const text = Array.from({ length: 70 }, (_, r) => `${validation.x[2 * r]}, ${validation.x[2 * r + 1]}`).join('\n');
    const typed = prepareInputs(trainer, { kind: 'typed', text });
    expect(typed.names[69]).toBe(`line 70: ${`${validation.x[138]}, ${validation.x[139]}`.slice(0, 40)}…`);
    expect((await predict(trainer, typed.x, 70)).outputs).toEqual(result.outputs);
  });

  it('of a classifier trained with mean squared error against its classes: its classes, as the evaluation decides', async () => {
    const doc = chain(
      [2],
      [
        ['dense', { units: 16 }],
        ['activation', { fn: 'tanh' }],
        ['dense', { units: 3 }],
      ],
      {
        loss: { kind: 'mse' },
        optimizer: { kind: 'adam', lr: 0.02 },
        batchSize: 32,
      },
    );
    const data = spiralData(300, 3, 0.1, 1);
    const trainer = new Trainer(doc, createCpuBackend(), data);
    await trainer.runSteps(200);
    const raw = new Float32Array(300 * 3);
    await trainer.forEachEvalBatch('train', async (start, n) => {
      raw.set((await trainer.be.read(trainer.session.output)).subarray(0, 3 * n), 3 * start);
    });
    const result = await predict(trainer, data.x, 300);
    // A classifier's answers (the Try panel's top classes, true_class in a CSV of labelled rows), each
    // output clamped to [0, 1]: the evaluation's confidence in its class.
    expect(result.kind).toBe('probabilities');
    for (let i = 0; i < raw.length; i++) expect(result.outputs[i]).toBe(Math.fround(Math.min(1, Math.max(0, raw[i]))));
    expect(Math.min(...raw)).toBeLessThan(0);
    const csv = predictionsCsv(result, ['a', 'b'], 1, data.targets.subarray(0, 2)).split('\n');
    expect(csv[0]).toBe('input,true_class,class1,p1');
    expect(csv[1].split(',')[1]).toBe(String(data.targets[0]));
  });

  it("shows what a layer makes of one input: a convolution's feature maps equal a direct convolution", async () => {
    const doc = chain(
      [1, 6, 6],
      [['conv2d', { filters: 2, kernel: 3 }], ['activation', { fn: 'relu' }], ['flatten'], ['dense', { units: 2 }]],
      { optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 8 },
    );
    const data = barsData(24, 6, 0.2, 1);
    const trainer = new Trainer(doc, createCpuBackend(), data);
    await trainer.runSteps(3);
    const x = data.x.slice(5 * 36, 6 * 36);
    const maps = await layerOutput(trainer, 'n1', x);
    expect(maps.shape).toEqual([2, 4, 4]);
    // The same convolution by hand (valid, stride 1), from the layer's own weights [F, C, kh, kw] and bias.
    const weight = await sessionWeightOf(trainer.session);
    const w = weight('n1', 'W');
    const b = weight('n1', 'b');
    for (let f = 0; f < 2; f++)
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          let sum = b[f];
          for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) sum += w[f * 9 + u * 3 + v] * x[(i + u) * 6 + j + v];
          expect(maps.values[f * 16 + i * 4 + j]).toBeCloseTo(sum, 5);
        }
    // The activation after it is the same maps, rectified.
    const relu = await layerOutput(trainer, 'n2', x);
    expect(Array.from(relu.values)).toEqual(Array.from(maps.values, (v) => Math.max(v, 0)));
    await expect(layerOutput(trainer, 'nowhere', x)).rejects.toThrow('no layer "nowhere"');
  });
});
