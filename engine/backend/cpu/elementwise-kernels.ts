import { hash32 } from '../../init/hash';
import { activationOps, type UnaryOp } from '../../ops/activations';
import type { FloatArray } from './types';

/** The paper's activations (chapter 4) and their derivatives, from the operations' table. */
export function unary({
  op,
  x,
  y,
  size,
  alpha,
}: {
  op: UnaryOp;
  x: FloatArray;
  y: FloatArray;
  size: number;
  alpha: number;
}): void {
  const { forward } = activationOps[op];
  for (let i = 0; i < size; i++) y[i] = forward(x[i], alpha);
}

export function unaryBackward(args: {
  op: UnaryOp;
  x: FloatArray;
  y: FloatArray;
  dy: FloatArray;
  dx: FloatArray;
  size: number;
  alpha: number;
  accumulate: boolean;
}): void {
  const { op, x, y, dy, dx, size, alpha } = args;
  const { backward } = activationOps[op];
  if (args.accumulate) for (let i = 0; i < size; i++) dx[i] += backward(x[i], y[i], dy[i], alpha);
  else for (let i = 0; i < size; i++) dx[i] = backward(x[i], y[i], dy[i], alpha);
}

/** Softmax per row, shifted by the row maximum so that exp never overflows. */
export function softmax({ x, y, rows, cols }: { x: FloatArray; y: FloatArray; rows: number; cols: number }): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[base + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[base + j] - max);
      y[base + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) y[base + j] /= sum;
  }
}

export function softmaxBackward({
  y,
  dy,
  dx,
  rows,
  cols,
  accumulate,
}: {
  y: FloatArray;
  dy: FloatArray;
  dx: FloatArray;
  rows: number;
  cols: number;
  accumulate: boolean;
}): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[base + j] * y[base + j];
    for (let j = 0; j < cols; j++) {
      const d = y[base + j] * (dy[base + j] - dot);
      dx[base + j] = accumulate ? dx[base + j] + d : d;
    }
  }
}

/** Inverted dropout (the paper's chapter 4) with a mask every backend can reproduce from (seed, counter). */
export function dropout(args: {
  x: FloatArray;
  y: FloatArray;
  mask: FloatArray;
  size: number;
  rate: number;
  seed: number;
  counter: number;
}): void {
  const { x, y, mask, size, rate, seed, counter } = args;
  const key = hash32(counter ^ hash32(seed));
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) {
    const u = hash32(hash32(i) ^ key) / 4294967296;
    mask[i] = u >= rate ? keep : 0;
    y[i] = x[i] * mask[i];
  }
}
