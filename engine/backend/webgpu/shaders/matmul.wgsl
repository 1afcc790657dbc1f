// C[M, N] (+)= op(A)[M, K] · op(B)[K, N], row-major; op transposes when asked.
// params: a, b, c, m, n, k, transA, transB, accumulate, kPerSplit
//
// Tiled: a workgroup computes a BM x BN block of C, walking K in steps of BK; each step stages op(A)'s
// BM x BK and op(B)'s BK x BN blocks in workgroup memory, and each thread accumulates TM x TN outputs in
// registers, four neighbouring columns at a time (vec4), so that one read of workgroup memory feeds four
// multiply-adds. A thread's rows are tr·4 + e + h·(BM·4/TM) (e < 4, h < TM/4), its columns likewise.
// Split K: workgroup z covers K from z·kPerSplit; with more than one split each writes its own slice of
// the output (c + z·M·N, no accumulation) and the backend adds the slices after.
// The backend builds one pipeline per tile size from this file (see MATMUL_TILES): the constants below
// are replaced, line for line.
const BM = 128u;
const BN = 128u;
const BK = 8u;
const TM = 8u;
const TN = 8u;
const ROW_THREADS = BM / TM;
const COL_THREADS = BN / TN;
const THREADS = ROW_THREADS * COL_THREADS;
const ROW_STRIDE = ROW_THREADS * 4u;
const COL_STRIDE = COL_THREADS * 4u;

var<workgroup> tileA: array<vec4<f32>, BK * BM / 4u>; // [kk][row]
var<workgroup> tileB: array<vec4<f32>, BK * BN / 4u>; // [kk][col]

@compute @workgroup_size(THREADS)
fn matmul(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let a = u(0u);
  let b = u(1u);
  let m = u(3u);
  let n = u(4u);
  let k = u(5u);
  let transA = flag(6u);
  let transB = flag(7u);
  let kBegin = wid.z * u(9u);
  let kEnd = min(k, kBegin + u(9u));
  let rowBase = wid.y * BM;
  let colBase = wid.x * BN;
  let tr = lid / COL_THREADS;
  let tc = lid % COL_THREADS;
  var acc: array<vec4<f32>, TM * TN / 4u>;
  for (var k0 = kBegin; k0 < kEnd; k0 += BK) {
    // Stage the blocks, with neighbouring threads on neighbouring addresses of the stored matrix.
    for (var e = lid; e < BM * BK; e += THREADS) {
      var row = e / BK;
      var kk = e % BK;
      if (transA) { kk = e / BM; row = e % BM; }
      let gr = rowBase + row;
      let gk = k0 + kk;
      var v = 0.0;
      if (gr < m && gk < kEnd) { v = mem[a + select(gr * k + gk, gk * m + gr, transA)]; }
      let at = kk * BM + row;
      tileA[at / 4u][at % 4u] = v;
    }
    for (var e = lid; e < BN * BK; e += THREADS) {
      var kk = e / BN;
      var col = e % BN;
      if (transB) { col = e / BK; kk = e % BK; }
      let gc = colBase + col;
      let gk = k0 + kk;
      var v = 0.0;
      if (gc < n && gk < kEnd) { v = mem[b + select(gk * n + gc, gc * k + gk, transB)]; }
      let at = kk * BN + col;
      tileB[at / 4u][at % 4u] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var rb: array<vec4<f32>, TN / 4u>;
      for (var h = 0u; h < TN / 4u; h++) { rb[h] = tileB[(kk * BN + h * COL_STRIDE) / 4u + tc]; }
      for (var hi = 0u; hi < TM / 4u; hi++) {
        let ra = tileA[(kk * BM + hi * ROW_STRIDE) / 4u + tr];
        for (var e = 0u; e < 4u; e++) {
          let i = hi * 4u + e;
          for (var h = 0u; h < TN / 4u; h++) { acc[i * (TN / 4u) + h] = fma(vec4<f32>(ra[e]), rb[h], acc[i * (TN / 4u) + h]); }
        }
      }
    }
    workgroupBarrier();
  }
  let split = u(10u) > 1u;
  let c = u(2u) + select(0u, wid.z * m * n, split);
  let accumulate = flag(8u) && !split;
  for (var i = 0u; i < TM; i++) {
    let row = rowBase + (i / 4u) * ROW_STRIDE + tr * 4u + i % 4u;
    if (row >= m) { continue; }
    for (var h = 0u; h < TN / 4u; h++) {
      let v = acc[i * (TN / 4u) + h];
      for (var e = 0u; e < 4u; e++) {
        let col = colBase + h * COL_STRIDE + tc * 4u + e;
        if (col >= n) { continue; }
        let at = c + row * n + col;
        if (accumulate) { mem[at] += v[e]; } else { mem[at] = v[e]; }
      }
    }
  }
}
