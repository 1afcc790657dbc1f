// The LSTM cell (see recurrent-kernels.ts for the readable version these are checked against), four units
// at a time. Gates are in PyTorch's order [i, f, g, o] along each row of 4u.
import { gemmRows } from './gemm';
import { sigmoidv, tanhByLogisticv, tanhv } from './math';

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
  for (let b = 0; b < n; b++)
    cellRow(at(gates, b * 4 * u), 0, at(cPrev, b * u), at(c, b * u), at(h, b * u), 0, u);
}

/**
 * One sample's cell (see lstmCell). With `p` (else 0), z is the gates' row plus p's row (the step's input
 * projection, added here rather than copied in first); with `y` (else 0), h is also written there.
 */
@inline function cellRow(zi: usize, p: usize, cp: usize, cb: usize, hb: usize, y: usize, u: i32): void {
  const zf = at(zi, u);
  const zg = at(zf, u);
  const zo = at(zg, u);
  for (let j = 0; j < u; j += 4) {
    let vi = lane(zi, j, u);
    let vf = lane(zf, j, u);
    let vg = lane(zg, j, u);
    let vo = lane(zo, j, u);
    if (p != 0) {
      vi = f32x4.add(vi, lane(p, j, u));
      vf = f32x4.add(vf, lane(at(p, u), j, u));
      vg = f32x4.add(vg, lane(at(p, 2 * u), j, u));
      vo = f32x4.add(vo, lane(at(p, 3 * u), j, u));
    }
    const i = sigmoidv(vi);
    const f = sigmoidv(vf);
    const g = tanhByLogisticv(vg);
    const o = sigmoidv(vo);
    put(zi, j, u, i);
    put(zf, j, u, f);
    put(zg, j, u, g);
    put(zo, j, u, o);
    const cv = f32x4.add(f32x4.mul(f, lane(cp, j, u)), f32x4.mul(i, g));
    put(cb, j, u, cv);
    const hv = f32x4.mul(o, tanhByLogisticv(cv));
    put(hb, j, u, hv);
    if (y != 0) put(y, j, u, hv);
  }
}

/**
 * Back through one step: tc = tanh(c), δc = dc + dh ⊙ o ⊙ (1 − tc²); dz_i = δc g i(1−i),
 * dz_f = δc cPrev f(1−f), dz_g = δc i (1−g²), dz_o = dh tc o(1−o); dc ← δc ⊙ f.
 */
export function lstmCellBackward(gates: usize, cPrev: usize, c: usize, dh: usize, dc: usize, dGates: usize, n: i32, u: i32): void {
  for (let b = 0; b < n; b++) {
    const g = at(gates, b * 4 * u);
    const d = at(dGates, b * 4 * u);
    cellBackwardRow(g, at(cPrev, b * u), at(c, b * u), at(dh, b * u), 0, at(dc, b * u), d, 0, u);
  }
}

/**
 * One sample's cell backward (see lstmCellBackward). With `dy` (else 0), dh is its row plus dy's; with
 * `dp` (else 0), the gates' gradients are also written there.
 */
@inline function cellBackwardRow(
  gi: usize, cp: usize, cb: usize, dhb: usize, dy: usize, dcb: usize, di: usize, dp: usize, u: i32,
): void {
  const one = f32x4.splat(1);
  const gf = at(gi, u);
  const gg = at(gf, u);
  const go = at(gg, u);
  const df = at(di, u);
  const dg = at(df, u);
  const dOut = at(dg, u);
  for (let j = 0; j < u; j += 4) {
    const i = lane(gi, j, u);
    const f = lane(gf, j, u);
    const g = lane(gg, j, u);
    const o = lane(go, j, u);
    const tc = tanhByLogisticv(lane(cb, j, u));
    let dhv = lane(dhb, j, u);
    if (dy != 0) dhv = f32x4.add(dhv, lane(dy, j, u));
    const total = f32x4.add(lane(dcb, j, u), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
    const dzi = f32x4.mul(f32x4.mul(total, g), f32x4.mul(i, f32x4.sub(one, i)));
    const dzf = f32x4.mul(f32x4.mul(total, lane(cp, j, u)), f32x4.mul(f, f32x4.sub(one, f)));
    const dzg = f32x4.mul(f32x4.mul(total, i), f32x4.sub(one, f32x4.mul(g, g)));
    const dzo = f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(o, f32x4.sub(one, o)));
    put(di, j, u, dzi);
    put(df, j, u, dzf);
    put(dg, j, u, dzg);
    put(dOut, j, u, dzo);
    if (dp != 0) {
      put(dp, j, u, dzi);
      put(at(dp, u), j, u, dzf);
      put(at(dp, 2 * u), j, u, dzg);
      put(at(dp, 3 * u), j, u, dzo);
    }
    put(dcb, j, u, f32x4.mul(total, f));
  }
}

/**
 * Samples [n0, n1) of one whole LSTM step (the backend's lstmStep): gates = h · Wh, Wh packed once per pass
 * (packBWhole), then the cell on z = gates + the step's projection (row b at p + b · pStride); h also into
 * y (row b at y + b · yStride) where y is not 0. A sample's step needs only its own rows, so two threads
 * take a band of samples each and one hand-off serves the product and the cell.
 */
export function lstmStepRows(
  p: usize, pStride: i32, h: usize, whPacked: usize, gates: usize, cPrev: usize, c: usize, hNext: usize,
  y: usize, yStride: i32, n0: i32, n1: i32, u: i32, scratch: usize,
): void {
  if (n1 <= n0) return;
  const wu = 4 * u;
  gemmRows(at(h, n0 * u), whPacked, at(gates, n0 * wu), n1 - n0, wu, u, false, scratch);
  for (let b = n0; b < n1; b++) {
    const yb = y == 0 ? 0 : at(y, b * yStride);
    cellRow(at(gates, b * wu), at(p, b * pStride), at(cPrev, b * u), at(c, b * u), at(hNext, b * u), yb, u);
  }
}

/**
 * Samples [n0, n1) of one whole LSTM step backward (the backend's lstmStepBackward): dh = dzNext · Whᵀ
 * (Whᵀ packed once per pass; zeros without dzNext), plus dy's row b (at dy + b · dyStride) where dy is not
 * 0; then the cell backward, its gates' gradients into dz and into dProjected (row b at dp + b · pStride).
 */
export function lstmStepBackwardRows(
  dy: usize, dyStride: i32, dzNext: usize, whTPacked: usize, gates: usize, cPrev: usize, c: usize, dc: usize,
  dz: usize, dp: usize, pStride: i32, dh: usize, n0: i32, n1: i32, u: i32, scratch: usize,
): void {
  if (n1 <= n0) return;
  const wu = 4 * u;
  if (dzNext != 0) gemmRows(at(dzNext, n0 * wu), whTPacked, at(dh, n0 * u), n1 - n0, u, wu, false, scratch);
  else memory.fill(at(dh, n0 * u), 0, <usize>((n1 - n0) * u) << 2);
  for (let b = n0; b < n1; b++) {
    const dyb = dy == 0 ? 0 : at(dy, b * dyStride);
    cellBackwardRow(
      at(gates, b * wu), at(cPrev, b * u), at(c, b * u), at(dh, b * u), dyb, at(dc, b * u), at(dz, b * wu),
      at(dp, b * pStride), u,
    );
  }
}

/** y = σ(x) or tanh(x), element-wise (the other activations that need eˣ stay in the reference loops). */
export function sigmoid(x: usize, y: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) put(y, j, n, sigmoidv(lane(x, j, n)));
}

export function tanh(x: usize, y: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) put(y, j, n, tanhv(lane(x, j, n)));
}
