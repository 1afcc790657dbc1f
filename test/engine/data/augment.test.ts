import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { augmentBatch, type Draws, sampleRandom, transformSample } from '../../../engine/data/augment';
import { loadBundled } from '../../../engine/data/bundled';
import { subset } from '../../../engine/data/dataset';
import { loadGraph } from '../../../engine/graph';
import { type Augmentation, augmentationSchema } from '../../../engine/graph/training-schema';
import { Random } from '../../../engine/init/random';
import { evaluateSet } from '../../../engine/train/evaluate';
import { Trainer } from '../../../engine/train/trainer';
import { bundledFiles, sampleTexts } from '../../helpers/samples';

const off = augmentationSchema.parse({});
const still: Draws = { cropY: 0, cropX: 0, flip: false, angle: 0, shiftY: 0, shiftX: 0, brightness: 1, contrast: 1 };
/** A 1 × 3 × 3 image with values 1 … 9, row by row. */
const nine = () => Float32Array.from({ length: 9 }, (_, i) => i + 1);
const apply = (a: Partial<Augmentation>, d: Partial<Draws>, x = nine(), shape = [1, 3, 3]) => {
  transformSample({ ...off, ...a }, x, shape, { ...still, ...d }, new Random(1), new Float32Array(x.length));
  return Array.from(x, (v) => +v.toFixed(5));
};

describe('augmentation, transform by transform on known images', () => {
  it('crops the zero-padded image at the drawn offset', () => {
    // Padding 1, offset (0, 0): the window starts one pixel above and left of the image.
    expect(apply({ crop: 1 }, { cropY: 0, cropX: 0 })).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
    // Offset (1, 1): the image itself; (2, 1): one row up.
    expect(apply({ crop: 1 }, { cropY: 1, cropX: 1 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(apply({ crop: 1 }, { cropY: 2, cropX: 1 })).toEqual([4, 5, 6, 7, 8, 9, 0, 0, 0]);
  });

  it('mirrors left and right, every channel', () => {
    expect(apply({ flip: true }, { flip: true })).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    const two = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(apply({ flip: true }, { flip: true }, two, [2, 2, 2])).toEqual([2, 1, 4, 3, 6, 5, 8, 7]);
  });

  it('rotates about the centre and shifts, bilinearly, zeros outside', () => {
    // 90°: a quarter turn counter-clockwise on screen (the top row becomes the left column).
    expect(apply({ rotate: 90 }, { angle: 90 })).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(apply({ rotate: 180 }, { angle: 180 })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // One pixel right; half a pixel down (each value the mean of the two rows it falls between).
    expect(apply({ shift: 0.4 }, { shiftX: 1 })).toEqual([0, 1, 2, 0, 4, 5, 0, 7, 8]);
    expect(apply({ shift: 0.4 }, { shiftY: 0.5 })).toEqual([0.5, 1, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
  });

  it('scales brightness, stretches contrast about the mean, and adds noise of the chosen spread', () => {
    expect(apply({ brightness: 0.5 }, { brightness: 1.5 })).toEqual([1.5, 3, 4.5, 6, 7.5, 9, 10.5, 12, 13.5]);
    // Mean 5: values move twice as far from it.
    expect(apply({ contrast: 1 }, { contrast: 2 })).toEqual([-3, -1, 1, 3, 5, 7, 9, 11, 13]);
    const flat = new Float32Array(20_000);
    transformSample({ ...off, noise: 0.3 }, flat, [20_000], still, new Random(7), new Float32Array(20_000));
    const mean = flat.reduce((s, v) => s + v, 0) / flat.length;
    const sd = Math.sqrt(flat.reduce((s, v) => s + (v - mean) ** 2, 0) / flat.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd - 0.3)).toBeLessThan(0.01);
  });

  it('draws each sample from the seed, the step and its place: the same inputs give the same batch', () => {
    const a = augmentationSchema.parse({ crop: 2, flip: true, rotate: 10, noise: 0.1 });
    const batch = () => Float32Array.from({ length: 4 * 36 }, (_, i) => (i % 36) / 36);
    const [one, two, later] = [batch(), batch(), batch()];
    const scratch = new Float32Array(36);
    augmentBatch(a, one, 4, [1, 6, 6], 42, 3, scratch);
    augmentBatch(a, two, 4, [1, 6, 6], 42, 3, scratch);
    augmentBatch(a, later, 4, [1, 6, 6], 42, 4, scratch);
    expect(Array.from(one)).toEqual(Array.from(two));
    expect(Array.from(one)).not.toEqual(Array.from(later));
    // The four samples (equal before) come out different: each has its own draws.
    expect(Array.from(one.subarray(0, 36))).not.toEqual(Array.from(one.subarray(36, 72)));
    expect(sampleRandom(42, 3, 0).nextUint32()).not.toBe(sampleRandom(42, 3, 1).nextUint32());
  });
});

describe('augmentation in training', () => {
  /** LeNet-5 on 256 bundled images with the given augmentation, batches of 32. */
  async function lenet(augmentation: Partial<Augmentation> | undefined) {
    const [, text] = sampleTexts().find(([name]) => name === 'lenet5.json')!;
    const raw = JSON.parse(text);
    raw.training = { ...raw.training, batchSize: 32, epochs: 2, validation: { split: 0.25 } };
    if (augmentation) raw.training.augmentation = augmentation;
    const loaded = loadGraph(raw);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const { train, test } = await loadBundled('fashion-mnist-small', bundledFiles());
    const few = subset(
      train,
      Array.from({ length: 256 }, (_, i) => i),
      train.name,
    );
    const held = subset(
      test,
      Array.from({ length: 64 }, (_, i) => i),
      test.name,
    );
    return { doc: loaded.document, train: few, held };
  }

  it('a run resumed from a checkpoint sees the batches an uninterrupted run sees', async () => {
    const { doc, train } = await lenet({ crop: 2, flip: true, rotate: 8, brightness: 0.2, noise: 0.05 });
    const whole = new Trainer(doc, createCpuBackend(), train);
    await whole.runSteps(8);
    const first = new Trainer(doc, createCpuBackend(), train);
    await first.runSteps(5);
    const resumed = new Trainer(doc, createCpuBackend(), train);
    resumed.restore(await first.checkpoint());
    await resumed.runSteps(3);
    const paramsOf = async (t: Trainer) => Array.from(await t.be.read(t.session.flat.params));
    expect(await paramsOf(resumed)).toEqual(await paramsOf(whole));
    // Without augmentation the same seed takes other steps: the batches really were changed.
    const plain = new Trainer((await lenet(undefined)).doc, createCpuBackend(), train);
    await plain.runSteps(8);
    expect(await paramsOf(plain)).not.toEqual(await paramsOf(whole));
  });

  it('LeNet-5 with crop and flip trains, and evaluation sees the images unaugmented', async () => {
    const { doc, train, held } = await lenet({ crop: 2, flip: true });
    const trainer = new Trainer(doc, createCpuBackend(), train);
    const before = await evaluateSet(trainer, 'train');
    await trainer.fit();
    const after = await evaluateSet(trainer, 'train');
    expect(after.loss).toBeLessThan(before.loss);
    // The same weights in a run without augmentation evaluate to the same figures, to the last bit.
    const plainDoc = { ...doc, training: { ...doc.training, augmentation: undefined } };
    const plain = new Trainer(plainDoc, createCpuBackend(), train);
    plain.restore(await trainer.checkpoint());
    expect(await evaluateSet(plain, 'train')).toEqual(after);
    expect(held.count).toBe(64);
  });

  it('refuses pixel transforms for samples that are not images, by name', async () => {
    const { doc } = await lenet({ flip: true });
    const vectors = { ...doc, training: { ...doc.training } };
    const flat = subset((await lenet(undefined)).train, [0, 1, 2, 3], 'vectors');
    await expect(async () => new Trainer(vectors, createCpuBackend(), { ...flat, inputShape: [784] })).rejects.toThrow(
      'crop, flip, rotation and shift augment images [C, H, W]; vectors has samples of [784]',
    );
  });
});
