// The optimizers over the flat parameter buffer, one thread per parameter (PyTorch's formulation; see
// engine/backend/cpu/optimizer-kernels.ts). params: params, grads, slot1, slot2, size, then per rule.

// sgd: lr
@compute @workgroup_size(64)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(4u)) { return; }
  mem[u(0u) + i] -= f(5u) * mem[u(1u) + i];
}

// momentum: lr, mu, nesterov — v ← μ v + g; p ← p − η v (Nesterov: p ← p − η (g + μ v))
@compute @workgroup_size(64)
fn momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(4u)) { return; }
  let g = mem[u(1u) + i];
  let mu = f(6u);
  let v = mu * mem[u(2u) + i] + g;
  mem[u(2u) + i] = v;
  mem[u(0u) + i] -= f(5u) * select(v, g + mu * v, flag(7u));
}

// scaledBySquares (Adagrad: decay 1, gain 1; RMSprop: ρ, 1 − ρ): lr, decay, gain, eps
@compute @workgroup_size(64)
fn scaledBySquares(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(4u)) { return; }
  let g = mem[u(1u) + i];
  let s = f(6u) * mem[u(3u) + i] + f(7u) * g * g;
  mem[u(3u) + i] = s;
  mem[u(0u) + i] -= f(5u) * g / (sqrt(s) + f(8u));
}

// adadelta: lr, rho, eps (slot1 holds u, slot2 s)
@compute @workgroup_size(64)
fn adadelta(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(4u)) { return; }
  let rho = f(6u);
  let eps = f(7u);
  let g = mem[u(1u) + i];
  let s = rho * mem[u(3u) + i] + (1.0 - rho) * g * g;
  mem[u(3u) + i] = s;
  let uu = mem[u(2u) + i];
  let delta = sqrt(uu + eps) / sqrt(s + eps) * g;
  mem[u(2u) + i] = rho * uu + (1.0 - rho) * delta * delta;
  mem[u(0u) + i] -= f(5u) * delta;
}

// adam: stepSize, beta1, beta2, sqrtCorrection2, eps
@compute @workgroup_size(64)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(4u)) { return; }
  let b1 = f(6u);
  let b2 = f(7u);
  let g = mem[u(1u) + i];
  let v = b1 * mem[u(2u) + i] + (1.0 - b1) * g;
  let s = b2 * mem[u(3u) + i] + (1.0 - b2) * g * g;
  mem[u(2u) + i] = v;
  mem[u(3u) + i] = s;
  mem[u(0u) + i] -= f(5u) * v / (sqrt(s) / f(8u) + f(9u));
}

// sumSquares: g, target, size — Σ g², one workgroup per chunk of TERMS_PER_GROUP terms (z), summed as in
// biasGrad: one chunk writes target[0], more write target[chunk] for the backend to add up.
@compute @workgroup_size(REDUCE_THREADS)
fn sumSquares(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let first = wid.z * TERMS_PER_GROUP;
  var sum = 0.0;
  for (var q = first + lid; q < min(u(2u), first + TERMS_PER_GROUP); q += REDUCE_THREADS) {
    let g = mem[u(0u) + q];
    sum += g * g;
  }
  let total = workgroupSum(lid, sum);
  if (lid == 0u) { mem[u(1u) + wid.z] = total; }
}

// clipScale: g, size, normSq, maxNorm — g *= maxNorm / (‖g‖ + 1e-6) when that is below 1
@compute @workgroup_size(64)
fn clipScale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = index1d(gid, groups);
  if (i >= u(1u)) { return; }
  let coefficient = f(3u) / (sqrt(mem[u(2u)]) + 1e-6);
  if (coefficient < 1.0) { mem[u(0u) + i] *= coefficient; }
}
