/**
 * Full epochs from the command line against PyTorch: for each sample (the MLP, LeNet-5 and the LSTM by
 * default), one epoch of the full Fashion-MNIST training set (60,000 images: 10% held out for validation as
 * the samples do, read from Debian's IDX files, batched, shuffled, the validation set evaluated) by
 * `npm run train` (the command line, CPU backend), and by a plain PyTorch script with a DataLoader that
 * trains the network Netloom exports for the sample (its module, initialiser, optimizer and loss; see
 * torch_epoch.py) on one thread and on one per core. Each figure is the wall time of the whole process, as
 * a user waits for it (start-up and reading the files included); runs are interleaved, and the median run
 * is the figure. The ratio is the faster PyTorch's time over Netloom's: above 1, Netloom is faster.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPyTorch } from '../../engine/export/pytorch';
import { parseGraphText } from '../../engine/graph';
import { machineName } from '../machine';
import { writeReadmeSection } from '../readme-section';

export interface CompareOptions {
  samples: string[];
  data: string;
  runs: number;
  python: string;
  write: boolean;
}

interface Epoch {
  seconds: number;
  valAccuracy?: number;
  error?: string;
}

const root = join(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

/** Runs a command and times it from spawn to exit. */
function timed(command: string, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  const seconds = (performance.now() - started) / 1000;
  const failed =
    result.status !== 0 ? (result.stderr || result.stdout || 'failed').trim().split('\n').at(-1) : undefined;
  return { seconds, stdout: result.stdout ?? '', failed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function compareEpochs(options: CompareOptions): void {
  const images = join(options.data, 'train-images-idx3-ubyte.gz');
  const labels = join(options.data, 'train-labels-idx1-ubyte.gz');
  const work = mkdtempSync(join(tmpdir(), 'netloom-epochs-'));
  const cores = String(cpus().length);
  const rows: string[] = [];
  try {
    for (const name of options.samples) {
      const graph = join(root, 'samples/graphs', `${name}.json`);
      const loaded = parseGraphText(readFileSync(graph, 'utf8'));
      if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.issues)}`);
      const doc = loaded.document;
      const module = join(work, `${name}.py`);
      writeFileSync(module, exportPyTorch(doc).source);
      const input = doc.nodes.find((n) => n.kind === 'input')!.params as { shape: number[] };
      const t = doc.training;

      const netloom = (): Epoch => {
        const run = timed(tsx, ['cli/train.ts', graph, '--data', images, labels, '--epochs', '1', '--out', work]);
        if (run.failed) return { seconds: run.seconds, error: run.failed };
        const report = JSON.parse(readFileSync(join(work, `${name}.report.json`), 'utf8'));
        return { seconds: run.seconds, valAccuracy: report.validation?.accuracy };
      };
      const pytorch = (threads: string) => (): Epoch => {
        const run = timed(
          options.python,
          [
            'scripts/bench-samples/torch_epoch.py',
            ...['--module', module, '--images', images, '--labels', labels, '--shape', input.shape.join(',')],
            ...['--batch', String(t.batchSize), '--validation', String(t.validation.split), '--threads', threads],
          ],
          { OMP_NUM_THREADS: threads },
        );
        if (run.failed) return { seconds: run.seconds, error: run.failed };
        const line = run.stdout.split('\n').findLast((l) => l.startsWith('{'));
        return { seconds: run.seconds, valAccuracy: line ? JSON.parse(line).valAccuracy : undefined };
      };
      const peers = { netloom, torch1: pytorch('1'), torchAll: pytorch(cores) };
      const seen: Record<keyof typeof peers, Epoch[]> = { netloom: [], torch1: [], torchAll: [] };
      for (let r = 0; r < options.runs; r++)
        for (const [id, run] of Object.entries(peers) as [keyof typeof peers, () => Epoch][]) {
          const epoch = run();
          seen[id].push(epoch);
          process.stdout.write(
            `${name} ${id} run ${r + 1}: ${epoch.error ? `failed: ${epoch.error}` : `${epoch.seconds.toFixed(1)} s, validation ${pct(epoch.valAccuracy)}`}\n`,
          );
        }
      const figure = (epochs: Epoch[]) => {
        const ok = epochs.filter((e) => !e.error);
        return ok.length === epochs.length ? median(ok.map((e) => e.seconds)) : undefined;
      };
      const [n, p1, pAll] = [figure(seen.netloom), figure(seen.torch1), figure(seen.torchAll)];
      const fasterTorch = Math.min(p1 ?? Number.POSITIVE_INFINITY, pAll ?? Number.POSITIVE_INFINITY);
      const cell = (s?: number, epochs?: Epoch[]) =>
        s === undefined
          ? `failed: ${epochs?.find((e) => e.error)?.error}`
          : `${s.toFixed(1)} s (${pct(epochs?.at(-1)?.valAccuracy)})`;
      rows.push(
        `| ${doc.name} | ${t.batchSize} | ${cell(n, seen.netloom)} | ${cell(p1, seen.torch1)} | ${cell(pAll, seen.torchAll)} | ${n && Number.isFinite(fasterTorch) ? `**${(fasterTorch / n).toFixed(2)}x**` : '–'} |`,
      );
      publish();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  function publish(): void {
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineName()}: one epoch of full Fashion-MNIST (54,000 training images, 6,000 validation), whole process, median of ${options.runs} runs (validation accuracy after the epoch in brackets):`,
      '',
      `| Sample | Batch | Netloom, \`npm run train\` (CPU) | PyTorch script, 1 thread | PyTorch script, ${cores} threads | Netloom's speed vs the faster PyTorch |`,
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    process.stdout.write(`\n${table}\n`);
    if (options.write) writeReadmeSection('bench:samples-compare', table);
  }
}

const pct = (x?: number) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);
