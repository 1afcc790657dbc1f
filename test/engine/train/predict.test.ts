import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { spiralData } from '../../../engine/data/synthetic';
import { predict, prepareInputs } from '../../../engine/train/predict';
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
  });
});
