/**
 * A search for a better network: npm run sweep -- <graph.json> --set lr=1e-3,3e-3 --set batch=32,64
 *   [--set <layer id>.<param>=v1,v2] [--random N] [--seed S] [--epochs E] [--out <dir>] [--data …]
 * Trains the graph once per combination of the values (all of them, or N drawn at random), one run after
 * another in the engine, and prints a table sorted by validation accuracy with each run's parameters,
 * multiply-adds and time, and the runs on the Pareto front of error against cost. The results are written
 * after every run to <out>/<name>.sweep.json (and .csv): run the same command again and the runs that
 * finished are kept, not run again. Ctrl+C stops after the current step. Exit codes: 0 done, 2 bad arguments.
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createEngineApi } from '../engine/api';
import {
  describeValues,
  errorOf,
  paretoFront,
  parseSweepSetting,
  rankResults,
  type SweepResult,
  type SweepSpec,
} from '../engine/train/sweep';
import { writeFileAtomic } from '../node-io/atomic-write';
import { exitWith, runTool, toolArguments, wholeNumber } from './command-line';
import { loadTrainingData } from './load-data';
import { loadModel } from './load-model';
import { terminalSafe } from './terminal-text';
import { nodeSpawnThread } from './threads';

const usage =
  'usage: npm run sweep -- <graph.json> --set <name>=<v1>,<v2>… [--set …] [--random N] [--seed S] [--epochs E] [--out <dir>] [--data <files>]';

const say = (text: string) => process.stdout.write(terminalSafe(text));

async function main(): Promise<void> {
  const { values, positionals } = toolArguments(usage, {
    set: { type: 'string', multiple: true },
    random: { type: 'string' },
    seed: { type: 'string' },
    epochs: { type: 'string' },
    out: { type: 'string' },
    data: { type: 'string', multiple: true },
    label: { type: 'string' },
  });
  const [graphPath, ...extra] = positionals;
  if (!graphPath || !values.set?.length) exitWith(2, usage);
  const spec: SweepSpec = {
    settings: values.set.map(parseSweepSetting),
    random: wholeNumber(values.random, '--random', 1, 1000),
    seed: wholeNumber(values.seed, '--seed', 0, 0xffff_ffff),
    epochs: wholeNumber(values.epochs, '--epochs', 1, 100_000),
  };
  const loaded = await loadModel(graphPath);
  if (!loaded.ok) exitWith(2, loaded.message);
  const run = await loadTrainingData(loaded.doc, [...(values.data ?? []), ...extra], dirname(resolve(graphPath)), {
    label: values.label,
  });
  run.doc.training.backend = 'cpu';
  const name = basename(graphPath).replace(/\.(json|onnx)$/i, '');
  const outDir = resolve(values.out ?? dirname(graphPath));
  mkdirSync(outDir, { recursive: true });
  const resultsPath = join(outDir, `${name}.sweep.json`);

  // Runs a previous sweep finished, kept when the same settings and epochs are asked for again.
  let done: SweepResult[] = [];
  try {
    const previous = JSON.parse(readFileSync(resultsPath, 'utf8')) as { spec: SweepSpec; results: SweepResult[] };
    if (JSON.stringify(previous.spec) === JSON.stringify(spec))
      done = previous.results.filter((r) => r.status === 'completed');
  } catch {
    // No earlier sweep (or not one of these settings): all runs are new.
  }
  if (done.length > 0) say(`resuming: ${done.length} finished runs kept from ${resultsPath}\n`);

  const api = createEngineApi({ gpu: undefined, cores: availableParallelism(), spawnThread: nodeSpawnThread });
  const finished = [...done];
  const save = async () => {
    await writeFileAtomic(resultsPath, `${JSON.stringify({ spec, results: finished }, null, 2)}\n`);
    await writeFileAtomic(join(outDir, `${name}.sweep.csv`), resultsCsv(spec, finished));
  };
  await api.subscribe(async (event) => {
    if (event.type !== 'sweep-result') return;
    const r = event.result;
    if (r.status === 'completed') finished.push(r);
    say(`run ${event.index + 1}/${event.total} ${describeValues(r.values)}: ${summary(r)}\n`);
    await save();
  });
  process.once('SIGINT', () => {
    say('stopping after this step…\n');
    void api.stopSweep();
  });
  const results = await api.sweep({ doc: run.doc, data: run.data, spec, done });
  await save();
  printTable(spec, results);
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);

function summary(r: SweepResult): string {
  if (r.status === 'failed') return `failed: ${r.error}`;
  const figures =
    r.valAccuracy !== undefined ? `validation accuracy ${pct(r.valAccuracy)}` : `loss ${errorOf(r).toPrecision(4)}`;
  return `${r.status === 'stopped' ? 'stopped, ' : ''}${figures}, ${r.seconds.toFixed(1)} s`;
}

function printTable(spec: SweepSpec, results: SweepResult[]): void {
  const front = new Set(paretoFront(results));
  const names = spec.settings.map((s) => s.name);
  const header = [...names, 'val acc', 'val loss', 'params', 'mult-adds', 'seconds', 'Pareto'];
  const rows = rankResults(results).map((r) => [
    ...names.map((n) => String(r.values[n])),
    pct(r.valAccuracy),
    r.valLoss === undefined ? '–' : r.valLoss.toFixed(4),
    String(r.params),
    String(Math.round(r.multiplyAdds)),
    r.seconds.toFixed(1),
    r.status === 'failed' ? 'failed' : front.has(r) ? '*' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) say(`${row.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
}

/** One line per run: its values, then its figures (best first). */
function resultsCsv(spec: SweepSpec, results: SweepResult[]): string {
  const names = spec.settings.map((s) => s.name);
  const cell = (v: unknown) => {
    const text = v === undefined ? '' : String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [
    [...names, 'status', 'val_accuracy', 'val_loss', 'train_loss', 'params', 'multiply_adds', 'seconds'].join(','),
  ];
  for (const r of rankResults(results))
    lines.push(
      [
        ...names.map((n) => r.values[n]),
        r.status,
        r.valAccuracy,
        r.valLoss,
        r.trainLoss,
        r.params,
        r.multiplyAdds,
        r.seconds.toFixed(3),
      ]
        .map(cell)
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

runTool(main);
