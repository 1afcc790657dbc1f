// Losses in two dispatches: 256 threads walk the rows (or elements), write the gradients, and leave their
// partial sums of loss and correct predictions in the backend's reduction area (`partials`, 512 floats);
// then one thread adds the means to loss[0] and correct[0]. See engine/backend/cpu/loss-kernels.ts.
// (No workgroup memory: SwiftShader under dawn.node crashed on it here.)

@compute @workgroup_size(64)
fn softmaxCrossEntropy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = softmaxCrossEntropyParams();
  let t = gid.x;
  let rows = p.rows;
  let cols = p.cols;
  let scale = p.scale;
  var total = 0.0;
  var right = 0.0;
  for (var r = t; r < rows; r += 256u) {
    let base = p.y + r * cols;
    var top = mem[base];
    var best = 0u;
    for (var j = 1u; j < cols; j++) {
      if (mem[base + j] > top) { top = mem[base + j]; best = j; }
    }
    var sum = 0.0;
    for (var j = 0u; j < cols; j++) { sum += exp(mem[base + j] - top); }
    let lse = top + log(sum);
    let label = mem[p.labels + r];
    let valid = label >= 0.0 && label < f32(cols) && floor(label) == label;
    let l = u32(max(label, 0.0));
    // An invalid label poisons the loss (NaN), as on the CPU.
    total += select(notANumber(), lse - mem[base + min(l, cols - 1u)], valid);
    if (valid && best == l) { right += 1.0; }
    for (var j = 0u; j < cols; j++) {
      let probability = exp(mem[base + j] - lse);
      mem[p.dY + r * cols + j] = (probability - select(0.0, 1.0, valid && j == l)) * scale / f32(rows);
    }
  }
  mem[p.partials + t] = total;
  mem[p.partials + 256u + t] = right;
}

// meanSquaredError: y against `want`
@compute @workgroup_size(64)
fn meanSquaredError(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = meanSquaredErrorParams();
  let t = gid.x;
  let size = p.size;
  var total = 0.0;
  for (var i = t; i < size; i += 256u) {
    let d = mem[p.y + i] - mem[p.want + i];
    total += d * d;
    mem[p.dY + i] = 2.0 * d * p.scale / f32(size);
  }
  mem[p.partials + t] = total;
  mem[p.partials + 256u + t] = 0.0;
}

// meanSquaredErrorOneHot: y against onehot(label)
@compute @workgroup_size(64)
fn meanSquaredErrorOneHot(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = meanSquaredErrorOneHotParams();
  let t = gid.x;
  let rows = p.rows;
  let cols = p.cols;
  let count = f32(rows * cols);
  var total = 0.0;
  var right = 0.0;
  for (var r = t; r < rows; r += 256u) {
    let base = p.y + r * cols;
    let label = mem[p.labels + r];
    let valid = label >= 0.0 && label < f32(cols) && floor(label) == label;
    let l = u32(max(label, 0.0));
    var best = 0u;
    var rowTotal = 0.0;
    for (var j = 0u; j < cols; j++) {
      let v = mem[base + j];
      if (v > mem[base + best]) { best = j; }
      let d = v - select(0.0, 1.0, valid && j == l);
      rowTotal += d * d;
      mem[p.dY + r * cols + j] = 2.0 * d * p.scale / count;
    }
    // An invalid label poisons the loss (NaN), as on the CPU.
    total += select(notANumber(), rowTotal, valid);
    if (valid && best == l) { right += 1.0; }
  }
  mem[p.partials + t] = total;
  mem[p.partials + 256u + t] = right;
}

// sigmoidBinaryCrossEntropy: the logits against the targets `want` (0 or 1)
@compute @workgroup_size(64)
fn sigmoidBinaryCrossEntropy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = sigmoidBinaryCrossEntropyParams();
  let t = gid.x;
  let size = p.size;
  var total = 0.0;
  var right = 0.0;
  for (var i = t; i < size; i += 256u) {
    let z = mem[p.logits + i];
    let want = mem[p.want + i];
    total += max(z, 0.0) - z * want + log(1.0 + exp(-abs(z)));
    mem[p.dLogits + i] = (1.0 / (1.0 + exp(-z)) - want) * p.scale / f32(size);
    if ((z > 0.0) == (want > 0.5)) { right += 1.0; }
  }
  mem[p.partials + t] = total;
  mem[p.partials + 256u + t] = right;
}

// finishLoss: loss[0] += Σ / count; correct[0] += Σ (correct 0xffffffff: none)
@compute @workgroup_size(1)
fn finishLoss() {
  let p = finishLossParams();
  var total = 0.0;
  var right = 0.0;
  for (var t = 0u; t < 256u; t++) {
    total += mem[p.partials + t];
    right += mem[p.partials + 256u + t];
  }
  mem[p.loss] += total / f32(p.count);
  if (p.correct != 0xffffffffu) { mem[p.correct] += right; }
}
