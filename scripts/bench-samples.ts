/**
 * Trains every sample that uses Fashion-MNIST on the full set from Debian's dataset-fashion-mnist package
 * (60,000 training images) with its own settings, at most 5 epochs, on the CPU backend, and reports its
 * accuracy on the full 10,000-image test set, with epochs and wall time. Not part of the test run.
 *
 *   npm run bench:samples -- [--only mlp,lenet5] [--data /usr/share/datasets/fashion-mnist] [--write]
 *
 * --write puts the table into README.md between the bench:samples markers.
 *
 *   npm run bench:samples -- --compare [--only mlp,lenet5,lstm] [--runs 3] [--write]
 *
 * times one full epoch from the command line against a plain PyTorch script instead (bench-samples/compare.ts).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { nodeSpawnThread } from '../cli/threads';
import { createCpuBackend } from '../engine/backend/cpu/cpu-backend';
import { idxDataset, parseIdx } from '../engine/data/idx';
import { parseGraphText } from '../engine/graph';
import { evaluateSet } from '../engine/train/evaluate';
import { Trainer } from '../engine/train/trainer';
import { compareEpochs } from './bench-samples/compare';
import { machineName } from './machine';
import { writeReadmeSection } from './readme-section';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    write: { type: 'boolean', default: false },
    compare: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
if (values.compare) {
  compareEpochs({
    samples: values.only ? values.only.split(',') : ['mlp', 'lenet5', 'lstm'],
    data: values.data!,
    runs: Number(values.runs),
    python: values.python!,
    write: values.write!,
  });
  process.exit(0);
}
const root = join(import.meta.dirname, '..');
const read = (file: string) => parseIdx(gunzipSync(readFileSync(join(values.data!, file))), file);
const train = idxDataset(read('train-images-idx3-ubyte.gz'), read('train-labels-idx1-ubyte.gz'), 'fashion-mnist train');
const test = idxDataset(read('t10k-images-idx3-ubyte.gz'), read('t10k-labels-idx1-ubyte.gz'), 'fashion-mnist test');

const samples = ['mlp', 'lenet5', 'alexnet-small', 'vgg-small', 'googlenet-small', 'resnet-bottleneck', 'rnn', 'lstm'];
const chosen = values.only ? values.only.split(',') : samples;
const rows: string[] = [];
async function main() {
  for (const name of chosen) {
    const loaded = parseGraphText(readFileSync(join(root, 'samples/graphs', `${name}.json`), 'utf8'));
    if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.issues)}`);
    const doc = loaded.document;
    const epochs = Math.min(doc.training.epochs, 5);
    const trainer = new Trainer(
      { ...doc, training: { ...doc.training, epochs } },
      createCpuBackend('f32', { spawnThread: nodeSpawnThread }),
      train,
    );
    const started = performance.now();
    await trainer.fit({
      onEpoch: (m) =>
        process.stdout.write(
          `${name} epoch ${m.epoch + 1}/${epochs}: loss ${m.trainLoss.toFixed(4)} (${m.seconds.toFixed(0)} s)\n`,
        ),
    });
    const seconds = (performance.now() - started) / 1000;
    const evaluator = new Trainer(
      { ...doc, training: { ...doc.training, epochs } },
      createCpuBackend('f32', { spawnThread: nodeSpawnThread }),
      test,
    );
    const cp = await trainer.checkpoint();
    evaluator.restore({ ...cp, batchIndex: 0, order: Uint32Array.from({ length: test.count }, (_, i) => i) });
    const result = await evaluateSet(evaluator, 'train');
    const row = `| ${doc.name} | ${(100 * (result.accuracy ?? 0)).toFixed(2)}% | ${epochs} | ${(seconds / 60).toFixed(1)} min | ${Math.round((epochs * train.count) / seconds)} |`;
    rows.push(row);
    publish();
  }

  /** The table so far; with --write it replaces the one in README.md after every sample. */
  function publish(): void {
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineName()}, CPU backend (WebAssembly SIMD kernels, ${nodeSpawnThread ? 'two threads' : 'one thread'}), full Fashion-MNIST (60,000 training / 10,000 test images):`,
      '',
      '| Sample | Test accuracy | Epochs | Wall time | Samples/s |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    process.stdout.write(`\n${table}\n`);
    if (values.write) writeReadmeSection('bench:samples', table);
  }
}

await main();
