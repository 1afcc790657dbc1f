import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeSpawnThread } from '../../../cli/threads';
import type { Conv2dGeometry } from '../../../engine/backend/backend';
import { createCpuBackend } from '../../../engine/backend/cpu/cpu-backend';
import type { FloatArray } from '../../../engine/backend/cpu/types';
import { WasmArena } from '../../../engine/backend/cpu/wasm/arena';
import { wasmKernels } from '../../../engine/backend/cpu/wasm-kernels';
import { composedStep, composedStepBackward, lstmSteps } from '../../../engine/backend/lstm-step';
import { Random } from '../../../engine/init/random';
import { optimizerKinds } from '../../../engine/ops/optimizers';
import { compileKernels, moduleSource } from '../../../scripts/build-wasm';
import { threadedArena, withThisThreadSlow } from '../../helpers/threaded-arena';

/**
 * The WebAssembly kernels against the reference loops: the same calls on tensors in the arena (fast) and
 * on plain arrays (reference), compared element by element.
 */
const fast = createCpuBackend('f32');
/** With a helper thread: large products split by columns, convolutions by samples. */
const threaded = createCpuBackend('f32', { spawnThread: nodeSpawnThread });
const reference = createCpuBackend('f32', { fast: false });
/** The kernels built without relaxed SIMD (a multiply and an add where the others fuse them). */
const unfused = createCpuBackend('f32', { relaxedSimd: false });
const random = new Random(7);

afterAll(() => threaded.dispose?.());

/** The same random values in the arena and in a plain array. */
function pairIn(size: number, lo = -1, hi = 1, backend = fast): [FloatArray, FloatArray] {
  const values = Array.from({ length: size }, () => random.uniform(lo, hi));
  const inArena = backend.alloc(size, 'test');
  inArena.set(values);
  return [inArena, Float32Array.from(values)];
}

/** Entry by entry; the first entry out of tolerance is the one reported (an expect per entry was slow). */
function expectClose(actual: FloatArray, expected: FloatArray, what: string, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const wrong = expected.findIndex((want, i) =>
    Number.isNaN(want) ? !Number.isNaN(actual[i]) : !(Math.abs(actual[i] - want) <= tolerance * (1 + Math.abs(want))),
  );
  if (wrong < 0) return;
  const [got, want] = [actual[wrong], expected[wrong]];
  if (Number.isNaN(want)) expect(got, `${what} entry ${wrong}`).toBeNaN();
  else
    expect(Math.abs(got - want), `${what} entry ${wrong}: ${got} vs ${want}`).toBeLessThanOrEqual(
      tolerance * (1 + Math.abs(want)),
    );
}

describe('tensors in shared WebAssembly memory', () => {
  it('are allocated in the arena, zero-filled, and counted', () => {
    const before = fast.allocations;
    const t = fast.alloc(1001, 'x');
    expect(t.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(t.every((v) => v === 0)).toBe(true);
    expect(fast.allocations).toBe(before + 1);
  });

  it('stay valid when the memory grows', () => {
    const first = fast.alloc(4, 'first');
    first.set([1, 2, 3, 4]);
    fast.alloc(4 * 1024 * 1024, 'large');
    expect(Array.from(first)).toEqual([1, 2, 3, 4]);
  });

  it('the committed module is the compiled AssemblyScript source', async () => {
    const committed = readFileSync(
      join(import.meta.dirname, '../../../engine/backend/cpu/wasm/kernels-wasm.ts'),
      'utf8',
    );
    expect(committed).toBe(moduleSource('kernels', await compileKernels(), 'kernels/*.ts (AssemblyScript)'));
    const relaxed = readFileSync(
      join(import.meta.dirname, '../../../engine/backend/cpu/wasm/kernels-relaxed-wasm.ts'),
      'utf8',
    );
    expect(relaxed).toBe(
      moduleSource('kernelsRelaxed', await compileKernels(true), 'kernels/*.ts (AssemblyScript, relaxed SIMD)'),
    );
  });

  it('multiply-add fused where the runtime has relaxed SIMD (here: Node with its flag), else not', () => {
    const fused = WasmArena.create()!;
    expect(fused.fusedMultiplyAdd).toBe(true);
    // The fused module rounds once per multiply-add: the exact square of 1 + 2⁻¹² less its rounded square
    // keeps the last 2⁻²⁴, which a multiply then an add rounds away.
    expect(fusedResidue(fused)).toBe(2 ** -24);
    const plain = WasmArena.create({ relaxedSimd: false })!;
    expect(plain.fusedMultiplyAdd).toBe(false);
    expect(fusedResidue(plain)).toBe(0);
  });
});

/**
 * (1 + 2⁻¹²)² − r, where r is that square rounded to float32, through the product kernel (a 1 × 1 × 2
 * product: 1·(−r) + x·x, in that order): 2⁻²⁴ when the multiply-add is fused, 0 when the square is rounded
 * first.
 */
function fusedResidue(arena: WasmArena): number {
  const x = 1 + 2 ** -12;
  const rounded = Math.fround(x * x);
  const a = arena.alloc(2)!;
  const b = arena.alloc(2)!;
  const c = arena.alloc(1)!;
  a.set([1, x]);
  b.set([-rounded, x]);
  const scratch = arena.scratch('residue', arena.kernels.gemmScratchFloats(1, 1));
  arena.kernels.gemm(a.byteOffset, b.byteOffset, c.byteOffset, 1, 1, 2, false, false, false, scratch, 0, 1, 0);
  return c[0];
}

describe.each([
  ['one thread', fast],
  ['two threads', threaded],
  ['one thread, without relaxed SIMD', unfused],
])('matrix multiply (packed, blocked over K), %s', (_, backend) => {
  const pair2 = (size: number) => pairIn(size, -1, 1, backend);
  const shapes = [
    [64, 256, 784],
    [37, 29, 300],
    [1, 1, 1],
    [4, 8, 1],
    [5, 130, 7],
    [128, 10, 513],
    [3, 17, 0],
  ];
  for (const [m, n, k] of shapes)
    for (const transA of [false, true])
      for (const transB of [false, true])
        for (const accumulate of [false, true])
          it(`${m}×${k} · ${k}×${n}, transA ${transA}, transB ${transB}, accumulate ${accumulate}`, () => {
            const [a, a0] = pair2(m * k);
            const [b, b0] = pair2(k * n);
            const [out, out0] = pair2(m * n);
            backend.matmul({ a, b, out, m, n, k, transA, transB, accumulate });
            reference.matmul({ a: a0, b: b0, out: out0, m, n, k, transA, transB, accumulate });
            expectClose(out, out0, 'out', 1e-4);
          });

  // A weight gradient's product with its bias's gradient: dW (+)= xᵀ·dy, db += dy's column sums (summed as
  // the product packs a plain B; a transposed B's rows summed apart), against sums taken here in float64.
  for (const [m, n, k] of shapes)
    for (const transB of [false, true])
      it(`${m}×${k} · ${k}×${n}, transB ${transB}: op(B)'s column sums added into bColumnSums`, () => {
        const [a, a0] = pair2(m * k);
        const [b, b0] = pair2(k * n);
        const [out, out0] = pair2(m * n);
        const [sums, start] = pair2(n);
        const referenceSums = Float32Array.from(start);
        backend.matmul({ a, b, out, m, n, k, transA: true, transB, accumulate: true, bColumnSums: sums });
        reference.matmul({
          a: a0,
          b: b0,
          out: out0,
          m,
          n,
          k,
          transA: true,
          transB,
          accumulate: true,
          bColumnSums: referenceSums,
        });
        expectClose(out, out0, 'out', 1e-4);
        const want = Float32Array.from(start, (s, j) => {
          let sum = s;
          for (let p = 0; p < k; p++) sum += transB ? b0[j * k + p] : b0[p * n + j];
          return sum;
        });
        // Float32 sums of up to 784 terms, in blocks of 256 and four or eight at a time: as close as `out`.
        expectClose(sums, want, 'column sums', 1e-4);
        expectClose(referenceSums, want, "the reference loops' column sums", 1e-4);
      });

  it('falls back to the reference loops for arrays outside the arena', () => {
    const a = Float32Array.from([1, 2, 3, 4]);
    const out = new Float32Array(4);
    backend.matmul({ a, b: a, out, m: 2, n: 2, k: 2, transA: false, transB: false, accumulate: false });
    expect(Array.from(out)).toEqual([7, 10, 15, 22]);
  });
});

describe.each([
  ['one thread', fast],
  ['two threads', threaded],
  ['one thread, without relaxed SIMD', unfused],
])('convolution and pooling, %s', (_, backend) => {
  const pairOf = (size: number) => pairIn(size, -1, 1, backend);
  const g = (
    n: number,
    cIn: number,
    h: number,
    w: number,
    cOut: number,
    k: [number, number],
    s: [number, number],
    p: [number, number],
  ): Conv2dGeometry => ({
    n,
    cIn,
    h,
    w,
    cOut,
    kh: k[0],
    kw: k[1],
    sh: s[0],
    sw: s[1],
    ph: p[0],
    pw: p[1],
    oh: Math.floor((h + 2 * p[0] - k[0]) / s[0]) + 1,
    ow: Math.floor((w + 2 * p[1] - k[1]) / s[1]) + 1,
  });
  const cases: [string, Conv2dGeometry][] = [
    ['LeNet conv1', g(3, 1, 28, 28, 6, [5, 5], [1, 1], [2, 2])],
    ['strided, uneven padding', g(2, 3, 9, 11, 8, [3, 2], [2, 3], [1, 0])],
    ['stride 2, padding 2', g(2, 2, 8, 7, 5, [3, 3], [2, 2], [2, 2])],
    ['1x1 (no patches needed)', g(2, 16, 7, 7, 12, [1, 1], [1, 1], [0, 0])],
    ['1x1 strided', g(2, 4, 6, 6, 3, [1, 1], [2, 2], [0, 0])],
    ['kernel wider than the image', g(1, 2, 3, 3, 4, [5, 5], [1, 1], [2, 2])],
    // Few taps per output (at most 32, stride 1) are summed tap by tap: rows that end inside a vector,
    // channels that do not fill a group of four, an odd number of taps, unequal padding.
    ['few taps, 3 channels, rows of 13', g(3, 3, 9, 13, 5, [3, 3], [1, 1], [1, 1])],
    ['few taps, 9 of them, 7 channels, rows of 12', g(2, 1, 7, 12, 7, [3, 3], [1, 1], [1, 1])],
    ['few taps, padded rows only', g(2, 1, 10, 18, 3, [5, 3], [1, 1], [2, 0])],
    // The weight gradient sums runs of 5 taps of a kernel row over rows of whole vectors: a row of 7 taps
    // (a run of 5, then of 2), 3 channels of 3 × 3 (runs that read past the kernel's width), rows of 8.
    ['few taps, rows of 7 taps, whole vectors', g(2, 2, 6, 16, 5, [1, 7], [1, 1], [0, 1])],
    ['few taps, 3 channels of 3x3, whole vectors', g(2, 3, 8, 8, 4, [3, 3], [1, 1], [1, 1])],
    // Rows that end inside a vector (10 = 8 + 2, 7 = 4 + 3; 13 above): the weight gradient's last vector.
    ['few taps, rows of 10', g(2, 1, 14, 14, 6, [5, 5], [1, 1], [0, 0])],
    ['few taps, 3 channels, rows of 7', g(2, 3, 9, 9, 3, [3, 3], [1, 1], [0, 0])],
    ['LeNet conv2', g(3, 6, 14, 14, 16, [5, 5], [1, 1], [0, 0])],
    // Batches of several chunks, which two threads share out (groups of samples side by side in each).
    ['LeNet conv1, 37 samples', g(37, 1, 28, 28, 6, [5, 5], [1, 1], [2, 2])],
    ['LeNet conv2, 37 samples', g(37, 6, 14, 14, 16, [5, 5], [1, 1], [0, 0])],
    ['padded 3x3, planes of 6x6, 37 samples', g(37, 3, 6, 6, 5, [3, 3], [1, 1], [1, 1])],
    // Forward four positions at a time: windows inside the image read in place, those across the border
    // gathered, rows of 9 (the last four overlap), 10 channels (a strip of 8 and a partial one).
    ['padded 3x3 over 4 channels, rows of 9, 10 channels', g(2, 4, 9, 9, 10, [3, 3], [1, 1], [1, 1])],
    // More taps than one block of the product: the forward pass through im2col.
    ['more taps than a product block (270)', g(2, 30, 6, 6, 9, [3, 3], [1, 1], [1, 1])],
    // The weight gradient of unpadded layers in place: 18 taps (a partial tile of four), 10 channels, stride
    // 2 down, 5 samples in one group; then planes of 34 × 34, a group per sample.
    ['unpadded, stride 2 down, 18 taps, 10 channels', g(5, 3, 11, 9, 10, [3, 2], [2, 1], [0, 0])],
    ['unpadded 3x3 over 4 channels, planes of 34x34', g(3, 4, 36, 36, 5, [3, 3], [1, 1], [0, 0])],
    // The input gradient's col2im by image rows (stride 1 across) 16 pixels at a time: rows of 21 (a
    // second, partial run of 16), stride 2 down, padding wider across than down.
    ['stride 2 down, padded 1 by 2, rows of 21', g(2, 3, 9, 21, 4, [3, 4], [2, 1], [1, 2])],
  ];
  for (const [name, geo] of cases)
    it(`${name}: forward and both gradients`, () => {
      const [x, x0] = pairOf(geo.n * geo.cIn * geo.h * geo.w);
      const [w, w0] = pairOf(geo.cOut * geo.cIn * geo.kh * geo.kw);
      const [dy, dy0] = pairOf(geo.n * geo.cOut * geo.oh * geo.ow);
      const [y, y0] = pairOf(dy.length);
      backend.conv2d({ x, w, y, g: geo });
      reference.conv2d({ x: x0, w: w0, y: y0, g: geo });
      expectClose(y, y0, 'y', 1e-4);
      const [dw, dw0] = pairOf(w.length);
      backend.conv2dBackwardWeight({ x, dy, dw, g: geo });
      reference.conv2dBackwardWeight({ x: x0, dy: dy0, dw: dw0, g: geo });
      expectClose(dw, dw0, 'dw', 1e-4);
      for (const accumulate of [true, false]) {
        const [dx, dx0] = pairOf(x.length);
        // Written outright: what was there must not count (NaN here, other values in the reference's).
        if (!accumulate) dx.fill(Number.NaN);
        backend.conv2dBackwardInput({ dy, w, dx, g: geo, accumulate });
        reference.conv2dBackwardInput({ dy: dy0, w: w0, dx: dx0, g: geo, accumulate });
        expectClose(dx, dx0, accumulate ? 'dx added' : 'dx written', 1e-4);
      }
    });

  it('weight gradient of rows ending inside a vector: a NaN counts only in the taps that reach it', () => {
    // Output rows of 10 end two lanes into a vector, whose other lanes would read the input's last columns
    // for taps that never reach them.
    const geo = g(2, 1, 14, 14, 16, [5, 5], [1, 1], [0, 0]);
    const [x, x0] = pairOf(geo.n * geo.cIn * geo.h * geo.w);
    const lastColumn = 3 * geo.w + geo.w - 1;
    x[lastColumn] = Number.NaN;
    x0[lastColumn] = Number.NaN;
    const [dy, dy0] = pairOf(geo.n * geo.cOut * geo.oh * geo.ow);
    const [dw, dw0] = pairOf(geo.cOut * geo.cIn * geo.kh * geo.kw);
    backend.conv2dBackwardWeight({ x, dy, dw, g: geo });
    reference.conv2dBackwardWeight({ x: x0, dy: dy0, dw: dw0, g: geo });
    // Only the taps of the last kernel column of channel 0 reach the pixel (rows 0 to 3 of the kernel).
    expect(Array.from(dw0).filter(Number.isNaN).length).toBe(geo.cOut * 4);
    expectClose(dw, dw0, 'dw', 1e-4);
  });

  it('input gradient: a NaN in dy reaches only the pixels of its window', () => {
    // col2im by rows reads whole vectors around each output row and masks the lanes outside it: a NaN at
    // the end of one output row must not leak into the pixels the next row's taps add to.
    const geo = g(2, 2, 14, 14, 3, [5, 5], [1, 1], [0, 0]);
    const [dy, dy0] = pairOf(geo.n * geo.cOut * geo.oh * geo.ow);
    const endOfRow = 4 * geo.ow + geo.ow - 1;
    dy[endOfRow] = Number.NaN;
    dy0[endOfRow] = Number.NaN;
    const [w, w0] = pairOf(geo.cOut * geo.cIn * geo.kh * geo.kw);
    const [dx, dx0] = pairOf(geo.n * geo.cIn * geo.h * geo.w);
    backend.conv2dBackwardInput({ dy, w, dx, g: geo, accumulate: true });
    reference.conv2dBackwardInput({ dy: dy0, w: w0, dx: dx0, g: geo, accumulate: true });
    // Its window: 5 × 5 pixels in each of the sample's 2 channels.
    expect(Array.from(dx0).filter(Number.isNaN).length).toBe(geo.cIn * 25);
    expectClose(dx, dx0, 'dx', 1e-4);
  });

  it('max pooling 2x2: ties keep the first pixel of the window, rows with a tail', () => {
    const geo = g(1, 2, 6, 11, 2, [2, 2], [2, 2], [0, 0]);
    const size = geo.cIn * geo.h * geo.w;
    const x = backend.alloc(size, 'x');
    x.fill(0.5);
    const x0 = new Float32Array(size).fill(0.5);
    const out = geo.cIn * geo.oh * geo.ow;
    const [y, y0] = [backend.alloc(out, 'y'), new Float32Array(out)];
    const [argmax, argmax0] = [backend.alloc(out, 'a'), new Float32Array(out)];
    backend.maxPool({ x, y, argmax, g: geo });
    reference.maxPool({ x: x0, y: y0, argmax: argmax0, g: geo });
    expectClose(argmax, argmax0, 'argmax', 0);
    expectClose(y, y0, 'y', 0);
  });

  for (const [name, geo] of [
    ['2x2', g(2, 3, 8, 8, 3, [2, 2], [2, 2], [0, 0])],
    ['3x3 stride 2, overlapping', g(2, 2, 9, 7, 2, [3, 3], [2, 2], [0, 0])],
    ['3x3 stride 1 padding 1', g(1, 2, 5, 6, 2, [3, 3], [1, 1], [1, 1])],
    // Large enough for two threads to take half the planes each (an odd number of planes).
    ['2x2 over 63 samples of 5 planes', g(63, 5, 28, 28, 5, [2, 2], [2, 2], [0, 0])],
    ['3x3 stride 2 over 33 samples of 3 planes', g(33, 3, 27, 27, 3, [3, 3], [2, 2], [0, 0])],
  ] as const)
    it(`max pooling ${name}: values, winners and gradients`, () => {
      const [x, x0] = pairOf(geo.n * geo.cIn * geo.h * geo.w);
      x[5] = Number.NaN;
      x0[5] = Number.NaN;
      const size = geo.n * geo.cIn * geo.oh * geo.ow;
      const [y, y0] = pairOf(size);
      const [argmax, argmax0] = pairOf(size);
      backend.maxPool({ x, y, argmax, g: geo });
      reference.maxPool({ x: x0, y: y0, argmax: argmax0, g: geo });
      expectClose(y, y0, 'y');
      expectClose(argmax, argmax0, 'argmax', 0);
      const [dy, dy0] = pairOf(size);
      for (const accumulate of [true, false]) {
        const [dx, dx0] = pairOf(x.length);
        // Written outright: what was there must not count (NaN here, other values in the reference's).
        if (!accumulate) dx.fill(Number.NaN);
        backend.maxPoolBackward({ dy, argmax, dx, g: geo, accumulate });
        reference.maxPoolBackward({ dy: dy0, argmax: argmax0, dx: dx0, g: geo, accumulate });
        expectClose(dx, dx0, accumulate ? 'dx added' : 'dx written');
      }
    });
});

describe.each([
  ['one thread', fast],
  ['two threads (large passes split in halves)', threaded],
])('element-wise kernels, %s', (_, backend) => {
  const pair = (size: number, lo = -1, hi = 1) => pairIn(size, lo, hi, backend);
  for (const size of [1, 7, 64, 1003, 40_003]) {
    it(`copy, fill, multiply and strided blocks over ${size}`, () => {
      for (const accumulate of [false, true]) {
        const [src, src0] = pair(size);
        const [out, out0] = pair(size);
        backend.copy({ src, out, size, accumulate });
        reference.copy({ src: src0, out: out0, size, accumulate });
        expectClose(out, out0, 'copy');
        const [b, b0] = pair(size);
        backend.mul({ a: src, b, out, size, accumulate });
        reference.mul({ a: src0, b: b0, out: out0, size, accumulate });
        expectClose(out, out0, 'mul');
      }
      const [out, out0] = pair(size);
      backend.fill(out, 0.25, size - 1);
      reference.fill(out0, 0.25, size - 1);
      expectClose(out, out0, 'fill');
      const [src, src0] = pair(3 * size + 5);
      const [blocks, blocks0] = pair(2 * size + 4);
      const args = {
        srcOffset: 2,
        srcStride: size + 1,
        outOffset: 1,
        outStride: size,
        blocks: 2,
        blockSize: size,
        accumulate: true,
      };
      backend.copyBlocks({ ...args, src, out: blocks });
      reference.copyBlocks({ ...args, src: src0, out: blocks0 });
      expectClose(blocks, blocks0, 'copyBlocks');
    });

    it(`activations and their gradients over ${size}`, () => {
      for (const op of ['relu', 'sigmoid', 'tanh', 'leaky-relu', 'elu', 'linear'] as const) {
        const [x, x0] = pair(size, -3, 3);
        x[0] = Number.NaN;
        x0[0] = Number.NaN;
        const [y, y0] = pair(size);
        backend.unary({ op, x, y, size, alpha: 0.1 });
        reference.unary({ op, x: x0, y: y0, size, alpha: 0.1 });
        expectClose(y, y0, `${op} forward`);
        const [dy, dy0] = pair(size);
        for (const accumulate of [true, false]) {
          const [dx, dx0] = pair(size);
          // Written outright: what was there must not count (NaN here, other values in the reference's).
          if (!accumulate) dx.fill(Number.NaN);
          backend.unaryBackward({ op, x, y, dy, dx, size, alpha: 0.1, accumulate });
          reference.unaryBackward({ op, x: x0, y: y0, dy: dy0, dx: dx0, size, alpha: 0.1, accumulate });
          expectClose(dx, dx0, `${op} backward${accumulate ? '' : ', written'}`);
        }
      }
    });
  }

  for (const [outer, channels, inner] of [
    [64, 10, 1],
    [3, 5, 7],
    [2, 6, 28 * 28],
    [33, 16, 10 * 10],
  ])
    it(`bias and its gradient over [${outer}, ${channels}, ${inner}]`, () => {
      const [out, out0] = pair(outer * channels * inner);
      const [bias, bias0] = pair(channels);
      backend.addBias({ out, bias, outer, channels, inner });
      reference.addBias({ out: out0, bias: bias0, outer, channels, inner });
      expectClose(out, out0, 'addBias');
      backend.biasGrad({ dy: out, dBias: bias, outer, channels, inner });
      reference.biasGrad({ dy: out0, dBias: bias0, outer, channels, inner });
      expectClose(bias, bias0, 'biasGrad', 1e-4);
    });
});

describe('optimizers over the flat parameter buffer', () => {
  const hyper = { lr: 0.01, momentum: 0.9, rho: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  for (const kind of optimizerKinds)
    it(`${kind}: 20 steps over 1003 parameters follow the reference`, () => {
      const size = 1003;
      const [params, params0] = pairIn(size);
      const [slot1, slot10] = pairIn(size, 0, 0);
      const [slot2, slot20] = pairIn(size, 0, 0);
      for (let step = 1; step <= 20; step++) {
        const [grads, grads0] = pairIn(size);
        fast.optimizerStep({ kind, hyper, params, grads, slot1, slot2, size, step });
        reference.optimizerStep({
          kind,
          hyper,
          params: params0,
          grads: grads0,
          slot1: slot10,
          slot2: slot20,
          size,
          step,
        });
      }
      expectClose(params, params0, 'params', 1e-5);
      expectClose(slot1, slot10, 'slot1', 1e-5);
      expectClose(slot2, slot20, 'slot2', 1e-5);
    });

  it("on two threads, each optimizer takes half of 40,003 parameters: the one thread's values exactly", () => {
    // Kernels on an arena of their own, so that the helper's jobs can be counted.
    const arena = threadedArena();
    const twoThreads = wasmKernels(arena, reference);
    const size = 40_003;
    for (const kind of optimizerKinds) {
      const values = (lo: number, hi: number) => Float32Array.from({ length: size }, () => random.uniform(lo, hi));
      const [p, g, s1, s2] = [values(-1, 1), values(-1, 1), values(0, 0.5), values(0, 0.5)];
      const run = (update: typeof fast.optimizerStep, alloc: (n: number) => FloatArray) => {
        const [params, grads, slot1, slot2] = [p, g, s1, s2].map((v) => {
          const t = alloc(size);
          t.set(v);
          return t;
        });
        for (let step = 1; step <= 3; step++) update({ kind, hyper, params, grads, slot1, slot2, size, step });
        return [params, slot1, slot2];
      };
      const posted = arena.threads!.posted;
      const one = run(fast.optimizerStep, (n) => fast.alloc(n, 'test'));
      const two = run(twoThreads.optimizerStep!, (n) => arena.alloc(n)!);
      // Three steps, the later half of each posted to the helper (or done here if it has not claimed it yet),
      // computed by the same kernel: equal to the float.
      expect(arena.threads!.posted - posted, kind).toBe(3);
      for (const [i, name] of ['params', 'slot1', 'slot2'].entries())
        expect(
          two[i].findIndex((v, j) => !Object.is(v, one[i][j])),
          `${kind} ${name}`,
        ).toBe(-1);
    }
    arena.dispose();
  });

  it('on two threads, Σ g² of 100,003 gradients takes both halves, the clip scales both, and a copy writes both', () => {
    const arena = threadedArena();
    const twoThreads = wasmKernels(arena, reference);
    const size = 100_003;
    const g = arena.alloc(size)!;
    g.set(Float32Array.from({ length: size }, () => random.uniform(-1, 1)));
    const g0 = Float32Array.from(g);
    const [normSq, normSq0] = [new Float32Array(1), new Float32Array(1)];
    const posted = arena.threads!.posted;
    twoThreads.clipByGlobalNorm!({ g, size, maxNorm: 1, normSq });
    reference.clipByGlobalNorm({ g: g0, size, maxNorm: 1, normSq: normSq0 });
    // The later half of the sum, then of the scaling, posted to the helper.
    expect(arena.threads!.posted - posted).toBe(2);
    expectClose(normSq, normSq0, 'normSq');
    expectClose(g, g0, 'clipped');
    // What lies in the helper's half only counts too.
    g[size - 1] = Number.NaN;
    twoThreads.clipByGlobalNorm!({ g, size, maxNorm: 0, normSq });
    expect(normSq[0]).toBeNaN();
    // A copy of the training state (a replay window's start) is split too: written and added, both halves.
    const out = arena.alloc(size)!;
    const copied = arena.threads!.posted;
    twoThreads.copy!({ src: g, out, size, accumulate: false });
    twoThreads.copy!({ src: g, out, size, accumulate: true });
    expect(arena.threads!.posted - copied).toBe(2);
    expect(out.findIndex((v, i) => !Object.is(v, 2 * g[i]))).toBe(-1);
    // Overlapping ranges (a view 8 floats on): moved as a whole on one thread, as memory.copy moves them.
    const expected = Float32Array.from(out.subarray(0, size - 8));
    const later = new Float32Array(out.buffer, out.byteOffset + 32, size - 8);
    const overlapping = arena.threads!.posted;
    twoThreads.copy!({ src: out, out: later, size: size - 8, accumulate: false });
    expect(arena.threads!.posted - overlapping).toBe(0);
    expect(later.findIndex((v, i) => !Object.is(v, expected[i]))).toBe(-1);
    arena.dispose();
  });

  it('measures Σ g² and clips to the global norm', () => {
    const [g, g0] = pairIn(1003);
    const [normSq, normSq0] = [fast.alloc(1, 'n'), new Float32Array(1)];
    fast.clipByGlobalNorm({ g, size: 1003, maxNorm: 1, normSq });
    reference.clipByGlobalNorm({ g: g0, size: 1003, maxNorm: 1, normSq: normSq0 });
    expectClose(normSq, normSq0, 'normSq');
    expectClose(g, g0, 'clipped');
  });
});

describe.each([
  ['one thread', fast],
  ['two threads (large batches split by samples)', threaded],
])('the LSTM cell, %s', (_, backend) => {
  for (const [n, u] of [
    [3, 8],
    [2, 5],
    [64, 128],
    [63, 37],
  ])
    it(`one step forward and back for ${n} samples of ${u} units`, () => {
      const [gates, gates0] = pairIn(n * 4 * u, -6, 6, backend);
      const [cPrev, cPrev0] = pairIn(n * u, -2, 2, backend);
      const [c, c0] = pairIn(n * u, -1, 1, backend);
      const [h, h0] = pairIn(n * u, -1, 1, backend);
      backend.lstmCell({ gates, cPrev, c, h, n, u });
      reference.lstmCell({ gates: gates0, cPrev: cPrev0, c: c0, h: h0, n, u });
      expectClose(gates, gates0, 'activated gates');
      expectClose(c, c0, 'c');
      expectClose(h, h0, 'h');
      const [dh, dh0] = pairIn(n * u, -1, 1, backend);
      const [dc, dc0] = pairIn(n * u, -1, 1, backend);
      const [dGates, dGates0] = pairIn(n * 4 * u, -1, 1, backend);
      backend.lstmCellBackward({ gates, cPrev, c, dh, dc, dGates, n, u });
      reference.lstmCellBackward({ gates: gates0, cPrev: cPrev0, c: c0, dh: dh0, dc: dc0, dGates: dGates0, n, u });
      expectClose(dGates, dGates0, 'dGates');
      expectClose(dc, dc0, 'dc');
    });
});

describe.each([
  ['one thread', fast],
  ['two threads (each a band of samples)', threaded],
  ['one thread, without relaxed SIMD', unfused],
])('whole LSTM steps (product and cell fused), %s', (_, backend) => {
  /**
   * A short sequence forward and back through the backend's fused steps and through the step composed on
   * the reference loops, with the layer's strides (the projection and y by sample, steps side by side);
   * then the weights change and a second pass must use the new ones (each pass packs them at its first step).
   */
  for (const [n, u, T] of [
    [3, 8, 3],
    [2, 5, 2],
    [17, 128, 2],
    [63, 37, 3],
    [5, 70, 2],
  ])
    it(`${T} steps of ${n} samples of ${u} units, forward and back, two passes`, () => {
      const wu = 4 * u;
      const steps = lstmSteps(backend);
      const both = (size: number, lo = -1, hi = 1) => pairIn(size, lo, hi, backend);
      const [projected, projected0] = both(n * T * wu, -2, 2);
      const [wh, wh0] = both(u * wu, -0.5, 0.5);
      const [y, y0] = both(n * T * u);
      const [dy, dy0] = both(n * T * u);
      const [dProjected, dProjected0] = both(n * T * wu);
      const perStep = (size: number, count: number) => Array.from({ length: count }, () => both(size));
      const h = perStep(n * u, T + 1);
      const c = perStep(n * u, T + 1);
      const gates = perStep(n * wu, T);
      const dz = perStep(n * wu, T);
      const [dc, dc0] = both(n * u);
      const [dh, dh0] = both(n * u);
      for (const pass of [0, 1]) {
        if (pass === 1) {
          const changed = Array.from({ length: u * wu }, () => random.uniform(-0.5, 0.5));
          wh.set(changed);
          wh0.set(changed);
        }
        for (let t = 0; t < T; t++) {
          const at = (fused: boolean) => ({
            first: t === 0,
            projected: fused ? projected : projected0,
            pOffset: t * wu,
            pStride: T * wu,
            h: h[t][fused ? 0 : 1],
            wh: fused ? wh : wh0,
            gates: gates[t][fused ? 0 : 1],
            cPrev: c[t][fused ? 0 : 1],
            c: c[t + 1][fused ? 0 : 1],
            hNext: h[t + 1][fused ? 0 : 1],
            // y for every step but the last (a layer returning only the last state writes none).
            y: t < T - 1 ? (fused ? y : y0) : undefined,
            yOffset: t * u,
            yStride: T * u,
            n,
            u,
          });
          steps.forward(at(true));
          composedStep(reference, at(false));
        }
        for (let t = T - 1; t >= 0; t--) {
          const at = (fused: boolean) => ({
            first: t === T - 1,
            // dy reaches every step but the first (the fused step's "no dy" path is taken there).
            dy: t > 0 ? (fused ? dy : dy0) : undefined,
            dyOffset: t * u,
            dyStride: T * u,
            dzNext: t < T - 1 ? dz[t + 1][fused ? 0 : 1] : undefined,
            wh: fused ? wh : wh0,
            gates: gates[t][fused ? 0 : 1],
            cPrev: c[t][fused ? 0 : 1],
            c: c[t + 1][fused ? 0 : 1],
            dc: fused ? dc : dc0,
            dz: dz[t][fused ? 0 : 1],
            dProjected: fused ? dProjected : dProjected0,
            pOffset: t * wu,
            pStride: T * wu,
            dh: fused ? dh : dh0,
            n,
            u,
          });
          steps.backward(at(true));
          composedStepBackward(reference, at(false));
        }
        const what = (name: string) => `pass ${pass}: ${name}`;
        expectClose(y, y0, what('y'), 1e-4);
        for (let t = 0; t <= T; t++) {
          expectClose(h[t][0], h[t][1], what(`h${t}`), 1e-4);
          expectClose(c[t][0], c[t][1], what(`c${t}`), 1e-4);
        }
        for (let t = 0; t < T; t++) {
          expectClose(gates[t][0], gates[t][1], what(`gates${t}`), 1e-4);
          expectClose(dz[t][0], dz[t][1], what(`dz${t}`), 1e-4);
        }
        expectClose(dProjected, dProjected0, what('dProjected'), 1e-4);
        expectClose(dc, dc0, what('dc'), 1e-4);
      }
    });
});

describe('the exponential activations', () => {
  it('σ and tanh over the whole float range: tiny, moderate, huge and NaN inputs', () => {
    const values = [0, 1e-7, -1e-5, 0.3, -0.62, 0.63, 1, -2.5, 9, -17, 40, -90, 100, 1e30, -1e30, Number.NaN, 0.001];
    for (const op of ['sigmoid', 'tanh'] as const) {
      const x = fast.alloc(values.length, 'x');
      x.set(values);
      const y = fast.alloc(values.length, 'y');
      fast.unary({ op, x, y, size: values.length, alpha: 0 });
      const expected = Float32Array.from(values, (v) => (op === 'tanh' ? Math.tanh(v) : 1 / (1 + Math.exp(-v))));
      for (let i = 0; i < values.length; i++) {
        if (Number.isNaN(expected[i])) expect(y[i]).toBeNaN();
        // Relative to the value itself: tanh near 0 keeps its digits.
        else
          expect(Math.abs(y[i] - expected[i]), `${op}(${values[i]})`).toBeLessThanOrEqual(
            2e-7 * Math.abs(expected[i]) + 1e-30,
          );
      }
    }
  });
});

describe('convolutions on two threads', () => {
  it('give the same floats whichever thread is faster: the passes as one thread’s, the weight gradient always alike', () => {
    const arena = threadedArena();
    const twoThreads = wasmKernels(arena, reference);
    // LeNet-5's second layer over 37 samples: chunks of 10 (two groups of 5 side by side) for the threads.
    const g: Conv2dGeometry = {
      n: 37,
      cIn: 6,
      h: 14,
      w: 14,
      cOut: 16,
      kh: 5,
      kw: 5,
      sh: 1,
      sw: 1,
      ph: 0,
      pw: 0,
      oh: 10,
      ow: 10,
    };
    const sizes = { x: g.n * g.cIn * g.h * g.w, w: g.cOut * g.cIn * g.kh * g.kw, y: g.n * g.cOut * g.oh * g.ow };
    const values = (size: number) => Float32Array.from({ length: size }, () => random.uniform(-1, 1));
    const [x0, w0, dy0] = [values(sizes.x), values(sizes.w), values(sizes.y)];
    const passes = (
      kernels: Pick<typeof fast, 'conv2d' | 'conv2dBackwardWeight' | 'conv2dBackwardInput'>,
      alloc: (n: number) => FloatArray,
    ) => {
      const [x, w, dy, y, dw, dx] = [x0, w0, dy0]
        .map((v) => {
          const t = alloc(v.length);
          t.set(v);
          return t;
        })
        .concat([alloc(sizes.y), alloc(sizes.w), alloc(sizes.x)]);
      kernels.conv2d({ x, w, y, g });
      kernels.conv2dBackwardWeight({ x, dy, dw, g });
      kernels.conv2dBackwardInput({ dy, w, dx, g, accumulate: false });
      return { y: Float32Array.from(y), dw: Float32Array.from(dw), dx: Float32Array.from(dx) };
    };
    const same = (a: Float32Array, b: Float32Array) => a.findIndex((v, i) => !Object.is(v, b[i]));
    const one = passes(fast, (n) => fast.alloc(n, 'test'));
    const two = passes(twoThreads as typeof fast, (n) => arena.alloc(n)!);
    // This thread's chunks slowed: the helper takes most of them.
    const slowHere = withThisThreadSlow(arena, 2, () => passes(twoThreads as typeof fast, (n) => arena.alloc(n)!));
    // Each sample's output its own: the same floats as one thread's, however the samples were shared out.
    for (const result of [two, slowHere]) {
      expect(same(result.y, one.y)).toBe(-1);
      expect(same(result.dx, one.dx)).toBe(-1);
    }
    // A sum over the samples, in halves: another order than one thread's, but the same on every run.
    expect(same(slowHere.dw, two.dw)).toBe(-1);
    expectClose(two.dw, one.dw, 'dw', 1e-4);
    arena.dispose();
  });
});
