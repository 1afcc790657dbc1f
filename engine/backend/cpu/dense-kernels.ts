import type { FloatArray } from './types';

type MatmulArgs = {
  a: FloatArray;
  b: FloatArray;
  out: FloatArray;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  bColumnSums?: FloatArray;
};

/**
 * sums[j] += Σ_p op(b)[p, j] over op(b)[k, n] (b stored [k, n], or [n, k] when transposed): a bias's
 * gradient, when b is the gradient of a product's output.
 */
export function columnSums(b: FloatArray, sums: FloatArray, k: number, n: number, transB: boolean): void {
  if (transB) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += b[j * k + p];
      sums[j] += sum;
    }
    return;
  }
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) sums[j] += b[p * n + j];
}

/**
 * out[m, n] (+)= op(a)[m, k] · op(b)[k, n], and bColumnSums (+)= op(b)'s column sums when given. Loop
 * orders keep the innermost loop on contiguous memory for the three cases layers use (forward, weight
 * gradient, input gradient).
 */
export function matmul({ a, b, out, m, n, k, transA, transB, accumulate, bColumnSums }: MatmulArgs): void {
  if (bColumnSums) columnSums(b, bColumnSums, k, n, transB);
  if (!accumulate) out.fill(0, 0, m * n);
  if (!transA && !transB) {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        if (aip === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) out[row + j] += aip * b[bRow + j];
      }
    }
  } else if (transA && !transB) {
    // a is stored [k, m]: out = aᵀ b, accumulated one shared row p at a time.
    for (let p = 0; p < k; p++) {
      const bRow = p * n;
      for (let i = 0; i < m; i++) {
        const api = a[p * m + i];
        if (api === 0) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) out[row + j] += api * b[bRow + j];
      }
    }
  } else if (!transA && transB) {
    // b is stored [n, k]: each output is a dot product of two contiguous rows.
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      for (let j = 0; j < n; j++) {
        const bRow = j * k;
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[aRow + p] * b[bRow + p];
        out[i * n + j] += sum;
      }
    }
  } else {
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[p * m + i] * b[j * k + p];
        out[i * n + j] += sum;
      }
  }
}

export function addBias({
  out,
  bias,
  outer,
  channels,
  inner,
}: {
  out: FloatArray;
  bias: FloatArray;
  outer: number;
  channels: number;
  inner: number;
}): void {
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const value = bias[c];
      for (let i = 0; i < inner; i++) out[base + i] += value;
    }
}

export function biasGrad({
  dy,
  dBias,
  outer,
  channels,
  inner,
}: {
  dy: FloatArray;
  dBias: FloatArray;
  outer: number;
  channels: number;
  inner: number;
}): void {
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      let sum = 0;
      for (let i = 0; i < inner; i++) sum += dy[base + i];
      dBias[c] += sum;
    }
}
