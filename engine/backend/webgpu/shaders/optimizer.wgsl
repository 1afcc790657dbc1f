// The optimizers over the flat parameter buffer, one thread per parameter (PyTorch's formulation; see
// engine/backend/cpu/optimizer-kernels.ts). Parameters: params, grads, slot1, slot2, size, then the rule's own.

// sgd: p ← p − η g
@compute @workgroup_size(64)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = sgdParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  mem[p.params + i] -= p.lr * mem[p.grads + i];
}

// momentum: v ← μ v + g; p ← p − η v (Nesterov: p ← p − η (g + μ v))
@compute @workgroup_size(64)
fn momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = momentumParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let g = mem[p.grads + i];
  let v = p.mu * mem[p.slot1 + i] + g;
  mem[p.slot1 + i] = v;
  mem[p.params + i] -= p.lr * select(v, g + p.mu * v, p.nesterov);
}

// scaledBySquares (Adagrad: decay 1, gain 1; RMSprop: ρ, 1 − ρ): s ← decay s + gain g²; p ← p − η g / (√s + ε)
@compute @workgroup_size(64)
fn scaledBySquares(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = scaledBySquaresParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let g = mem[p.grads + i];
  let s = p.decay * mem[p.slot2 + i] + p.gain * g * g;
  mem[p.slot2 + i] = s;
  mem[p.params + i] -= p.lr * g / (sqrt(s) + p.eps);
}

// adadelta (slot1 holds u, slot2 s)
@compute @workgroup_size(64)
fn adadelta(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = adadeltaParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let rho = p.rho;
  let eps = p.eps;
  let g = mem[p.grads + i];
  let s = rho * mem[p.slot2 + i] + (1.0 - rho) * g * g;
  mem[p.slot2 + i] = s;
  let uu = mem[p.slot1 + i];
  let delta = sqrt(uu + eps) / sqrt(s + eps) * g;
  mem[p.slot1 + i] = rho * uu + (1.0 - rho) * delta * delta;
  mem[p.params + i] -= p.lr * delta;
}

// adam: the bias corrections folded into stepSize and sqrtCorrection2 (see ops/optimizers.ts)
@compute @workgroup_size(64)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = adamParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let b1 = p.beta1;
  let b2 = p.beta2;
  let g = mem[p.grads + i];
  let v = b1 * mem[p.slot1 + i] + (1.0 - b1) * g;
  let s = b2 * mem[p.slot2 + i] + (1.0 - b2) * g * g;
  mem[p.slot1 + i] = v;
  mem[p.slot2 + i] = s;
  mem[p.params + i] -= p.stepSize * v / (sqrt(s) / p.sqrtCorrection2 + p.eps);
}

// sumSquares: Σ g², one workgroup per chunk of TERMS_PER_GROUP terms (z), summed as in biasGrad: one
// chunk writes dest[0], more write dest[chunk] for the backend to add up.
@compute @workgroup_size(REDUCE_THREADS)
fn sumSquares(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let p = sumSquaresParams();
  let first = wid.z * TERMS_PER_GROUP;
  var sum = 0.0;
  for (var q = first + lid; q < min(p.size, first + TERMS_PER_GROUP); q += REDUCE_THREADS) {
    let g = mem[p.g + q];
    sum += g * g;
  }
  let total = workgroupSum(lid, sum);
  if (lid == 0u) { mem[p.dest + wid.z] = total; }
}

// clipScale: g *= maxNorm / (‖g‖ + 1e-6) when that is below 1 (normSq holds ‖g‖²)
@compute @workgroup_size(64)
fn clipScale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = clipScaleParams();
  let i = index1d(gid, groups);
  if (i >= p.size) { return; }
  let coefficient = p.maxNorm / (sqrt(mem[p.normSq]) + 1e-6);
  if (coefficient < 1.0) { mem[p.g + i] *= coefficient; }
}
