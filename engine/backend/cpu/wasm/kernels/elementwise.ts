// Element-wise kernels over float32 arrays: four lanes at a time, then the tail one by one.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** out = src, or out += src. */
export function copy(src: usize, out: usize, n: i32, accumulate: bool): void {
  if (!accumulate) {
    memory.copy(out, src, <usize>n << 2);
    return;
  }
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) v128.store(at(out, i), f32x4.add(v128.load(at(out, i)), v128.load(at(src, i))));
  for (let i = simd; i < n; i++) store<f32>(at(out, i), load<f32>(at(out, i)) + load<f32>(at(src, i)));
}

export function fill(out: usize, value: f32, n: i32): void {
  if (value == 0 && !isNaN(value)) {
    memory.fill(out, 0, <usize>n << 2);
    return;
  }
  const v = f32x4.splat(value);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) v128.store(at(out, i), v);
  for (let i = simd; i < n; i++) store<f32>(at(out, i), value);
}

/** out = a ⊙ b, or out += a ⊙ b. */
export function mul(a: usize, b: usize, out: usize, n: i32, accumulate: bool): void {
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    let v = f32x4.mul(v128.load(at(a, i)), v128.load(at(b, i)));
    if (accumulate) v = f32x4.add(v, v128.load(at(out, i)));
    v128.store(at(out, i), v);
  }
  for (let i = simd; i < n; i++) {
    const v = load<f32>(at(a, i)) * load<f32>(at(b, i));
    store<f32>(at(out, i), accumulate ? load<f32>(at(out, i)) + v : v);
  }
}

/** fill with the value's bits as an integer (a helper thread's job arguments are integers). */
export function fillBits(out: usize, bits: i32, n: i32): void {
  fill(out, reinterpret<f32>(bits), n);
}

/** y = max(x, 0); NaN stays NaN (pmax: x < 0 ? 0 : x, one instruction where max keeps IEEE's rules in several). */
export function relu(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) v128.store(at(y, i), f32x4.pmax(v128.load(at(x, i)), zero));
  for (let i = simd; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(y, i), isNaN(v) ? v : max(v, 0));
  }
}

// The gradient kernels add into dx, or write it where their layer alone writes it (accumulate false: dx
// holds last step's values, never read). The choice is made once per call, outside the loops.

/** dx (+)= dy where x > 0 (the derivative is 0 at 0, as PyTorch's). */
export function reluBackward(x: usize, dy: usize, dx: usize, n: i32, accumulate: bool): void {
  const zero = f32x4.splat(0);
  const simd = n & ~3;
  if (accumulate)
    for (let i = 0; i < simd; i += 4) {
      const positive = f32x4.gt(v128.load(at(x, i)), zero);
      v128.store(at(dx, i), f32x4.add(v128.load(at(dx, i)), v128.and(v128.load(at(dy, i)), positive)));
    }
  else
    for (let i = 0; i < simd; i += 4)
      v128.store(at(dx, i), v128.and(v128.load(at(dy, i)), f32x4.gt(v128.load(at(x, i)), zero)));
  for (let i = simd; i < n; i++) {
    const d = load<f32>(at(x, i)) > 0 ? load<f32>(at(dy, i)) : 0;
    store<f32>(at(dx, i), accumulate ? load<f32>(at(dx, i)) + d : d);
  }
}

/** dx (+)= dy · y (1 − y), from the saved sigmoid output y. */
export function sigmoidBackward(y: usize, dy: usize, dx: usize, n: i32, accumulate: bool): void {
  const one = f32x4.splat(1);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    const yv = v128.load(at(y, i));
    const d = f32x4.mul(f32x4.mul(v128.load(at(dy, i)), yv), f32x4.sub(one, yv));
    v128.store(at(dx, i), accumulate ? f32x4.add(v128.load(at(dx, i)), d) : d);
  }
  for (let i = simd; i < n; i++) {
    const yv = load<f32>(at(y, i));
    const d = load<f32>(at(dy, i)) * yv * (1 - yv);
    store<f32>(at(dx, i), accumulate ? load<f32>(at(dx, i)) + d : d);
  }
}

/** dx (+)= dy (1 − y²), from the saved tanh output y. */
export function tanhBackward(y: usize, dy: usize, dx: usize, n: i32, accumulate: bool): void {
  const one = f32x4.splat(1);
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    const yv = v128.load(at(y, i));
    const d = f32x4.mul(v128.load(at(dy, i)), f32x4.sub(one, f32x4.mul(yv, yv)));
    v128.store(at(dx, i), accumulate ? f32x4.add(v128.load(at(dx, i)), d) : d);
  }
  for (let i = simd; i < n; i++) {
    const yv = load<f32>(at(y, i));
    const d = load<f32>(at(dy, i)) * (1 - yv * yv);
    store<f32>(at(dx, i), accumulate ? load<f32>(at(dx, i)) + d : d);
  }
}

/** out[o, c, i] += bias[c]. */
export function addBias(out: usize, bias: usize, outer: i32, channels: i32, inner: i32): void {
  if (inner == 1) {
    // Dense layers: each row gets the whole bias vector.
    for (let o = 0; o < outer; o++) copy(bias, at(out, o * channels), channels, true);
    return;
  }
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++) {
      const base = at(out, (o * channels + c) * inner);
      const value = load<f32>(at(bias, c));
      const v = f32x4.splat(value);
      const simd = inner & ~3;
      for (let i = 0; i < simd; i += 4) v128.store(at(base, i), f32x4.add(v128.load(at(base, i)), v));
      for (let i = simd; i < inner; i++) store<f32>(at(base, i), load<f32>(at(base, i)) + value);
    }
}

/** dBias[c] += Σ over o and i of dy[o, c, i]. */
export function biasGrad(dy: usize, dBias: usize, outer: i32, channels: i32, inner: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) copy(at(dy, o * channels), dBias, channels, true);
    return;
  }
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++) {
      const base = at(dy, (o * channels + c) * inner);
      let sums = f32x4.splat(0);
      const simd = inner & ~3;
      for (let i = 0; i < simd; i += 4) sums = f32x4.add(sums, v128.load(at(base, i)));
      let sum = f32x4.extract_lane(sums, 0) + f32x4.extract_lane(sums, 1) + f32x4.extract_lane(sums, 2) + f32x4.extract_lane(sums, 3);
      for (let i = simd; i < inner; i++) sum += load<f32>(at(base, i));
      store<f32>(at(dBias, c), load<f32>(at(dBias, c)) + sum);
    }
}

/** Strided blocks: out[outOffset + b·outStride + j] (+)= src[srcOffset + b·srcStride + j]. */
export function copyBlocks(
  src: usize, srcOffset: i32, srcStride: i32, out: usize, outOffset: i32, outStride: i32,
  blocks: i32, blockSize: i32, accumulate: bool,
): void {
  for (let b = 0; b < blocks; b++)
    copy(at(src, srcOffset + b * srcStride), at(out, outOffset + b * outStride), blockSize, accumulate);
}
