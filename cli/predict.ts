/**
 * Predictions: npm run predict -- <graph.json|model.onnx> [--ckpt run.ckpt] --data <files…> [--out file.csv] [--top K]
 * Runs inputs of the user's through the network: image files (PNG or JPEG, or folders of them) for an image
 * Input, or the rows of a CSV file for a network trained on a CSV dataset (its feature columns by name,
 * scaled as the training set was). How the training data was read (a CSV file's scaling, the names of the
 * classes and outputs) is the run's report's (<name>.report.json beside the checkpoint, when its checksum is
 * the checkpoint's: the data given to train may not be the graph's), else the graph's data read again.
 * Prints, or writes with --out, one CSV row per input: the input, then the top K classes with their
 * probabilities (a classifier) or the outputs. A CSV file that holds the label columns the network was
 * trained on is also scored: its loss and accuracy printed (as train --test prints them), each row's
 * label written beside its answer. The weights: the checkpoint's, the
 * ONNX model's, or those the graph names. Exit codes: 0 done, 2 bad arguments or files.
 */

import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { createEngineApi } from '../engine/api';
import { bundledDatasets } from '../engine/data/bundled';
import { parseCsv } from '../engine/data/csv';
import { csvRows } from '../engine/data/csv-inputs';
import { type Dataset, dataReading } from '../engine/data/dataset';
import { imageInputs } from '../engine/data/images';
import { EngineError } from '../engine/errors';
import { checkpointWeights, exportPyTorch } from '../engine/export/pytorch';
import { writeSafetensors } from '../engine/export/safetensors';
import { decodeText } from '../engine/files/decode-text';
import type { GraphDocument } from '../engine/graph';
import { analyseGraph } from '../engine/graph/analysis';
import { labelColumns } from '../engine/graph/training-schema';
import { predictionsCsv } from '../engine/train/predictions-csv';
import { writeFileAtomic } from '../node-io/atomic-write';
import { readFileBounded } from '../node-io/read-file-bounded';
import { exitWith, runTool, toolArguments, wholeNumber } from './command-line';
import { documentPath } from './load-data';
import { loadModel } from './load-model';
import { type RunReading, runDataReading } from './run-data';
import { terminalSafe } from './terminal-text';

const usage =
  'usage: npm run predict -- <graph.json|model.onnx> [--ckpt <run.ckpt>] --data <images, folders or one CSV file> [--out <file.csv>] [--top K]';
const MAX_CHECKPOINT_BYTES = 3 * 1024 ** 3 + 64 * 1024 ** 2;
const MAX_INPUT_BYTES = 256 * 1024 ** 2;
const IMAGE = /\.(png|jpe?g)$/i;

/** Image files named on the command line, folders opened (their images in path order). */
function imageFiles(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile() && IMAGE.test(e.name))
          .map((e) => join(e.parentPath, e.name))
          .sort()
      : [path],
  );
}

/** A CSV dataset's scaling, names and label columns, read again from the training file the graph names. */
async function csvReading(doc: GraphDocument, graphPath: string): Promise<RunReading> {
  const d = doc.training.dataset;
  if (d.source !== 'csv')
    throw new EngineError('INVALID_DATA', 'a CSV file of inputs needs a network trained on a CSV dataset');
  const path = documentPath(dirname(resolve(graphPath)), 'path', d.path);
  const text = decodeText(await readFileBounded(path, MAX_INPUT_BYTES, 'training data'), path);
  return { ...dataReading(parseCsv(text, path, d)), labelColumns: labelColumns(d) };
}

async function main(): Promise<void> {
  const { values, positionals } = toolArguments(usage, {
    ckpt: { type: 'string' },
    data: { type: 'string', multiple: true },
    out: { type: 'string' },
    top: { type: 'string' },
  });
  const [graphPath, ...extra] = positionals;
  const data = [...(values.data ?? []), ...extra];
  if (!graphPath || data.length === 0) exitWith(2, usage);
  const top = wholeNumber(values.top, '--top', 1, 100) ?? 3; // the three likeliest classes by default
  const loaded = await loadModel(graphPath);
  if (!loaded.ok) exitWith(2, loaded.message);
  const doc = loaded.doc;
  const shape = doc.nodes.find((n) => n.kind === 'input')?.params.shape as number[] | undefined;
  if (!shape) exitWith(2, `${graphPath} has no Input`);

  // A checkpoint, and how the run that wrote it read its data (its report's word, where there is one).
  const checkpoint = values.ckpt && (await readFileBounded(values.ckpt, MAX_CHECKPOINT_BYTES, 'checkpoint'));
  const reading = values.ckpt && checkpoint ? await runDataReading(values.ckpt, checkpoint) : undefined;

  // The inputs, prepared as the network's data is.
  let x: Float32Array;
  let names: string[];
  let labelled: Dataset | undefined;
  let classNames = reading?.classNames;
  let outputNames = reading?.outputNames;
  // What the training targets were: classes (pictures' always are), or values (a CSV file's may be either).
  let targetKind = reading?.targetKind;
  const trainedOnCsv = doc.training.dataset.source === 'csv' || reading?.scaling !== undefined;
  if (data.length === 1 && (/\.(csv|tsv)$/i.test(data[0]) || (trainedOnCsv && /\.txt$/i.test(data[0])))) {
    const trained = reading?.scaling ? reading : await csvReading(doc, graphPath);
    const text = decodeText(await readFileBounded(data[0], MAX_INPUT_BYTES, 'CSV file'), data[0]);
    if (!trained.scaling) exitWith(2, `${graphPath}: how its CSV columns were scaled is not known`);
    const rows = csvRows(text, data[0], { ...trained, scaling: trained.scaling }, trained.labelColumns);
    labelled = rows.labelled;
    x = rows.x;
    names = rows.lines.map((line) => `${basename(data[0])}:${line}`);
    ({ classNames, outputNames } = trained);
    targetKind = trained.targetKind;
  } else {
    if (shape.length !== 3 || (shape[0] !== 1 && shape[0] !== 3))
      exitWith(2, `images need an Input of shape [1 or 3, H, W]; this network's is [${shape.join(', ')}]`);
    const files = imageFiles(data.map((p) => resolve(p)));
    const other = files.find((f) => !IMAGE.test(f));
    if (other) exitWith(2, `${other}: not a PNG or JPEG image (give images, folders of images, or one CSV file)`);
    const picked = [];
    for (const f of files)
      picked.push({
        path: relative(process.cwd(), f).split(sep).join('/'),
        bytes: await readFileBounded(f, MAX_INPUT_BYTES, 'image'),
      });
    x = imageInputs(picked, shape as [number, number, number]);
    names = picked.map((f) => f.path);
    const d = doc.training.dataset;
    if (!classNames && d.source === 'sample') classNames = [...bundledDatasets[d.name].classNames];
    targetKind ??= 'class';
  }
  const count = names.length;

  // The weights: the checkpoint's, the model's own, or those the graph names.
  let weights: Uint8Array | undefined;
  if (values.ckpt && checkpoint) weights = checkpointWeights(doc, checkpoint, values.ckpt);
  else if (loaded.weight) weights = writeSafetensors(exportPyTorch(doc).stateDict(loaded.weight));
  else if (doc.weights) {
    const path = documentPath(dirname(resolve(graphPath)), 'file', doc.weights.file, {
      prefix: 'weights.',
      elsewhere: 'give a checkpoint with --ckpt',
    });
    weights = await readFileBounded(path, MAX_CHECKPOINT_BYTES, 'weights file');
  } else exitWith(2, `${graphPath} names no trained weights: give a checkpoint with --ckpt`);

  // A session over the inputs themselves (their targets unused, of the kind and size the loss compares the
  // output with): the engine the app and training use. A mean squared error against classes is a classifier.
  const loss = doc.training.loss.kind;
  const classes = loss === 'softmax-cross-entropy' || (loss === 'mse' && targetKind === 'class');
  const analysis = analyseGraph(doc);
  const outputShape =
    analysis.outputId === undefined ? [1] : (analysis.nodes.get(analysis.outputId)?.outputShape ?? [1]);
  const targetSize = classes ? 1 : outputShape.reduce((a, b) => a * b, 1);
  const samples: Dataset = {
    name: 'inputs',
    inputShape: shape,
    count,
    x,
    targetKind: classes ? 'class' : 'tensor',
    targetSize,
    targets: new Float32Array(count * targetSize),
  };
  const api = createEngineApi({ gpu: undefined, cores: 1 });
  await api.open({
    doc: { ...doc, training: { ...doc.training, backend: 'cpu', validation: { split: 0 } } },
    data: { kind: 'samples', train: samples },
    options: { checkpointIntervalMs: Number.POSITIVE_INFINITY },
  });
  await api.importWeights({ bytes: weights, file: values.ckpt ?? graphPath });
  const result = await api.predict({ kind: 'rows', x, names });
  // Rows with their labels: scored as a test set is (the engine's evaluation pass, the loss of training).
  const score = labelled && (await api.evaluate({ data: { kind: 'samples', train: labelled } }));
  await api.close();

  const text = predictionsCsv(
    { ...result, ...(classNames && { classNames }), ...(outputNames && { outputNames }) },
    names,
    top,
    labelled?.targets,
  );
  if (values.out) await writeFileAtomic(values.out, text);
  else process.stdout.write(terminalSafe(text));
  process.stderr.write(`${count} inputs in ${result.ms.toFixed(1)} ms of forward passes\n`);
  if (score)
    process.stderr.write(
      `scored against their labels: loss ${score.loss.toFixed(4)}${score.accuracy === undefined ? '' : `, accuracy ${(100 * score.accuracy).toFixed(1)}%`}\n`,
    );
}

runTool(main);
