// Convolutions over NCHW float32: im2col and col2im (see fast-conv.ts), and the passes over the batch that
// choose among the kernels of conv-*.ts and col2im-rows.ts.
import { col2imRows, col2imRowsApply } from './col2im-rows';
import { fewTapsApply, fewTapsForward, fewTapsPlaneFloats } from './conv-few-taps';
import { byPositionsApply, convBackwardWeightInPlace, convForwardByPositions, weightsInPlaceApply } from './conv-positions';
import { planesBackwardApply, planesBackwardWeight } from './conv-weight-planes';
import { copy } from './elementwise';
import { gemm } from './gemm';

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Short rows are copied inline: memory.copy is a call, and im2col copies many rows of a few dozen floats. */
@inline function copyRow(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i)));
}

/** The first output column whose input column (ox·sw − pw + kx) lies inside the image. */
@inline function firstInside(ow: i32, sw: i32, pw: i32, kx: i32): i32 {
  let ox = 0;
  while (ox < ow && ox * sw - pw + kx < 0) ox++;
  return ox;
}

/** One past the last output column, from `from`, whose input column lies inside an image of width w. */
@inline function endInside(from: i32, ow: i32, sw: i32, pw: i32, kx: i32, w: i32): i32 {
  let ox = ow;
  while (ox > from && (ox - 1) * sw - pw + kx >= w) ox--;
  return ox;
}

/**
 * One sample's patches as the columns of cols[cIn·kh·kw, oh·ow] (zeros where a patch leaves the image),
 * each row `ld` floats after the one before (oh·ow, or more when several samples sit side by side).
 */
export function im2col(
  x: usize, cols: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, ld: i32,
): void {
  for (let ci = 0; ci < cIn; ci++)
    for (let ky = 0; ky < kh; ky++)
      for (let kx = 0; kx < kw; kx++) {
        const row = at(cols, ((ci * kh + ky) * kw + kx) * ld);
        const xPlane = at(x, ci * h * w);
        // Output columns whose input column lies inside the image: [oxFrom, oxTo).
        const oxFrom = firstInside(ow, sw, pw, kx);
        const oxTo = endInside(oxFrom, ow, sw, pw, kx, w);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ky;
          const out = at(row, oy * ow);
          if (iy < 0 || iy >= h) {
            memory.fill(out, 0, <usize>ow << 2);
            continue;
          }
          if (oxFrom > 0) memory.fill(out, 0, <usize>oxFrom << 2);
          const src = at(xPlane, iy * w - pw + kx);
          if (sw == 1) copyRow(at(src, oxFrom), at(out, oxFrom), oxTo - oxFrom);
          else for (let ox = oxFrom; ox < oxTo; ox++) store<f32>(at(out, ox), load<f32>(at(src, ox * sw)));
          if (oxTo < ow) memory.fill(at(out, oxTo), 0, <usize>(ow - oxTo) << 2);
        }
      }
}

/** The transpose of im2col: each column's values are added back into the pixels they came from. */
export function col2im(
  dcols: usize, dx: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, ld: i32,
): void {
  for (let ci = 0; ci < cIn; ci++)
    for (let ky = 0; ky < kh; ky++)
      for (let kx = 0; kx < kw; kx++) {
        const row = at(dcols, ((ci * kh + ky) * kw + kx) * ld);
        const xPlane = at(dx, ci * h * w);
        const oxFrom = firstInside(ow, sw, pw, kx);
        const oxTo = endInside(oxFrom, ow, sw, pw, kx, w);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          const src = at(row, oy * ow);
          const dst = at(xPlane, iy * w - pw + kx);
          if (sw == 1) copy(at(src, oxFrom), at(dst, oxFrom), oxTo - oxFrom, true);
          else
            for (let ox = oxFrom; ox < oxTo; ox++)
              store<f32>(at(dst, ox * sw), load<f32>(at(dst, ox * sw)) + load<f32>(at(src, ox)));
        }
      }
}

// Small planes (a late layer: LeNet-5's second has 10 × 10 outputs) make small products, whose packing and
// edges cost as much as their multiply-adds: there several samples' patches sit side by side in cols, and
// one product serves them all (SIDE_COLUMNS columns or so). `side` holds the product's other operand or
// result in the same layout (cOut rows of the samples' planes side by side), copied to or from the tensor.

/** About how many columns a product over samples side by side gets. */
const SIDE_COLUMNS: i32 = 512;
/** The most floats of patches side by side (cols), so work areas stay small beside a layer's tensors. */
const SIDE_FLOATS: i32 = 1 << 17;

/** How many samples (of at most n) share one product: 1 for planes of SIDE_COLUMNS outputs or more. */
export function samplesPerProduct(K: i32, P: i32, n: i32): i32 {
  if (P >= SIDE_COLUMNS) return 1;
  return max(1, min(n, min(SIDE_COLUMNS / P, SIDE_FLOATS / (K * P))));
}

/** Rows of `count` samples' [rows, P] planes into `side` ([rows, count·P], the samples side by side), or back. */
function sideBySide(t: usize, side: usize, rows: i32, P: i32, count: i32, toSide: bool): void {
  const ld = count * P;
  for (let j = 0; j < count; j++)
    for (let r = 0; r < rows; r++) {
      const plane = at(t, (j * rows + r) * P);
      const inSide = at(side, r * ld + j * P);
      if (toSide) copy(plane, inSide, P, false);
      else copy(inSide, plane, P, false);
    }
}

/** Samples [n0, n1) of a convolution's forward pass: y = W · patches, per group of samples (see fast-conv.ts). */
export function convForward(
  x: usize, w: usize, y: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, cols: usize, side: usize, scratch: usize,
): void {
  const P = oh * ow;
  const K = cIn * kh * kw;
  // Few taps (a first layer): summed tap by tap, the padded planes in cols, the padded weights in scratch.
  if (fewTapsApply(cIn, kh, kw, sh, sw) && fewTapsPlaneFloats(cIn, kh, kw, oh, ow) <= K * P) {
    fewTapsForward(x, w, y, n0, n1, cIn, h, wd, cOut, kh, kw, ph, pw, oh, ow, cols, scratch);
    return;
  }
  const direct = isDirect(kh, kw, sh, sw, ph, pw);
  // Patches that fit one block of the product: gathered four positions at a time, no im2col.
  if (!direct && byPositionsApply(K)) {
    convForwardByPositions(x, w, y, n0, n1, cIn, h, wd, cOut, kh, kw, sh, sw, ph, pw, oh, ow, scratch);
    return;
  }
  const group = direct ? 1 : samplesPerProduct(K, P, n1 - n0);
  for (let b = n0; b < n1; b += group) {
    const count = min(group, n1 - b);
    if (count == 1) {
      const patches = patchesOf(at(x, b * cIn * h * wd), cols, cIn, h, wd, kh, kw, sh, sw, ph, pw, oh, ow);
      gemm(w, patches, at(y, b * cOut * P), cOut, P, K, false, false, false, scratch, 0, P, 0);
      continue;
    }
    const ld = count * P;
    for (let j = 0; j < count; j++)
      im2col(at(x, (b + j) * cIn * h * wd), at(cols, j * P), cIn, h, wd, kh, kw, sh, sw, ph, pw, oh, ow, ld);
    gemm(w, cols, side, cOut, ld, K, false, false, false, scratch, 0, ld, 0);
    sideBySide(at(y, b * cOut * P), side, cOut, P, count, false);
  }
}

/**
 * Samples [n0, n1) of dx += Wᵀ · dy, scattered back through col2im (1×1 convolutions add it directly). With
 * stride 1 across, dcols needs col2imSlackFloats(kw) readable floats around it (see col2im-rows.ts). Unless
 * accumulate, dx is written outright: each sample zeroed just before its col2im (while in cache).
 */
export function convBackwardInput(
  dy: usize, w: usize, dx: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, dcols: usize, side: usize, scratch: usize,
  accumulate: bool,
): void {
  const P = oh * ow;
  const K = cIn * kh * kw;
  const direct = isDirect(kh, kw, sh, sw, ph, pw);
  const group = direct ? 1 : samplesPerProduct(K, P, n1 - n0);
  const byRows = col2imRowsApply(sw, ow);
  for (let b = n0; b < n1; b += group) {
    const count = min(group, n1 - b);
    const dxb = at(dx, b * cIn * h * wd);
    const dyb = at(dy, b * cOut * P);
    if (direct) {
      gemm(w, dyb, dxb, K, P, cOut, true, false, accumulate, scratch, 0, P, 0);
      continue;
    }
    const ld = count * P;
    if (count == 1) gemm(w, dyb, dcols, K, P, cOut, true, false, false, scratch, 0, P, 0);
    else {
      sideBySide(dyb, side, cOut, P, count, true);
      gemm(w, side, dcols, K, ld, cOut, true, false, false, scratch, 0, ld, 0);
    }
    for (let j = 0; j < count; j++) {
      const sample = at(dxb, j * cIn * h * wd);
      if (!accumulate) memory.fill(sample, 0, <usize>(cIn * h * wd) << 2);
      if (byRows) col2imRows(at(dcols, j * P), sample, cIn, h, wd, kh, kw, sh, ph, pw, oh, ow, ld, scratch);
      else col2im(at(dcols, j * P), sample, cIn, h, wd, kh, kw, sh, sw, ph, pw, oh, ow, ld);
    }
  }
}

/** Samples [n0, n1) of dW += dy · patchesᵀ. */
export function convBackwardWeight(
  x: usize, dy: usize, dw: usize, n0: i32, n1: i32, cIn: i32, h: i32, wd: i32, cOut: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, cols: usize, side: usize, scratch: usize,
): void {
  const P = oh * ow;
  const K = cIn * kh * kw;
  // Few taps (a first layer): summed from the padded planes, which take the place of the patches in cols.
  if (planesBackwardApply(cIn, kh, kw, sh, sw, oh, ow, K * P)) {
    planesBackwardWeight(x, dy, dw, n0, n1, cIn, h, wd, cOut, kh, kw, ph, pw, oh, ow, cols);
    return;
  }
  const direct = isDirect(kh, kw, sh, sw, ph, pw);
  // No padding: summed from the windows in place, no im2col.
  if (!direct && weightsInPlaceApply(ph, pw)) {
    convBackwardWeightInPlace(x, dy, dw, n0, n1, cIn, h, wd, cOut, kh, kw, sh, sw, oh, ow, scratch);
    return;
  }
  const group = direct ? 1 : samplesPerProduct(K, P, n1 - n0);
  for (let b = n0; b < n1; b += group) {
    const count = min(group, n1 - b);
    const dyb = at(dy, b * cOut * P);
    if (count == 1) {
      const patches = patchesOf(at(x, b * cIn * h * wd), cols, cIn, h, wd, kh, kw, sh, sw, ph, pw, oh, ow);
      gemm(dyb, patches, dw, cOut, K, P, false, true, true, scratch, 0, K, 0);
      continue;
    }
    const ld = count * P;
    for (let j = 0; j < count; j++)
      im2col(at(x, (b + j) * cIn * h * wd), at(cols, j * P), cIn, h, wd, kh, kw, sh, sw, ph, pw, oh, ow, ld);
    sideBySide(dyb, side, cOut, P, count, true);
    gemm(side, cols, dw, cOut, K, ld, false, true, true, scratch, 0, K, 0);
  }
}

/** One sample's patch matrix: the sample itself for a direct (1×1) convolution, else its im2col into cols. */
@inline function patchesOf(
  xb: usize, cols: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): usize {
  if (isDirect(kh, kw, sh, sw, ph, pw)) return xb;
  im2col(xb, cols, cIn, h, w, kh, kw, sh, sw, ph, pw, oh, ow, oh * ow);
  return cols;
}

/** A 1×1 convolution with stride 1 and no padding: the sample itself is its patch matrix. */
@inline function isDirect(kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
}
