import type { Conv2dGeometry } from '../backend';
import type { matmul } from './dense-kernels';
import type { FloatArray } from './types';

type Matmul = typeof matmul;

/**
 * Convolution as matrix products (im2col), so the fast matrix multiply does the work: per sample,
 * the input patches become the columns of cols[Cin·kh·kw, OH·OW], and
 *   y = W · cols,  dW += dy · colsᵀ,  dcols = Wᵀ · dy  (then scattered back into dx: col2im).
 * The patch buffer is kept between calls (it grows to the largest layer, once).
 */
export function createFastConv(mm: Matmul) {
  let cols = new Float32Array(0);
  let dcols = new Float32Array(0);
  const room = (size: number) => {
    if (cols.length < size) {
      cols = new Float32Array(size);
      dcols = new Float32Array(size);
    }
  };

  function im2col(x: FloatArray, base: number, g: Conv2dGeometry): void {
    const { cIn, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
    const plane = oh * ow;
    for (let ci = 0; ci < cIn; ci++)
      for (let ky = 0; ky < kh; ky++)
        for (let kx = 0; kx < kw; kx++) {
          const row = ((ci * kh + ky) * kw + kx) * plane;
          const xPlane = base + ci * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ky;
            const at = row + oy * ow;
            if (iy < 0 || iy >= h) {
              cols.fill(0, at, at + ow);
              continue;
            }
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * sw - pw + kx;
              cols[at + ox] = ix >= 0 && ix < w ? x[xPlane + iy * w + ix] : 0;
            }
          }
        }
  }

  function col2im(dx: FloatArray, base: number, g: Conv2dGeometry): void {
    const { cIn, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
    const plane = oh * ow;
    for (let ci = 0; ci < cIn; ci++)
      for (let ky = 0; ky < kh; ky++)
        for (let kx = 0; kx < kw; kx++) {
          const row = ((ci * kh + ky) * kw + kx) * plane;
          const xPlane = base + ci * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= h) continue;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * sw - pw + kx;
              if (ix >= 0 && ix < w) dx[xPlane + iy * w + ix] += dcols[row + oy * ow + ox];
            }
          }
        }
  }

  const patch = (g: Conv2dGeometry) => g.cIn * g.kh * g.kw;

  return {
    conv2d({ x, w, y, g }: { x: FloatArray; w: FloatArray; y: FloatArray; g: Conv2dGeometry }): void {
      const K = patch(g);
      const P = g.oh * g.ow;
      room(K * P);
      for (let b = 0; b < g.n; b++) {
        im2col(x, b * g.cIn * g.h * g.w, g);
        const out = y.subarray(b * g.cOut * P, (b + 1) * g.cOut * P);
        mm({ a: w, b: cols, out, m: g.cOut, n: P, k: K, transA: false, transB: false, accumulate: false });
      }
    },
    conv2dBackwardWeight({ x, dy, dw, g }: { x: FloatArray; dy: FloatArray; dw: FloatArray; g: Conv2dGeometry }): void {
      const K = patch(g);
      const P = g.oh * g.ow;
      room(K * P);
      for (let b = 0; b < g.n; b++) {
        im2col(x, b * g.cIn * g.h * g.w, g);
        const grad = dy.subarray(b * g.cOut * P, (b + 1) * g.cOut * P);
        mm({ a: grad, b: cols, out: dw, m: g.cOut, n: K, k: P, transA: false, transB: true, accumulate: true });
      }
    },
    conv2dBackwardInput(args: {
      dy: FloatArray;
      w: FloatArray;
      dx: FloatArray;
      g: Conv2dGeometry;
      accumulate: boolean;
    }) {
      const { dy, w, dx, g } = args;
      const K = patch(g);
      const P = g.oh * g.ow;
      const sample = g.cIn * g.h * g.w;
      room(K * P);
      for (let b = 0; b < g.n; b++) {
        const grad = dy.subarray(b * g.cOut * P, (b + 1) * g.cOut * P);
        mm({ a: w, b: grad, out: dcols, m: K, n: P, k: g.cOut, transA: true, transB: false, accumulate: false });
        // col2im adds the windows' overlaps: a gradient written outright starts from zero, a sample at a time.
        if (!args.accumulate) dx.fill(0, b * sample, (b + 1) * sample);
        col2im(dx, b * sample, g);
      }
    },
  };
}
