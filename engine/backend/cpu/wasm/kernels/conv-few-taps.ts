// Convolution summed tap by tap for layers with few taps per output (cIn·kh·kw ≤ FEW_TAPS, stride 1): a
// network's first layer, such as LeNet-5's 1 → 6 channels of 5 × 5. There im2col writes 25 floats for every 25
// multiply-adds and the product's packing copies them again, so the layer ran at a third of the machine's
// speed. Here the sample's planes are copied once, zero-padded, and each output vector is summed tap by tap
// from them in registers.
//
// Layout in scratch memory (convForward checks that it fits):
//   planes: cIn planes of Hp rows × Wp floats, the image at row ph, column pw, zeros around it. Wp leaves
//           room for a whole vector past the last output column, so no load leaves the row's zeros.
//   weights: cOut rounded up to 4 rows of K taps, zeros in the padding rows.
// The weight gradient is summed from the same padded planes (conv-weight-planes.ts). The input gradient of a
// first layer is not needed.
import { madd } from './math';

/** The most taps (cIn·kh·kw) summed tap by tap; above it im2col's product is faster. */
export const FEW_TAPS: i32 = 32;

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline function roundUp(v: i32, m: i32): i32 {
  return ((v + m - 1) / m) * m;
}

/** Row length of a padded plane: the output's columns rounded to whole 8-float blocks, plus the window. */
@inline export function paddedWidth(ow: i32, kw: i32): i32 {
  return roundUp(ow, 8) + kw - 1;
}

/** Floats the padded planes of one sample take. */
export function fewTapsPlaneFloats(cIn: i32, kh: i32, kw: i32, oh: i32, ow: i32): i32 {
  return cIn * (oh + kh - 1) * paddedWidth(ow, kw);
}

/** Whether the layer is summed tap by tap: stride 1, few taps. */
export function fewTapsApply(cIn: i32, kh: i32, kw: i32, sh: i32, sw: i32): bool {
  return sh == 1 && sw == 1 && cIn * kh * kw <= FEW_TAPS;
}

/** One sample's planes, zero-padded, into `planes` (rows of Wp floats). */
export function padPlanes(x: usize, planes: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const hp = oh + kh - 1;
  const wp = paddedWidth(ow, kw);
  memory.fill(planes, 0, <usize>(cIn * hp * wp) << 2);
  for (let ci = 0; ci < cIn; ci++)
    for (let iy = 0; iy < h; iy++) {
      const row = iy + ph;
      if (row < 0 || row >= hp) continue;
      // Columns of the image that land inside the padded row (padding may be negative only in theory).
      const from = max(0, -pw);
      const to = min(w, wp - pw);
      if (to > from)
        memory.copy(at(planes, (ci * hp + row) * wp + pw + from), at(x, (ci * h + iy) * w + from), <usize>(to - from) << 2);
    }
}

/**
 * Samples [n0, n1) of y = W ⋆ x, stride 1. Blocks of 4 output channels × 8 output columns are summed in
 * eight vector registers over every tap; partial blocks (at the right edge, past cOut) are computed whole
 * from zeros and stored only where they exist.
 */
export function fewTapsForward(
  x: usize, w: usize, y: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  ph: i32, pw: i32, oh: i32, ow: i32, planes: usize, weights: usize,
): void {
  const K = cIn * kh * kw;
  const cPad = roundUp(cOut, 4);
  memory.fill(weights, 0, <usize>(cPad * K) << 2);
  memory.copy(weights, w, <usize>(cOut * K) << 2);
  const hp = oh + kh - 1;
  const wp = paddedWidth(ow, kw);
  const P = oh * ow;
  for (let b = n0; b < n1; b++) {
    padPlanes(at(x, b * cIn * h * wd), planes, cIn, h, wd, kh, kw, ph, pw, oh, ow);
    const yb = at(y, b * cOut * P);
    for (let co0 = 0; co0 < cOut; co0 += 4) {
      if (cOut - co0 <= 2 && roundUp(ow, 8) % 16 == 0) {
        twoChannels(planes, weights, yb, co0, cOut, K, cIn, kh, kw, hp, wp, oh, ow, P);
        continue;
      }
      for (let oy = 0; oy < oh; oy++)
        for (let ox0 = 0; ox0 < ow; ox0 += 8) {
          let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
          let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
          let t = 0;
          for (let ci = 0; ci < cIn; ci++)
            for (let ky = 0; ky < kh; ky++) {
              const row = at(planes, (ci * hp + oy + ky) * wp + ox0);
              for (let kx = 0; kx < kw; kx++, t++) {
                const i0 = v128.load(at(row, kx));
                const i1 = v128.load(at(row, kx + 4));
                const wt = at(weights, co0 * K + t);
                let v = v128.load32_splat(wt);
                a00 = madd(i0, v, a00);
                a01 = madd(i1, v, a01);
                v = v128.load32_splat(at(wt, K));
                a10 = madd(i0, v, a10);
                a11 = madd(i1, v, a11);
                v = v128.load32_splat(at(wt, 2 * K));
                a20 = madd(i0, v, a20);
                a21 = madd(i1, v, a21);
                v = v128.load32_splat(at(wt, 3 * K));
                a30 = madd(i0, v, a30);
                a31 = madd(i1, v, a31);
              }
            }
          const cols = min(8, ow - ox0);
          const out = at(yb, (co0 * oh + oy) * ow + ox0);
          storeBlock(out, a00, a01, cols);
          if (co0 + 1 < cOut) storeBlock(at(out, P), a10, a11, cols);
          if (co0 + 2 < cOut) storeBlock(at(out, 2 * P), a20, a21, cols);
          if (co0 + 3 < cOut) storeBlock(at(out, 3 * P), a30, a31, cols);
        }
    }
  }
}

/**
 * The last one or two output channels (LeNet-5's first layer has 6: a block of four would compute two
 * channels of zeros) as 2 channels × 16 columns, again eight accumulators. The caller checks that the
 * padded rows hold whole blocks of 16 (the reads stay inside each row).
 */
function twoChannels(
  planes: usize, weights: usize, yb: usize, co0: i32, cOut: i32, K: i32, cIn: i32, kh: i32, kw: i32,
  hp: i32, wp: i32, oh: i32, ow: i32, P: i32,
): void {
  for (let oy = 0; oy < oh; oy++)
    for (let ox0 = 0; ox0 < ow; ox0 += 16) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      let t = 0;
      for (let ci = 0; ci < cIn; ci++)
        for (let ky = 0; ky < kh; ky++) {
          const row = at(planes, (ci * hp + oy + ky) * wp + ox0);
          for (let kx = 0; kx < kw; kx++, t++) {
            const i0 = v128.load(at(row, kx));
            const i1 = v128.load(at(row, kx + 4));
            const i2 = v128.load(at(row, kx + 8));
            const i3 = v128.load(at(row, kx + 12));
            const wt = at(weights, co0 * K + t);
            let v = v128.load32_splat(wt);
            a0 = madd(i0, v, a0);
            a1 = madd(i1, v, a1);
            a2 = madd(i2, v, a2);
            a3 = madd(i3, v, a3);
            v = v128.load32_splat(at(wt, K));
            b0 = madd(i0, v, b0);
            b1 = madd(i1, v, b1);
            b2 = madd(i2, v, b2);
            b3 = madd(i3, v, b3);
          }
        }
      const out = at(yb, (co0 * oh + oy) * ow + ox0);
      const cols = min(16, ow - ox0);
      storeBlock(out, a0, a1, min(8, cols));
      if (cols > 8) storeBlock(at(out, 8), a2, a3, cols - 8);
      if (co0 + 1 < cOut) {
        storeBlock(at(out, P), b0, b1, min(8, cols));
        if (cols > 8) storeBlock(at(out, P + 8), b2, b3, cols - 8);
      }
    }
}

/** The first `cols` (1 to 8) floats of the two vectors, at out. */
@inline function storeBlock(out: usize, lo: v128, hi: v128, cols: i32): void {
  if (cols == 8) {
    v128.store(out, lo);
    v128.store(out, hi, 16);
    return;
  }
  for (let i = 0; i < cols; i++) store<f32>(at(out, i), i < 4 ? laneOf(lo, i) : laneOf(hi, i - 4));
}

@inline function laneOf(v: v128, i: i32): f32 {
  if (i == 0) return f32x4.extract_lane(v, 0);
  if (i == 1) return f32x4.extract_lane(v, 1);
  if (i == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}
