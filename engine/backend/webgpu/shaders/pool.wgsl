// Pooling over NCHW planes (n · cIn of them), one thread per output (forward) or per input (backward,
// gathering from the windows that contain it, so no two threads write the same value).

// maxPool: the winner's index within its plane is saved in argmax (-1: a window of padding only).
@compute @workgroup_size(64)
fn maxPool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = maxPoolParams();
  let g = p.g;
  let i = index1d(gid, groups);
  if (i >= g.n * g.cIn * g.oh * g.ow) { return; }
  let ox = i % g.ow;
  let oy = (i / g.ow) % g.oh;
  let plane = i / (g.ow * g.oh);
  let xPlane = p.x + plane * g.h * g.w;
  // −∞ and −1 until a value beats it, exactly as the CPU loop starts.
  var best = negativeInfinity();
  var winner = -1;
  var done = false;
  for (var ky = 0u; ky < g.kh && !done; ky++) {
    let iy = inputAt(oy, ky, g.sh, g.ph, g.h);
    if (iy < 0) { continue; }
    for (var kx = 0u; kx < g.kw; kx++) {
      let ix = inputAt(ox, kx, g.sw, g.pw, g.w);
      if (ix < 0) { continue; }
      let v = mem[xPlane + u32(iy) * g.w + u32(ix)];
      // NaN propagates (the first one wins), as in PyTorch.
      if (v > best || v != v) {
        best = v;
        winner = iy * i32(g.w) + ix;
        if (v != v) { done = true; break; }
      }
    }
  }
  mem[p.y + i] = best;
  mem[p.argmax + i] = f32(winner);
}

// maxPoolBackward: dx += (or =, unless accumulate)
@compute @workgroup_size(64)
fn maxPoolBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = maxPoolBackwardParams();
  let g = p.g;
  let i = index1d(gid, groups);
  if (i >= g.n * g.cIn * g.h * g.w) { return; }
  let ix = i % g.w;
  let iy = (i / g.w) % g.h;
  let plane = i / (g.w * g.h);
  let here = f32(iy * g.w + ix);
  var sum = 0.0;
  for (var ky = 0u; ky < g.kh; ky++) {
    let oyAt = outputAt(iy, ky, g.sh, g.ph, g.oh);
    if (oyAt < 0) { continue; }
    let oy = u32(oyAt);
    for (var kx = 0u; kx < g.kw; kx++) {
      let oxAt = outputAt(ix, kx, g.sw, g.pw, g.ow);
      if (oxAt < 0) { continue; }
      let ox = u32(oxAt);
      let o = (plane * g.oh + oy) * g.ow + ox;
      if (mem[p.argmax + o] == here) { sum += mem[p.dy + o]; }
    }
  }
  if (p.accumulate) { mem[p.dx + i] += sum; } else { mem[p.dx + i] = sum; }
}

// avgPool: padding counts as zeros (PyTorch's count_include_pad).
@compute @workgroup_size(64)
fn avgPool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = avgPoolParams();
  let g = p.g;
  let i = index1d(gid, groups);
  if (i >= g.n * g.cIn * g.oh * g.ow) { return; }
  let ox = i % g.ow;
  let oy = (i / g.ow) % g.oh;
  let plane = i / (g.ow * g.oh);
  let xPlane = p.x + plane * g.h * g.w;
  var sum = 0.0;
  for (var ky = 0u; ky < g.kh; ky++) {
    let iy = inputAt(oy, ky, g.sh, g.ph, g.h);
    if (iy < 0) { continue; }
    for (var kx = 0u; kx < g.kw; kx++) {
      let ix = inputAt(ox, kx, g.sw, g.pw, g.w);
      if (ix < 0) { continue; }
      sum += mem[xPlane + u32(iy) * g.w + u32(ix)];
    }
  }
  mem[p.y + i] = sum / f32(g.kh * g.kw);
}

// avgPoolBackward: dx += (or =, unless accumulate)
@compute @workgroup_size(64)
fn avgPoolBackward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = avgPoolBackwardParams();
  let g = p.g;
  let i = index1d(gid, groups);
  if (i >= g.n * g.cIn * g.h * g.w) { return; }
  let ix = i % g.w;
  let iy = (i / g.w) % g.h;
  let plane = i / (g.w * g.h);
  var sum = 0.0;
  for (var ky = 0u; ky < g.kh; ky++) {
    let oyAt = outputAt(iy, ky, g.sh, g.ph, g.oh);
    if (oyAt < 0) { continue; }
    let oy = u32(oyAt);
    for (var kx = 0u; kx < g.kw; kx++) {
      let oxAt = outputAt(ix, kx, g.sw, g.pw, g.ow);
      if (oxAt < 0) { continue; }
      let ox = u32(oxAt);
      sum += mem[p.dy + (plane * g.oh + oy) * g.ow + ox];
    }
  }
  let d = sum / f32(g.kh * g.kw);
  if (p.accumulate) { mem[p.dx + i] += d; } else { mem[p.dx + i] = d; }
}
