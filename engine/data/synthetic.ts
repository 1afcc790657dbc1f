import { Random } from '../init/random';
import type { Dataset } from './dataset';

/** The four points of XOR, repeated: label 1 when exactly one coordinate is 1. */
export function xorData(repeat = 1): Dataset {
  const points = [
    [0, 0, 0],
    [0, 1, 1],
    [1, 0, 1],
    [1, 1, 0],
  ];
  const count = 4 * repeat;
  const x = new Float32Array(count * 2);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const [a, b, label] = points[i % 4];
    x[2 * i] = a;
    x[2 * i + 1] = b;
    targets[i] = label;
  }
  return { name: 'xor', inputShape: [2], count, x, targetKind: 'class', targetSize: 1, targets, classes: 2 };
}

/** Interleaved spirals in the plane, one arm per class (TensorFlow Playground's hardest toy). */
export function spiralData(count: number, classes: number, noise: number, seed: number): Dataset {
  const random = new Random(seed);
  const x = new Float32Array(count * 2);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const r = random.next();
    const angle = (label * 2 * Math.PI) / classes + r * 4 + noise * random.normal();
    x[2 * i] = r * Math.sin(angle);
    x[2 * i + 1] = r * Math.cos(angle);
    targets[i] = label;
  }
  return { name: 'spiral', inputShape: [2], count, x, targetKind: 'class', targetSize: 1, targets, classes };
}

/** y = sin(3x₁) + x₂² with Gaussian noise: a smooth regression for mean squared error. */
export function regressionData(count: number, noise: number, seed: number): Dataset {
  const random = new Random(seed);
  const x = new Float32Array(count * 2);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const a = random.uniform(-1, 1);
    const b = random.uniform(-1, 1);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    targets[i] = Math.sin(3 * a) + b * b + noise * random.normal();
  }
  return { name: 'regression', inputShape: [2], count, x, targetKind: 'tensor', targetSize: 1, targets };
}

/**
 * Sequences of T bits [T, 1]; the label is whether the sequence holds more ones than zeros (T odd), a task
 * that needs memory of the whole sequence.
 */
export function majorityData(count: number, steps: number, seed: number): Dataset {
  const random = new Random(seed);
  const x = new Float32Array(count * steps);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let ones = 0;
    for (let t = 0; t < steps; t++) {
      const bit = random.next() < 0.5 ? 1 : 0;
      x[i * steps + t] = bit;
      ones += bit;
    }
    targets[i] = 2 * ones > steps ? 1 : 0;
  }
  return {
    name: 'sequence',
    inputShape: [steps, 1],
    count,
    x,
    targetKind: 'class',
    targetSize: 1,
    targets,
    classes: 2,
  };
}

/**
 * Small grayscale images [1, size, size] with one bright bar, horizontal (class 0) or vertical (class 1),
 * at a random place, on noise: a task only a convolution that looks at neighbours solves well.
 */
export function barsData(count: number, size: number, noise: number, seed: number): Dataset {
  const random = new Random(seed);
  const per = size * size;
  const x = new Float32Array(count * per);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const at = Math.floor(random.next() * size);
    const from = Math.floor(random.next() * (size / 2));
    for (let k = 0; k < per; k++) x[i * per + k] = noise * random.normal();
    for (let j = from; j < from + Math.ceil(size / 2) + 2 && j < size; j++) {
      const [row, col] = label === 0 ? [at, j] : [j, at];
      x[i * per + row * size + col] += 1;
    }
    targets[i] = label;
  }
  return {
    name: 'bars',
    inputShape: [1, size, size],
    count,
    x,
    targetKind: 'class',
    targetSize: 1,
    targets,
    classes: 2,
  };
}
