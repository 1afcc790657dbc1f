// Convolution over NCHW (cross-correlation, as every framework). The forward kernels take a bias (one per
// output channel; 0xffffffff for none).
//
// Tiled kernels (conv2dTiled, conv2dBackwardInputTiled): a thread computes one pixel for a block of
// CONV_BLOCK channels (two vec4 accumulators), so each input value it loads feeds CONV_BLOCK multiply-adds;
// the block's weights are staged in workgroup memory a chunk of channels at a time, read by every thread
// of the workgroup at once (a broadcast). Used when a kernel window has at most CHUNK_TAPS taps; the
// direct kernels (one thread per output value, everything read from the storage buffer) otherwise.
const CONV_BLOCK = 8u;
const CHUNK_TAPS = 256u;
var<workgroup> blockWeights: array<vec4<f32>, 2u * CHUNK_TAPS>; // [channel of the chunk, tap][block channel]

// Stages `pairs` (chunk channel, tap) pairs for the block: pair t of block channel c is
// w[base + c·blockStride + (t / khw)·chunkStride + t % khw], zero for block channels past `channels`.
fn stageWeights(lid: u32, base: u32, pairs: u32, khw: u32, blockStride: u32, chunkStride: u32, channels: u32) {
  workgroupBarrier(); // every thread is done with the previous chunk
  for (var e = lid; e < pairs * CONV_BLOCK; e += 64u) {
    let c = e / pairs;
    let t = e % pairs;
    var v = 0.0;
    if (c < channels) { v = mem[base + c * blockStride + (t / khw) * chunkStride + t % khw]; }
    blockWeights[t * 2u + c / 4u][c % 4u] = v;
  }
  workgroupBarrier();
}

// Channels of a chunk: as many whole windows as CHUNK_TAPS holds.
fn chunkChannels(g: Geo) -> u32 { return max(1u, CHUNK_TAPS / (g.kh * g.kw)); }

// The two directions the forward-shaped kernels run in. Forward: read x, write y, the written channels
// along cOut. Backward to the input: read dy, write dx (+=), the written channels along cIn; a written
// pixel gathers from the outputs whose windows cover it, so no two threads write one value.
struct ConvPass {
  backward: bool,
  outH: u32, // the written tensor's plane
  outW: u32,
  inH: u32, // the read tensor's plane
  inW: u32,
  written: u32, // channels of the written tensor, and of the read one
  read: u32,
  writtenStride: u32, // w[co, ci, ky, kx]'s stride along a written channel, and along a read one
  readStride: u32,
}

// The tensors a forward-shaped pass reads and writes: forward x, w, y and the bias; backward to the input
// dy, w, dx (no bias), added into dx or written outright (accumulate).
struct ConvTensors { read: u32, weights: u32, written: u32, bias: u32, accumulate: bool }
fn convPass(g: Geo, backward: bool) -> ConvPass {
  let khw = g.kh * g.kw;
  if (backward) { return ConvPass(true, g.h, g.w, g.oh, g.ow, g.cIn, g.cOut, khw, g.cIn * khw); }
  return ConvPass(false, g.oh, g.ow, g.h, g.w, g.cOut, g.cIn, g.cIn * khw, khw);
}

// Where tap k of written position o reads along one axis (−1: nowhere): forward, the input it covers;
// backward, the output whose window covers it through that tap.
fn windowAt(o: u32, k: u32, stride: u32, pad: u32, extent: u32, backward: bool) -> i32 {
  if (backward) { return outputAt(o, k, stride, pad, extent); }
  return inputAt(o, k, stride, pad, extent);
}

// Writes channel c's value at plane position `at` of sample b: forward plus the bias (0xffffffff for none),
// backward to dx (added, or written outright).
fn storeConv(t: ConvTensors, cp: ConvPass, b: u32, c: u32, at: u32, sum: f32) {
  let out = t.written + (b * cp.written + c) * cp.outH * cp.outW + at;
  if (cp.backward) {
    if (t.accumulate) { mem[out] += sum; } else { mem[out] = sum; }
    return;
  }
  mem[out] = select(sum + mem[t.bias + c], sum, t.bias == 0xffffffffu);
}

// A tiled pass: workgroups over 64 written pixels (x, y) and blocks of CONV_BLOCK written channels (z).
fn tiledConv(t: ConvTensors, g: Geo, lid: u32, wid: vec3<u32>, groups: vec3<u32>, backward: bool) {
  let cp = convPass(g, backward);
  let khw = g.kh * g.kw;
  let plane = cp.outH * cp.outW;
  let p = (wid.x + wid.y * groups.x) * 64u + lid;
  let valid = p < g.n * plane;
  let b = p / plane;
  let at = p % plane;
  let py = at / cp.outW;
  let px = at % cp.outW;
  let block0 = wid.z * CONV_BLOCK;
  let channels = min(CONV_BLOCK, cp.written - block0);
  let per = chunkChannels(g);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  for (var chunk0 = 0u; chunk0 < cp.read; chunk0 += per) {
    let count = min(per, cp.read - chunk0);
    let base = t.weights + block0 * cp.writtenStride + chunk0 * cp.readStride;
    stageWeights(lid, base, count * khw, khw, cp.writtenStride, cp.readStride, channels);
    if (valid) {
      for (var cl = 0u; cl < count; cl++) {
        let readPlane = t.read + (b * cp.read + chunk0 + cl) * cp.inH * cp.inW;
        for (var ky = 0u; ky < g.kh; ky++) {
          let ry = windowAt(py, ky, g.sh, g.ph, cp.inH, backward);
          if (ry < 0) { continue; }
          for (var kx = 0u; kx < g.kw; kx++) {
            let rx = windowAt(px, kx, g.sw, g.pw, cp.inW, backward);
            if (rx < 0) { continue; }
            let v = vec4<f32>(mem[readPlane + u32(ry) * cp.inW + u32(rx)]);
            let tap = ((cl * g.kh + ky) * g.kw + kx) * 2u;
            acc0 = fma(v, blockWeights[tap], acc0);
            acc1 = fma(v, blockWeights[tap + 1u], acc1);
          }
        }
      }
    }
  }
  if (!valid) { return; }
  for (var c = 0u; c < channels; c++) { storeConv(t, cp, b, block0 + c, at, select(acc1[c % 4u], acc0[c % 4u], c < 4u)); }
}

// A direct pass: one thread per written value, everything read from the storage buffer.
fn directConv(t: ConvTensors, g: Geo, gid: vec3<u32>, groups: vec3<u32>, backward: bool) {
  let cp = convPass(g, backward);
  let plane = cp.outH * cp.outW;
  let i = index1d(gid, groups);
  if (i >= g.n * cp.written * plane) { return; }
  let at = i % plane;
  let c = (i / plane) % cp.written;
  let b = i / (plane * cp.written);
  var sum = 0.0;
  for (var r = 0u; r < cp.read; r++) {
    let readPlane = t.read + (b * cp.read + r) * cp.inH * cp.inW;
    let wBase = t.weights + c * cp.writtenStride + r * cp.readStride;
    for (var ky = 0u; ky < g.kh; ky++) {
      let ry = windowAt(at / cp.outW, ky, g.sh, g.ph, cp.inH, backward);
      if (ry < 0) { continue; }
      for (var kx = 0u; kx < g.kw; kx++) {
        let rx = windowAt(at % cp.outW, kx, g.sw, g.pw, cp.inW, backward);
        if (rx < 0) { continue; }
        sum += mem[readPlane + u32(ry) * cp.inW + u32(rx)] * mem[wBase + ky * g.kw + kx];
      }
    }
  }
  storeConv(t, cp, b, c, at, sum);
}

// conv2dTiled, conv2d: y = x ⋆ w (+ bias)
@compute @workgroup_size(64)
fn conv2dTiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = conv2dTiledParams();
  tiledConv(ConvTensors(p.x, p.w, p.y, p.bias, false), p.g, lid, wid, groups, false);
}
@compute @workgroup_size(64)
fn conv2d(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = conv2dParams();
  directConv(ConvTensors(p.x, p.w, p.y, p.bias, false), p.g, gid, groups, false);
}

// conv2dBackwardInputTiled, conv2dBackwardInput: dx += (or =, unless accumulate)
@compute @workgroup_size(64)
fn conv2dBackwardInputTiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = conv2dBackwardInputTiledParams();
  tiledConv(ConvTensors(p.dy, p.w, p.dx, 0xffffffffu, p.accumulate), p.g, lid, wid, groups, true);
}
@compute @workgroup_size(64)
fn conv2dBackwardInput(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = conv2dBackwardInputParams();
  directConv(ConvTensors(p.dy, p.w, p.dx, 0xffffffffu, p.accumulate), p.g, gid, groups, true);
}

// conv2dBackwardWeightTiled: dW[co, ci, ky, kx] (+)=
// Σ over the batch and the output positions of dy[b, co, oy, ox] · x[b, ci, oy·sh + ky − ph, ox·sw + kx − pw].
// Workgroups over 64 taps (ci, ky, kx) (x), blocks of CONV_BLOCK output channels (y) and chunks of
// pixelsPerGroup output pixels (z). For each 64 pixels of its chunk, the workgroup stages their dy values
// for the block and where their windows start; each thread then adds its tap's input value times them into
// CONV_BLOCK sums. One chunk: dest is dW; more: dest[chunk · weights + w], added up by the backend.
var<workgroup> pixelDy: array<vec4<f32>, 128>; // [pixel][block channel]
var<workgroup> pixelSample: array<u32, 64>; // where the pixel's sample starts in x
var<workgroup> pixelCorner: array<vec2<i32>, 64>; // the window's top row and left column (padding included)

@compute @workgroup_size(64)
fn conv2dBackwardWeightTiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let params = conv2dBackwardWeightTiledParams();
  let g = params.g;
  let khw = g.kh * g.kw;
  let taps = g.cIn * khw;
  let t = wid.x * 64u + lid;
  let tapOffset = (t / khw) * g.h * g.w;
  let ky = i32((t % khw) / g.kw);
  let kx = i32(t % g.kw);
  let co0 = wid.y * CONV_BLOCK;
  let channels = min(CONV_BLOCK, g.cOut - co0);
  let plane = g.oh * g.ow;
  let first = wid.z * params.pixelsPerGroup;
  let last = min(g.n * plane, first + params.pixelsPerGroup);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  for (var p0 = first; p0 < last; p0 += 64u) {
    workgroupBarrier(); // every thread is done with the previous 64 pixels
    let p = p0 + lid;
    if (p < last) {
      let b = p / plane;
      let at = p % plane;
      let dyAt = params.dy + (b * g.cOut + co0) * plane + at;
      var d0 = vec4<f32>(0.0);
      var d1 = vec4<f32>(0.0);
      for (var c = 0u; c < min(channels, 4u); c++) { d0[c] = mem[dyAt + c * plane]; }
      for (var c = 4u; c < channels; c++) { d1[c - 4u] = mem[dyAt + c * plane]; }
      pixelDy[2u * lid] = d0;
      pixelDy[2u * lid + 1u] = d1;
      pixelSample[lid] = params.x + b * g.cIn * g.h * g.w;
      pixelCorner[lid] = vec2<i32>(i32((at / g.ow) * g.sh) - i32(g.ph), i32((at % g.ow) * g.sw) - i32(g.pw));
    }
    workgroupBarrier();
    if (t < taps) {
      for (var q = 0u; q < min(64u, last - p0); q++) {
        let iy = pixelCorner[q].x + ky;
        let ix = pixelCorner[q].y + kx;
        if (iy >= 0 && iy < i32(g.h) && ix >= 0 && ix < i32(g.w)) {
          let v = vec4<f32>(mem[pixelSample[q] + tapOffset + u32(iy) * g.w + u32(ix)]);
          acc0 = fma(v, pixelDy[2u * q], acc0);
          acc1 = fma(v, pixelDy[2u * q + 1u], acc1);
        }
      }
    }
  }
  if (t >= taps) { return; }
  let split = groups.z > 1u;
  let out = params.dest + select(0u, wid.z * g.cOut * taps, split);
  let accumulate = params.accumulate && !split;
  for (var c = 0u; c < channels; c++) {
    let at = out + (co0 + c) * taps + t;
    let sum = select(acc1[c % 4u], acc0[c % 4u], c < 4u);
    if (accumulate) { mem[at] += sum; } else { mem[at] = sum; }
  }
}
