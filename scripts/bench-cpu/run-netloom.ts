/** One Netloom measurement, in its own process so that its peak memory is its own; prints one JSON line. */

import { parseArgs } from 'node:util';
import { nodeSpawnThread } from '../../cli/threads';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import { Trainer } from '../../engine/train/trainer';
import { measure } from './measure';
import { benchmarkSession, type WorkloadName, workloads } from './workloads';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'mlp' },
    batch: { type: 'string', default: '64' },
    reference: { type: 'boolean', default: false },
    'one-thread': { type: 'boolean', default: false },
    /** The MLP's hidden width (for the scaling table). */
    width: { type: 'string' },
    runs: { type: 'string', default: '5' },
    /** With `--workload matmul`: the side of the square product timed. */
    size: { type: 'string', default: '1024' },
  },
});

if (values.workload === 'matmul') {
  // The backend's matrix product alone (the kernels a training step spends most of its time in), as
  // GFLOP/s (two per multiply-add), on this process's threads: the helper's too unless --one-thread.
  const be = createCpuBackend('f32', { fast: true, spawnThread: values['one-thread'] ? undefined : nodeSpawnThread });
  const n = Number(values.size);
  be.reserve?.(3 * n * n);
  const [a, b, out] = ['a', 'b', 'out'].map((label) => be.alloc(n * n, label));
  const product = () => be.matmul({ a, b, out, m: n, n, k: n, transA: false, transB: false, accumulate: false });
  const { samplesPerSecond, runs, peakMiB } = await measure(product, 1, { runs: Number(values.runs) });
  const gflops = (rate: number) => (2 * n ** 3 * rate) / 1e9;
  process.stdout.write(`${JSON.stringify({ gflops: gflops(samplesPerSecond), runs: runs.map(gflops), peakMiB })}\n`);
  process.exit(0);
}
const named = workloads[values.workload as WorkloadName];
const width = Number(values.width ?? 0);
const workload =
  values.workload === 'mlp' && width > 0
    ? {
        ...named,
        layers: named.layers.map(([kind, params]) =>
          kind === 'dense' && params?.units === 256
            ? ([kind, { units: width }] as (typeof named.layers)[number])
            : [kind, params],
        ) as typeof named.layers,
      }
    : named;
const batch = Number(values.batch);

const { doc, data } = benchmarkSession(workload, batch);
const trainer = new Trainer(
  doc,
  createCpuBackend('f32', { fast: !values.reference, spawnThread: values['one-thread'] ? undefined : nodeSpawnThread }),
  data,
);
const result = await measure(() => trainer.runSteps(1), batch, { runs: Number(values.runs) });
process.stdout.write(`${JSON.stringify(result)}\n`);
