// Max pooling over NCHW float32 planes, forward (the winner of each window saved) and backward.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Max over each window; the winner's index within its sample plane is saved (-1: window all padding). */
export function maxPool(
  x: usize, y: usize, argmax: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0) {
    maxPool2x2(x, y, argmax, planes, h, w, oh, ow);
    return;
  }
  if (ph == 0 && pw == 0) {
    maxPoolInside(x, y, argmax, planes, h, w, kh, kw, sh, sw, oh, ow);
    return;
  }
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

/**
 * The common 2×2, stride-2 pooling, four outputs at a time: the even and odd columns of two input rows are
 * the window's four candidates, compared in the reference's order (first maximum wins). A group of four
 * windows holding a NaN goes through the scalar loop, which keeps the first NaN as PyTorch does.
 */
function maxPool2x2(x: usize, y: usize, argmax: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  const lanes = i32x4(0, 2, 4, 6);
  for (let plane = 0; plane < planes; plane++) {
    const xPlane = at(x, plane * h * w);
    const o0 = plane * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = at(xPlane, 2 * oy * w);
      const r1 = at(xPlane, (2 * oy + 1) * w);
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        const a0 = v128.load(at(r0, 2 * ox));
        const a1 = v128.load(at(r0, 2 * ox + 4));
        const b0 = v128.load(at(r1, 2 * ox));
        const b1 = v128.load(at(r1, 2 * ox + 4));
        const c00 = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
        const c01 = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
        const c10 = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
        const c11 = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
        const anyNaN = v128.or(
          v128.or(f32x4.ne(c00, c00), f32x4.ne(c01, c01)),
          v128.or(f32x4.ne(c10, c10), f32x4.ne(c11, c11)),
        );
        if (v128.any_true(anyNaN)) break;
        const base = i32x4.add(i32x4.splat(2 * oy * w + 2 * ox), lanes);
        let best = c00;
        let winner = base;
        let m = f32x4.gt(c01, best);
        best = v128.bitselect(c01, best, m);
        winner = v128.bitselect(i32x4.add(base, i32x4.splat(1)), winner, m);
        m = f32x4.gt(c10, best);
        best = v128.bitselect(c10, best, m);
        winner = v128.bitselect(i32x4.add(base, i32x4.splat(w)), winner, m);
        m = f32x4.gt(c11, best);
        best = v128.bitselect(c11, best, m);
        winner = v128.bitselect(i32x4.add(base, i32x4.splat(w + 1)), winner, m);
        const o = o0 + oy * ow + ox;
        v128.store(at(y, o), best);
        v128.store(at(argmax, o), f32x4.convert_i32x4_s(winner));
      }
      if (ox < ow) maxPoolRowTail(xPlane, at(y, o0), at(argmax, o0), w, oy, ox, ow);
    }
  }
}

/** Outputs [from, ow) of one output row of a 2×2, stride-2 pooling, one by one (NaN-aware). */
function maxPoolRowTail(xPlane: usize, y: usize, argmax: usize, w: i32, oy: i32, from: i32, ow: i32): void {
  for (let ox = from; ox < ow; ox++) {
    const first = 2 * oy * w + 2 * ox;
    let best = load<f32>(at(xPlane, first));
    let winner = first;
    // The window's other three pixels in the reference's order; the first NaN wins and ends the search.
    for (let k = 1; k < 4 && !isNaN(best); k++) {
      const i = first + (k >> 1) * w + (k & 1);
      const v = load<f32>(at(xPlane, i));
      if (v > best || isNaN(v)) {
        best = v;
        winner = i;
      }
    }
    store<f32>(at(y, oy * ow + ox), best);
    store<f32>(at(argmax, oy * ow + ox), <f32>winner);
  }
}

/** Without padding every window lies inside the image: no bounds to check. */
function maxPoolInside(
  x: usize, y: usize, argmax: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, oh: i32, ow: i32,
): void {
  for (let plane = 0; plane < planes; plane++) {
    const xPlane = at(x, plane * h * w);
    const o0 = plane * oh * ow;
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const first = oy * sh * w + ox * sw;
        let best = load<f32>(at(xPlane, first));
        let winner = first;
        if (!isNaN(best)) {
          for (let ky = 0; ky < kh; ky++) {
            const row = first + ky * w;
            let kx = ky == 0 ? 1 : 0;
            for (; kx < kw; kx++) {
              const v = load<f32>(at(xPlane, row + kx));
              if (v > best || isNaN(v)) {
                best = v;
                winner = row + kx;
                if (isNaN(v)) break;
              }
            }
            if (isNaN(best)) break;
          }
        }
        const o = o0 + oy * ow + ox;
        store<f32>(at(y, o), best);
        store<f32>(at(argmax, o), <f32>winner);
      }
  }
}

/** dx += dy at each window's winner; unless accumulate, each plane is zeroed just before (while in cache). */
export function maxPoolBackward(
  dy: usize, argmax: usize, dx: usize, planes: i32, h: i32, w: i32, outPlane: i32, accumulate: bool,
): void {
  for (let plane = 0; plane < planes; plane++) {
    const dxPlane = at(dx, plane * h * w);
    if (!accumulate) memory.fill(dxPlane, 0, <usize>(h * w) << 2);
    for (let i = 0; i < outPlane; i++) {
      const o = plane * outPlane + i;
      const winner = <i32>load<f32>(at(argmax, o));
      if (winner >= 0) store<f32>(at(dxPlane, winner), load<f32>(at(dxPlane, winner)) + load<f32>(at(dy, o)));
    }
  }
}
