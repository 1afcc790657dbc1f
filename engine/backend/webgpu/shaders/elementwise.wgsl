// Element-wise kernels (see engine/backend/cpu/*-kernels.ts for the readable versions).

// fill: out, size, value
@compute @workgroup_size(64)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(1u)) { return; }
  mem[u(0u) + i] = f(2u);
}

// copy: src, out, size, accumulate
@compute @workgroup_size(64)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(2u)) { return; }
  let v = mem[u(0u) + i];
  if (flag(3u)) { mem[u(1u) + i] += v; } else { mem[u(1u) + i] = v; }
}

// mul: a, b, out, size, accumulate
@compute @workgroup_size(64)
fn mul(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(3u)) { return; }
  let v = mem[u(0u) + i] * mem[u(1u) + i];
  if (flag(4u)) { mem[u(2u) + i] += v; } else { mem[u(2u) + i] = v; }
}

// copyBlocks: src, srcOffset, srcStride, out, outOffset, outStride, blocks, blockSize, accumulate
@compute @workgroup_size(64)
fn copyBlocks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  let blockSize = u(7u);
  if (i >= u(6u) * blockSize) { return; }
  let b = i / blockSize;
  let j = i % blockSize;
  let v = mem[u(0u) + u(1u) + b * u(2u) + j];
  let o = u(3u) + u(4u) + b * u(5u) + j;
  if (flag(8u)) { mem[o] += v; } else { mem[o] = v; }
}

// gatherRows: src, indices, out, rowSize, count
@compute @workgroup_size(64)
fn gatherRows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  let rowSize = u(3u);
  if (i >= u(4u) * rowSize) { return; }
  let row = u32(mem[u(1u) + i / rowSize]);
  mem[u(2u) + i] = mem[u(0u) + row * rowSize + i % rowSize];
}

// addBias: out, bias, outer, channels, inner
@compute @workgroup_size(64)
fn addBias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  let channels = u(3u);
  let inner = u(4u);
  if (i >= u(2u) * channels * inner) { return; }
  mem[u(0u) + i] += mem[u(1u) + (i / inner) % channels];
}

// biasGrad: dy, target, outer, channels, inner, accumulate — Σ over o and i of dy[o, c, i], one workgroup per
// channel (x, y) and chunk of TERMS_PER_GROUP terms (z): its threads add strided terms, then a tree in
// workgroup memory adds the threads'. One chunk: target[c] (+)= the sum; more: target[chunk · channels + c] =
// the chunk's sum, which the backend adds up with this same kernel (outer = chunks, inner = 1).
@compute @workgroup_size(REDUCE_THREADS)
fn biasGrad(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let channels = u(3u);
  let inner = u(4u);
  let c = wid.x + wid.y * groups.x;
  let terms = u(2u) * inner;
  let first = wid.z * TERMS_PER_GROUP;
  var sum = 0.0;
  if (c < channels) {
    for (var q = first + lid; q < min(terms, first + TERMS_PER_GROUP); q += REDUCE_THREADS) {
      sum += mem[u(0u) + ((q / inner) * channels + c) * inner + q % inner];
    }
  }
  let total = workgroupSum(lid, sum);
  if (lid == 0u && c < channels) {
    let at = u(1u) + select(wid.z * channels + c, c, groups.z == 1u);
    if (flag(5u) && groups.z == 1u) { mem[at] += total; } else { mem[at] = total; }
  }
}

// sumChunks: partial, out, count, chunks, accumulate — out[i] (+)= Σ_chunk partial[chunk · count + i] (split-K
// products: few chunks, many outputs)
@compute @workgroup_size(64)
fn sumChunks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  let count = u(2u);
  if (i >= count) { return; }
  var sum = 0.0;
  for (var chunk = 0u; chunk < u(3u); chunk++) { sum += mem[u(0u) + chunk * count + i]; }
  if (flag(4u)) { mem[u(1u) + i] += sum; } else { mem[u(1u) + i] = sum; }
}

// Activation codes are places in engine/ops/activations.ts, whose table the cases are generated from
// (scripts/build-shaders.ts); an unknown code gives NaN, which training stops on, naming the node.
// unary: op, x, y, size, alpha
@compute @workgroup_size(64)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(3u)) { return; }
  let x = mem[u(1u) + i];
  let alpha = f(4u);
  var y: f32;
  switch u(0u) {
//@generated unary forward cases
    default: { y = sqrt(-1.0 - abs(x)); }
  }
  mem[u(2u) + i] = y;
}

// unaryBackward: op, x, y, dy, dx, size, alpha (dx +=)
@compute @workgroup_size(64)
fn unaryBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(5u)) { return; }
  let x = mem[u(1u) + i];
  let y = mem[u(2u) + i];
  let dy = mem[u(3u) + i];
  let alpha = f(6u);
  var d: f32;
  switch u(0u) {
//@generated unary backward cases
    default: { d = sqrt(-1.0 - abs(dy)); }
  }
  mem[u(4u) + i] += d;
}

// Chris Wellons' lowbias32, identical to the CPU's hash32.
fn hash32(value: u32) -> u32 {
  var x = value;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// dropout: x, y, mask, size, threshold, seed, counter, keep
// A unit is kept when its draw / 2³² ≥ rate, that is draw ≥ threshold = ⌈rate · 2³²⌉ (computed exactly on
// the CPU), so both backends draw the same mask bit for bit.
@compute @workgroup_size(64)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(3u)) { return; }
  let key = hash32(u(6u) ^ hash32(u(5u)));
  let draw = hash32(hash32(i) ^ key);
  let m = select(0.0, f(7u), draw >= u(4u));
  mem[u(2u) + i] = m;
  mem[u(1u) + i] = mem[u(0u) + i] * m;
}

// regularize: w, g, size, l1, l2  (g += l1 sign(w) + l2 w)
@compute @workgroup_size(64)
fn regularize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(2u)) { return; }
  let w = mem[u(0u) + i];
  mem[u(1u) + i] += f(3u) * sign(w) + f(4u) * w;
}

// softmax: x, y, rows, cols (one thread per row)
@compute @workgroup_size(64)
fn softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = index1d(gid, groups);
  if (r >= u(2u)) { return; }
  let cols = u(3u);
  let x = u(0u) + r * cols;
  let y = u(1u) + r * cols;
  var top = mem[x];
  for (var j = 1u; j < cols; j++) { top = max(top, mem[x + j]); }
  var sum = 0.0;
  for (var j = 0u; j < cols; j++) {
    let e = exp(mem[x + j] - top);
    mem[y + j] = e;
    sum += e;
  }
  for (var j = 0u; j < cols; j++) { mem[y + j] /= sum; }
}

// softmaxBackward: y, dy, dx, rows, cols
@compute @workgroup_size(64)
fn softmaxBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = index1d(gid, groups);
  if (r >= u(3u)) { return; }
  let cols = u(4u);
  let y = u(0u) + r * cols;
  let dy = u(1u) + r * cols;
  let dx = u(2u) + r * cols;
  var dot = 0.0;
  for (var j = 0u; j < cols; j++) { dot += mem[dy + j] * mem[y + j]; }
  for (var j = 0u; j < cols; j++) { mem[dx + j] += mem[y + j] * (mem[dy + j] - dot); }
}
