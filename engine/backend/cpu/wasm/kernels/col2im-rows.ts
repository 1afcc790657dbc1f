// col2im for layers of stride 1 across, one image row at a time. The plain col2im adds each column row's
// stretch of ow values into the image, a short loop per (tap, output row): LeNet-5's second layer makes
// 1,500 such adds of 10 floats per sample, and they took two thirds as long as the product before them.
// Here each image row (16 pixels at a time) sums, in four registers, every tap row that lands on it: the
// tap's output row shifted by kx, read as whole vectors whose lanes outside the output row are masked to
// zero, then the sum is added into the image once.
//
// The masked lanes are read but never used: a cols area needs col2imSlackFloats(kw) floats of room before
// and after it (the reads of its first and last rows reach that far).

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Floats that must lie readable before and after a cols area that col2imRows reads. */
export function col2imSlackFloats(kw: i32): i32 {
  return kw + 16;
}

/** Whether col2imRows serves a layer: stride 1 across (the shift of a tap is then kx itself). */
export function col2imRowsApply(sw: i32, ow: i32): bool {
  return sw == 1 && ow > 0;
}

/** Floats of scratch col2imRows takes for its masks. */
export function col2imRowsScratchFloats(kw: i32): i32 {
  return kw * 16;
}

/**
 * dx += col2im(dcols), as col2im in conv.ts, for stride 1 across; each column row `ld` floats apart.
 * Scratch: col2imRowsScratchFloats(kw) floats.
 */
export function col2imRows(
  dcols: usize, dx: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, ph: i32, pw: i32, oh: i32, ow: i32, ld: i32, masks: usize,
): void {
  for (let c0 = 0; c0 < w; c0 += 16) {
    // Pixel c0 + i takes output column c0 + i + pw − kx of tap kx's row: its lane is kept where that
    // column lies in [0, ow) (compared unsigned, a negative column reads as huge).
    for (let kx = 0; kx < kw; kx++) {
      const ox = i32x4.add(i32x4.splat(c0 + pw - kx), i32x4(0, 1, 2, 3));
      for (let j = 0; j < 4; j++)
        v128.store(at(masks, (kx * 4 + j) * 4), i32x4.lt_u(i32x4.add(ox, i32x4.splat(4 * j)), i32x4.splat(ow)));
    }
    const n = w - c0;
    for (let ci = 0; ci < cIn; ci++)
      for (let iy = 0; iy < h; iy++) {
        let a0 = f32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        for (let ky = 0; ky < kh; ky++) {
          // Image row iy = oy·sh − ph + ky.
          const t = iy + ph - ky;
          if (t < 0) break;
          const oy = t / sh;
          if (oy * sh != t || oy >= oh) continue;
          let src = at(dcols, (ci * kh + ky) * kw * ld + oy * ow + c0 + pw);
          let mask = masks;
          for (let kx = 0; kx < kw; kx++) {
            a0 = f32x4.add(a0, v128.and(v128.load(src), v128.load(mask)));
            a1 = f32x4.add(a1, v128.and(v128.load(src, 16), v128.load(mask, 16)));
            a2 = f32x4.add(a2, v128.and(v128.load(src, 32), v128.load(mask, 32)));
            a3 = f32x4.add(a3, v128.and(v128.load(src, 48), v128.load(mask, 48)));
            // The next tap's row, one column further left.
            src += (<usize>ld << 2) - 4;
            mask += 64;
          }
        }
        const dst = at(dx, (ci * h + iy) * w + c0);
        addInto(dst, a0, n);
        addInto(at(dst, 4), a1, n - 4);
        addInto(at(dst, 8), a2, n - 8);
        addInto(at(dst, 12), a3, n - 12);
      }
  }
}

/** dst[0 … min(n, 4)) += v's first lanes (n ≤ 0: nothing): never a store past the image row. */
@inline function addInto(dst: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(dst, f32x4.add(v128.load(dst), v));
    return;
  }
  if (n <= 0) return;
  store<f32>(dst, load<f32>(dst) + f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(dst, load<f32>(dst, 4) + f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(dst, load<f32>(dst, 8) + f32x4.extract_lane(v, 2), 8);
}
