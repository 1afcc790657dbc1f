import { hash32 } from '../../init/hash';
import type { UnaryOp } from '../backend';
import type { FloatArray } from './types';

/** The paper's activations (chapter 4) and their derivatives. */
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
  switch (op) {
    case 'sigmoid':
      for (let i = 0; i < size; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
      return;
    case 'tanh':
      for (let i = 0; i < size; i++) y[i] = Math.tanh(x[i]);
      return;
    case 'relu':
      for (let i = 0; i < size; i++) y[i] = Math.max(x[i], 0);
      return;
    case 'leaky-relu':
      for (let i = 0; i < size; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
      return;
    case 'elu':
      for (let i = 0; i < size; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
      return;
    case 'linear':
      for (let i = 0; i < size; i++) y[i] = x[i];
  }
}

export function unaryBackward(args: {
  op: UnaryOp;
  x: FloatArray;
  y: FloatArray;
  dy: FloatArray;
  dx: FloatArray;
  size: number;
  alpha: number;
}): void {
  const { op, x, y, dy, dx, size, alpha } = args;
  switch (op) {
    case 'sigmoid': // σ' = σ(1 − σ)
      for (let i = 0; i < size; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
      return;
    case 'tanh': // tanh' = 1 − tanh²
      for (let i = 0; i < size; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
      return;
    case 'relu': // derivative 0 at x = 0, as PyTorch
      for (let i = 0; i < size; i++) if (x[i] > 0) dx[i] += dy[i];
      return;
    case 'leaky-relu':
      for (let i = 0; i < size; i++) dx[i] += x[i] > 0 ? dy[i] : alpha * dy[i];
      return;
    case 'elu': // for x ≤ 0: α eˣ = y + α
      for (let i = 0; i < size; i++) dx[i] += x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha);
      return;
    case 'linear':
      for (let i = 0; i < size; i++) dx[i] += dy[i];
  }
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
}: {
  y: FloatArray;
  dy: FloatArray;
  dx: FloatArray;
  rows: number;
  cols: number;
}): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[base + j] * y[base + j];
    for (let j = 0; j < cols; j++) dx[base + j] += y[base + j] * (dy[base + j] - dot);
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
