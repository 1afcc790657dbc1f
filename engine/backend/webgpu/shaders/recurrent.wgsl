// The LSTM cell, one thread per (sample, unit); gates in PyTorch's order [i, f, g, o] along rows of 4u.
fn sigmoid(z: f32) -> f32 { return 1.0 / (1.0 + exp(-z)); }

// One (sample, unit)'s cell forward: its four pre-activations z and c_{t−1} give the activated gates, c and h.
struct CellForward { gates: vec4<f32>, c: f32, h: f32 }
fn cellForward(z: vec4<f32>, cPrev: f32) -> CellForward {
  let gates = vec4<f32>(sigmoid(z.x), sigmoid(z.y), tanhSafe(z.z), sigmoid(z.w));
  let c = gates.y * cPrev + gates.x * gates.z;
  return CellForward(gates, c, gates.w * tanhSafe(c));
}

// Its backward: from the activated gates, c_{t−1}, c, dh and dc, the four pre-activation gradients and the
// gradient of c_{t−1}.
struct CellBackward { dz: vec4<f32>, dcPrev: f32 }
fn cellBackward(gates: vec4<f32>, cPrev: f32, c: f32, dh: f32, dc: f32) -> CellBackward {
  let i = gates.x;
  let fg = gates.y;
  let g = gates.z;
  let o = gates.w;
  let tc = tanhSafe(c);
  let total = dc + dh * o * (1.0 - tc * tc);
  let dz = vec4<f32>(total * g * i * (1.0 - i), total * cPrev * fg * (1.0 - fg), total * i * (1.0 - g * g), dh * tc * o * (1.0 - o));
  return CellBackward(dz, total * fg);
}

// The four gates of unit j in a row of 4 × units values starting at `row` (read and write).
fn readGates(row: u32, units: u32) -> vec4<f32> {
  return vec4<f32>(mem[row], mem[row + units], mem[row + 2u * units], mem[row + 3u * units]);
}
fn writeGates(row: u32, units: u32, v: vec4<f32>) {
  mem[row] = v.x;
  mem[row + units] = v.y;
  mem[row + 2u * units] = v.z;
  mem[row + 3u * units] = v.w;
}

// lstmCell: the gates activated in place; c and h of n samples × units
@compute @workgroup_size(64)
fn lstmCell(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = lstmCellParams();
  let k = index1d(gid, groups);
  let units = p.units;
  if (k >= p.n * units) { return; }
  let row = p.gates + (k / units) * 4u * units + k % units;
  let cell = cellForward(readGates(row, units), mem[p.cPrev + k]);
  writeGates(row, units, cell.gates);
  mem[p.c + k] = cell.c;
  mem[p.h + k] = cell.h;
}

// lstmCellBackward: the gates' gradients into dGates; dc becomes the gradient of c_{t−1}
@compute @workgroup_size(64)
fn lstmCellBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = lstmCellBackwardParams();
  let k = index1d(gid, groups);
  let units = p.units;
  if (k >= p.n * units) { return; }
  let at = (k / units) * 4u * units + k % units;
  let cell = cellBackward(readGates(p.gates + at, units), mem[p.cPrev + k], mem[p.c + k], mem[p.dh + k], mem[p.dc + k]);
  writeGates(p.dGates + at, units, cell.dz);
  mem[p.dc + k] = cell.dcPrev;
}

// A large batch's LSTM step: the recurrent product runs in the tiled product kernels, and these two do the
// rest of the step in one dispatch each (the input's projection added, h written into y; dy's part added to
// dh, the gradients written into dz and dProjected), where composing it took two strided copies more.

// lstmStepCell: gates holds h Wh; z = p + h Wh, then the cell (as lstmCell); h into y too when y is given.
@compute @workgroup_size(64)
fn lstmStepCell(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = lstmStepCellParams();
  let k = index1d(gid, groups);
  let units = p.units;
  if (k >= p.n * units) { return; }
  let b = k / units;
  let j = k % units;
  let row = p.gates + b * 4u * units + j;
  let cell = cellForward(readGates(p.projected + b * p.pStride + j, units) + readGates(row, units), mem[p.cPrev + k]);
  writeGates(row, units, cell.gates);
  mem[p.c + k] = cell.c;
  mem[p.hNext + k] = cell.h;
  if (p.y != NO_TENSOR) { mem[p.y + b * p.yStride + j] = cell.h; }
}

// lstmStepCellBackward: dh = dy's part + the product dzNext Whᵀ already in dh (when given), then the cell's
// backward (as lstmCellBackward), its four gradients into dz and into dProjected.
@compute @workgroup_size(64)
fn lstmStepCellBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = lstmStepCellBackwardParams();
  let k = index1d(gid, groups);
  let units = p.units;
  if (k >= p.n * units) { return; }
  let b = k / units;
  let j = k % units;
  var dh = 0.0;
  if (p.dh != NO_TENSOR) { dh = mem[p.dh + k]; }
  if (p.dy != NO_TENSOR) { dh += mem[p.dy + b * p.dyStride + j]; }
  let at = b * 4u * units + j;
  let cell = cellBackward(readGates(p.gates + at, units), mem[p.cPrev + k], mem[p.c + k], dh, mem[p.dc + k]);
  mem[p.dc + k] = cell.dcPrev;
  writeGates(p.dz + at, units, cell.dz);
  writeGates(p.dProjected + b * p.pStride + j, units, cell.dz);
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
  let row = p.gates + b * 4u * units + j;
  let cell = cellForward(readGates(p.projected + b * p.pStride + j, units) + acc, mem[p.cPrev + b * units + j]);
  writeGates(row, units, cell.gates);
  let k = b * units + j;
  mem[p.c + k] = cell.c;
  mem[p.hNext + k] = cell.h;
  if (p.y != NO_TENSOR) { mem[p.y + b * p.yStride + j] = cell.h; }
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
  let at = b * width + j;
  let k = b * units + j;
  let cell = cellBackward(readGates(p.gates + at, units), mem[p.cPrev + k], mem[p.c + k], dh, mem[p.dc + k]);
  mem[p.dc + k] = cell.dcPrev;
  writeGates(p.dz + at, units, cell.dz);
  writeGates(p.dProjected + b * p.pStride + j, units, cell.dz);
}
