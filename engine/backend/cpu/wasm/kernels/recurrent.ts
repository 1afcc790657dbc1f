// The LSTM cell (see recurrent-kernels.ts for the readable version these are checked against), four units
// at a time. Gates are in PyTorch's order [i, f, g, o] along each row of 4u.
import { sigmoidv, tanhv } from './math';

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Lanes [j, j+4) of a row, with the tail past u padded (loads and stores stay inside by masking). */
@inline function lane(p: usize, j: i32, u: i32): v128 {
  if (j + 4 <= u) return v128.load(at(p, j));
  let v = f32x4.splat(0);
  if (j < u) v = f32x4.replace_lane(v, 0, load<f32>(at(p, j)));
  if (j + 1 < u) v = f32x4.replace_lane(v, 1, load<f32>(at(p, j + 1)));
  if (j + 2 < u) v = f32x4.replace_lane(v, 2, load<f32>(at(p, j + 2)));
  return v;
}

@inline function put(p: usize, j: i32, u: i32, v: v128): void {
  if (j + 4 <= u) {
    v128.store(at(p, j), v);
    return;
  }
  if (j < u) store<f32>(at(p, j), f32x4.extract_lane(v, 0));
  if (j + 1 < u) store<f32>(at(p, j + 1), f32x4.extract_lane(v, 1));
  if (j + 2 < u) store<f32>(at(p, j + 2), f32x4.extract_lane(v, 2));
}

/** i, f, o = σ(z), g = tanh(z); c = f ⊙ cPrev + i ⊙ g; h = o ⊙ tanh(c). The activated gates replace z. */
export function lstmCell(gates: usize, cPrev: usize, c: usize, h: usize, n: i32, u: i32): void {
  for (let b = 0; b < n; b++) {
    const zi = at(gates, b * 4 * u);
    const zf = at(zi, u);
    const zg = at(zf, u);
    const zo = at(zg, u);
    const cp = at(cPrev, b * u);
    const cb = at(c, b * u);
    const hb = at(h, b * u);
    for (let j = 0; j < u; j += 4) {
      const i = sigmoidv(lane(zi, j, u));
      const f = sigmoidv(lane(zf, j, u));
      const g = tanhv(lane(zg, j, u));
      const o = sigmoidv(lane(zo, j, u));
      put(zi, j, u, i);
      put(zf, j, u, f);
      put(zg, j, u, g);
      put(zo, j, u, o);
      const cv = f32x4.add(f32x4.mul(f, lane(cp, j, u)), f32x4.mul(i, g));
      put(cb, j, u, cv);
      put(hb, j, u, f32x4.mul(o, tanhv(cv)));
    }
  }
}

/**
 * Back through one step: tc = tanh(c), δc = dc + dh ⊙ o ⊙ (1 − tc²); dz_i = δc g i(1−i),
 * dz_f = δc cPrev f(1−f), dz_g = δc i (1−g²), dz_o = dh tc o(1−o); dc ← δc ⊙ f.
 */
export function lstmCellBackward(gates: usize, cPrev: usize, c: usize, dh: usize, dc: usize, dGates: usize, n: i32, u: i32): void {
  const one = f32x4.splat(1);
  for (let b = 0; b < n; b++) {
    const gi = at(gates, b * 4 * u);
    const gf = at(gi, u);
    const gg = at(gf, u);
    const go = at(gg, u);
    const di = at(dGates, b * 4 * u);
    const df = at(di, u);
    const dg = at(df, u);
    const dOut = at(dg, u);
    const cp = at(cPrev, b * u);
    const cb = at(c, b * u);
    const dhb = at(dh, b * u);
    const dcb = at(dc, b * u);
    for (let j = 0; j < u; j += 4) {
      const i = lane(gi, j, u);
      const f = lane(gf, j, u);
      const g = lane(gg, j, u);
      const o = lane(go, j, u);
      const tc = tanhv(lane(cb, j, u));
      const dhv = lane(dhb, j, u);
      const total = f32x4.add(lane(dcb, j, u), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      put(di, j, u, f32x4.mul(f32x4.mul(total, g), f32x4.mul(i, f32x4.sub(one, i))));
      put(df, j, u, f32x4.mul(f32x4.mul(total, lane(cp, j, u)), f32x4.mul(f, f32x4.sub(one, f))));
      put(dg, j, u, f32x4.mul(f32x4.mul(total, i), f32x4.sub(one, f32x4.mul(g, g))));
      put(dOut, j, u, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(o, f32x4.sub(one, o))));
      put(dcb, j, u, f32x4.mul(total, f));
    }
  }
}

/** y = σ(x) or tanh(x), element-wise (the other activations that need eˣ stay in the reference loops). */
export function sigmoid(x: usize, y: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) put(y, j, n, sigmoidv(lane(x, j, n)));
}

export function tanh(x: usize, y: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) put(y, j, n, tanhv(lane(x, j, n)));
}
