// The LSTM cell, one thread per (sample, unit); gates in PyTorch's order [i, f, g, o] along rows of 4u.
fn sigmoid(z: f32) -> f32 { return 1.0 / (1.0 + exp(-z)); }

// lstmCell: gates, cPrev, c, h, n, u
@compute @workgroup_size(64)
fn lstmCell(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let k = index1d(gid, groups);
  let units = u(5u);
  if (k >= u(4u) * units) { return; }
  let b = k / units;
  let j = k % units;
  let row = u(0u) + b * 4u * units;
  let i = sigmoid(mem[row + j]);
  let fg = sigmoid(mem[row + units + j]);
  let g = tanhSafe(mem[row + 2u * units + j]);
  let o = sigmoid(mem[row + 3u * units + j]);
  mem[row + j] = i;
  mem[row + units + j] = fg;
  mem[row + 2u * units + j] = g;
  mem[row + 3u * units + j] = o;
  let c = fg * mem[u(1u) + k] + i * g;
  mem[u(2u) + k] = c;
  mem[u(3u) + k] = o * tanhSafe(c);
}

// lstmCellBackward: gates, cPrev, c, dh, dc, dGates, n, u
@compute @workgroup_size(64)
fn lstmCellBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let k = index1d(gid, groups);
  let units = u(7u);
  if (k >= u(6u) * units) { return; }
  let b = k / units;
  let j = k % units;
  let row = b * 4u * units;
  let i = mem[u(0u) + row + j];
  let fg = mem[u(0u) + row + units + j];
  let g = mem[u(0u) + row + 2u * units + j];
  let o = mem[u(0u) + row + 3u * units + j];
  let tc = tanhSafe(mem[u(2u) + k]);
  let dh = mem[u(3u) + k];
  let total = mem[u(4u) + k] + dh * o * (1.0 - tc * tc);
  let d = u(5u) + row;
  mem[d + j] = total * g * i * (1.0 - i);
  mem[d + units + j] = total * mem[u(1u) + k] * fg * (1.0 - fg);
  mem[d + 2u * units + j] = total * i * (1.0 - g * g);
  mem[d + 3u * units + j] = dh * tc * o * (1.0 - o);
  mem[u(4u) + k] = total * fg;
}
