// Batch normalisation over x[n, c, inner] (the paper's section 5.4), one thread per channel: statistics,
// running averages and the normalised output. See engine/backend/cpu/norm-kernels.ts.
// batchNorm params: x, y, xhat, mean, invStd, gamma, beta, runningMean, runningVar, n, c, inner, eps,
// momentum, train
@compute @workgroup_size(64)
fn batchNorm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let ch = index1d(gid, groups);
  let n = u(9u);
  let c = u(10u);
  let inner = u(11u);
  if (ch >= c) { return; }
  let count = f32(n * inner);
  var mu: f32;
  var variance: f32;
  if (flag(14u)) {
    var sum = 0.0;
    for (var b = 0u; b < n; b++) {
      let base = u(0u) + (b * c + ch) * inner;
      for (var i = 0u; i < inner; i++) { sum += mem[base + i]; }
    }
    mu = sum / count;
    var sq = 0.0;
    for (var b = 0u; b < n; b++) {
      let base = u(0u) + (b * c + ch) * inner;
      for (var i = 0u; i < inner; i++) { let d = mem[base + i] - mu; sq += d * d; }
    }
    variance = sq / count;
    let momentum = f(13u);
    mem[u(7u) + ch] = (1.0 - momentum) * mem[u(7u) + ch] + momentum * mu;
    let unbiased = select(variance, variance * count / (count - 1.0), count > 1.0);
    mem[u(8u) + ch] = (1.0 - momentum) * mem[u(8u) + ch] + momentum * unbiased;
  } else {
    mu = mem[u(7u) + ch];
    variance = mem[u(8u) + ch];
  }
  let inv = 1.0 / sqrt(variance + f(12u));
  mem[u(3u) + ch] = mu;
  mem[u(4u) + ch] = inv;
  let gamma = mem[u(5u) + ch];
  let beta = mem[u(6u) + ch];
  for (var b = 0u; b < n; b++) {
    let base = (b * c + ch) * inner;
    for (var i = 0u; i < inner; i++) {
      let h = (mem[u(0u) + base + i] - mu) * inv;
      mem[u(2u) + base + i] = h;
      mem[u(1u) + base + i] = gamma * h + beta;
    }
  }
}

// batchNormBackward params: dy, xhat, invStd, gamma, dGamma, dBeta, dx, n, c, inner, train
@compute @workgroup_size(64)
fn batchNormBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let ch = index1d(gid, groups);
  let n = u(7u);
  let c = u(8u);
  let inner = u(9u);
  if (ch >= c) { return; }
  let count = f32(n * inner);
  var sumDy = 0.0;
  var sumDyXhat = 0.0;
  for (var b = 0u; b < n; b++) {
    let base = (b * c + ch) * inner;
    for (var i = 0u; i < inner; i++) {
      let dy = mem[u(0u) + base + i];
      sumDy += dy;
      sumDyXhat += dy * mem[u(1u) + base + i];
    }
  }
  mem[u(4u) + ch] += sumDyXhat;
  mem[u(5u) + ch] += sumDy;
  let scale = mem[u(3u) + ch] * mem[u(2u) + ch];
  let train = flag(10u);
  for (var b = 0u; b < n; b++) {
    let base = (b * c + ch) * inner;
    for (var i = 0u; i < inner; i++) {
      let k = base + i;
      let dy = mem[u(0u) + k];
      let d = select(scale * dy, (scale / count) * (count * dy - sumDy - mem[u(1u) + k] * sumDyXhat), train);
      mem[u(6u) + k] += d;
    }
  }
}
