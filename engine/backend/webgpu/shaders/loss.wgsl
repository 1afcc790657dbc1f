// Losses in two dispatches: 256 threads walk the rows (or elements), write the gradients, and leave their
// partial sums of loss and correct predictions in the backend's reduction area (`partials`, 512 floats);
// then one thread adds the means to loss[0] and correct[0]. See engine/backend/cpu/loss-kernels.ts.
// (No workgroup memory: SwiftShader under dawn.node crashed on it here.)

// softmaxCrossEntropy: logits, labels, dLogits, loss, correct, rows, cols, scale, partials
@compute @workgroup_size(64)
fn softmaxCrossEntropy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let rows = u(5u);
  let cols = u(6u);
  let scale = f(7u);
  var total = 0.0;
  var right = 0.0;
  for (var r = t; r < rows; r += 256u) {
    let base = u(0u) + r * cols;
    var top = mem[base];
    var best = 0u;
    for (var j = 1u; j < cols; j++) {
      if (mem[base + j] > top) { top = mem[base + j]; best = j; }
    }
    var sum = 0.0;
    for (var j = 0u; j < cols; j++) { sum += exp(mem[base + j] - top); }
    let lse = top + log(sum);
    let label = mem[u(1u) + r];
    let valid = label >= 0.0 && label < f32(cols) && floor(label) == label;
    let l = u32(max(label, 0.0));
    // An invalid label poisons the loss (NaN), as on the CPU.
    total += select(notANumber(), lse - mem[base + min(l, cols - 1u)], valid);
    if (valid && best == l) { right += 1.0; }
    for (var j = 0u; j < cols; j++) {
      let p = exp(mem[base + j] - lse);
      mem[u(2u) + r * cols + j] = (p - select(0.0, 1.0, valid && j == l)) * scale / f32(rows);
    }
  }
  mem[u(8u) + t] = total;
  mem[u(8u) + 256u + t] = right;
}

// meanSquaredError: y, target, dY, loss, size, scale, partials
@compute @workgroup_size(64)
fn meanSquaredError(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let size = u(4u);
  var total = 0.0;
  for (var i = t; i < size; i += 256u) {
    let d = mem[u(0u) + i] - mem[u(1u) + i];
    total += d * d;
    mem[u(2u) + i] = 2.0 * d * f(5u) / f32(size);
  }
  mem[u(6u) + t] = total;
  mem[u(6u) + 256u + t] = 0.0;
}

// meanSquaredErrorOneHot: y, labels, dY, loss, correct, rows, cols, scale, partials — against onehot(label)
@compute @workgroup_size(64)
fn meanSquaredErrorOneHot(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let rows = u(5u);
  let cols = u(6u);
  let count = f32(rows * cols);
  var total = 0.0;
  var right = 0.0;
  for (var r = t; r < rows; r += 256u) {
    let base = u(0u) + r * cols;
    let label = mem[u(1u) + r];
    let valid = label >= 0.0 && label < f32(cols) && floor(label) == label;
    let l = u32(max(label, 0.0));
    var best = 0u;
    var rowTotal = 0.0;
    for (var j = 0u; j < cols; j++) {
      let v = mem[base + j];
      if (v > mem[base + best]) { best = j; }
      let d = v - select(0.0, 1.0, valid && j == l);
      rowTotal += d * d;
      mem[u(2u) + r * cols + j] = 2.0 * d * f(7u) / count;
    }
    // An invalid label poisons the loss (NaN), as on the CPU.
    total += select(notANumber(), rowTotal, valid);
    if (valid && best == l) { right += 1.0; }
  }
  mem[u(8u) + t] = total;
  mem[u(8u) + 256u + t] = right;
}

// sigmoidBinaryCrossEntropy: logits, target, dLogits, loss, correct, size, scale, partials
@compute @workgroup_size(64)
fn sigmoidBinaryCrossEntropy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let size = u(5u);
  var total = 0.0;
  var right = 0.0;
  for (var i = t; i < size; i += 256u) {
    let z = mem[u(0u) + i];
    let want = mem[u(1u) + i];
    total += max(z, 0.0) - z * want + log(1.0 + exp(-abs(z)));
    mem[u(2u) + i] = (1.0 / (1.0 + exp(-z)) - want) * f(6u) / f32(size);
    if ((z > 0.0) == (want > 0.5)) { right += 1.0; }
  }
  mem[u(7u) + t] = total;
  mem[u(7u) + 256u + t] = right;
}

// finishLoss: partials, loss, correct (none: 4294967295), count — loss[0] += Σ / count; correct[0] += Σ
@compute @workgroup_size(1)
fn finishLoss() {
  var total = 0.0;
  var right = 0.0;
  for (var t = 0u; t < 256u; t++) {
    total += mem[u(0u) + t];
    right += mem[u(0u) + 256u + t];
  }
  mem[u(1u)] += total / f32(u(3u));
  if (u(2u) != 0xffffffffu) { mem[u(2u)] += right; }
}
