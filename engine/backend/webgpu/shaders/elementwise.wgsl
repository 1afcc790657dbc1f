// Element-wise kernels (see engine/backend/cpu/*-kernels.ts for the readable versions).

@compute @workgroup_size(64)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = fillParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  mem[p.out + i] = p.value;
}

@compute @workgroup_size(64)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = copyParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let v = mem[p.src + i];
  if (p.accumulate) { mem[p.out + i] += v; } else { mem[p.out + i] = v; }
}

@compute @workgroup_size(64)
fn mul(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = mulParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let v = mem[p.a + i] * mem[p.b + i];
  if (p.accumulate) { mem[p.out + i] += v; } else { mem[p.out + i] = v; }
}

// Block b of src (at srcOffset + b · srcStride) to block b of out (at outOffset + b · outStride).
@compute @workgroup_size(64)
fn copyBlocks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = copyBlocksParams();
  let i = index1d(gid, groups);
  if (i >= p.blocks * p.blockSize) { return; }
  let b = i / p.blockSize;
  let j = i % p.blockSize;
  let v = mem[p.src + p.srcOffset + b * p.srcStride + j];
  let o = p.out + p.outOffset + b * p.outStride + j;
  if (p.accumulate) { mem[o] += v; } else { mem[o] = v; }
}

// out's rows are src's rows at the given indices.
@compute @workgroup_size(64)
fn gatherRows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = gatherRowsParams();
  let i = index1d(gid, groups);
  if (i >= p.count * p.rowSize) { return; }
  let row = u32(mem[p.indices + i / p.rowSize]);
  mem[p.out + i] = mem[p.src + row * p.rowSize + i % p.rowSize];
}

// out[o, c, i] += bias[c]
@compute @workgroup_size(64)
fn addBias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = addBiasParams();
  let i = index1d(gid, groups);
  if (i >= p.outer * p.channels * p.inner) { return; }
  mem[p.out + i] += mem[p.bias + (i / p.inner) % p.channels];
}

// biasGrad: Σ over o and i of dy[o, c, i], one workgroup per channel (x, y) and chunk of TERMS_PER_GROUP
// terms (z): its threads add strided terms, then a tree in workgroup memory adds the threads'. One chunk:
// dest[c] (+)= the sum; more: dest[chunk · channels + c] = the chunk's sum, which the backend adds up with
// this same kernel (outer = chunks, inner = 1).
@compute @workgroup_size(REDUCE_THREADS)
fn biasGrad(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = biasGradParams();
  let channels = p.channels;
  let inner = p.inner;
  let c = wid.x + wid.y * groups.x;
  let terms = p.outer * inner;
  let first = wid.z * TERMS_PER_GROUP;
  var sum = 0.0;
  if (c < channels) {
    for (var q = first + lid; q < min(terms, first + TERMS_PER_GROUP); q += REDUCE_THREADS) {
      sum += mem[p.dy + ((q / inner) * channels + c) * inner + q % inner];
    }
  }
  let total = workgroupSum(lid, sum);
  if (lid == 0u && c < channels) {
    let at = p.dest + select(wid.z * channels + c, c, groups.z == 1u);
    if (p.accumulate && groups.z == 1u) { mem[at] += total; } else { mem[at] = total; }
  }
}

// sumChunks: out[i] (+)= Σ_chunk partial[chunk · count + i] (split-K products: few chunks, many outputs)
@compute @workgroup_size(64)
fn sumChunks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = sumChunksParams();
  let i = index1d(gid, groups);
  if (i >= p.count) { return; }
  var sum = 0.0;
  for (var chunk = 0u; chunk < p.chunks; chunk++) { sum += mem[p.partial + chunk * p.count + i]; }
  if (p.accumulate) { mem[p.out + i] += sum; } else { mem[p.out + i] = sum; }
}

// Activation codes are places in engine/ops/activations.ts, whose table the cases are generated from
// (scripts/build-shaders.ts); an unknown code gives NaN, which training stops on, naming the node.
@compute @workgroup_size(64)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = unaryParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let x = mem[p.x + i];
  let alpha = p.alpha;
  var y: f32;
  switch p.op {
//@generated unary forward cases
    default: { y = sqrt(-1.0 - abs(x)); }
  }
  mem[p.y + i] = y;
}

// unaryBackward: dx += (or =, unless accumulate)
@compute @workgroup_size(64)
fn unaryBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = unaryBackwardParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let x = mem[p.x + i];
  let y = mem[p.y + i];
  let dy = mem[p.dy + i];
  let alpha = p.alpha;
  var d: f32;
  switch p.op {
//@generated unary backward cases
    default: { d = sqrt(-1.0 - abs(dy)); }
  }
  if (p.accumulate) { mem[p.dx + i] += d; } else { mem[p.dx + i] = d; }
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

// dropout: a unit is kept when its draw / 2³² ≥ rate, that is draw ≥ threshold = ⌈rate · 2³²⌉ (computed exactly on
// the CPU), so both backends draw the same mask bit for bit.
@compute @workgroup_size(64)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = dropoutParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let key = hash32(p.counter ^ hash32(p.seed));
  let draw = hash32(hash32(i) ^ key);
  let m = select(0.0, p.keep, draw >= p.threshold);
  mem[p.mask + i] = m;
  mem[p.y + i] = mem[p.x + i] * m;
}

// regularize: g += l1 sign(w) + l2 w
@compute @workgroup_size(64)
fn regularize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = regularizeParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let w = mem[p.w + i];
  mem[p.g + i] += p.l1 * sign(w) + p.l2 * w;
}

// softmax: one thread per row
@compute @workgroup_size(64)
fn softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = softmaxParams();
  let r = index1d(gid, groups);
  if (r >= p.rows) { return; }
  let cols = p.cols;
  let x = p.x + r * cols;
  let y = p.y + r * cols;
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

// softmaxBackward: dx += (or =, unless accumulate)
@compute @workgroup_size(64)
fn softmaxBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = softmaxBackwardParams();
  let r = index1d(gid, groups);
  if (r >= p.rows) { return; }
  let cols = p.cols;
  let y = p.y + r * cols;
  let dy = p.dy + r * cols;
  let dx = p.dx + r * cols;
  var dot = 0.0;
  for (var j = 0u; j < cols; j++) { dot += mem[dy + j] * mem[y + j]; }
  for (var j = 0u; j < cols; j++) {
    let d = mem[y + j] * (mem[dy + j] - dot);
    if (p.accumulate) { mem[dx + j] += d; } else { mem[dx + j] = d; }
  }
}
