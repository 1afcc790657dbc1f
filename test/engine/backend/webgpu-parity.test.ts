import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mode, type Shape, size } from '../../../engine/layers/layer';
import { type LayerKind, layerDef, layerKinds } from '../../../engine/layers/registry';
import { bundlePath, bundleShaders } from '../../../scripts/build-shaders';
import { openBrowserGpuBackend, type RemoteGpuBackend } from '../../helpers/browser-gpu/remote-backend';
import { type Body, cpuReference, data, expectClose, onBothOf, randoms } from '../../helpers/gpu-compare';
import { HANG_MS } from '../../helpers/hang-guard';
import { type LayerSetup, runLayerOn } from '../../helpers/layer-on-backend';

/**
 * The WebGPU backend (WGSL kernels, in Chromium on SwiftShader) against the CPU reference loops: every layer
 * example of the registry in both modes, every loss, every optimizer, and the helper kernels; agreement
 * within 1e-4 relative.
 */
let gpu: RemoteGpuBackend;
const cpu = cpuReference;

/**
 * Opening checks every shader module on SwiftShader; each pipeline is made at its first use. The limit
 * catches a hang only: each test's work is fixed and small. Matrix-product tiles: webgpu-matmul.test.ts.
 */
beforeAll(async () => {
  gpu = await openBrowserGpuBackend();
}, HANG_MS);
afterAll(() => gpu?.close());

describe('every layer example on WebGPU matches the CPU, dropout included', () => {
  const cases = layerKinds.flatMap((kind) =>
    layerDef(kind).examples.flatMap((example, i) =>
      (['train', 'eval'] as const).map((mode) => ({ kind, example, i, mode })),
    ),
  );
  for (const { kind, example, i, mode } of cases)
    it(`${kind} example ${i + 1} (${mode})`, async () => {
      const setup = randomSetup(kind, example.params, example.inputs, mode);
      // The GPU's layers write their input gradients outright where they can (as in a chain), the CPU's add
      // them into zeros: both ways of each kernel held to the same numbers.
      const [a, b] = [await runLayerOn(gpu, { ...setup, dxFresh: true }), await runLayerOn(cpu, setup)];
      expectClose(a.y, b.y, 'y');
      for (const [k, d] of a.dx.entries()) expectClose(d, b.dx[k], `dx${k}`);
      for (const name of Object.keys(b.grads)) expectClose(a.grads[name], b.grads[name], `d${name}`);
      for (const name of Object.keys(b.state)) expectClose(a.state[name], b.state[name], name);
    });
});

describe('the LSTM steps on WebGPU match the CPU', () => {
  // The fused steps across their tiles (16 units by 8 samples) and their chunks of 32 terms: 37 units (a
  // partial tile, two chunks and a part of the product's terms), 11 samples (two tiles, one partial). A
  // batch of 1,700 (past the fused kernels' size): the tiled product, then one kernel for the rest of the
  // step (h into y at every step, or only at the last; dy's part at every step, or only at the first going
  // back). Every batch is smaller than the buffers: the rows past it add nothing to dWh.
  const cases = [
    { units: 37, steps: 5, features: 6, n: 11, returnSequences: false },
    { units: 37, steps: 5, features: 6, n: 11, returnSequences: true },
    { units: 20, steps: 3, features: 3, n: 1700, returnSequences: true },
    { units: 20, steps: 3, features: 3, n: 1700, returnSequences: false },
  ];
  for (const { units, steps, features, n, returnSequences } of cases)
    it(`${units} units over ${steps} steps of ${features}, ${n} samples${returnSequences ? ', every step returned' : ''}`, async () => {
      const setup = randomSetup('lstm', { units, returnSequences }, [[steps, features]], 'train', n);
      const [a, b] = [await runLayerOn(gpu, setup), await runLayerOn(cpu, setup)];
      expectClose(a.y, b.y, 'y');
      expectClose(a.dx[0], b.dx[0], 'dx');
      for (const name of Object.keys(b.grads)) expectClose(a.grads[name], b.grads[name], `d${name}`);
    });
});

/** Seeded inputs, weights and output gradient for one layer (3 samples unless told). */
function randomSetup(kind: LayerKind, rawParams: unknown, inputs: readonly Shape[], mode: Mode, n = 3): LayerSetup {
  const def = layerDef(kind);
  const params = def.params.parse(rawParams);
  const shape = def.outputShape(params, inputs);
  if (!shape.ok) throw new Error(shape.message);
  let seed = 40;
  const weights = Object.fromEntries(
    Object.entries(def.paramSpecs(params, inputs)).map(([name, spec]) => [
      name,
      randoms(size(spec.shape), seed++, -0.5, 0.5),
    ]),
  );
  return {
    kind,
    params: rawParams,
    inputs,
    mode,
    n,
    x: inputs.map((s) => randoms((n + 1) * size(s), seed++, -1, 1)),
    weights,
    r: randoms(n * size(shape.shape), seed++, -1, 1),
  };
}

/** Runs `body` on the page's GPU backend and on the CPU reference with the same inputs. */
const onBoth = (body: Body) => onBothOf(gpu, body);

describe('losses on WebGPU match the CPU', () => {
  it('softmax cross-entropy (with a bad label), MSE and binary cross-entropy', async () => {
    const [rows, cols] = [37, 10];
    const logits = randoms(rows * cols, 1, -4, 4);
    const labels = Array.from({ length: rows }, (_, r) => (r === 5 ? 11 : (r * 7) % cols));
    const [a, b] = await onBoth(async (be) => {
      const [loss, correct, dLogits] = [be.alloc(1, 'l'), be.alloc(1, 'c'), be.alloc(rows * cols, 'd')];
      be.softmaxCrossEntropy({
        logits: data(be, logits),
        labels: data(be, labels),
        dLogits,
        loss,
        correct,
        rows,
        cols,
        scale: 0.5,
      });
      const mse = { loss: be.alloc(1, 'l'), dY: be.alloc(rows * cols, 'd') };
      const targets = data(be, randoms(rows * cols, 2));
      be.meanSquaredError({
        y: data(be, logits),
        target: targets,
        dY: mse.dY,
        loss: mse.loss,
        size: rows * cols,
        scale: 2,
      });
      const bce = { loss: be.alloc(1, 'l'), correct: be.alloc(1, 'c'), d: be.alloc(rows * cols, 'd') };
      const binary = data(be, randoms(rows * cols, 3, 0, 1).map(Math.round));
      be.sigmoidBinaryCrossEntropy({
        logits: data(be, logits),
        target: binary,
        dLogits: bce.d,
        loss: bce.loss,
        correct: bce.correct,
        size: rows * cols,
        scale: 1,
      });
      return Promise.all(
        [loss, correct, dLogits, mse.loss, mse.dY, bce.loss, bce.correct, bce.d].map((x) => be.read(x)),
      );
    });
    const names = ['ce loss', 'ce correct', 'ce dLogits', 'mse loss', 'mse dY', 'bce loss', 'bce correct', 'bce d'];
    for (const [i, values] of a.entries()) expectClose(values, b[i], names[i]);
    expect(a[0][0]).toBeNaN();
  });
});

describe('the other kernels on WebGPU match the CPU', () => {
  it('clipping by global norm, regularisation, dropout masks, gathers and strided copies', async () => {
    const [a, b] = await onBoth(async (be) => {
      const g = data(be, randoms(500, 20));
      const normSq = be.alloc(1, 'n');
      be.clipByGlobalNorm({ g, size: 500, maxNorm: 1, normSq });
      be.regularize({ w: data(be, randoms(500, 21)), g, size: 500, l1: 0.01, l2: 0.1 });
      const [y, mask] = [be.alloc(300, 'y'), be.alloc(300, 'm')];
      be.dropout({ x: data(be, randoms(300, 22)), y, mask, size: 300, rate: 0.3, seed: 5, counter: 9 });
      const gathered = be.alloc(3 * 7, 'g');
      be.gatherRows({
        src: data(be, randoms(10 * 7, 23)),
        indices: data(be, [4, 0, 9]),
        out: gathered,
        rowSize: 7,
        count: 3,
      });
      const blocks = data(be, randoms(40, 24));
      be.copyBlocks({
        src: data(be, randoms(60, 25)),
        srcOffset: 3,
        srcStride: 11,
        out: blocks,
        outOffset: 2,
        outStride: 9,
        blocks: 4,
        blockSize: 6,
        accumulate: true,
      });
      return Promise.all([g, normSq, y, mask, gathered, blocks].map((x) => be.read(x)));
    });
    for (const [i, values] of a.entries())
      expectClose(values, b[i], ['g', 'normSq', 'dropout y', 'mask', 'gathered', 'blocks'][i]);
  });

  // Tiled: channels past one block of 8, input channels past one chunk of weights (28 windows of 3 x 3),
  // strides and padding; direct: a 17 x 17 window (more taps than a chunk holds).
  it.each([
    { n: 3, cIn: 30, h: 9, w: 8, cOut: 11, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 2, oh: 5, ow: 10 },
    { n: 2, cIn: 2, h: 20, w: 19, cOut: 3, kh: 17, kw: 17, sh: 1, sw: 1, ph: 1, pw: 0, oh: 6, ow: 3 },
  ])(
    'convolution forward (with its bias), input and weight gradients, $kh x $kw window, $cIn to $cOut channels',
    async (g) => {
      const [a, b] = await onBoth(async (be) => {
        const w = data(be, randoms(g.cOut * g.cIn * g.kh * g.kw, 60));
        const y = be.alloc(g.n * g.cOut * g.oh * g.ow, 'y');
        const bias = data(be, randoms(g.cOut, 64));
        const x = data(be, randoms(g.n * g.cIn * g.h * g.w, 61));
        be.conv2d({ x, w, y, g, bias });
        const dy = data(be, randoms(g.n * g.cOut * g.oh * g.ow, 63));
        const dx = data(be, randoms(g.n * g.cIn * g.h * g.w, 62));
        be.conv2dBackwardInput({ dy, w, dx, g, accumulate: true });
        const dw = data(be, randoms(g.cOut * g.cIn * g.kh * g.kw, 65));
        be.conv2dBackwardWeight({ x, dy, dw, g });
        return Promise.all([y, dx, dw].map((t) => be.read(t)));
      });
      for (const [i, values] of a.entries()) expectClose(values, b[i], ['y', 'dx', 'dw'][i]);
    },
  );

  it('the global norm of a long gradient (summed in chunks of 4096, then the chunks)', async () => {
    const [a, b] = await onBoth(async (be) => {
      const g = data(be, randoms(10_000, 26));
      const normSq = data(be, [123]);
      be.clipByGlobalNorm({ g, size: 10_000, maxNorm: 5, normSq });
      return Promise.all([g, normSq].map((x) => be.read(x)));
    });
    for (const [i, values] of a.entries()) expectClose(values, b[i], ['g', 'normSq'][i]);
  });

  it('bias and convolution weight gradients over a large batch (summed in chunks)', async () => {
    const g = { n: 70, cIn: 3, h: 9, w: 9, cOut: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oh: 9, ow: 9 };
    // 70 · 81 = 5670 terms per output: two chunks of 4096, added by a second pass.
    const [a, b] = await onBoth(async (be) => {
      const dy = data(be, randoms(g.n * g.cOut * g.oh * g.ow, 50));
      const dBias = data(be, randoms(g.cOut, 51));
      be.biasGrad({ dy, dBias, outer: g.n, channels: g.cOut, inner: g.oh * g.ow });
      const dw = data(be, randoms(g.cOut * g.cIn * g.kh * g.kw, 52));
      be.conv2dBackwardWeight({ x: data(be, randoms(g.n * g.cIn * g.h * g.w, 53)), dy, dw, g });
      return Promise.all([dBias, dw].map((x) => be.read(x)));
    });
    for (const [i, values] of a.entries()) expectClose(values, b[i], ['dBias', 'dW'][i]);
  });
});

describe('profiling', () => {
  it('times each kernel a step of calls dispatches, with its dispatch count', async () => {
    const g = { n: 2, cIn: 3, h: 8, w: 8, cOut: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oh: 8, ow: 8 };
    const [x, w, y] = [gpu.alloc(2 * 3 * 64, 'x'), gpu.alloc(4 * 3 * 9, 'w'), gpu.alloc(2 * 4 * 64, 'y')];
    const [a, b, c] = [gpu.alloc(40 * 30, 'a'), gpu.alloc(30 * 20, 'b'), gpu.alloc(40 * 20, 'c')];
    const times = await gpu.kernelTimes(() => {
      for (let i = 0; i < 3; i++) gpu.conv2d({ x, w, y, g });
      gpu.matmul({ a, b, out: c, m: 40, n: 20, k: 30, transA: false, transB: true, accumulate: false });
    });
    expect(times, 'Chromium gives SwiftShader timestamp queries').not.toBeNull();
    const byEntry = new Map(times?.map((t) => [t.entry, t]));
    expect(byEntry.get('conv2dTiled')?.dispatches).toBe(3);
    expect(byEntry.get('matmulSmallNT')?.dispatches).toBe(1);
    for (const t of times ?? []) expect(t.microseconds, t.entry).toBeGreaterThan(0);
  });
});

describe('shaders', () => {
  it('the bundled module is built from the .wgsl files (npx tsx scripts/build-shaders.ts)', () => {
    expect(readFileSync(bundlePath, 'utf8')).toBe(bundleShaders());
  });

  // SwiftShader compiles every pipeline on the CPU: over a minute on a loaded 2-core machine.
  it('every entry point of every module makes a pipeline (each is made at its first use)', async () => {
    const { created, errors } = await gpu.everyPipeline();
    expect(errors).toEqual([]);
    expect(created).toBeGreaterThan(40);
  });

  it('a compilation error names the file, line and column of the .wgsl source', async () => {
    const broken = [
      '// a kernel with a mistake on line 3',
      'fn ok() -> f32 { return 1.0; }',
      'fn bad() -> f32 { return nope; }',
    ];
    const message = await gpu.shaderError('broken.wgsl', broken.join('\n'));
    expect(message).toMatch(/^a WebGPU shader did not compile: broken\.wgsl:3:\d+: .*nope/);
    expect(await gpu.shaderError('fine.wgsl', broken.slice(0, 2).join('\n'))).toBeNull();
  });
});
