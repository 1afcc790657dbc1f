/**
 * The matrix product's WGSL, generated per tile size and per transposition: C[M, N] (+)= op(A)[M, K] ·
 * op(B)[K, N], row-major, op transposing when asked.
 *
 * Why generated rather than a .wgsl file: WGSL has no unroll pragma, and the product is fast only when
 * the inner loop is straight-line code over named registers (an indexed accumulator array spilled to
 * memory on an H200: 2 TFLOP/s instead of 13), and when the staging code knows at compile time which way
 * each operand lies in memory. tfjs, TVM and cuBLAS's kernel generators do the same.
 *
 * The kernel: a workgroup computes a BM x BN block of C, walking K in steps of BK. Each step stages
 * op(A)'s BM x BK and op(B)'s BK x BN blocks in workgroup memory as "quads" (four neighbouring rows, or
 * columns, at one k: a vec4), laid out [k][quad] so that a thread reads four rows or columns with one
 * vec4 read. Each thread accumulates TM x TN outputs: rows tr·4 + e + h·(BM/TM)·4 (e < 4, h < TM/4), and
 * likewise columns, so that neighbouring threads read neighbouring quads (no bank conflicts).
 * With `prefetch`, the next step's blocks are loaded into registers while this step multiplies, and
 * stored into the other of two workgroup buffers after (one barrier per step instead of two).
 * Split K: workgroup z covers K from z·kPerSplit; with more than one split each writes its own slice of
 * the output (c + z·M·N, no accumulation) and the backend adds the slices after.
 * Its parameters are kernelParams.matmul (kernel-params.ts). The bias (0xffffffff for none) is added as the
 * outputs are stored (the backend adds it after the slices instead when K is split).
 */

/** The shape of one product kernel. */
export interface MatmulTile {
  BM: number;
  BN: number;
  BK: number;
  TM: number;
  TN: number;
  /** Load the next K step while multiplying this one (two workgroup buffers, one barrier per step). */
  prefetch?: boolean;
}

/** The four ways the operands can lie in memory, as pipeline name suffixes: op(A) then op(B). */
export const TRANSPOSITIONS = ['NN', 'NT', 'TN', 'TT'] as const;
export type Transposition = (typeof TRANSPOSITIONS)[number];
export const transposition = (transA: boolean, transB: boolean): Transposition =>
  `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}` as Transposition;

/** Why a tile cannot be generated, or undefined when it can. */
export function tileProblem(t: MatmulTile): string | undefined {
  if (t.TM % 4 !== 0 || t.TN % 4 !== 0) return 'TM and TN must be multiples of 4';
  if (t.BM % t.TM !== 0 || t.BN % t.TN !== 0) return 'BM and BN must be multiples of TM and TN';
  const threads = (t.BM / t.TM) * (t.BN / t.TN);
  if (threads > 256 || threads < 32) return `${threads} threads per workgroup (32 to 256)`;
  return undefined;
}

/** Bytes of workgroup memory the kernel uses: both blocks, each row of quads padded by one (see below). */
export function workgroupBytes(t: MatmulTile): number {
  return (t.prefetch ? 2 : 1) * t.BK * (t.BM / 4 + 1 + t.BN / 4 + 1) * 16;
}

/**
 * The tile as it fits a device's workgroup memory: without prefetching, then with a shorter K step, when
 * it needs more than the device has (WebGPU guarantees 16 KiB; large GPUs give more when asked).
 */
export function fitTile(t: MatmulTile, limitBytes: number): MatmulTile {
  let fitted = t;
  if (workgroupBytes(fitted) > limitBytes && fitted.prefetch) fitted = { ...fitted, prefetch: false };
  while (workgroupBytes(fitted) > limitBytes && fitted.BK > 1) fitted = { ...fitted, BK: fitted.BK / 2 };
  return fitted;
}

/** One operand's staging: which matrix, its rows (op(A)) or columns (op(B)), and how it lies in memory. */
interface Operand {
  name: 'A' | 'B';
  /** The parameter holding its offset, its extent along M or N, the block's base along it, its block size. */
  offset: string;
  extent: string;
  base: string;
  size: number;
  /** Stored with K contiguous (A not transposed, or B transposed). */
  kContiguous: boolean;
}

const lines = (n: number, line: (i: number) => string | string[]) =>
  Array.from({ length: n }, (_, i) => line(i)).flat();

/** WGSL for one tile size and transposition, its entry point named `entry`. */
export function matmulShader(tile: MatmulTile, trans: Transposition, entry: string): string {
  const problem = tileProblem(tile);
  if (problem) throw new Error(`matmul tile ${JSON.stringify(tile)}: ${problem}`);
  const { BM, BN, BK, TM, TN } = tile;
  const prefetch = tile.prefetch ?? false;
  const rowThreads = BM / TM;
  const colThreads = BN / TN;
  const threads = rowThreads * colThreads;
  const A: Operand = { name: 'A', offset: 'a', extent: 'm', base: 'rowBase', size: BM, kContiguous: trans[0] === 'N' };
  const B: Operand = { name: 'B', offset: 'b', extent: 'n', base: 'colBase', size: BN, kContiguous: trans[1] === 'T' };
  // A row of quads at one k, padded by one quad so that K-contiguous staging stores hit different banks.
  const stride = (o: Operand) => o.size / 4 + 1;
  const bufferSize = (o: Operand) => BK * stride(o);
  const buffers = prefetch ? 2 : 1;
  const slots = (o: Operand) => Math.ceil(((o.size / 4) * BK) / threads);
  const quads = (o: Operand) => (o.size / 4) * BK;
  /** The k and quad that staging slot `e` (an expression) holds: neighbouring slots on neighbouring addresses. */
  const slotOf = (o: Operand, e: string) =>
    o.kContiguous ? [`(${e}) % ${BK}u`, `(${e}) / ${BK}u`] : [`(${e}) / ${o.size / 4}u`, `(${e}) % ${o.size / 4}u`];
  /** Threads past the block's quads (when it has fewer than threads × slots) stage nothing. */
  const guardOf = (o: Operand, e: string) => (quads(o) % threads === 0 ? '' : `if (${e} < ${quads(o)}u) `);

  /** Loads this thread's quads of the block at k0 into registers q<name><slot>. */
  const load = (o: Operand, k0: string) =>
    lines(slots(o), (s) => {
      const q = `q${o.name}${s}`;
      const e = `e${o.name}${s}`;
      const [kk, quad] = slotOf(o, e);
      const at = (r: string) =>
        o.kContiguous ? `${o.offset} + (${r}) * k + gk` : `${o.offset} + gk * ${o.extent} + ${r}`;
      return [
        `  {`,
        `    let ${e} = lid + ${s * threads}u;`,
        `    ${q} = vec4<f32>(0.0);`,
        `    ${guardOf(o, e)}{`,
        `      let gk = ${k0} + ${kk};`,
        `      let r = ${o.base} + (${quad}) * 4u;`,
        `      if (gk < kEnd && r + 3u < ${o.extent}) {`,
        `        ${q} = vec4<f32>(mem[${at('r')}], mem[${at('r + 1u')}], mem[${at('r + 2u')}], mem[${at('r + 3u')}]);`,
        `      } else if (gk < kEnd) {`,
        ...lines(4, (j) => `        if (r + ${j}u < ${o.extent}) { ${q}[${j}] = mem[${at(`r + ${j}u`)}]; }`),
        `      }`,
        `    }`,
        `  }`,
      ];
    });

  /** Stores the registers into workgroup buffer `buffer` (an expression, 0 or 1). */
  const store = (o: Operand, buffer: string) =>
    lines(slots(o), (s) => {
      const e = `lid + ${s * threads}u`;
      const [kk, quad] = slotOf(o, e);
      return `  ${guardOf(o, e)}{ tile${o.name}[${buffer} * ${bufferSize(o)}u + (${kk}) * ${stride(o)}u + ${quad}] = q${o.name}${s}; }`;
    });

  /** BK rank-1 updates from workgroup buffer `buffer`, unrolled. */
  const multiply = (buffer: string) =>
    lines(BK, (kk) => [
      ...lines(
        TM / 4,
        (h) => `  let a${kk}_${h} = tileA[${buffer} * ${bufferSize(A)}u + ${kk * stride(A) + h * rowThreads}u + tr];`,
      ),
      ...lines(
        TN / 4,
        (h) => `  let b${kk}_${h} = tileB[${buffer} * ${bufferSize(B)}u + ${kk * stride(B) + h * colThreads}u + tc];`,
      ),
      ...lines(TM, (i) =>
        lines(TN / 4, (h) => `  acc${i}_${h} = fma(vec4<f32>(a${kk}_${i >> 2}[${i % 4}]), b${kk}_${h}, acc${i}_${h});`),
      ),
    ]);

  const body = prefetch
    ? [
        ...load(A, 'kBegin'),
        ...load(B, 'kBegin'),
        ...store(A, '0u'),
        ...store(B, '0u'),
        '  workgroupBarrier();',
        '  var current = 0u;',
        `  for (var k0 = kBegin; k0 < kEnd; k0 += ${BK}u) {`,
        `    let more = k0 + ${BK}u < kEnd;`,
        `    if (more) {`,
        ...load(A, `k0 + ${BK}u`),
        ...load(B, `k0 + ${BK}u`),
        '    }',
        ...multiply('current'),
        '    if (more) {',
        ...store(A, '(1u - current)'),
        ...store(B, '(1u - current)'),
        '    }',
        '    workgroupBarrier();',
        '    current = 1u - current;',
        '  }',
      ]
    : [
        `  for (var k0 = kBegin; k0 < kEnd; k0 += ${BK}u) {`,
        ...load(A, 'k0'),
        ...load(B, 'k0'),
        ...store(A, '0u'),
        ...store(B, '0u'),
        '    workgroupBarrier();',
        ...multiply('0u'),
        '    workgroupBarrier();',
        '  }',
      ];

  return [
    `// Generated by matmul-shader.ts: ${BM} x ${BN} block, K step ${BK}, ${TM} x ${TN} per thread, op(A)op(B) = ${trans}${prefetch ? ', prefetched' : ''}.`,
    `var<workgroup> tileA: array<vec4<f32>, ${buffers * bufferSize(A)}>;`,
    `var<workgroup> tileB: array<vec4<f32>, ${buffers * bufferSize(B)}>;`,
    '',
    `@compute @workgroup_size(${threads})`,
    `fn ${entry}(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {`,
    '  let p = matmulParams();',
    '  let a = p.a;',
    '  let b = p.b;',
    '  let m = p.m;',
    '  let n = p.n;',
    '  let k = p.k;',
    '  let kBegin = wid.z * p.kPerSplit;',
    '  let kEnd = min(k, kBegin + p.kPerSplit);',
    `  let rowBase = wid.y * ${BM}u;`,
    `  let colBase = wid.x * ${BN}u;`,
    `  let tr = lid / ${colThreads}u;`,
    `  let tc = lid % ${colThreads}u;`,
    ...lines(TM, (i) => lines(TN / 4, (h) => `  var acc${i}_${h} = vec4<f32>(0.0);`)),
    ...lines(slots(A), (s) => `  var qA${s}: vec4<f32>;`),
    ...lines(slots(B), (s) => `  var qB${s}: vec4<f32>;`),
    ...body,
    '  let split = p.splits > 1u;',
    '  let c = p.out + select(0u, wid.z * m * n, split);',
    '  let accumulate = p.accumulate && !split;',
    '  let bias = p.bias;',
    ...lines(TM, (i) =>
      lines(TN / 4, (h) => {
        const row = `rowBase + ${(i >> 2) * rowThreads * 4 + (i % 4)}u + tr * 4u`;
        const col = `colBase + ${h * colThreads * 4}u + tc * 4u`;
        return `  storeQuad(c, ${row}, ${col}, m, n, accumulate, bias, acc${i}_${h});`;
      }),
    ),
    '}',
    '',
    '// Writes (or adds) four neighbouring outputs of a row, those inside the matrix, plus their bias.',
    'fn storeQuad(c: u32, row: u32, col: u32, m: u32, n: u32, accumulate: bool, bias: u32, v: vec4<f32>) {',
    '  if (row >= m) { return; }',
    '  for (var e = 0u; e < 4u; e++) {',
    '    let at = c + row * n + col + e;',
    '    if (col + e >= n) { continue; }',
    '    let value = select(v[e] + mem[bias + col + e], v[e], bias == 0xffffffffu);',
    '    if (accumulate) { mem[at] += value; } else { mem[at] = value; }',
    '  }',
    '}',
    '',
  ].join('\n');
}
