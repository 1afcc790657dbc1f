/**
 * CPU training throughput of Netloom against TensorFlow.js (wasm and cpu backends) and PyTorch, on the three
 * reference workloads at batch 64, in one run on this machine. Each measurement runs in its own process (so
 * peak memory is its own): warm-up, then the median of several timed runs. Not part of the test run.
 *
 *   npm run bench:cpu -- [--only mlp,lenet] [--runs 5] [--rounds 3] [--batch 64] [--also-batch 256] [--write]
 *
 * --also-batch adds a second table: Netloom against PyTorch at that batch size (the other peers are left
 * out there: they are far behind at batch 64 already, and slow to measure).
 *
 * PyTorch is measured when /usr/bin/python3 can import torch. A last table times the matrix product alone,
 * Netloom's kernel against PyTorch's BLAS, with the CPU's widest vector instructions. --write puts the table into README.md between the bench:cpu markers.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type WorkloadName, workloadNames, workloads } from './bench-cpu/workloads';
import { machineName, vectorWidth } from './machine';
import { writeReadmeSection } from './readme-section';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '5' },
    /** Processes per measurement of Netloom and PyTorch, taken in turn; the median process counts. */
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    'also-batch': { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    write: { type: 'boolean', default: false },
    /** Also measure how the MLP's step time grows with batch size and layer width. */
    scaling: { type: 'boolean', default: false },
  },
});
const root = join(import.meta.dirname, '..');
const chosen = (values.only?.split(',') ?? workloadNames) as WorkloadName[];
const settings = (batch: string) => ['--batch', batch, '--runs', values.runs!];
const common = settings(values.batch!);

interface Measured {
  samplesPerSecond?: number;
  gflops?: number;
  peakMiB?: number;
  threads?: number;
  error?: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Measured {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    env: { ...process.env, ...env },
  });
  const line = result.stdout
    ?.split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) return { error: (result.stderr || 'no result').trim().split('\n').slice(-1)[0] };
  return JSON.parse(line) as Measured;
}

const tsx = join(root, 'node_modules/.bin/tsx');
const netloomScript = 'scripts/bench-cpu/run-netloom.ts';
const frameworks = [
  {
    id: 'netloom',
    title: 'Netloom',
    run: (w: string, args = common) => run(tsx, [netloomScript, '--workload', w, ...args]),
  },
  {
    id: 'reference',
    title: 'Netloom (reference loops)',
    run: (w: string) => run(tsx, ['scripts/bench-cpu/run-netloom.ts', '--workload', w, '--reference', ...common]),
  },
  {
    id: 'tfjs-wasm',
    title: 'tfjs-wasm',
    run: (w: string) => run(tsx, ['scripts/bench-cpu/run-tfjs.ts', '--workload', w, '--backend', 'wasm', ...common]),
  },
  {
    id: 'tfjs-cpu',
    title: 'tfjs-cpu',
    run: (w: string) => run(tsx, ['scripts/bench-cpu/run-tfjs.ts', '--workload', w, '--backend', 'cpu', ...common]),
  },
];

function hasTorch(): boolean {
  try {
    execFileSync(values.python!, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const torchScript = 'scripts/bench-cpu/torch_bench.py';
const torch = hasTorch();
// PyTorch with one thread (its default here) and with one per core; the ratio is taken to the faster.
const cores = String(cpus().length);
if (torch)
  frameworks.push(
    {
      id: 'pytorch',
      title: 'PyTorch (1 thread)',
      run: (w: string, args = common) => run(values.python!, [torchScript, '--workload', w, '--threads', '1', ...args]),
    },
    {
      id: 'pytorch-all',
      title: `PyTorch (${cores} threads)`,
      run: (w: string, args = common) =>
        run(values.python!, [torchScript, '--workload', w, '--threads', cores, ...args], { OMP_NUM_THREADS: cores }),
    },
  );

/**
 * The matrix product alone, at two sizes: Netloom's kernel (one thread and two) against PyTorch's BLAS (one
 * thread and all), in GFLOP/s. Where the training steps' ratios come from on this machine: the products
 * are most of a step (see the Performance section's words).
 */
function productsTable(): string[] {
  const sizes = ['1024', '256'];
  const peers = [
    {
      title: 'Netloom (1 thread)',
      run: (n: string) => run(tsx, [netloomScript, '--workload', 'matmul', '--size', n, '--one-thread']),
    },
    {
      title: 'Netloom (2 threads)',
      run: (n: string) => run(tsx, [netloomScript, '--workload', 'matmul', '--size', n]),
    },
    ...(torch
      ? [
          {
            title: 'PyTorch (1 thread)',
            run: (n: string) =>
              run(values.python!, [torchScript, '--workload', 'matmul', '--size', n, '--threads', '1']),
          },
          {
            title: `PyTorch (${cores} threads)`,
            run: (n: string) =>
              run(values.python!, [torchScript, '--workload', 'matmul', '--size', n, '--threads', cores], {
                OMP_NUM_THREADS: cores,
              }),
          },
        ]
      : []),
  ];
  const rows = sizes.map((n) => {
    const figures = peers.map((p) => p.run(n));
    const cells = figures.map((m) =>
      m.gflops === undefined ? `failed: ${m.error}` : Math.round(m.gflops).toLocaleString('en'),
    );
    process.stdout.write(`matmul ${n}: ${cells.join(', ')}\n`);
    return `| ${n}³ | ${cells.join(' | ')} |`;
  });
  return [
    `The matrix product alone (float32, GFLOP/s, the median of ${values.runs} runs); this CPU's widest vector instructions: ${vectorWidth()}:`,
    '',
    `| Product | ${peers.map((p) => p.title).join(' | ')} |`,
    `|${' --- |'.repeat(peers.length + 1)}`,
    ...rows,
  ];
}

type Framework = (typeof frameworks)[number];
const rounds = Math.max(1, Number(values.rounds));
/** The peers whose ratio is the target: measured in several processes, in turn. */
const compared = (f: Framework) => f.id === 'netloom' || f.id.startsWith('pytorch');

/**
 * Each peer measured in `rounds` processes, one of each peer after another, round after round: on these
 * shared machines a process can run a fifth faster or slower than the next one, whoever it is, so a single
 * process per peer made the ratio a draw. Each figure is the median process's (its peak memory the largest).
 */
function inTurn(peers: Framework[], w: string, args: string[], label: string): Map<string, Measured> {
  const all = new Map<string, Measured[]>(peers.map((f) => [f.id, []]));
  for (let round = 0; round < (peers.some(compared) ? rounds : 1); round++)
    for (const f of peers) {
      const m = f.run(w, args);
      all.get(f.id)?.push(m);
      process.stdout.write(
        `${label}${w} ${f.id}: ${m.error ?? `${Math.round(m.samplesPerSecond ?? 0)} samples/s, ${Math.round(m.peakMiB ?? 0)} MiB`}\n`,
      );
    }
  return new Map(peers.map((f) => [f.id, medianProcess(all.get(f.id) ?? [])]));
}

function medianProcess(measured: Measured[]): Measured {
  const done = measured.filter((m) => m.samplesPerSecond !== undefined);
  if (done.length === 0) return measured[0] ?? { error: 'not run' };
  const sorted = [...done].sort((a, b) => (a.samplesPerSecond ?? 0) - (b.samplesPerSecond ?? 0));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...median, peakMiB: Math.max(...done.map((m) => m.peakMiB ?? 0)) };
}

const results = new Map<string, Measured>();
for (const w of chosen) {
  for (const f of frameworks.filter((f) => !compared(f)))
    for (const [id, m] of inTurn([f], w, common, '')) results.set(`${id}/${w}`, m);
  for (const [id, m] of inTurn(frameworks.filter(compared), w, common, '')) results.set(`${id}/${w}`, m);
}

const rate = (f: string, w: string) => results.get(`${f}/${w}`)?.samplesPerSecond;
const bestTorch = (w: string) => Math.max(rate('pytorch', w) ?? 0, rate('pytorch-all', w) ?? 0) || undefined;
const cellOf = (m?: Measured) =>
  !m || m.samplesPerSecond === undefined
    ? `failed: ${m?.error ?? 'not run'}`
    : `${Math.round(m.samplesPerSecond).toLocaleString('en')} (${Math.round(m.peakMiB ?? 0)} MiB)`;
const cell = (f: string, w: string) => cellOf(results.get(`${f}/${w}`));
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}x` : '-');

const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machineName()}, batch ${values.batch}; samples per second (peak memory of the process), each process the median of ${values.runs} runs after warm-up; Netloom and PyTorch in ${rounds} processes each, taken in turn, the median process:`,
  '',
  `| Workload | ${frameworks.map((f) => f.title).join(' | ')} | Netloom / tfjs-wasm |${torch ? ' Netloom / faster PyTorch |' : ''}`,
  `|${' --- |'.repeat(frameworks.length + (torch ? 3 : 2))}`,
  ...chosen.map(
    (w) =>
      `| ${workloads[w].title} | ${frameworks.map((f) => cell(f.id, w)).join(' | ')} | ${ratio(rate('netloom', w), rate('tfjs-wasm', w))} |${torch ? ` ${ratio(rate('netloom', w), bestTorch(w))} |` : ''}`,
  ),
  '',
  torch
    ? "Netloom trains on two threads (the engine's helper thread). PyTorch's products are OpenBLAS's (their speed below), not the reference BLAS's."
    : 'PyTorch was not measured: /usr/bin/python3 cannot import torch.',
];
if (values['also-batch']) lines.push('', ...batchTable(values['also-batch']));
lines.push('', ...productsTable());
if (values.scaling) lines.push('', ...scalingTable());
const table = lines.join('\n');
process.stdout.write(`\n${table}\n`);

/** Netloom against PyTorch (both thread counts) at another batch size: samples per second and the ratio. */
function batchTable(batch: string): string[] {
  const peers = frameworks.filter(compared);
  const measured = new Map<string, Measured>();
  for (const w of chosen)
    for (const [id, m] of inTurn(peers, w, settings(batch), `batch ${batch} `)) measured.set(`${id}/${w}`, m);
  const at = (f: string, w: string) => measured.get(`${f}/${w}`)?.samplesPerSecond;
  return [
    `At batch ${batch}, the same way:`,
    '',
    `| Workload | ${peers.map((f) => f.title).join(' | ')} |${torch ? ' Netloom / faster PyTorch |' : ''}`,
    `|${' --- |'.repeat(peers.length + 1 + (torch ? 1 : 0))}`,
    ...chosen.map((w) => {
      const faster = Math.max(at('pytorch', w) ?? 0, at('pytorch-all', w) ?? 0) || undefined;
      return `| ${workloads[w].title} | ${peers.map((f) => cellOf(measured.get(`${f.id}/${w}`))).join(' | ')} |${torch ? ` ${ratio(at('netloom', w), faster)} |` : ''}`;
    }),
  ];
}

/** Milliseconds per MLP training step (Netloom, two threads) as the batch and the hidden width grow. */
function scalingTable(): string[] {
  const stepMs = (batch: number, width: number) => {
    const m = run(tsx, [
      'scripts/bench-cpu/run-netloom.ts',
      '--workload',
      'mlp',
      '--batch',
      String(batch),
      '--width',
      String(width),
      '--runs',
      '3',
    ]);
    return m.samplesPerSecond ? (1000 * batch) / m.samplesPerSecond : Number.NaN;
  };
  const batches = [16, 64, 256, 1024];
  const widths = [64, 256, 1024];
  const rows = widths.map((w) => {
    const times = batches.map((b) => stepMs(b, w));
    process.stdout.write(`scaling width ${w}: ${times.map((t) => t.toFixed(2)).join(' ')} ms\n`);
    return `| 784-${w}-${w}-10 | ${times.map((t, i) => `${t.toFixed(2)} ms (${Math.round((1000 * batches[i]) / t).toLocaleString('en')}/s)`).join(' | ')} |`;
  });
  return [
    'Scaling: milliseconds per training step of the MLP (Adam) by batch size (columns) and hidden width (rows), with samples per second:',
    '',
    `| Network | ${batches.map((b) => `batch ${b}`).join(' | ')} |`,
    `|${' --- |'.repeat(batches.length + 1)}`,
    ...rows,
  ];
}

if (values.write) writeReadmeSection('bench:cpu', table);
