// The optimizers over the flat parameter buffer, in PyTorch's formulation (see optimizer-kernels.ts for
// the readable version these are checked against): four parameters at a time, the tail one by one.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** p ← p − η g */
export function sgd(p: usize, g: usize, n: i32, lr: f32): void {
  const lrv = f32x4.splat(lr);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4)
    v128.store(at(p, i), f32x4.sub(v128.load(at(p, i)), f32x4.mul(lrv, v128.load(at(g, i)))));
  for (let i = simd; i < n; i++) store<f32>(at(p, i), load<f32>(at(p, i)) - lr * load<f32>(at(g, i)));
}

/** v ← μ v + g; p ← p − η v, or with Nesterov p ← p − η (g + μ v). */
export function momentum(p: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, nesterov: bool): void {
  const lrv = f32x4.splat(lr);
  const muv = f32x4.splat(mu);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    const gv = v128.load(at(g, i));
    const vv = f32x4.add(f32x4.mul(muv, v128.load(at(v, i))), gv);
    v128.store(at(v, i), vv);
    const step = nesterov ? f32x4.add(gv, f32x4.mul(muv, vv)) : vv;
    v128.store(at(p, i), f32x4.sub(v128.load(at(p, i)), f32x4.mul(lrv, step)));
  }
  for (let i = simd; i < n; i++) {
    const gi = load<f32>(at(g, i));
    const vi = mu * load<f32>(at(v, i)) + gi;
    store<f32>(at(v, i), vi);
    store<f32>(at(p, i), load<f32>(at(p, i)) - lr * (nesterov ? gi + mu * vi : vi));
  }
}

/**
 * Adagrad (decay 1, s ← s + g²) and RMSprop (s ← ρ s + (1 − ρ) g²), then p ← p − η g / (√s + ε).
 */
export function scaledBySquares(p: usize, g: usize, s: usize, n: i32, lr: f32, decay: f32, gain: f32, eps: f32): void {
  const lrv = f32x4.splat(lr);
  const dv = f32x4.splat(decay);
  const gn = f32x4.splat(gain);
  const ev = f32x4.splat(eps);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    const gv = v128.load(at(g, i));
    const sv = f32x4.add(f32x4.mul(dv, v128.load(at(s, i))), f32x4.mul(gn, f32x4.mul(gv, gv)));
    v128.store(at(s, i), sv);
    const step = f32x4.div(f32x4.mul(lrv, gv), f32x4.add(f32x4.sqrt(sv), ev));
    v128.store(at(p, i), f32x4.sub(v128.load(at(p, i)), step));
  }
  for (let i = simd; i < n; i++) {
    const gi = load<f32>(at(g, i));
    const si = decay * load<f32>(at(s, i)) + gain * gi * gi;
    store<f32>(at(s, i), si);
    store<f32>(at(p, i), load<f32>(at(p, i)) - (lr * gi) / (sqrt<f32>(si) + eps));
  }
}

/** s ← ρ s + (1−ρ) g²; Δ = √(u+ε)/√(s+ε) g; u ← ρ u + (1−ρ) Δ²; p ← p − η Δ (u is slot 1). */
export function adadelta(p: usize, g: usize, u: usize, s: usize, n: i32, lr: f32, rho: f32, eps: f32): void {
  for (let i = 0; i < n; i++) {
    const gi = load<f32>(at(g, i));
    const si = rho * load<f32>(at(s, i)) + (1 - rho) * gi * gi;
    store<f32>(at(s, i), si);
    const ui = load<f32>(at(u, i));
    const delta = (sqrt<f32>(ui + eps) / sqrt<f32>(si + eps)) * gi;
    store<f32>(at(u, i), rho * ui + (1 - rho) * delta * delta);
    store<f32>(at(p, i), load<f32>(at(p, i)) - lr * delta);
  }
}

/** v ← β₁ v + (1−β₁) g; s ← β₂ s + (1−β₂) g²; p ← p − stepSize · v / (√s / √(1−β₂ᵗ) + ε). */
export function adam(
  p: usize, g: usize, v: usize, s: usize, n: i32,
  stepSize: f32, beta1: f32, beta2: f32, sqrtCorrection2: f32, eps: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const b1c = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const b2c = f32x4.splat(1 - beta2);
  const step = f32x4.splat(stepSize);
  const corr = f32x4.splat(sqrtCorrection2);
  const ev = f32x4.splat(eps);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    const gv = v128.load(at(g, i));
    const vv = f32x4.add(f32x4.mul(b1, v128.load(at(v, i))), f32x4.mul(b1c, gv));
    const sv = f32x4.add(f32x4.mul(b2, v128.load(at(s, i))), f32x4.mul(b2c, f32x4.mul(gv, gv)));
    v128.store(at(v, i), vv);
    v128.store(at(s, i), sv);
    const denominator = f32x4.add(f32x4.div(f32x4.sqrt(sv), corr), ev);
    v128.store(at(p, i), f32x4.sub(v128.load(at(p, i)), f32x4.div(f32x4.mul(step, vv), denominator)));
  }
  for (let i = simd; i < n; i++) {
    const gi = load<f32>(at(g, i));
    const vi = beta1 * load<f32>(at(v, i)) + (1 - beta1) * gi;
    const si = beta2 * load<f32>(at(s, i)) + (1 - beta2) * gi * gi;
    store<f32>(at(v, i), vi);
    store<f32>(at(s, i), si);
    store<f32>(at(p, i), load<f32>(at(p, i)) - (stepSize * vi) / (sqrt<f32>(si) / sqrtCorrection2 + eps));
  }
}

/** acc + the squares of v's four floats, in double precision: a gradient of 1e20 is large, not infinite. */
@inline function addSquares(acc: v128, v: v128): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
}

/**
 * Σ g², accumulated in double precision (two lanes) so that large models do not lose it to rounding. Four
 * sums of every fourth vector: one sum would wait on its own addition's latency at each vector (this pass
 * ran at a quarter of the speed the core can square and add).
 */
export function sumSquares(g: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  const blocks = n & ~15;
  for (let i = 0; i < blocks; i += 16) {
    a0 = addSquares(a0, v128.load(at(g, i)));
    a1 = addSquares(a1, v128.load(at(g, i + 4)));
    a2 = addSquares(a2, v128.load(at(g, i + 8)));
    a3 = addSquares(a3, v128.load(at(g, i + 12)));
  }
  let acc = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  const simd = n & ~3;
  for (let i = blocks; i < simd; i += 4) acc = addSquares(acc, v128.load(at(g, i)));
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (let i = simd; i < n; i++) {
    const v = <f64>load<f32>(at(g, i));
    sum += v * v;
  }
  return sum;
}

/** Σ g² (above) into the double at `out`: how a helper thread gives back its half's sum. */
export function sumSquaresInto(g: usize, n: i32, out: usize): void {
  store<f64>(out, sumSquares(g, n));
}

/** g ← c g, c given as its bits (a helper thread's arguments are integers). */
export function scaleBits(g: usize, n: i32, bits: i32): void {
  scale(g, n, reinterpret<f32>(bits));
}

/** g ← c g */
export function scale(g: usize, n: i32, c: f32): void {
  const cv = f32x4.splat(c);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) v128.store(at(g, i), f32x4.mul(cv, v128.load(at(g, i))));
  for (let i = simd; i < n; i++) store<f32>(at(g, i), c * load<f32>(at(g, i)));
}

/**
 * One optimizer's update over n parameters from p, its float arguments given as their bits: a helper
 * thread's job arguments are integers, and this lets each thread update half of the parameters. `kind`
 * is the kernel's place in optimizerKernels (engine/ops/optimizers.ts): sgd, momentum, scaledBySquares,
 * adadelta, adam; slot1 and slot2 are its state buffers (0 where it keeps none); a flag is 0 or 1.
 */
export function optimizerBits(
  kind: i32, p: usize, g: usize, slot1: usize, slot2: usize, n: i32, a: i32, b: i32, c: i32, d: i32, e: i32,
): void {
  if (kind == 0) sgd(p, g, n, reinterpret<f32>(a));
  else if (kind == 1) momentum(p, g, slot1, n, reinterpret<f32>(a), reinterpret<f32>(b), c != 0);
  else if (kind == 2)
    scaledBySquares(p, g, slot2, n, reinterpret<f32>(a), reinterpret<f32>(b), reinterpret<f32>(c), reinterpret<f32>(d));
  else if (kind == 3) adadelta(p, g, slot1, slot2, n, reinterpret<f32>(a), reinterpret<f32>(b), reinterpret<f32>(c));
  else adam(p, g, slot1, slot2, n, reinterpret<f32>(a), reinterpret<f32>(b), reinterpret<f32>(c), reinterpret<f32>(d), reinterpret<f32>(e));
}
