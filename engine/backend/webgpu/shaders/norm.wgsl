// Batch normalisation over x[n, c, inner] (the paper's section 5.4), one thread per channel: statistics,
// running averages and the normalised output. See engine/backend/cpu/norm-kernels.ts.
@compute @workgroup_size(64)
fn batchNorm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = batchNormParams();
  let ch = index1d(gid, groups);
  let n = p.n;
  let c = p.c;
  let inner = p.inner;
  if (ch >= c) { return; }
  let count = f32(n * inner);
  var mu: f32;
  var variance: f32;
  if (p.train) {
    var sum = 0.0;
    for (var b = 0u; b < n; b++) {
      let base = p.x + (b * c + ch) * inner;
      for (var i = 0u; i < inner; i++) { sum += mem[base + i]; }
    }
    mu = sum / count;
    var sq = 0.0;
    for (var b = 0u; b < n; b++) {
      let base = p.x + (b * c + ch) * inner;
      for (var i = 0u; i < inner; i++) { let d = mem[base + i] - mu; sq += d * d; }
    }
    variance = sq / count;
    let momentum = p.momentum;
    mem[p.runningMean + ch] = (1.0 - momentum) * mem[p.runningMean + ch] + momentum * mu;
    let unbiased = select(variance, variance * count / (count - 1.0), count > 1.0);
    mem[p.runningVar + ch] = (1.0 - momentum) * mem[p.runningVar + ch] + momentum * unbiased;
  } else {
    mu = mem[p.runningMean + ch];
    variance = mem[p.runningVar + ch];
  }
  let inv = 1.0 / sqrt(variance + p.eps);
  mem[p.mean + ch] = mu;
  mem[p.invStd + ch] = inv;
  let gamma = mem[p.gamma + ch];
  let beta = mem[p.beta + ch];
  for (var b = 0u; b < n; b++) {
    let base = (b * c + ch) * inner;
    for (var i = 0u; i < inner; i++) {
      let h = (mem[p.x + base + i] - mu) * inv;
      mem[p.xhat + base + i] = h;
      mem[p.y + base + i] = gamma * h + beta;
    }
  }
}

// batchNormBackward: dγ, dβ and dx += (dx =, unless accumulate)
@compute @workgroup_size(64)
fn batchNormBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = batchNormBackwardParams();
  let ch = index1d(gid, groups);
  let n = p.n;
  let c = p.c;
  let inner = p.inner;
  if (ch >= c) { return; }
  let count = f32(n * inner);
  var sumDy = 0.0;
  var sumDyXhat = 0.0;
  for (var b = 0u; b < n; b++) {
    let base = (b * c + ch) * inner;
    for (var i = 0u; i < inner; i++) {
      let dy = mem[p.dy + base + i];
      sumDy += dy;
      sumDyXhat += dy * mem[p.xhat + base + i];
    }
  }
  mem[p.dGamma + ch] += sumDyXhat;
  mem[p.dBeta + ch] += sumDy;
  let scale = mem[p.gamma + ch] * mem[p.invStd + ch];
  let train = p.train;
  for (var b = 0u; b < n; b++) {
    let base = (b * c + ch) * inner;
    for (var i = 0u; i < inner; i++) {
      let k = base + i;
      let dy = mem[p.dy + k];
      let d = select(scale * dy, (scale / count) * (count * dy - sumDy - mem[p.xhat + k] * sumDyXhat), train);
      if (p.accumulate) { mem[p.dx + k] += d; } else { mem[p.dx + k] = d; }
    }
  }
}
