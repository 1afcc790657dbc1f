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

// A whole LSTM step in one dispatch each way, for small batches (the LSTM's 28 steps were 7 dispatches
// each, most of its time at batch 64). Workgroups of STEP_UNITS units (x) by STEP_ROWS samples (y): each
// thread owns one (sample, unit) and the unit's four gates; the workgroup stages STEP_K terms of the rows
// and of the weights in workgroup memory at a time.
const STEP_UNITS = 16u;
const STEP_ROWS = 8u;
const STEP_THREADS = 128u; // STEP_UNITS × STEP_ROWS
const STEP_K = 32u;
const NO_TENSOR = 0xffffffffu;
var<workgroup> stepRows: array<vec4<f32>, 64>; // [sample][term / 4]: STEP_ROWS × STEP_K / 4
var<workgroup> stepGateWeights: array<vec4<f32>, 512>; // forward: [term][unit], the unit's four gate columns
var<workgroup> stepWeights: array<vec4<f32>, 128>; // backward: [term / 4][unit]

// Stages rows[row0 + r][k0 + kk] (r < STEP_ROWS, kk < STEP_K; n rows of `width`), zero outside.
fn stageStepRows(lid: u32, base: u32, row0: u32, n: u32, k0: u32, width: u32) {
  for (var e = lid; e < STEP_ROWS * STEP_K; e += STEP_THREADS) {
    let row = row0 + e / STEP_K;
    let k = k0 + e % STEP_K;
    var v = 0.0;
    if (row < n && k < width) { v = mem[base + row * width + k]; }
    stepRows[e / 4u][e % 4u] = v;
  }
}

// lstmStep: z = p + h Wh for the four gates of each (sample, unit), then the cell (as lstmCell); h into y
// too when y is given.
@compute @workgroup_size(128)
fn lstmStep(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let p = lstmStepParams();
  let units = p.units;
  let jl = lid % STEP_UNITS;
  let bl = lid / STEP_UNITS;
  let j = wid.x * STEP_UNITS + jl;
  let b = wid.y * STEP_ROWS + bl;
  var acc = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < units; k0 += STEP_K) {
    workgroupBarrier(); // every thread is done with the previous chunk
    stageStepRows(lid, p.h, wid.y * STEP_ROWS, p.n, k0, units);
    for (var e = lid; e < STEP_K * STEP_UNITS; e += STEP_THREADS) {
      let k = k0 + e / STEP_UNITS;
      let col = wid.x * STEP_UNITS + e % STEP_UNITS;
      var w = vec4<f32>(0.0);
      if (k < units && col < units) {
        let at = p.wh + k * 4u * units + col;
        w = vec4<f32>(mem[at], mem[at + units], mem[at + 2u * units], mem[at + 3u * units]);
      }
      stepGateWeights[e] = w;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < STEP_K; kk++) {
      let term = stepRows[(bl * STEP_K + kk) / 4u][kk % 4u];
      acc = fma(vec4<f32>(term), stepGateWeights[kk * STEP_UNITS + jl], acc);
    }
  }
  if (b >= p.n || j >= units) { return; }
  let pre = p.projected + b * p.pStride + j;
  let z = vec4<f32>(mem[pre], mem[pre + units], mem[pre + 2u * units], mem[pre + 3u * units]) + acc;
  let i = sigmoid(z.x);
  let fg = sigmoid(z.y);
  let g = tanhSafe(z.z);
  let o = sigmoid(z.w);
  let row = p.gates + b * 4u * units + j;
  mem[row] = i;
  mem[row + units] = fg;
  mem[row + 2u * units] = g;
  mem[row + 3u * units] = o;
  let k = b * units + j;
  let c = fg * mem[p.cPrev + k] + i * g;
  mem[p.c + k] = c;
  let h = o * tanhSafe(c);
  mem[p.hNext + k] = h;
  if (p.y != NO_TENSOR) { mem[p.y + b * p.yStride + j] = h; }
}

// lstmStepBackward: dh = dy's part + dzNext Whᵀ for each (sample, unit), then the cell's backward (as
// lstmCellBackward), its four gradients into dz and into dProjected. The product runs four terms at a time
// (vec4 along the terms: four independent sums).
@compute @workgroup_size(128)
fn lstmStepBackward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let p = lstmStepBackwardParams();
  let units = p.units;
  let width = 4u * units;
  let jl = lid % STEP_UNITS;
  let bl = lid / STEP_UNITS;
  let j = wid.x * STEP_UNITS + jl;
  let b = wid.y * STEP_ROWS + bl;
  let quads = STEP_K / 4u;
  var acc = vec4<f32>(0.0);
  if (p.dzNext != NO_TENSOR) {
    for (var k0 = 0u; k0 < width; k0 += STEP_K) {
      workgroupBarrier();
      stageStepRows(lid, p.dzNext, wid.y * STEP_ROWS, p.n, k0, width);
      // Wh[unit, k]: row `unit` of Wh holds its weights towards all four gates' columns.
      for (var e = lid; e < STEP_K * STEP_UNITS; e += STEP_THREADS) {
        let unit = e / STEP_K;
        let kk = e % STEP_K;
        let column = wid.x * STEP_UNITS + unit;
        var w = 0.0;
        if (column < units && k0 + kk < width) { w = mem[p.wh + column * width + k0 + kk]; }
        stepWeights[(kk / 4u) * STEP_UNITS + unit][kk % 4u] = w;
      }
      workgroupBarrier();
      for (var q = 0u; q < quads; q++) {
        acc = fma(stepRows[bl * quads + q], stepWeights[q * STEP_UNITS + jl], acc);
      }
    }
  }
  if (b >= p.n || j >= units) { return; }
  var dh = acc.x + acc.y + acc.z + acc.w;
  if (p.dy != NO_TENSOR) { dh += mem[p.dy + b * p.dyStride + j]; }
  let row = p.gates + b * width + j;
  let i = mem[row];
  let fg = mem[row + units];
  let g = mem[row + 2u * units];
  let o = mem[row + 3u * units];
  let k = b * units + j;
  let tc = tanhSafe(mem[p.c + k]);
  let total = mem[p.dc + k] + dh * o * (1.0 - tc * tc);
  let d = vec4<f32>(
    total * g * i * (1.0 - i),
    total * mem[p.cPrev + k] * fg * (1.0 - fg),
    total * i * (1.0 - g * g),
    dh * tc * o * (1.0 - o),
  );
  mem[p.dc + k] = total * fg;
  let out = p.dz + b * width + j;
  let projectedOut = p.dProjected + b * p.pStride + j;
  for (var gate = 0u; gate < 4u; gate++) {
    mem[out + gate * units] = d[gate];
    mem[projectedOut + gate * units] = d[gate];
  }
}
