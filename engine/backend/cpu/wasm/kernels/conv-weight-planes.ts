// The weight gradient of a layer with few taps (see conv-few-taps.ts: a network's first layer), stride 1,
// summed from the sample's zero-padded planes without im2col:
//   dW[co][ci, ky, kx] = Σ over output positions (oy, ox) of dy[co][oy, ox] · x[ci][oy + ky − ph, ox + kx − pw].
// im2col writes cIn·kh·kw floats for each output position and the product packs them again (transposed, one
// float at a time), for only cOut multiply-adds each: LeNet-5's first layer ran at a third of the product's
// speed. (For layers of many taps this kernel is no faster than the product: LeNet-5's second layer, 6 → 16
// channels of 5 × 5, ran at the same 9 GMAC/s, and wider layers at half the product's.)
//
// For each pair of output channels and each kernel row, the sample's dy rows are read once: every vector of 4
// output columns is multiplied by the TAP_RUN shifted input vectors under it, in 2 × TAP_RUN accumulators
// summed across lanes at the end. A row that ends inside a vector (rows of 10, of 13) ends with a vector whose
// lanes past the row are zero in dy (loaded short) and in x (masked), so nothing outside the row counts, not
// even a NaN. Taps past the kernel's width in a last run read the plane's zeros or the next row, and are
// never stored.
import { fewTapsApply, fewTapsPlaneFloats, padPlanes, paddedWidth } from './conv-few-taps';
import { madd } from './math';

/** Taps of one kernel row summed at once (the accumulators: 2 channels × TAP_RUN). */
const TAP_RUN: i32 = 5;

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/**
 * Whether planesBackwardWeight applies: a few-taps layer whose padded planes leave room (`room` floats) for
 * the reads of a last run of taps past the kernel's width.
 */
export function planesBackwardApply(cIn: i32, kh: i32, kw: i32, sh: i32, sw: i32, oh: i32, ow: i32, room: i32): bool {
  return fewTapsApply(cIn, kh, kw, sh, sw) && fewTapsPlaneFloats(cIn, kh, kw, oh, ow) + 8 <= room;
}

/** Samples [n0, n1) of dW += dy ⋆ x, stride 1, summed from the padded planes (`planes`: room for one sample's). */
export function planesBackwardWeight(
  x: usize, dy: usize, dw: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  ph: i32, pw: i32, oh: i32, ow: i32, planes: usize,
): void {
  const K = cIn * kh * kw;
  const hp = oh + kh - 1;
  const wp = paddedWidth(ow, kw);
  const P = oh * ow;
  const whole = ow & ~3;
  const tail = ow - whole;
  const keep = tailMask(tail);
  for (let b = n0; b < n1; b++) {
    padPlanes(at(x, b * cIn * h * wd), planes, cIn, h, wd, kh, kw, ph, pw, oh, ow);
    const dyb = at(dy, b * cOut * P);
    for (let co0 = 0; co0 < cOut; co0 += 2) {
      const two = co0 + 1 < cOut;
      const d0 = at(dyb, co0 * P);
      const d1 = two ? at(d0, P) : d0;
      for (let ci = 0; ci < cIn; ci++)
        for (let ky = 0; ky < kh; ky++)
          for (let kx0 = 0; kx0 < kw; kx0 += TAP_RUN) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0);
            let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0), b4 = f32x4.splat(0);
            for (let oy = 0; oy < oh; oy++) {
              const row = at(planes, (ci * hp + oy + ky) * wp + kx0);
              const g0row = at(d0, oy * ow);
              const g1row = at(d1, oy * ow);
              for (let ox = 0; ox < whole; ox += 4) {
                const g0 = v128.load(at(g0row, ox));
                const g1 = v128.load(at(g1row, ox));
                const xr = at(row, ox);
                let v = v128.load(xr);
                a0 = madd(g0, v, a0);
                b0 = madd(g1, v, b0);
                v = v128.load(xr, 4);
                a1 = madd(g0, v, a1);
                b1 = madd(g1, v, b1);
                v = v128.load(xr, 8);
                a2 = madd(g0, v, a2);
                b2 = madd(g1, v, b2);
                v = v128.load(xr, 12);
                a3 = madd(g0, v, a3);
                b3 = madd(g1, v, b3);
                v = v128.load(xr, 16);
                a4 = madd(g0, v, a4);
                b4 = madd(g1, v, b4);
              }
              if (tail > 0) {
                // The same, for the row's last 1 to 3 columns (the other lanes zero in both factors).
                const g0 = loadShort(at(g0row, whole), tail);
                const g1 = loadShort(at(g1row, whole), tail);
                const xr = at(row, whole);
                let v = v128.and(v128.load(xr), keep);
                a0 = madd(g0, v, a0);
                b0 = madd(g1, v, b0);
                v = v128.and(v128.load(xr, 4), keep);
                a1 = madd(g0, v, a1);
                b1 = madd(g1, v, b1);
                v = v128.and(v128.load(xr, 8), keep);
                a2 = madd(g0, v, a2);
                b2 = madd(g1, v, b2);
                v = v128.and(v128.load(xr, 12), keep);
                a3 = madd(g0, v, a3);
                b3 = madd(g1, v, b3);
                v = v128.and(v128.load(xr, 16), keep);
                a4 = madd(g0, v, a4);
                b4 = madd(g1, v, b4);
              }
            }
            const taps = min(TAP_RUN, kw - kx0);
            const out = at(dw, co0 * K + (ci * kh + ky) * kw + kx0);
            addTaps(out, a0, a1, a2, a3, a4, taps);
            if (two) addTaps(at(out, K), b0, b1, b2, b3, b4, taps);
          }
    }
  }
}

/** All bits set in the first `lanes` (0 to 3) lanes, zero in the others. */
@inline function tailMask(lanes: i32): v128 {
  return i32x4(lanes > 0 ? -1 : 0, lanes > 1 ? -1 : 0, lanes > 2 ? -1 : 0, 0);
}

/** The `lanes` (1 to 3) floats at p, zeros after them: nothing past them is read. */
@inline function loadShort(p: usize, lanes: i32): v128 {
  if (lanes == 1) return v128.load32_zero(p);
  const two = v128.load64_zero(p);
  return lanes == 2 ? two : f32x4.replace_lane(two, 2, load<f32>(p, 8));
}

/** Adds each accumulator's lane sum to the next `taps` (1 to TAP_RUN) floats at out. */
@inline function addTaps(out: usize, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, taps: i32): void {
  store<f32>(out, load<f32>(out) + lanesSum(a0));
  if (taps > 1) store<f32>(at(out, 1), load<f32>(at(out, 1)) + lanesSum(a1));
  if (taps > 2) store<f32>(at(out, 2), load<f32>(at(out, 2)) + lanesSum(a2));
  if (taps > 3) store<f32>(at(out, 3), load<f32>(at(out, 3)) + lanesSum(a3));
  if (taps > 4) store<f32>(at(out, 4), load<f32>(at(out, 4)) + lanesSum(a4));
}

@inline function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}
