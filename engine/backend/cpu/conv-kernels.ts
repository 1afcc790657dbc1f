import type { Conv2dGeometry } from '../backend';
import type { FloatArray } from './types';

/*
 * Direct convolution over NCHW (the paper's chapter 5, as cross-correlation like every framework):
 * y[n, co, oy, ox] = Σ_{ci, ky, kx} x[n, ci, oy·sh − ph + ky, ox·sw − pw + kx] · w[co, ci, ky, kx].
 * These loops are the readable reference; faster kernels are checked against them.
 */

export function conv2d({ x, w, y, g }: { x: FloatArray; w: FloatArray; y: FloatArray; g: Conv2dGeometry }): void {
  const { n, cIn, h, w: width, cOut, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cOut; co++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let sum = 0;
          for (let ci = 0; ci < cIn; ci++) {
            const xPlane = (b * cIn + ci) * h * width;
            const wBase = (co * cIn + ci) * kh * kw;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - ph + ky;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pw + kx;
                if (ix < 0 || ix >= width) continue;
                sum += x[xPlane + iy * width + ix] * w[wBase + ky * kw + kx];
              }
            }
          }
          y[((b * cOut + co) * oh + oy) * ow + ox] = sum;
        }
}

/** dx[n, ci, iy, ix] += Σ dy[n, co, oy, ox] · w[co, ci, ky, kx] over the outputs that read that input. */
export function conv2dBackwardInput({
  dy,
  w,
  dx,
  g,
  accumulate,
}: {
  dy: FloatArray;
  w: FloatArray;
  dx: FloatArray;
  g: Conv2dGeometry;
  accumulate: boolean;
}): void {
  const { n, cIn, h, w: width, cOut, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  if (!accumulate) dx.fill(0, 0, n * cIn * h * width);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cOut; co++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const grad = dy[((b * cOut + co) * oh + oy) * ow + ox];
          if (grad === 0) continue;
          for (let ci = 0; ci < cIn; ci++) {
            const xPlane = (b * cIn + ci) * h * width;
            const wBase = (co * cIn + ci) * kh * kw;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - ph + ky;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pw + kx;
                if (ix < 0 || ix >= width) continue;
                dx[xPlane + iy * width + ix] += grad * w[wBase + ky * kw + kx];
              }
            }
          }
        }
}

/** dw[co, ci, ky, kx] += Σ_{n, oy, ox} x[n, ci, iy, ix] · dy[n, co, oy, ox]. */
export function conv2dBackwardWeight({
  x,
  dy,
  dw,
  g,
}: {
  x: FloatArray;
  dy: FloatArray;
  dw: FloatArray;
  g: Conv2dGeometry;
}): void {
  const { n, cIn, h, w: width, cOut, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  for (let co = 0; co < cOut; co++)
    for (let ci = 0; ci < cIn; ci++)
      for (let ky = 0; ky < kh; ky++)
        for (let kx = 0; kx < kw; kx++) {
          let sum = 0;
          for (let b = 0; b < n; b++) {
            const xPlane = (b * cIn + ci) * h * width;
            const yPlane = (b * cOut + co) * oh * ow;
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * sh - ph + ky;
              if (iy < 0 || iy >= h) continue;
              for (let ox = 0; ox < ow; ox++) {
                const ix = ox * sw - pw + kx;
                if (ix < 0 || ix >= width) continue;
                sum += x[xPlane + iy * width + ix] * dy[yPlane + oy * ow + ox];
              }
            }
          }
          dw[((co * cIn + ci) * kh + ky) * kw + kx] += sum;
        }
}

/* Pooling keeps channels: g.cOut equals g.cIn. Padding never wins a max (it is −∞ there). */

export function maxPool({
  x,
  y,
  argmax,
  g,
}: {
  x: FloatArray;
  y: FloatArray;
  argmax: FloatArray;
  g: Conv2dGeometry;
}): void {
  const { n, cIn, h, w: width, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  for (let plane = 0; plane < n * cIn; plane++) {
    const xPlane = plane * h * width;
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best = Number.NEGATIVE_INFINITY;
        let at = -1;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pw + kx;
            if (ix < 0 || ix >= width) continue;
            const v = x[xPlane + iy * width + ix];
            // NaN propagates, as in PyTorch, so a broken input is noticed rather than hidden.
            if (v > best || Number.isNaN(v)) {
              best = v;
              at = iy * width + ix;
              if (Number.isNaN(v)) break;
            }
          }
        }
        const o = (plane * oh + oy) * ow + ox;
        y[o] = best;
        argmax[o] = at;
      }
  }
}

export function maxPoolBackward({
  dy,
  argmax,
  dx,
  g,
  accumulate,
}: {
  dy: FloatArray;
  argmax: FloatArray;
  dx: FloatArray;
  g: Conv2dGeometry;
  accumulate: boolean;
}): void {
  const { n, cIn, h, w: width, oh, ow } = g;
  const outPlane = oh * ow;
  if (!accumulate) dx.fill(0, 0, n * cIn * h * width);
  for (let plane = 0; plane < n * cIn; plane++)
    for (let i = 0; i < outPlane; i++) {
      const o = plane * outPlane + i;
      if (argmax[o] >= 0) dx[plane * h * width + argmax[o]] += dy[o];
    }
}

export function avgPool({ x, y, g }: { x: FloatArray; y: FloatArray; g: Conv2dGeometry }): void {
  const { n, cIn, h, w: width, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const area = kh * kw;
  for (let plane = 0; plane < n * cIn; plane++) {
    const xPlane = plane * h * width;
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pw + kx;
            if (ix >= 0 && ix < width) sum += x[xPlane + iy * width + ix];
          }
        }
        y[(plane * oh + oy) * ow + ox] = sum / area;
      }
  }
}

export function avgPoolBackward(args: {
  dy: FloatArray;
  dx: FloatArray;
  g: Conv2dGeometry;
  accumulate: boolean;
}): void {
  const { dy, dx, g } = args;
  const { n, cIn, h, w: width, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  if (!args.accumulate) dx.fill(0, 0, n * cIn * h * width);
  const area = kh * kw;
  for (let plane = 0; plane < n * cIn; plane++) {
    const xPlane = plane * h * width;
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const grad = dy[(plane * oh + oy) * ow + ox] / area;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pw + kx;
            if (ix >= 0 && ix < width) dx[xPlane + iy * width + ix] += grad;
          }
        }
      }
  }
}
