// C[M, N] (+)= op(A)[M, K] · op(B)[K, N] for float32, row-major, in the GotoBLAS/BLIS shape: K is cut into
// blocks of KC; for each block, op(B) is packed into strips of 8 columns and op(A) into strips of 4 rows
// (zero-padded, transposing on the way), and a 4 × 8 register-blocked micro-kernel multiplies one A strip by
// one B strip. The B strip (8 × KC floats) stays in L1 while every A strip passes over it.
import { madd } from './math';

export const KC: i32 = 256;

/** Floats of scratch the packing needs for these sizes (the caller provides them). */
export function gemmScratchFloats(m: i32, n: i32): i32 {
  return (((m + 3) >> 2) << 2) * KC + (((n + 7) >> 3) << 3) * KC + 32;
}

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/**
 * op(A)[:, p0..p0+kc] into strips of 4 rows: strip s holds, for each p, rows 4s..4s+3 side by side. A vector
 * at a time: a transposed A's four rows at one p are four neighbouring floats; a plain A's are four rows'
 * floats, read four p at a time and transposed in registers (a float at a time, the packing of a product
 * of few columns took a quarter of its time).
 */
function packA(a: usize, m: i32, k: i32, transA: bool, p0: i32, kc: i32, out: usize): void {
  const strips = (m + 3) >> 2;
  for (let s = 0; s < strips; s++) {
    const strip = at(out, s * 4 * kc);
    const first = s * 4;
    if (first + 4 > m) {
      packEdgeStrip(a, m, k, transA, p0, kc, first, strip);
    } else if (transA) {
      // A is stored [K, M].
      for (let p = 0; p < kc; p++) v128.store(at(strip, p * 4), v128.load(at(a, (p0 + p) * m + first)));
    } else {
      const rows = at(a, first * k + p0);
      const stride = <usize>k << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) transpose4(rows + (<usize>p << 2), stride, at(strip, p * 4), 16);
      for (; p < kc; p++)
        for (let r = 0; r < 4; r++) store<f32>(at(strip, p * 4 + r), load<f32>(rows + <usize>r * stride + (<usize>p << 2)));
    }
  }
}

/** The last strip of A when m is not a multiple of 4: its rows past m are zeros. */
function packEdgeStrip(a: usize, m: i32, k: i32, transA: bool, p0: i32, kc: i32, first: i32, strip: usize): void {
  for (let r = 0; r < 4; r++) {
    const i = first + r;
    if (i >= m) {
      for (let p = 0; p < kc; p++) store<f32>(at(strip, p * 4 + r), 0);
    } else if (transA) {
      for (let p = 0; p < kc; p++) store<f32>(at(strip, p * 4 + r), load<f32>(at(a, (p0 + p) * m + i)));
    } else {
      const row = at(a, i * k + p0);
      for (let p = 0; p < kc; p++) store<f32>(at(strip, p * 4 + r), load<f32>(at(row, p)));
    }
  }
}

/**
 * Columns [j0, j0 + width) of op(B)[p0..p0+kc, :] into strips of 8 columns: strip s holds, for each p,
 * columns j0+8s..j0+8s+7. B is [K, N] (or [N, K] when transposed). With `sums` (not 0; a plain B only) each
 * column's floats are also added into sums[j] on the way: a bias's gradient, when B is the gradient of a
 * product's output, without a pass of its own over it.
 */
export function packB(
  b: usize, n: i32, k: i32, transB: bool, j0: i32, width: i32, p0: i32, kc: i32, out: usize, sums: usize,
): void {
  const strips = (width + 7) >> 3;
  for (let s = 0; s < strips; s++) {
    const strip = at(out, s * 8 * kc);
    const first = j0 + s * 8;
    const cols = min(8, j0 + width - first);
    if (!transB) {
      let sum0 = f32x4.splat(0);
      let sum1 = f32x4.splat(0);
      for (let p = 0; p < kc; p++) {
        const row = at(b, (p0 + p) * n + first);
        const dst = at(strip, p * 8);
        if (cols == 8) {
          const low = v128.load(row);
          const high = v128.load(row, 16);
          v128.store(dst, low);
          v128.store(dst, high, 16);
          sum0 = f32x4.add(sum0, low);
          sum1 = f32x4.add(sum1, high);
        } else {
          for (let c = 0; c < 8; c++) store<f32>(at(dst, c), c < cols ? load<f32>(at(row, c)) : 0);
        }
      }
      if (sums != 0) {
        const into = at(sums, first);
        if (cols == 8) {
          v128.store(into, f32x4.add(v128.load(into), sum0));
          v128.store(into, f32x4.add(v128.load(into, 16), sum1), 16);
        } else {
          // The strip's zero padding holds nothing to add.
          for (let c = 0; c < cols; c++) {
            let sum: f32 = 0;
            for (let p = 0; p < kc; p++) sum += load<f32>(at(strip, p * 8 + c));
            store<f32>(at(into, c), load<f32>(at(into, c)) + sum);
          }
        }
      }
    } else if (cols == 8) {
      packTransposedStrip(at(b, first * k + p0), k, kc, strip);
    } else {
      // Column j of op(B) is row j of B.
      for (let c = 0; c < 8; c++) {
        if (c < cols) {
          const row = at(b, (first + c) * k + p0);
          for (let p = 0; p < kc; p++) store<f32>(at(strip, p * 8 + c), load<f32>(at(row, p)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(at(strip, p * 8 + c), 0);
        }
      }
    }
  }
}

/**
 * Eight rows of B (`ld` floats apart, kc floats each from `rows`) as one strip: for each p, the eight rows'
 * p-th floats side by side. Four p at a time, each row's four floats are read as a vector and two 4 × 4
 * blocks transposed in registers (the rows 0-3 and 4-7), where a float at a time cost a load and a store each.
 */
function packTransposedStrip(rows: usize, ld: i32, kc: i32, strip: usize): void {
  const stride = <usize>ld << 2;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const r0 = rows + (<usize>p << 2);
    const out = at(strip, p * 8);
    transpose4(r0, stride, out, 32);
    transpose4(r0 + 4 * stride, stride, out + 16, 32);
  }
  for (; p < kc; p++)
    for (let c = 0; c < 8; c++) store<f32>(at(strip, p * 8 + c), load<f32>(rows + <usize>c * stride + (<usize>p << 2)));
}

/** The 4 × 4 block at `from` (rows `stride` bytes apart) stored transposed at `to`, rows `toStride` bytes apart. */
@inline export function transpose4(from: usize, stride: usize, to: usize, toStride: usize): void {
  const a = v128.load(from);
  const b = v128.load(from + stride);
  const c = v128.load(from + 2 * stride);
  const d = v128.load(from + 3 * stride);
  // a0 b0 a1 b1 | a2 b2 a3 b3 | c0 d0 c1 d1 | c2 d2 c3 d3
  const ab01 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const ab23 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const cd01 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const cd23 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(to, i64x2.shuffle(ab01, cd01, 0, 2));
  v128.store(to + toStride, i64x2.shuffle(ab01, cd01, 1, 3));
  v128.store(to + 2 * toStride, i64x2.shuffle(ab23, cd23, 0, 2));
  v128.store(to + 3 * toStride, i64x2.shuffle(ab23, cd23, 1, 3));
}

/**
 * One 4 × 8 tile: C[i0.., j0..] (+)= Astrip · Bstrip over kc. `add` says whether C's old values count
 * (accumulating, or a later K block); rows and cols say how much of the tile lies inside C.
 */
export function tile(aStrip: usize, bStrip: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, add: bool, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let ap = aStrip;
  let bp = bStrip;
  const end = aStrip + (<usize>kc << 4);
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(ap, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(ap, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(ap, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    ap += 16;
    bp += 32;
  }
  const stride = <usize>ldc << 2;
  if (rows == 4 && cols == 8) {
    const r0 = c;
    const r1 = c + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    if (add) {
      c00 = f32x4.add(c00, v128.load(r0));
      c01 = f32x4.add(c01, v128.load(r0, 16));
      c10 = f32x4.add(c10, v128.load(r1));
      c11 = f32x4.add(c11, v128.load(r1, 16));
      c20 = f32x4.add(c20, v128.load(r2));
      c21 = f32x4.add(c21, v128.load(r2, 16));
      c30 = f32x4.add(c30, v128.load(r3));
      c31 = f32x4.add(c31, v128.load(r3, 16));
    }
    v128.store(r0, c00);
    v128.store(r0, c01, 16);
    v128.store(r1, c10);
    v128.store(r1, c11, 16);
    v128.store(r2, c20);
    v128.store(r2, c21, 16);
    v128.store(r3, c30);
    v128.store(r3, c31, 16);
    return;
  }
  // An edge tile: through a small buffer, then only the part inside C.
  v128.store(tmp, c00);
  v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32);
  v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64);
  v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96);
  v128.store(tmp, c31, 112);
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * stride;
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(at(tmp, r * 8 + j));
      store<f32>(at(row, j), add ? load<f32>(at(row, j)) + v : v);
    }
  }
}

/**
 * Columns [jFrom, jTo) of C (multiples of 8 except at the end): lets several threads share one product.
 * scratch must hold gemmScratchFloats(m, n) floats; each thread passes its own. bSums (0 for none, a plain
 * B only): bSums[j] += Σ_p B[p, j] for this thread's columns, summed while B is packed (see packB).
 */
export function gemm(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32,
  transA: bool, transB: bool, accumulate: bool, scratch: usize, jFrom: i32, jTo: i32, bSums: usize,
): void {
  if (jFrom >= jTo) return;
  const packedA = scratch;
  const packedB = at(scratch, (((m + 3) >> 2) << 2) * KC);
  const tmp = at(packedB, (((n + 7) >> 3) << 3) * KC);
  if (k == 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(at(c, i * n + jFrom), 0, <usize>(jTo - jFrom) << 2);
    return;
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    packA(a, m, k, transA, p0, kc, packedA);
    // Only this thread's columns of B.
    packB(b, n, k, transB, jFrom, jTo - jFrom, p0, kc, packedB, transB ? 0 : bSums);
    const add = accumulate || p0 > 0;
    const strips = (jTo - jFrom + 7) >> 3;
    for (let s = 0; s < strips; s++) {
      const j0 = jFrom + s * 8;
      const cols = min(8, jTo - j0);
      const bStrip = at(packedB, s * 8 * kc);
      for (let i0 = 0; i0 < m; i0 += 4)
        tile(at(packedA, i0 * kc), bStrip, kc, at(c, i0 * n + j0), n, min(4, m - i0), cols, add, tmp);
    }
  }
}

/** Floats that op(B)[K, N] takes packed whole (packBWhole): every K block's strips of 8 columns. */
export function packedBFloats(n: i32, k: i32): i32 {
  return ((n + 7) >> 3) * 8 * k;
}

/**
 * op(B) packed once for several products that share it (an LSTM's recurrent weights, the same for every
 * step of a pass): K block after K block, each laid out as gemm packs it, the block at p0 starting at
 * p0 · (n rounded up to 8) floats.
 */
export function packBWhole(b: usize, n: i32, k: i32, transB: bool, out: usize): void {
  const width = ((n + 7) >> 3) << 3;
  for (let p0 = 0; p0 < k; p0 += KC) packB(b, n, k, transB, 0, n, p0, min(KC, k - p0), at(out, p0 * width), 0);
}

/** Floats of scratch gemmRows needs for m rows (its packed A and the edge tile's buffer). */
export function gemmRowsScratchFloats(m: i32): i32 {
  return (((m + 3) >> 2) << 2) * KC + 32;
}

/**
 * C[m, n] (+)= A[m, k] · op(B) with op(B) already packed whole (packBWhole): only A is packed here. A and C
 * are plain row-major, so a thread can take a band of rows by offsetting both.
 */
export function gemmRows(a: usize, packedB: usize, c: usize, m: i32, n: i32, k: i32, accumulate: bool, scratch: usize): void {
  if (m <= 0) return;
  const packedA = scratch;
  const tmp = at(scratch, (((m + 3) >> 2) << 2) * KC);
  const width = ((n + 7) >> 3) << 3;
  if (k == 0) {
    if (!accumulate) memory.fill(c, 0, <usize>(m * n) << 2);
    return;
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    packA(a, m, k, false, p0, kc, packedA);
    const block = at(packedB, p0 * width);
    const add = accumulate || p0 > 0;
    for (let j0 = 0; j0 < n; j0 += 8) {
      const bStrip = at(block, j0 * kc);
      const cols = min(8, n - j0);
      for (let i0 = 0; i0 < m; i0 += 4)
        tile(at(packedA, i0 * kc), bStrip, kc, at(c, i0 * n + j0), n, min(4, m - i0), cols, add, tmp);
    }
  }
}
