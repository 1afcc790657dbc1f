import type { Augmentation } from '../graph/training-schema';
import { hash32 } from '../init/hash';
import { Random } from '../init/random';

/** Whether any transform is on. */
export function augments(a: Augmentation | undefined): a is Augmentation {
  return (
    a !== undefined &&
    (a.crop > 0 || a.flip || a.rotate > 0 || a.shift > 0 || a.brightness > 0 || a.contrast > 0 || a.noise > 0)
  );
}

/** Whether a transform moves pixels (and so needs an image input [C, H, W]). */
export const movesPixels = (a: Augmentation) => a.crop > 0 || a.flip || a.rotate > 0 || a.shift > 0;

/**
 * The generator of one sample's draws: from the run's seed, the step (counted from 1) and the sample's
 * place in the batch, so that a resumed run (which restores the step) augments exactly as an uninterrupted one.
 */
export function sampleRandom(seed: number, step: number, slot: number): Random {
  return new Random(sampleSeed(seed, step, slot));
}

const sampleSeed = (seed: number, step: number, slot: number) =>
  hash32(seed ^ hash32(Math.imul(step, 0x9e3779b9) ^ hash32(slot + 0x632be5ab)));

/** One sample's draws, always all of them and in this order (the exported PyTorch script draws the same). */
export interface Draws {
  cropY: number;
  cropX: number;
  flip: boolean;
  angle: number;
  shiftY: number;
  shiftX: number;
  brightness: number;
  contrast: number;
}

export function drawFor(a: Augmentation, random: Random, height: number, width: number): Draws {
  const cropY = Math.floor(random.next() * (2 * a.crop + 1));
  const cropX = Math.floor(random.next() * (2 * a.crop + 1));
  const flip = random.next() < 0.5;
  const angle = random.uniform(-a.rotate, a.rotate);
  const shiftY = random.uniform(-a.shift, a.shift) * height;
  const shiftX = random.uniform(-a.shift, a.shift) * width;
  const brightness = random.uniform(1 - a.brightness, 1 + a.brightness);
  const contrast = random.uniform(1 - a.contrast, 1 + a.contrast);
  return { cropY, cropX, flip: a.flip && flip, angle, shiftY, shiftX, brightness, contrast };
}

/**
 * Augments one sample in place; `scratch` holds at least one sample. For a shape that is not an image
 * only the value transforms (brightness, contrast, noise) apply.
 */
export function augmentSample(
  a: Augmentation,
  x: Float32Array,
  shape: readonly number[],
  random: Random,
  scratch: Float32Array,
): void {
  const [height, width] = shape.length === 3 ? [shape[1], shape[2]] : [1, x.length];
  transformSample(a, x, shape, drawFor(a, random, height, width), random, scratch);
}

/** Applies one sample's draws (the noise is drawn from `random` as it goes). */
export function transformSample(
  a: Augmentation,
  x: Float32Array,
  shape: readonly number[],
  d: Draws,
  random: Random,
  scratch: Float32Array,
): void {
  const image = shape.length === 3;
  const [channels, height, width] = image ? shape : [1, 1, x.length];
  if (image && (a.crop > 0 || d.flip)) cropAndFlip(x, channels, height, width, a.crop, d, scratch);
  if (image && (d.angle !== 0 || d.shiftY !== 0 || d.shiftX !== 0))
    rotateAndShift(x, channels, height, width, d, scratch);
  if (a.brightness > 0) for (let i = 0; i < x.length; i++) x[i] *= d.brightness;
  if (a.contrast > 0) {
    let mean = 0;
    for (let i = 0; i < x.length; i++) mean += x[i];
    mean /= x.length;
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - mean) * d.contrast + mean;
  }
  if (a.noise > 0) for (let i = 0; i < x.length; i++) x[i] += a.noise * random.normal();
}

/** out[c, i, j] = x[c, i + cropY − p, j' + cropX − p] (zero outside), j' mirrored when flipping. */
function cropAndFlip(
  x: Float32Array,
  channels: number,
  height: number,
  width: number,
  pad: number,
  d: Draws,
  scratch: Float32Array,
): void {
  const out = scratch.subarray(0, x.length);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < height; i++) {
      const si = i + d.cropY - pad;
      for (let j = 0; j < width; j++) {
        const sj = (d.flip ? width - 1 - j : j) + d.cropX - pad;
        out[(c * height + i) * width + j] =
          si >= 0 && si < height && sj >= 0 && sj < width ? x[(c * height + si) * width + sj] : 0;
      }
    }
  x.set(out);
}

/**
 * Rotation by `angle` degrees about the centre, then a shift: each output pixel reads the input at the
 * inverse transform of its position, bilinearly, zero outside the image (torchvision's affine, bilinear).
 */
function rotateAndShift(
  x: Float32Array,
  channels: number,
  height: number,
  width: number,
  d: Draws,
  scratch: Float32Array,
): void {
  const out = scratch.subarray(0, x.length);
  const theta = (d.angle * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  const at = (c: number, y: number, xx: number) =>
    y >= 0 && y < height && xx >= 0 && xx < width ? x[(c * height + y) * width + xx] : 0;
  for (let i = 0; i < height; i++)
    for (let j = 0; j < width; j++) {
      // Undo the shift, then the rotation (counter-clockwise on screen for a positive angle, as torchvision
      // rotates; with y pointing down, the source of (dy, dx) is (cos dy + sin dx, −sin dy + cos dx)).
      const dy = i - cy - d.shiftY;
      const dx = j - cx - d.shiftX;
      const sy = cy + cos * dy + sin * dx;
      const sx = cx - sin * dy + cos * dx;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      for (let c = 0; c < channels; c++)
        out[(c * height + i) * width + j] =
          (1 - fy) * ((1 - fx) * at(c, y0, x0) + fx * at(c, y0, x0 + 1)) +
          fy * ((1 - fx) * at(c, y0 + 1, x0) + fx * at(c, y0 + 1, x0 + 1));
    }
  x.set(out);
}

/**
 * Augments the first `n` samples of a batch in place (sample k drawn from sampleRandom(seed, step, k)).
 * `scratch` holds at least one sample.
 */
export function augmentBatch(
  a: Augmentation,
  x: Float32Array,
  n: number,
  shape: readonly number[],
  seed: number,
  step: number,
  scratch: Float32Array,
  /** Reseeded for each sample (a training step passes its own, so that it allocates none). */
  random = new Random(0),
): void {
  const per = shape.reduce((m, d) => m * d, 1);
  for (let k = 0; k < n; k++) {
    random.reseed(sampleSeed(seed, step, k));
    augmentSample(a, x.subarray(k * per, (k + 1) * per), shape, random, scratch);
  }
}
