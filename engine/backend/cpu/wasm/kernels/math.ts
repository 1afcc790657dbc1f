// exp, sigmoid and tanh on four lanes: Cephes' single-precision algorithms (relative error ~1e-7); and the
// multiply-add of the products and polynomials.

/**
 * acc + x·y on four lanes. Built twice (scripts/build-wasm.ts): with relaxed SIMD it is one fused
 * multiply-add where the processor has one (x86's FMA3, Arm's FMLA), about a sixth more multiply-adds a
 * second from the products' micro-kernel; without, a multiply and an add, for runtimes without relaxed SIMD
 * (Node 20 before its flag). Either rounding is within the kernels' tolerance of the reference loops.
 */
@inline export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/** 1.5 · 2²³: a float in [2²³, 2²⁴) keeps no fraction, so adding it rounds to an integer held in the low bits. */
const ROUNDER: f32 = 12582912;

/**
 * eˣ: x = n ln2 + r with |r| ≤ ln2/2, eʳ by a degree-6 polynomial, 2ⁿ through the exponent bits. The clamp is
 * pmax/pmin (one instruction each, where min/max cost several for their NaN rules; a NaN x passes through),
 * and n comes from adding ROUNDER, whose sum's low bits are n itself: no floor, no conversion to integers.
 */
@inline export function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.33654)), f32x4.splat(88.37626));
  const rounded = madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(ROUNDER));
  const n = f32x4.sub(rounded, f32x4.splat(ROUNDER));
  // ln2 in two parts, so that r keeps its low bits.
  let r = madd(n, f32x4.splat(-0.693359375), x);
  r = madd(n, f32x4.splat(2.12194440e-4), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1));
  // n sits in the low bits of `rounded` (two's complement): shifted into the exponent field, plus the bias.
  const scale = i32x4.add(i32x4.shl(rounded, 23), i32x4.splat(127 << 23));
  return f32x4.mul(p, scale);
}

/** σ(x) = 1 / (1 + e⁻ˣ) */
@inline export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

/**
 * tanh: an odd polynomial for |x| < 0.625 (where 1 − 2/(e²ˣ + 1) would cancel), 1 − 2/(e²ˣ + 1) elsewhere.
 * NaN stays NaN.
 */
@inline export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expv(f32x4.add(x, x)), one)));
  const useSmall = f32x4.lt(f32x4.abs(x), f32x4.splat(0.625));
  const result = v128.bitselect(small, large, useSmall);
  // NaN compares false everywhere: pass it through.
  return v128.bitselect(result, x, f32x4.eq(x, x));
}

/**
 * tanh as 2σ(2x) − 1 = 2 / (1 + e⁻²ˣ) − 1: one eˣ and one division, where tanhv computes both of its branches.
 * The absolute error stays a few units in the last place of 1 (about 1e-7), but near 0 the relative error is
 * larger than tanhv's: for the LSTM cell, whose tanh values are added to and multiplied with values of
 * their own size, not for a tanh the user sees. NaN stays NaN.
 */
@inline export function tanhByLogisticv(x: v128): v128 {
  const one = f32x4.splat(1);
  const e = expv(f32x4.mul(x, f32x4.splat(-2)));
  return f32x4.sub(f32x4.div(f32x4.splat(2), f32x4.add(one, e)), one);
}
