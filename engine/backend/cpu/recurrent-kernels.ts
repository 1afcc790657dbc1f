import type { FloatArray } from './types';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * One LSTM step (the paper's chapter 6), gates in PyTorch's order [i, f, g, o] along each row of 4u:
 * i, f, o = σ(z), g = tanh(z); c = f ⊙ cPrev + i ⊙ g; h = o ⊙ tanh(c). The activated gates replace z.
 */
export function lstmCell({
  gates,
  cPrev,
  c,
  h,
  n,
  u,
}: {
  gates: FloatArray;
  cPrev: FloatArray;
  c: FloatArray;
  h: FloatArray;
  n: number;
  u: number;
}): void {
  for (let b = 0; b < n; b++) {
    const row = b * 4 * u;
    for (let j = 0; j < u; j++) {
      const i = sigmoid(gates[row + j]);
      const f = sigmoid(gates[row + u + j]);
      const g = Math.tanh(gates[row + 2 * u + j]);
      const o = sigmoid(gates[row + 3 * u + j]);
      gates[row + j] = i;
      gates[row + u + j] = f;
      gates[row + 2 * u + j] = g;
      gates[row + 3 * u + j] = o;
      const k = b * u + j;
      c[k] = f * cPrev[k] + i * g;
      h[k] = o * Math.tanh(c[k]);
    }
  }
}

/**
 * Back through one step: with tc = tanh(c) and δc = dc + dh ⊙ o ⊙ (1 − tc²),
 * dz_i = δc g i(1−i), dz_f = δc cPrev f(1−f), dz_g = δc i (1−g²), dz_o = dh tc o(1−o); dc ← δc ⊙ f.
 */
export function lstmCellBackward(args: {
  gates: FloatArray;
  cPrev: FloatArray;
  c: FloatArray;
  dh: FloatArray;
  dc: FloatArray;
  dGates: FloatArray;
  n: number;
  u: number;
}): void {
  const { gates, cPrev, c, dh, dc, dGates, n, u } = args;
  for (let b = 0; b < n; b++) {
    const row = b * 4 * u;
    for (let j = 0; j < u; j++) {
      const k = b * u + j;
      const i = gates[row + j];
      const f = gates[row + u + j];
      const g = gates[row + 2 * u + j];
      const o = gates[row + 3 * u + j];
      const tc = Math.tanh(c[k]);
      const dcTotal = dc[k] + dh[k] * o * (1 - tc * tc);
      dGates[row + j] = dcTotal * g * i * (1 - i);
      dGates[row + u + j] = dcTotal * cPrev[k] * f * (1 - f);
      dGates[row + 2 * u + j] = dcTotal * i * (1 - g * g);
      dGates[row + 3 * u + j] = dh[k] * tc * o * (1 - o);
      dc[k] = dcTotal * f;
    }
  }
}
