// The LSTM cell, one thread per (sample, unit); gates in PyTorch's order [i, f, g, o] along rows of 4u.
fn sigmoid(z: f32) -> f32 { return 1.0 / (1.0 + exp(-z)); }

// lstmCell: the gates activated in place; c and h of n samples × units
@compute @workgroup_size(64)
fn lstmCell(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = lstmCellParams();
  let k = index1d(gid, groups);
  let units = p.units;
  if (k >= p.n * units) { return; }
  let b = k / units;
  let j = k % units;
  let row = p.gates + b * 4u * units;
  let i = sigmoid(mem[row + j]);
  let fg = sigmoid(mem[row + units + j]);
  let g = tanhSafe(mem[row + 2u * units + j]);
  let o = sigmoid(mem[row + 3u * units + j]);
  mem[row + j] = i;
  mem[row + units + j] = fg;
  mem[row + 2u * units + j] = g;
  mem[row + 3u * units + j] = o;
  let c = fg * mem[p.cPrev + k] + i * g;
  mem[p.c + k] = c;
  mem[p.h + k] = o * tanhSafe(c);
}

// lstmCellBackward: the gates' gradients into dGates; dc becomes the gradient of c_{t−1}
@compute @workgroup_size(64)
fn lstmCellBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = lstmCellBackwardParams();
  let k = index1d(gid, groups);
  let units = p.units;
  if (k >= p.n * units) { return; }
  let b = k / units;
  let j = k % units;
  let row = b * 4u * units;
  let i = mem[p.gates + row + j];
  let fg = mem[p.gates + row + units + j];
  let g = mem[p.gates + row + 2u * units + j];
  let o = mem[p.gates + row + 3u * units + j];
  let tc = tanhSafe(mem[p.c + k]);
  let dh = mem[p.dh + k];
  let total = mem[p.dc + k] + dh * o * (1.0 - tc * tc);
  let d = p.dGates + row;
  mem[d + j] = total * g * i * (1.0 - i);
  mem[d + units + j] = total * mem[p.cPrev + k] * fg * (1.0 - fg);
  mem[d + 2u * units + j] = total * i * (1.0 - g * g);
  mem[d + 3u * units + j] = dh * tc * o * (1.0 - o);
  mem[p.dc + k] = total * fg;
}
