// A convolution's forward pass four output positions at a time, for patches of at most KC taps (LeNet-5's
// second layer: 6 channels of 5 × 5 = 150). The im2col route writes every patch into a matrix, the product
// packs that matrix again, and small planes need their outputs copied back from samples side by side: for
// such a layer those passes took as long as the multiply-adds. Here four positions of an output row at a
// time (a row's last four overlap the ones before when its length is not a multiple of 4) are multiplied
// by the weights packed once as B (8 output channels a strip): where their windows lie inside the image
// (stride 1 across), the micro-kernel reads their inputs in place, tap by tap through a table of offsets;
// elsewhere (the border of a padded layer, strided layers) the patches are first gathered into an A strip.
// Each 4 × 8 result is transposed into the output's planes: y[co, q..q+3] is one vector store. Gathering
// every group (no in-place reads) was tried: it cost as much as im2col and its packing.
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
  packB(w, cOut, K, true, 0, cOut, 0, K, packed, 0);
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
    if (inPlace) tileByOffsets(at(xb, iy * wd + ix), taps, K, 0, 4, 8, 12, at(packed, co * K), result);
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

// The weight gradient of a layer without padding (every window inside the image), in place as well:
// dW[co, t] = Σ over samples and positions q of dy[co, q] · x[q's window + tap t]. A 4 × 8 tile takes four
// taps and eight output channels over a group's positions: the four taps' inputs are splatted straight
// from x (each position's window through a table of position offsets, each tap a fixed offset from it),
// the eight channels' dy values from dy transposed once per group into strips of 8 channels. The im2col
// route wrote every patch, packed it transposed, and copied dy into samples side by side first.

/** About how many positions a group of samples gives each tile (dy's strips and x stay in L2). */
const WEIGHT_POSITIONS: i32 = 1024;

@inline function weightGroup(P: i32, n: i32): i32 {
  return max(1, min(n, WEIGHT_POSITIONS / P));
}

/** Whether the weight gradient is summed in place: no padding (then every window lies inside the image). */
export function weightsInPlaceApply(ph: i32, pw: i32): bool {
  return ph == 0 && pw == 0;
}

/** Floats of scratch: taps' and positions' offsets, dy transposed (channels rounded up to 8), the result. */
export function weightsInPlaceScratchFloats(cOut: i32, K: i32, P: i32, n: i32): i32 {
  const positions = weightGroup(P, n) * P;
  return K + positions + (((cOut + 7) >> 3) << 3) * positions + 64;
}

/**
 * result[r, j] = Σ over `count` steps p of x[offsets[p] + lane r's byte offset] · strip[p, j]: the A operand
 * read in place, its four lanes at fixed offsets (lane0 … lane3) from a base that a table moves each step.
 * The forward pass's lanes are four neighbouring positions (0, 4, 8, 12 bytes) and the table its taps; the
 * weight gradient's lanes are four taps and the table its positions.
 */
function tileByOffsets(
  xb: usize, offsets: usize, count: i32, lane0: usize, lane1: usize, lane2: usize, lane3: usize, strip: usize,
  result: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const x0 = xb + lane0;
  const x1 = xb + lane1;
  const x2 = xb + lane2;
  const x3 = xb + lane3;
  let bp = strip;
  let pp = offsets;
  const end = offsets + (<usize>count << 2);
  while (pp < end) {
    const offset = <usize>load<i32>(pp);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(x0 + offset);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(x1 + offset);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(x2 + offset);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(x3 + offset);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pp += 4;
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

/** Samples [n0, n1) of dW += dy · patchesᵀ for a layer without padding (see above). */
export function convBackwardWeightInPlace(
  x: usize, dy: usize, dw: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, oh: i32, ow: i32, scratch: usize,
): void {
  const K = cIn * kh * kw;
  const P = oh * ow;
  const group = weightGroup(P, n1 - n0);
  const strips = (cOut + 7) >> 3;
  const taps = scratch;
  const positions = at(taps, K);
  const dyT = at(positions, group * P);
  const result = at(dyT, strips * 8 * group * P);
  const turned = at(result, 32);
  tapOffsets(taps, cIn, h, wd, kh, kw);
  const sampleFloats = cIn * h * wd;
  for (let b = n0; b < n1; b += group) {
    const count = min(group, n1 - b);
    const span = count * P;
    // Each position's window, from the group's first sample: sample j's planes, row oy·sh, column ox·sw.
    for (let j = 0; j < count; j++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          store<i32>(positions + (<usize>(j * P + oy * ow + ox) << 2), (j * sampleFloats + oy * sh * wd + ox * sw) << 2);
    // dy transposed: strip s holds, for each position, channels 8s … 8s+7 (zeros past cOut).
    for (let s = 0; s < strips; s++)
      for (let j = 0; j < count; j++)
        for (let c = 0; c < 8; c++) {
          const co = s * 8 + c;
          const from = at(dy, ((b + j) * cOut + co) * P);
          const to = at(dyT, (s * span + j * P) * 8 + c);
          if (co < cOut) for (let q = 0; q < P; q++) store<f32>(at(to, q * 8), load<f32>(at(from, q)));
          else for (let q = 0; q < P; q++) store<f32>(at(to, q * 8), 0);
        }
    const xb = at(x, b * sampleFloats);
    for (let t = 0; t < K; t += 4) {
      const t0 = tapAt(taps, t, K);
      const t1 = tapAt(taps, t + 1, K);
      const t2 = tapAt(taps, t + 2, K);
      const t3 = tapAt(taps, t + 3, K);
      for (let s = 0; s < strips; s++) {
        tileByOffsets(xb, positions, span, t0, t1, t2, t3, at(dyT, s * span * 8), result);
        addWeights(dw, result, turned, K, cOut, t, s * 8);
      }
    }
  }
}

/** Tap t's byte offset; past the last tap, the last one's (a tile's rows for them are not added). */
@inline function tapAt(taps: usize, t: i32, K: i32): usize {
  return <usize>load<i32>(taps + (<usize>min(t, K - 1) << 2));
}

/** dW[co0 + j, t + r] += result[r, j] for the taps and channels that exist. */
@inline function addWeights(dw: usize, result: usize, turned: usize, K: i32, cOut: i32, t: i32, co0: i32): void {
  for (let half = 0; half < 8; half += 4) {
    // turned[j, r] = result[r, half + j]: each channel's four taps side by side, as dW holds them.
    transpose4(at(result, half), 32, turned, 16);
    for (let j = 0; j < 4; j++) {
      const co = co0 + half + j;
      if (co >= cOut) break;
      const row = at(dw, co * K + t);
      if (t + 4 <= K) v128.store(row, f32x4.add(v128.load(row), v128.load(at(turned, j * 4))));
      else for (let r = 0; r < K - t; r++) store<f32>(at(row, r), load<f32>(at(row, r)) + load<f32>(at(turned, j * 4 + r)));
    }
  }
}
