import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import { datasetFromFiles } from '../../../engine/data/from-files';
import { prepareInputs } from '../../../engine/train/predict';
import { Trainer } from '../../../engine/train/trainer';
import { chain } from '../../helpers/graphs';

/** An RGB picture of odd size whose pixels are a known pattern. */
function picture(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101) % 256;
  return encodePng({ width, height, data, channels: 3, depth: 8 });
}

describe('pictures tried go through what the training pictures went through', () => {
  it.each([
    ['colour', [3, 4, 5], false],
    ['gray', [1, 6, 6], true],
  ] as const)(
    '%s: decoded, converted and resized exactly as the image folder the network trained on',
    async (_, shape, grayscale) => {
      const files = [
        { path: 'a/one.png', bytes: picture(7, 5, 1) },
        { path: 'b/two.png', bytes: picture(9, 11, 2) },
        { path: 'b/three.png', bytes: picture(4, 4, 3) },
      ];
      const doc = chain([...shape], [['flatten'], ['dense', { units: 2 }]], {
        dataset: { source: 'image-folder', path: 'pictures', grayscale },
        batchSize: 2,
        validation: { split: 0 },
      });
      const training = await datasetFromFiles(doc, files);
      const trainer = new Trainer(doc, createCpuBackend(), training);
      const tried = prepareInputs(trainer, { kind: 'images', files });
      expect(tried.names).toEqual(['a/one.png', 'b/two.png', 'b/three.png']);
      // The folder's order is by path: a/one, b/three, b/two.
      const per = shape[0] * shape[1] * shape[2];
      const sample = (x: Float32Array, i: number) => Array.from(x.subarray(i * per, (i + 1) * per));
      expect(sample(tried.x, 0)).toEqual(sample(training.x, 0));
      expect(sample(tried.x, 1)).toEqual(sample(training.x, 2));
      expect(sample(tried.x, 2)).toEqual(sample(training.x, 1));
      // And a known value: a uniform picture comes in as its level over 255 (gray: the luma of its colour).
      const flat = encodePng({ width: 3, height: 3, data: new Uint8Array(27).fill(51), channels: 3, depth: 8 });
      const one = prepareInputs(trainer, { kind: 'images', files: [{ path: 'flat.png', bytes: flat }] });
      for (const v of one.x) expect(v).toBeCloseTo(0.2, 6);
    },
  );
});
