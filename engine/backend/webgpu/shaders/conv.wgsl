// Direct convolution over NCHW (cross-correlation, as every framework), one thread per output value.
// params: three tensors, then the geometry (see geo()).

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
  mem[u(2u) + i] = sum;
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

// conv2dBackwardWeight: x, dy, target, (geometry), accumulate — each weight sums over the batch and the output
// positions: one workgroup per weight (x, y) and chunk of TERMS_PER_GROUP terms (z), summed as in biasGrad.
@compute @workgroup_size(REDUCE_THREADS)
fn conv2dBackwardWeight(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = geo();
  let weights = g.cOut * g.cIn * g.kh * g.kw;
  let wi = wid.x + wid.y * groups.x;
  let kx = wi % g.kw;
  let ky = (wi / g.kw) % g.kh;
  let ci = (wi / (g.kw * g.kh)) % g.cIn;
  let co = wi / (g.kw * g.kh * g.cIn);
  let plane = g.oh * g.ow;
  let terms = g.n * plane;
  let first = wid.z * TERMS_PER_GROUP;
  var sum = 0.0;
  if (wi < weights) {
    for (var q = first + lid; q < min(terms, first + TERMS_PER_GROUP); q += REDUCE_THREADS) {
      let b = q / plane;
      let ox = q % g.ow;
      let oy = (q / g.ow) % g.oh;
      let iy = inputAt(oy, ky, g.sh, g.ph, g.h);
      let ix = inputAt(ox, kx, g.sw, g.pw, g.w);
      if (iy >= 0 && ix >= 0) {
        sum += mem[u(1u) + (b * g.cOut + co) * plane + q % plane] * mem[u(0u) + ((b * g.cIn + ci) * g.h + u32(iy)) * g.w + u32(ix)];
      }
    }
  }
  let total = workgroupSum(lid, sum);
  if (lid == 0u && wi < weights) {
    let at = u(2u) + select(wid.z * weights + wi, wi, groups.z == 1u);
    if (flag(16u) && groups.z == 1u) { mem[at] += total; } else { mem[at] = total; }
  }
}
