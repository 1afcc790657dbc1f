/**
 * GPU benchmark: training throughput of the three reference workloads at batch 64 and 1024, and fp32
 * matrix-product GFLOP/s, for Netloom's WebGPU backend and TensorFlow.js's WebGPU backend on the same
 * adapter in the same run (and PyTorch on CUDA when the machine has it). Runs under Node with dawn.node:
 *
 *   npm run bench:gpu -- [--quick] [--sweep] [--profile] [--only mlp,lenet,lstm,matmul] [--out results.json] [--write]
 *   npm run bench:gpu -- --from docs/bench-gpu-h200.json --write   # the README's table from saved results
 *   bash ../shared/device/pack.sh scripts/bench-gpu.ts   # then, on the GPU machine: bash .device/run.sh
 *
 * --quick uses small sizes, to check the script on a software adapter (SwiftShader: never for speed).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { nodeGpu } from '../cli/node-webgpu';
import { GpuPipelines, largestLimits, MATMUL_TILES, type MatmulTile } from '../engine/backend/webgpu/gpu-queue';
import { webGpuBackendOn } from '../engine/backend/webgpu/webgpu-backend';
import { Trainer } from '../engine/train/trainer';
import { measure } from './bench-cpu/measure';
import { tfjsModel } from './bench-cpu/tfjs-model';
import { benchmarkSession, syntheticBatch, type WorkloadName, workloadNames, workloads } from './bench-cpu/workloads';
import { SWEEP_TILES } from './bench-gpu-tiles';
import { writeReadmeSection } from './readme-section';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    /** Also time the 4096 product with other tile sizes of the large kernel. */
    sweep: { type: 'boolean', default: false },
    /** Dawn toggles for this run, comma-separated (e.g. disable_robustness, to see what bounds checks cost). */
    'dawn-toggles': { type: 'string' },
    /** Also time each kernel of the Netloom workloads' training steps (timestamp queries). */
    profile: { type: 'boolean', default: false },
    /** Render saved results (a JSON file this script wrote) instead of measuring. */
    from: { type: 'string' },
    /** Put the table into README.md. */
    write: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const runs = Number(values.runs);
const batches = quick ? [8] : [64, 1024];
const matmulSize = quick ? 256 : 4096;
/** The sweep's timing: shorter, to try many tiles in one run. */
const sweepTiming = quick
  ? { warmupSeconds: 0.1, runs: 1, minSeconds: 0.1 }
  : { warmupSeconds: 0.3, runs: 3, minSeconds: 0.3 };
const timing = quick ? { warmupSeconds: 0.2, runs: 1, minSeconds: 0.2 } : { warmupSeconds: 1, runs, minSeconds: 1 };

interface Row {
  what: string;
  batch?: number;
  netloom?: number;
  tfjs?: number | string;
  torch?: number | string;
  unit: string;
}
interface SweepResult {
  tile: MatmulTile;
  gflops: number | string;
}
interface Results {
  adapter: string;
  date: string;
  rows: Row[];
  sweep?: SweepResult[];
  /** GPU time per kernel and training step (--profile). */
  profiles?: {
    workload: string;
    batch: number;
    kernels: { entry: string; dispatchesPerStep: number; microsecondsPerStep: number }[];
  }[];
  notes?: string;
}

const results: Results = values.from ? JSON.parse(readFileSync(values.from, 'utf8')) : await measureAll();

async function measureAll(): Promise<Results> {
  const gpu = nodeGpu([
    ...(values['dawn-toggles'] ? [`enable-dawn-features=allow_unsafe_apis,${values['dawn-toggles']}`] : []),
    // Dawn rounds timestamps to 100 us unless told not to (a browser's defence against timing attacks).
    ...(values.profile ? ['disable-dawn-features=timestamp_quantization'] : []),
  ]);
  // TensorFlow.js registers its WebGPU backend when navigator.gpu exists as it loads.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter');
  const adapterName = [adapter.info.vendor, adapter.info.architecture, adapter.info.description]
    .filter(Boolean)
    .join(' ');
  const device = await adapter.requestDevice({
    requiredLimits: largestLimits(adapter),
    requiredFeatures: values.profile && adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
  });
  const pipelines = await GpuPipelines.compile(device);
  console.log(`adapter: ${adapterName}, workgroup memory ${device.limits.maxComputeWorkgroupStorageSize} bytes`);

  const rows: Row[] = [];
  const profiles: NonNullable<Results['profiles']> = [];
  const errorOf = (e: unknown) => (e as Error).message.split('\n')[0].slice(0, 120);

  async function netloomTraining(name: WorkloadName, batch: number): Promise<number> {
    const { doc, data } = benchmarkSession(workloads[name], batch);
    const be = webGpuBackendOn(pipelines);
    try {
      const trainer = new Trainer(doc, be, data);
      const steps = trainer.stepsPerCall;
      // Each call records `steps` steps and reads their metrics once, as a training session does.
      const speed = (await measure(() => trainer.runSteps(steps), batch * steps, timing)).samplesPerSecond;
      if (values.profile && be.startProfiling()) {
        const profiled = 4 * steps;
        for (let i = 0; i < 4; i++) await trainer.runSteps(steps);
        const kernels = (await be.kernelTimes()).map((t) => ({
          entry: t.entry,
          dispatchesPerStep: t.dispatches / profiled,
          microsecondsPerStep: t.microseconds / profiled,
        }));
        profiles.push({ workload: name, batch, kernels });
        const total = kernels.reduce((sum, k) => sum + k.microsecondsPerStep, 0);
        console.log(`profile ${name} ${batch}: ${total.toFixed(0)} us of kernels per step (a pass per dispatch)`);
        for (const k of kernels.slice(0, 10))
          console.log(
            `  ${k.entry.padEnd(28)} ${k.dispatchesPerStep.toFixed(1).padStart(5)} per step ${k.microsecondsPerStep.toFixed(1).padStart(9)} us ${((100 * k.microsecondsPerStep) / total).toFixed(0).padStart(3)}%`,
          );
      }
      return speed;
    } finally {
      be.dispose?.();
    }
  }

  async function tfjsTraining(name: WorkloadName, batch: number): Promise<number> {
    const { x, labels } = syntheticBatch(workloads[name], batch);
    const shape = name === 'lenet' ? [batch, 28, 28, 1] : [batch, ...workloads[name].inputShape];
    const xs = tf.tensor(x, shape);
    const ys = tf.tensor(Float32Array.from(labels), [batch, 1]);
    const m = tfjsModel(name);
    try {
      // trainOnBatch reads the loss back every step: that is how TensorFlow.js trains.
      return (
        await measure(
          async () => {
            await m.trainOnBatch(xs, ys);
          },
          batch,
          timing,
        )
      ).samplesPerSecond;
    } finally {
      xs.dispose();
      ys.dispose();
      m.dispose();
    }
  }

  async function netloomMatmul(n: number, on = pipelines, matmulTiles?: string, times = timing): Promise<number> {
    const be = webGpuBackendOn(on, { matmulTiles });
    try {
      const [a, b, out] = [be.alloc(n * n, 'a'), be.alloc(n * n, 'b'), be.alloc(n * n, 'c')];
      be.fill(a, 0.5, n * n);
      be.fill(b, 0.25, n * n);
      const product = () => be.matmul({ a, b, out, m: n, n, k: n, transA: false, transB: false, accumulate: false });
      const repeat = quick ? 2 : 20;
      const result = await measure(
        async () => {
          for (let i = 0; i < repeat; i++) product();
          await be.read(be.view(out, 0, 1));
        },
        repeat,
        times,
      );
      const check = (await be.read(be.view(out, 0, 1)))[0];
      if (Math.abs(check - n * 0.125) > 1e-3 * n) throw new Error(`matmul gave ${check}, expected ${n * 0.125}`);
      return (2 * n ** 3 * result.samplesPerSecond) / 1e9;
    } finally {
      be.dispose?.();
    }
  }

  async function tfjsMatmul(n: number): Promise<number> {
    const a = tf.fill([n, n], 0.5);
    const b = tf.fill([n, n], 0.25);
    const repeat = quick ? 2 : 20;
    try {
      const result = await measure(
        async () => {
          const outs = Array.from({ length: repeat }, () => tf.matMul(a, b));
          await outs[repeat - 1].data();
          for (const o of outs) o.dispose();
        },
        repeat,
        timing,
      );
      return (2 * n ** 3 * result.samplesPerSecond) / 1e9;
    } finally {
      a.dispose();
      b.dispose();
    }
  }

  /** PyTorch on CUDA, when this machine has it (the same script as the CPU benchmark's). */
  function torch(args: string[]): number | string {
    const run = spawnSync('python3', ['scripts/bench-cpu/torch_bench.py', '--device', 'cuda', ...args], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (run.status !== 0) return `not run (${(run.stderr || run.error?.message || '').trim().split('\n').pop()})`;
    const parsed = JSON.parse(run.stdout.trim().split('\n').pop()!);
    return parsed.samplesPerSecond ?? parsed.gflops;
  }
  const torchAvailable =
    !quick && spawnSync('python3', ['-c', 'import torch; assert torch.cuda.is_available()']).status === 0;

  const sweep: SweepResult[] = [];
  if (values.sweep)
    for (const wanted of SWEEP_TILES) {
      const swept = await GpuPipelines.compile(device, { ...MATMUL_TILES, matmulLarge: wanted });
      const tile = swept.tiles.matmulLarge;
      const gflops = await netloomMatmul(matmulSize, swept, 'matmulLarge', sweepTiming).catch(errorOf);
      console.log(`sweep ${JSON.stringify(tile)}: ${typeof gflops === 'number' ? Math.round(gflops) : gflops} GFLOP/s`);
      sweep.push({ tile, gflops });
    }

  await tf.setBackend('webgpu');
  await tf.ready();
  const only = values.only?.split(',');
  const selected = only ? workloadNames.filter((name) => only.includes(name)) : workloadNames;
  for (const batch of batches)
    for (const name of selected) {
      const row: Row = { what: workloads[name].title, batch, unit: 'samples/s' };
      row.netloom = await netloomTraining(name, batch);
      row.tfjs = await tfjsTraining(name, batch).catch(errorOf);
      if (torchAvailable) row.torch = torch(['--workload', name, '--batch', String(batch), '--runs', String(runs)]);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  if (!only || only.includes('matmul')) {
    const row: Row = { what: `matmul ${matmulSize}`, unit: 'GFLOP/s' };
    row.netloom = await netloomMatmul(matmulSize);
    row.tfjs = await tfjsMatmul(matmulSize).catch(errorOf);
    if (torchAvailable)
      row.torch = torch(['--workload', 'matmul', '--size', String(matmulSize), '--runs', String(runs)]);
    rows.push(row);
    console.log(JSON.stringify(row));
  }

  device.destroy();
  return {
    adapter: adapterName,
    date: new Date().toISOString(),
    rows,
    sweep: values.sweep ? sweep : undefined,
    profiles: values.profile ? profiles : undefined,
  };
}

/** The results as the README's table, with the date and the adapter. */
function table(r: Results): string {
  const fmt = (v: number | string | undefined) =>
    typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : v === undefined ? '-' : v;
  const ratio = (a: number | undefined, b: number | string | undefined) =>
    typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}x` : '-';
  const lines = [
    `Measured ${r.date.slice(0, 10)} on ${r.adapter} (one run; median of the timed runs after a warm-up):`,
    '',
    '| Workload | Batch | Netloom (WebGPU) | tfjs-webgpu | PyTorch (CUDA, TF32 off) | Netloom / tfjs-webgpu | Netloom / PyTorch |',
    '|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.what} (${row.unit}) | ${row.batch ?? '-'} | ${fmt(row.netloom)} | ${fmt(row.tfjs)} | ${fmt(row.torch)} | ${ratio(row.netloom, row.tfjs)} | ${ratio(row.netloom, row.torch)} |`,
    ),
  ];
  if (r.sweep?.length)
    lines.push(
      '',
      `Tile sweep of the 4096³ product in the same run: ${r.sweep.map((s) => `${s.tile.BM} x ${s.tile.BN} (${s.tile.TM} x ${s.tile.TN} per thread, K step ${s.tile.BK}${s.tile.prefetch ? ', prefetched' : ''}) ${fmt(s.gflops)} GFLOP/s`).join('; ')}.`,
    );
  if (r.profiles?.length)
    lines.push(
      '',
      "Where a training step's GPU time goes (`--profile`, timestamp queries, each dispatch in its own pass; the three longest kernels):",
      '',
      ...r.profiles.map((p) => {
        const total = p.kernels.reduce((sum, k) => sum + k.microsecondsPerStep, 0);
        const dispatches = p.kernels.reduce((sum, k) => sum + k.dispatchesPerStep, 0);
        const top = p.kernels
          .slice(0, 3)
          .map((k) => `${k.entry} ${Math.round((100 * k.microsecondsPerStep) / total)}%`)
          .join(', ');
        return `- ${workloads[p.workload as WorkloadName]?.title ?? p.workload}, batch ${p.batch}: ${Math.round(total)} us in ${Math.round(dispatches)} dispatches; ${top}`;
      }),
    );
  if (r.notes) lines.push('', r.notes);
  return lines.join('\n');
}

console.log(`\n${table(results)}`);
const out = values.out ?? (process.env.OUT && !values.from ? `${process.env.OUT}/bench-gpu.json` : undefined);
if (out) writeFileSync(out, JSON.stringify(results, null, 2));
if (values.write) writeReadmeSection('bench:gpu', table(results));
process.exit(0);
