// Convolution helpers for the im2col formulation (see fast-conv.ts) and max pooling, over NCHW float32.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** One sample's patches as the columns of cols[cIn·kh·kw, oh·ow] (zeros where a patch leaves the image). */
export function im2col(
  x: usize, cols: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  const plane = oh * ow;
  for (let ci = 0; ci < cIn; ci++)
    for (let ky = 0; ky < kh; ky++)
      for (let kx = 0; kx < kw; kx++) {
        const row = at(cols, ((ci * kh + ky) * kw + kx) * plane);
        const xPlane = at(x, ci * h * w);
        // Output columns whose input column lies inside the image: [oxFrom, oxTo).
        let oxFrom = 0;
        while (oxFrom < ow && oxFrom * sw - pw + kx < 0) oxFrom++;
        let oxTo = ow;
        while (oxTo > oxFrom && (oxTo - 1) * sw - pw + kx >= w) oxTo--;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ky;
          const out = at(row, oy * ow);
          if (iy < 0 || iy >= h) {
            memory.fill(out, 0, <usize>ow << 2);
            continue;
          }
          if (oxFrom > 0) memory.fill(out, 0, <usize>oxFrom << 2);
          const src = at(xPlane, iy * w - pw + kx);
          if (sw == 1) memory.copy(at(out, oxFrom), at(src, oxFrom), <usize>(oxTo - oxFrom) << 2);
          else for (let ox = oxFrom; ox < oxTo; ox++) store<f32>(at(out, ox), load<f32>(at(src, ox * sw)));
          if (oxTo < ow) memory.fill(at(out, oxTo), 0, <usize>(ow - oxTo) << 2);
        }
      }
}

/** The transpose of im2col: each column's values are added back into the pixels they came from. */
export function col2im(
  dcols: usize, dx: usize, cIn: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  const plane = oh * ow;
  for (let ci = 0; ci < cIn; ci++)
    for (let ky = 0; ky < kh; ky++)
      for (let kx = 0; kx < kw; kx++) {
        const row = at(dcols, ((ci * kh + ky) * kw + kx) * plane);
        const xPlane = at(dx, ci * h * w);
        let oxFrom = 0;
        while (oxFrom < ow && oxFrom * sw - pw + kx < 0) oxFrom++;
        let oxTo = ow;
        while (oxTo > oxFrom && (oxTo - 1) * sw - pw + kx >= w) oxTo--;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          const src = at(row, oy * ow);
          const dst = at(xPlane, iy * w - pw + kx);
          if (sw == 1) {
            let ox = oxFrom;
            for (; ox + 4 <= oxTo; ox += 4)
              v128.store(at(dst, ox), f32x4.add(v128.load(at(dst, ox)), v128.load(at(src, ox))));
            for (; ox < oxTo; ox++) store<f32>(at(dst, ox), load<f32>(at(dst, ox)) + load<f32>(at(src, ox)));
          } else {
            for (let ox = oxFrom; ox < oxTo; ox++)
              store<f32>(at(dst, ox * sw), load<f32>(at(dst, ox * sw)) + load<f32>(at(src, ox)));
          }
        }
      }
}

/** Max over each window; the winner's index within its sample plane is saved (-1: window all padding). */
export function maxPool(
  x: usize, y: usize, argmax: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  for (let plane = 0; plane < planes; plane++) {
    const xPlane = at(x, plane * h * w);
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best: f32 = -Infinity;
        let winner = -1;
        let nan = false;
        for (let ky = 0; ky < kh && !nan; ky++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pw + kx;
            if (ix < 0 || ix >= w) continue;
            const v = load<f32>(at(xPlane, iy * w + ix));
            // NaN propagates, as in PyTorch, so a broken input is noticed rather than hidden.
            if (v > best || isNaN(v)) {
              best = v;
              winner = iy * w + ix;
              if (isNaN(v)) {
                nan = true;
                break;
              }
            }
          }
        }
        const o = (plane * oh + oy) * ow + ox;
        store<f32>(at(y, o), best);
        store<f32>(at(argmax, o), <f32>winner);
      }
  }
}

export function maxPoolBackward(dy: usize, argmax: usize, dx: usize, planes: i32, h: i32, w: i32, outPlane: i32): void {
  for (let plane = 0; plane < planes; plane++) {
    const dxPlane = at(dx, plane * h * w);
    for (let i = 0; i < outPlane; i++) {
      const o = plane * outPlane + i;
      const winner = <i32>load<f32>(at(argmax, o));
      if (winner >= 0) store<f32>(at(dxPlane, winner), load<f32>(at(dxPlane, winner)) + load<f32>(at(dy, o)));
    }
  }
}
