// Convolution over NCHW (cross-correlation, as every framework). params: three tensors, then the geometry
// (see geo()); the forward kernels then take a bias (one per output channel; 0xffffffff for none).
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

// conv2dTiled: x, w, y — workgroups over 64 output pixels (x, y) and blocks of output channels (z).
@compute @workgroup_size(64)
fn conv2dTiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = geo();
  let khw = g.kh * g.kw;
  let plane = g.oh * g.ow;
  let p = (wid.x + wid.y * groups.x) * 64u + lid;
  let valid = p < g.n * plane;
  let b = p / plane;
  let at = p % plane;
  let oy = at / g.ow;
  let ox = at % g.ow;
  let co0 = wid.z * CONV_BLOCK;
  let channels = min(CONV_BLOCK, g.cOut - co0);
  let per = chunkChannels(g);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  for (var ci0 = 0u; ci0 < g.cIn; ci0 += per) {
    let count = min(per, g.cIn - ci0);
    stageWeights(lid, u(1u) + (co0 * g.cIn + ci0) * khw, count * khw, khw, g.cIn * khw, khw, channels);
    if (valid) {
      for (var cl = 0u; cl < count; cl++) {
        let xPlane = u(0u) + (b * g.cIn + ci0 + cl) * g.h * g.w;
        for (var ky = 0u; ky < g.kh; ky++) {
          let iy = inputAt(oy, ky, g.sh, g.ph, g.h);
          if (iy < 0) { continue; }
          for (var kx = 0u; kx < g.kw; kx++) {
            let ix = inputAt(ox, kx, g.sw, g.pw, g.w);
            if (ix < 0) { continue; }
            let v = vec4<f32>(mem[xPlane + u32(iy) * g.w + u32(ix)]);
            let t = ((cl * g.kh + ky) * g.kw + kx) * 2u;
            acc0 = fma(v, blockWeights[t], acc0);
            acc1 = fma(v, blockWeights[t + 1u], acc1);
          }
        }
      }
    }
  }
  if (!valid) { return; }
  let y = u(2u) + (b * g.cOut + co0) * plane + at;
  let bias = u(16u);
  for (var c = 0u; c < channels; c++) {
    let sum = select(acc1[c % 4u], acc0[c % 4u], c < 4u);
    mem[y + c * plane] = select(sum + mem[bias + co0 + c], sum, bias == 0xffffffffu);
  }
}

// conv2dBackwardInputTiled: dy, w, dx — workgroups over 64 input pixels (x, y) and blocks of input channels
// (z); each input value gathers from the outputs that read it (dx +=).
@compute @workgroup_size(64)
fn conv2dBackwardInputTiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = geo();
  let khw = g.kh * g.kw;
  let plane = g.h * g.w;
  let p = (wid.x + wid.y * groups.x) * 64u + lid;
  let valid = p < g.n * plane;
  let b = p / plane;
  let at = p % plane;
  let iy = at / g.w;
  let ix = at % g.w;
  let ci0 = wid.z * CONV_BLOCK;
  let channels = min(CONV_BLOCK, g.cIn - ci0);
  let per = chunkChannels(g);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  for (var co0 = 0u; co0 < g.cOut; co0 += per) {
    let count = min(per, g.cOut - co0);
    stageWeights(lid, u(1u) + (co0 * g.cIn + ci0) * khw, count * khw, khw, khw, g.cIn * khw, channels);
    if (valid) {
      for (var cl = 0u; cl < count; cl++) {
        let dyPlane = u(0u) + (b * g.cOut + co0 + cl) * g.oh * g.ow;
        for (var ky = 0u; ky < g.kh; ky++) {
          let oy = outputAt(iy, ky, g.sh, g.ph, g.oh);
          if (oy < 0) { continue; }
          for (var kx = 0u; kx < g.kw; kx++) {
            let ox = outputAt(ix, kx, g.sw, g.pw, g.ow);
            if (ox < 0) { continue; }
            let v = vec4<f32>(mem[dyPlane + u32(oy) * g.ow + u32(ox)]);
            let t = ((cl * g.kh + ky) * g.kw + kx) * 2u;
            acc0 = fma(v, blockWeights[t], acc0);
            acc1 = fma(v, blockWeights[t + 1u], acc1);
          }
        }
      }
    }
  }
  if (!valid) { return; }
  let dx = u(2u) + (b * g.cIn + ci0) * plane + at;
  for (var c = 0u; c < channels; c++) { mem[dx + c * plane] += select(acc1[c % 4u], acc0[c % 4u], c < 4u); }
}

// conv2d: x, w, y
@compute @workgroup_size(64)
fn conv2d(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = geo();
  let i = index1d(gid, groups);
  if (i >= g.n * g.cOut * g.oh * g.ow) { return; }
  let ox = i % g.ow;
  let oy = (i / g.ow) % g.oh;
  let co = (i / (g.ow * g.oh)) % g.cOut;
  let b = i / (g.ow * g.oh * g.cOut);
  var sum = 0.0;
  for (var ci = 0u; ci < g.cIn; ci++) {
    let xPlane = u(0u) + (b * g.cIn + ci) * g.h * g.w;
    let wBase = u(1u) + (co * g.cIn + ci) * g.kh * g.kw;
    for (var ky = 0u; ky < g.kh; ky++) {
      let iy = inputAt(oy, ky, g.sh, g.ph, g.h);
      if (iy < 0) { continue; }
      for (var kx = 0u; kx < g.kw; kx++) {
        let ix = inputAt(ox, kx, g.sw, g.pw, g.w);
        if (ix < 0) { continue; }
        sum += mem[xPlane + u32(iy) * g.w + u32(ix)] * mem[wBase + ky * g.kw + kx];
      }
    }
  }
  let bias = u(16u);
  mem[u(2u) + i] = select(sum + mem[bias + co], sum, bias == 0xffffffffu);
}

// conv2dBackwardInput: dy, w, dx — each input value gathers from the outputs that read it (dx +=).
@compute @workgroup_size(64)
fn conv2dBackwardInput(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = geo();
  let i = index1d(gid, groups);
  if (i >= g.n * g.cIn * g.h * g.w) { return; }
  let ix = i % g.w;
  let iy = (i / g.w) % g.h;
  let ci = (i / (g.w * g.h)) % g.cIn;
  let b = i / (g.w * g.h * g.cIn);
  var sum = 0.0;
  for (var co = 0u; co < g.cOut; co++) {
    let dyPlane = u(0u) + (b * g.cOut + co) * g.oh * g.ow;
    let wBase = u(1u) + (co * g.cIn + ci) * g.kh * g.kw;
    for (var ky = 0u; ky < g.kh; ky++) {
      let oyAt = outputAt(iy, ky, g.sh, g.ph, g.oh);
      if (oyAt < 0) { continue; }
      let oy = u32(oyAt);
      for (var kx = 0u; kx < g.kw; kx++) {
        let oxAt = outputAt(ix, kx, g.sw, g.pw, g.ow);
        if (oxAt < 0) { continue; }
        let ox = u32(oxAt);
        sum += mem[dyPlane + oy * g.ow + ox] * mem[wBase + ky * g.kw + kx];
      }
    }
  }
  mem[u(2u) + i] += sum;
}

// conv2dBackwardWeightTiled: x, dy, target, (geometry), accumulate, pixelsPerGroup — dW[co, ci, ky, kx] (+)=
// Σ over the batch and the output positions of dy[b, co, oy, ox] · x[b, ci, oy·sh + ky − ph, ox·sw + kx − pw].
// Workgroups over 64 taps (ci, ky, kx) (x), blocks of CONV_BLOCK output channels (y) and chunks of
// pixelsPerGroup output pixels (z). For each 64 pixels of its chunk, the workgroup stages their dy values
// for the block and where their windows start; each thread then adds its tap's input value times them into
// CONV_BLOCK sums. One chunk: target is dW; more: target[chunk · weights + w], added up by the backend.
var<workgroup> pixelDy: array<vec4<f32>, 128>; // [pixel][block channel]
var<workgroup> pixelSample: array<u32, 64>; // where the pixel's sample starts in x
var<workgroup> pixelCorner: array<vec2<i32>, 64>; // the window's top row and left column (padding included)

@compute @workgroup_size(64)
fn conv2dBackwardWeightTiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = geo();
  let khw = g.kh * g.kw;
  let taps = g.cIn * khw;
  let t = wid.x * 64u + lid;
  let tapOffset = (t / khw) * g.h * g.w;
  let ky = i32((t % khw) / g.kw);
  let kx = i32(t % g.kw);
  let co0 = wid.y * CONV_BLOCK;
  let channels = min(CONV_BLOCK, g.cOut - co0);
  let plane = g.oh * g.ow;
  let first = wid.z * u(17u);
  let last = min(g.n * plane, first + u(17u));
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  for (var p0 = first; p0 < last; p0 += 64u) {
    workgroupBarrier(); // every thread is done with the previous 64 pixels
    let p = p0 + lid;
    if (p < last) {
      let b = p / plane;
      let at = p % plane;
      let dyAt = u(1u) + (b * g.cOut + co0) * plane + at;
      var d0 = vec4<f32>(0.0);
      var d1 = vec4<f32>(0.0);
      for (var c = 0u; c < min(channels, 4u); c++) { d0[c] = mem[dyAt + c * plane]; }
      for (var c = 4u; c < channels; c++) { d1[c - 4u] = mem[dyAt + c * plane]; }
      pixelDy[2u * lid] = d0;
      pixelDy[2u * lid + 1u] = d1;
      pixelSample[lid] = u(0u) + b * g.cIn * g.h * g.w;
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
  let out = u(2u) + select(0u, wid.z * g.cOut * taps, split);
  let accumulate = flag(16u) && !split;
  for (var c = 0u; c < channels; c++) {
    let at = out + (co0 + c) * taps + t;
    let sum = select(acc1[c % 4u], acc0[c % 4u], c < 4u);
    if (accumulate) { mem[at] += sum; } else { mem[at] = sum; }
  }
}
