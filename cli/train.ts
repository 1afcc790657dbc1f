/**
 * Headless training: npm run train -- <graph.json> [--epochs N] [--seed S] [--backend auto|cpu|webgpu]
 *   [--out <dir>] [--resume <checkpoint>] [--weights <file.safetensors>] [--fresh] [--find-lr] [--test <files>]
 *   [--data <images.idx> <labels.idx> | --data <file.csv> --label <column>[,<column>...] [--features a,b] [--normalise z-score]
 *    | --data <folder of class subfolders>]
 * The graph may be an ONNX model (it trains on from the weights it holds); a graph that names its starting
 * weights ("weights": {"file": ...}, beside it) starts from them; --fresh starts from a fresh initialisation.
 * Loads and checks the graph, trains it with a progress bar and per-epoch metrics, then writes a
 * checkpoint (<out>/<name>.ckpt) and a report (<out>/<name>.report.json) that names the checkpoint's
 * checksum; after --resume the report holds the whole history. Exit codes: 0 done,
 * 1 training stopped by an error, 2 bad arguments or files.
 */

import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createEngineApi } from '../engine/api';
import type { BackendChoice } from '../engine/backend/choose';
import { EngineError } from '../engine/errors';
import { exportPyTorch } from '../engine/export/pytorch';
import { writeSafetensors } from '../engine/export/safetensors';
import { rateSearchSummary, rateText } from '../engine/train/rate-finder';
import { stepRows } from '../engine/train/step-columns';
import { readFileBounded } from '../node-io/read-file-bounded';
import { exitWith, runTool, toolArguments, wholeNumber } from './command-line';
import { documentPath, loadTrainingData, testFiles } from './load-data';
import { loadModel } from './load-model';
import { progressPrinter } from './progress';
import { checksumHex, recoverRunOutputs, writeRunOutputs } from './run-outputs';
import { terminalSafe } from './terminal-text';
import { nodeSpawnThread } from './threads';

const usage = `usage: npm run train -- <graph.json|model.onnx> [options]

Trains the graph on its dataset (or on --data) and writes <name>.ckpt and <name>.report.json.
  --data <files>        IDX images and labels, a CSV file, or a folder of images (one subfolder per class)
  --label <column>      the CSV column to predict (needed with a CSV file); a,b,...: several target
                        columns, values to fit (or 0/1 labels with binary cross-entropy), one output each
  --features <a,b,...>  the CSV columns to read (all others by default)
  --normalise <how>     the CSV features: z-score (default), min-max or none
  --test <files>        a test set like the training data (a CSV file, IDX images and labels as two
                        --test, or a folder), read as the training data was and evaluated at the end
  --epochs N            epochs to train (the document's by default)
  --seed S              the run's seed, a whole number from 0 to 4294967295
  --backend <where>     cpu (default), webgpu, or auto
  --out <dir>           where the checkpoint and report go (the graph's folder by default)
  --resume <file.ckpt>  go on from a checkpoint
  --weights <file>      start from weights in safetensors (PyTorch's state_dict names)
  --fresh               start from fresh weights, not the ones the document names
  --find-lr             do not train: run the learning-rate range test from the starting weights (a
                        step at each of up to 100 rates from 1e-6 to 1) and print a suggested rate
  --help                this text`;

/** Lines for standard output; names in them come from the document. */
const say = (text: string) => process.stdout.write(terminalSafe(text));

/** A checkpoint holds the parameters and two optimizer slots: 1 GiB of parameters at most, three times. */
const MAX_CHECKPOINT_BYTES = 3 * 1024 ** 3 + 64 * 1024 ** 2;

async function main(): Promise<void> {
  const { values, positionals } = toolArguments(usage, {
    epochs: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    data: { type: 'string', multiple: true },
    out: { type: 'string' },
    resume: { type: 'string' },
    weights: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    label: { type: 'string' },
    features: { type: 'string' },
    normalise: { type: 'string' },
    test: { type: 'string', multiple: true },
    'find-lr': { type: 'boolean', default: false },
  });
  // --data takes its files as following words too: --data images.gz labels.gz
  const [graphPath, ...extra] = positionals;
  if (!graphPath) exitWith(2, usage);
  const dataFiles = [...(values.data ?? []), ...extra];
  const backendChoice = values.backend;
  if (backendChoice !== undefined && !['auto', 'cpu', 'webgpu'].includes(backendChoice))
    exitWith(2, `--backend is auto, cpu or webgpu, not "${backendChoice}"`);

  // A graph, or an ONNX model (trained on from the weights it holds).
  const loaded = await loadModel(graphPath);
  if (!loaded.ok) exitWith(2, loaded.message);
  for (const note of loaded.notes) say(`note: ${note}\n`);
  const doc = loaded.doc;
  const epochs = wholeNumber(values.epochs, '--epochs', 1, 100_000);
  if (epochs !== undefined) doc.training.epochs = epochs;
  // The run's seed: initial weights, shuffling, validation split and dropout masks all follow from it.
  const seed = wholeNumber(values.seed, '--seed', 0, 0xffff_ffff);
  if (seed !== undefined) doc.training.seed = seed;

  const normalise = values.normalise;
  if (normalise !== undefined && !['none', 'min-max', 'z-score'].includes(normalise))
    exitWith(2, `--normalise is none, min-max or z-score, not "${normalise}"`);
  const run = await loadTrainingData(doc, dataFiles, dirname(resolve(graphPath)), {
    label: values.label,
    features: values.features?.split(',').map((f) => f.trim()),
    normalise: normalise as 'none' | 'min-max' | 'z-score' | undefined,
  });
  if (values.test?.length) run.test = { data: await testFiles(values.test.map((p) => resolve(p))) };
  // The CPU unless the command line asks for auto or WebGPU (through dawn.node, loaded only then).
  run.doc.training.backend = (backendChoice ?? 'cpu') as BackendChoice;
  const gpu = run.doc.training.backend === 'cpu' ? undefined : (await import('./node-webgpu')).nodeGpu();
  const name = basename(graphPath).replace(/\.(json|onnx)$/i, '');
  const outDir = resolve(values.out ?? dirname(graphPath));
  mkdirSync(outDir, { recursive: true });
  for (const line of await recoverRunOutputs(outDir, name)) say(`${line}\n`);

  // The same engine API the app's worker serves, in this process: data, checks, checkpoints alike.
  const api = createEngineApi({ gpu, cores: availableParallelism(), spawnThread: nodeSpawnThread });
  const checkpoint = values.resume
    ? await readFileBounded(values.resume, MAX_CHECKPOINT_BYTES, 'checkpoint')
    : undefined;
  const info = await api.open({
    doc: run.doc,
    data: run.data,
    checkpoint,
    checkpointName: values.resume,
    // No recovery checkpoints while training (the command line writes one at the end), and no per-layer
    // statistics (nothing here shows them).
    options: { checkpointIntervalMs: Number.POSITIVE_INFINITY, telemetry: false },
  });
  // A test set is read now (as the training data was, so only once that is read), to refuse a bad file
  // before the run rather than after it.
  if (run.test) await api.evaluate(run.test);
  // Where the run starts: explicit weights, a checkpoint, the model's own weights, the weights the graph
  // names, or (--fresh, or none of these) a fresh initialisation.
  const starting = values.weights || values.resume || values.fresh ? undefined : loaded.weight;
  if (starting) {
    const weights = writeSafetensors(exportPyTorch(run.doc).stateDict(starting));
    await api.importWeights({ bytes: weights, file: graphPath });
    say(`weights from ${graphPath}\n`);
  } else if (doc.weights && !values.weights && !values.resume && !values.fresh) {
    const path = documentPath(dirname(resolve(graphPath)), 'file', doc.weights.file, {
      prefix: 'weights.',
      elsewhere: 'give the weights with --weights, or start fresh with --fresh',
    });
    await api.importWeights({ bytes: await readFileBounded(path, MAX_CHECKPOINT_BYTES, 'weights file'), file: path });
    say(`weights from ${path} (the graph starts from them; --fresh starts anew)\n`);
  }
  if (values.weights) {
    // Weights trained elsewhere (the exported PyTorch module's state_dict), in place of the initial ones.
    const bytes = await readFileBounded(values.weights, MAX_CHECKPOINT_BYTES, 'weights file');
    await api.importWeights({ bytes, file: values.weights });
    say(`weights from ${values.weights}\n`);
  }
  if (values['find-lr']) {
    await findRate(api);
    return;
  }
  const { backend } = info;
  say(`training on ${backend.label} (${backend.reason})\n`);
  say(
    `${doc.name}: ${info.paramCount} parameters, ${info.trainSamples} training and ${info.validationSamples} validation samples, ` +
      `${info.epochs} epochs of ${info.batchesPerEpoch} batches on ${backend.id === 'cpu' ? 'the CPU' : `WebGPU (${backend.label})`}\n`,
  );
  const printer = progressPrinter(info.epochs, info.batchesPerEpoch, info.batchSize, process.stdout);
  await api.subscribe((event) => {
    if (event.type !== 'steps') return;
    for (const step of stepRows(event.steps)) printer.onStep(step);
    for (const epoch of event.epochs) printer.onEpoch(epoch);
  });

  const started = performance.now();
  let error: EngineError | undefined;
  try {
    await api.run();
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    error = e;
  }
  const checkpointPath = join(outDir, `${name}.ckpt`);
  const checkpointBytes = await api.checkpoint();
  // After an error, the last good state: its weights, its step.
  const { history, stoppedEarly, step } = await api.summary();
  const report = {
    graph: resolve(graphPath),
    name: doc.name,
    backend: backend.id,
    parameters: info.paramCount,
    steps: step,
    seconds: (performance.now() - started) / 1000,
    stoppedEarly,
    error: error && { code: error.code, message: error.message, node: error.nodeId },
    history,
    validation: info.validationSamples > 0 ? await api.evaluate() : undefined,
    test: run.test ? await api.evaluate(run.test) : undefined,
    checkpoint: { path: checkpointPath, checksum: checksumHex(checkpointBytes), step },
    // How the data was read (a CSV file's scaling, the classes' and outputs' names): predict prepares and
    // names new inputs by it, whatever data the graph itself names.
    data: { settings: run.doc.training.dataset, ...info.readAs },
  };
  await writeRunOutputs(outDir, name, checkpointBytes, `${JSON.stringify(report, null, 2)}\n`);
  await api.close();
  if (error) exitWith(1, `training stopped: ${error.message}\ncheckpoint (last good weights): ${checkpointPath}`);
  if (report.test)
    say(
      `test: loss ${report.test.loss.toFixed(4)}${report.test.accuracy === undefined ? '' : `, accuracy ${(100 * report.test.accuracy).toFixed(1)}%`}\n`,
    );
  say(`done in ${report.seconds.toFixed(1)} s; checkpoint ${checkpointPath}\n`);
}

/** The learning-rate range test from the session's starting weights: a few of its rates, and its summary. */
async function findRate(api: ReturnType<typeof createEngineApi>): Promise<void> {
  const search = await api.findLearningRate();
  await api.close();
  say('rate      smoothed loss\n');
  const every = Math.max(1, Math.ceil(search.rates.length / 12));
  search.rates.forEach((rate, i) => {
    if (i % every === 0 || i === search.rates.length - 1)
      say(`${rateText(rate).padEnd(10)}${search.smoothed[i].toPrecision(4)}\n`);
  });
  say(`${rateSearchSummary(search)}\n`);
  if (search.suggested !== undefined)
    say(`suggested learning rate: ${rateText(Number(search.suggested.toPrecision(2)))}\n`);
}

runTool(main);
