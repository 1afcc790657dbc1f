// Shared by every kernel: the session's tensors live in one storage buffer (`mem`, floats), addressed by
// element offsets; each dispatch's arguments are 32 words of a uniform block (integers, or floats by bits),
// read through each kernel's generated parameter struct (`let p = fillParams();`, from kernel-params.ts).
struct Params { v: array<vec4<u32>, 8> }
@group(0) @binding(0) var<storage, read_write> mem: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

fn u(i: u32) -> u32 { return params.v[i / 4u][i % 4u]; }
fn f(i: u32) -> f32 { return bitcast<f32>(u(i)); }
fn flag(i: u32) -> bool { return u(i) != 0u; }
// −∞ and NaN, from the last two words of every parameter block (WGSL refuses them as constants).
fn negativeInfinity() -> f32 { return bitcast<f32>(u(30u)); }
fn notANumber() -> f32 { return bitcast<f32>(u(31u)); }

// Element index of a 1-D dispatch of 64-wide workgroups, laid out over x and y (x is capped at 65535).
fn index1d(gid: vec3<u32>, groups: vec3<u32>) -> u32 { return gid.x + gid.y * groups.x * 64u; }

// Geometry of a convolution or pooling over NCHW (a parameter of kind 'geometry': 13 words).
struct Geo { n: u32, cIn: u32, h: u32, w: u32, cOut: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32, oh: u32, ow: u32 }

// Each kernel's parameters: a struct of its named fields and a function that reads them (kernel-params.ts).
//@generated kernel parameters

// The input coordinate that output position o reads through kernel tap k (o·stride + k − pad), or −1 when
// it falls in the padding.
fn inputAt(o: u32, k: u32, stride: u32, pad: u32, extent: u32) -> i32 {
  let i = i32(o * stride + k) - i32(pad);
  return select(-1, i, i >= 0 && i < i32(extent));
}

// The output position whose window reads input coordinate i through tap k, or −1 when none does (the
// backward passes gather from the windows containing an input, so no two threads write one value).
fn outputAt(i: u32, k: u32, stride: u32, pad: u32, extent: u32) -> i32 {
  let t = i32(i + pad) - i32(k);
  if (t < 0) { return -1; }
  var o = t;
  // Integer division is slow on GPUs: skipped for the usual stride of 1.
  if (stride != 1u) {
    if (t % i32(stride) != 0) { return -1; }
    o = t / i32(stride);
  }
  return select(-1, o, o < i32(extent));
}

// tanh with its argument clamped where it is ±1 in float32 anyway (some drivers overflow inside tanh),
// NaN passed through.
fn tanhSafe(x: f32) -> f32 { return select(tanh(clamp(x, -15.0, 15.0)), x, x != x); }

// Workgroup reductions (bias and weight gradients): REDUCE_THREADS threads per workgroup, each adding terms
// of a chunk of TERMS_PER_GROUP.
const REDUCE_THREADS = 256u;
const TERMS_PER_GROUP = 4096u;
var<workgroup> partialSums: array<f32, REDUCE_THREADS>;

// The sum of every thread's value (all threads must call it).
fn workgroupSum(lid: u32, value: f32) -> f32 {
  partialSums[lid] = value;
  workgroupBarrier();
  for (var half = REDUCE_THREADS / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partialSums[lid] += partialSums[lid + half]; }
    workgroupBarrier();
  }
  return partialSums[0];
}
