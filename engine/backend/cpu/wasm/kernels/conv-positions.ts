// A convolution's forward pass four output positions at a time, for patches of at most KC taps (LeNet-5's
// second layer: 6 channels of 5 × 5 = 150). The im2col route writes every patch into a matrix, the product
// packs that matrix again, and small planes need their outputs copied back from samples side by side: for
// such a layer those passes took as long as the multiply-adds. Here the four positions' patches are
// gathered straight into the micro-kernel's A layout (one vector load per tap where the four lie in one
// output row, stride 1, inside the image), multiplied by the weights packed once as B (8 output channels
// a strip), and each 4 × 8 result transposed into the output's planes: y[co, q..q+3] is one vector store.
//
// Scratch: the packed weights (cOut rounded up to 8, times K floats), the A strip (4·K), the taps' offsets
// (K), the result (32) and the micro-kernel's edge buffer (32).
import { KC, packB, tile, transpose4 } from './gemm';
import { madd } from './math';

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Whether a layer's forward pass goes four positions at a time: its patches fit one block of the product. */
export function byPositionsApply(K: i32): bool {
  return K <= KC;
}

export function byPositionsScratchFloats(cOut: i32, K: i32): i32 {
  return (((cOut + 7) >> 3) << 3) * K + 5 * K + 64;
}

/**
 * The patches of positions q0 … q0+3 of one sample (x: its planes) as an A strip: for each tap p, the four
 * positions' values side by side (zeros outside the image and past the plane's P positions).
 */
function gatherFour(
  x: usize, strip: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, ow: i32, P: i32, q0: i32,
): void {
  const oy = q0 / ow;
  const ox = q0 - oy * ow;
  if (sw == 1 && ox + 4 <= ow && q0 + 4 <= P) {
    // One output row: for each tap the four inputs are neighbours in one input row.
    const iy0 = oy * sh - ph;
    const ix0 = ox - pw;
    let p = 0;
    for (let ci = 0; ci < cIn; ci++)
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky;
        if (iy < 0 || iy >= h) {
          for (let kx = 0; kx < kw; kx++, p++) v128.store(at(strip, p * 4), f32x4.splat(0));
          continue;
        }
        const row = at(x, (ci * h + iy) * w);
        for (let kx = 0; kx < kw; kx++, p++) {
          const ix = ix0 + kx;
          if (ix >= 0 && ix + 4 <= w) v128.store(at(strip, p * 4), v128.load(at(row, ix)));
          else
            for (let r = 0; r < 4; r++)
              store<f32>(at(strip, p * 4 + r), ix + r >= 0 && ix + r < w ? load<f32>(at(row, ix + r)) : 0);
        }
      }
    return;
  }
  // Positions across a row's end (or the plane's): lane by lane.
  for (let r = 0; r < 4; r++) {
    const q = q0 + r;
    const qy = q / ow;
    const iy0 = qy * sh - ph;
    const ix0 = (q - qy * ow) * sw - pw;
    let p = 0;
    for (let ci = 0; ci < cIn; ci++)
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky;
        const inRows = q < P && iy >= 0 && iy < h;
        const row = at(x, (ci * h + iy) * w);
        for (let kx = 0; kx < kw; kx++, p++) {
          const ix = ix0 + kx;
          store<f32>(at(strip, p * 4 + r), inRows && ix >= 0 && ix < w ? load<f32>(at(row, ix)) : 0);
        }
      }
  }
}

/** Samples [n0, n1) of y = W · patches (see the file's comment); scratch holds byPositionsScratchFloats. */
export function convForwardByPositions(
  x: usize, w: usize, y: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, scratch: usize,
): void {
  const K = cIn * kh * kw;
  const P = oh * ow;
  const packed = scratch;
  const strip = at(packed, (((cOut + 7) >> 3) << 3) * K);
  const taps = at(strip, 4 * K);
  const result = at(taps, K);
  const edge = at(result, 32);
  // W is [cOut, K]: as the product's B (K × cOut), transposed.
  packB(w, cOut, K, true, 0, cOut, 0, K, packed);
  tapOffsets(taps, cIn, h, wd, kh, kw);
  for (let b = n0; b < n1; b++) {
    const xb = at(x, b * cIn * h * wd);
    const yb = at(y, b * cOut * P);
    if (ow < 4) {
      // Rows shorter than a vector: four positions of the flattened plane at a time.
      for (let q0 = 0; q0 < P; q0 += 4) fourPositions(xb, yb, packed, strip, taps, result, edge, cIn, h, wd, cOut, kh, kw, sh, sw, ph, pw, ow, P, q0);
      continue;
    }
    // Four positions of one row at a time; a row's last four end at its end, overlapping the ones before
    // when ow is not a multiple of 4 (those outputs are written twice, the same values): every group loads
    // a vector per tap.
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox += 4)
        fourPositions(xb, yb, packed, strip, taps, result, edge, cIn, h, wd, cOut, kh, kw, sh, sw, ph, pw, ow, P, oy * ow + min(ox, ow - 4));
  }
}

/**
 * The 4 × 8 product of four neighbouring positions' patches, read in place (src: the first position's
 * first tap; taps: each tap's byte offset from there, K of them), with a B strip: result[r, j].
 */
function tileInPlace(src: usize, taps: usize, K: i32, bStrip: usize, result: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let bp = bStrip;
  let tp = taps;
  const end = taps + (<usize>K << 2);
  while (tp < end) {
    const ap = src + <usize>load<i32>(tp);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    tp += 4;
    bp += 32;
  }
  v128.store(result, c00);
  v128.store(result, c01, 16);
  v128.store(result, c10, 32);
  v128.store(result, c11, 48);
  v128.store(result, c20, 64);
  v128.store(result, c21, 80);
  v128.store(result, c30, 96);
  v128.store(result, c31, 112);
}

/** Each tap's byte offset within a sample's planes from its window's first pixel: (ci·h + ky)·w + kx. */
function tapOffsets(taps: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32): void {
  let p = 0;
  for (let ci = 0; ci < cIn; ci++)
    for (let ky = 0; ky < kh; ky++)
      for (let kx = 0; kx < kw; kx++, p++) store<i32>(taps + (<usize>p << 2), ((ci * h + ky) * w + kx) << 2);
}

/** Outputs q0 … q0+3 (those inside the plane) of every channel of one sample. */
@inline function fourPositions(
  xb: usize, yb: usize, packed: usize, strip: usize, taps: usize, result: usize, edge: usize, cIn: i32,
  h: i32, wd: i32, cOut: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, ow: i32, P: i32, q0: i32,
): void {
  const K = cIn * kh * kw;
  const positions = min(4, P - q0);
  // Four positions of one row whose windows all lie inside the image (stride 1 across): read in place.
  const oy = q0 / ow;
  const iy = oy * sh - ph;
  const ix = q0 - oy * ow - pw;
  const inPlace = sw == 1 && positions == 4 && ix >= 0 && ix + 3 + kw <= wd && iy >= 0 && iy + kh <= h && q0 - oy * ow + 4 <= ow;
  if (!inPlace) gatherFour(xb, strip, cIn, h, wd, kh, kw, sh, sw, ph, pw, ow, P, q0);
  for (let co = 0; co < cOut; co += 8) {
    // result[r, j] = position q0 + r, channel co + j.
    if (inPlace) tileInPlace(at(xb, iy * wd + ix), taps, K, at(packed, co * K), result);
    else tile(strip, at(packed, co * K), K, result, 8, 4, 8, false, edge);
    const channels = min(8, cOut - co);
    for (let half = 0; half < 8; half += 4) {
      if (positions == 4 && half + 4 <= channels)
        transpose4(at(result, half), 32, at(yb, (co + half) * P + q0), <usize>P << 2);
      else
        for (let j = half; j < min(half + 4, channels); j++)
          for (let r = 0; r < positions; r++) store<f32>(at(yb, (co + j) * P + q0 + r), load<f32>(at(result, r * 8 + j)));
    }
  }
}
