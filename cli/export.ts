/**
 * Export: npm run export -- <graph.json> --to pytorch|onnx [--ckpt <run.ckpt>] [--out <dir>] [--probabilities]
 *
 * --to pytorch writes <out>/<name>.py, the network as a PyTorch module with its training step and a main()
 * that trains it (python <name>.py, or torchrun), the data it reads beside it (generated data as CSV, the
 * bundled set as IDX; the user's IDX, CSV or image files are read where they are), and with --ckpt
 * <out>/<name>.safetensors, the checkpoint's weights as the module's state_dict (the script starts from them
 * with --weights).
 * --to onnx writes <out>/<name>.onnx, an inference model (opset 17) with the checkpoint's weights (without
 * --ckpt, the weights a run starts from); --probabilities adds the softmax (or sigmoid) as a second output.
 * --to netloom opens an ONNX model (model.onnx) and writes <out>/<name>.json, the graph, and
 * <out>/<name>.safetensors, its weights (npm run train -- <name>.json --weights <name>.safetensors trains on).
 * Any target reads an ONNX model in place of a graph, with the weights it holds.
 * Exit codes: 0 done, 2 bad arguments or files (a graph that cannot train, a checkpoint of another network).
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { EngineError } from '../engine/errors';
import { fileStem } from '../engine/export/python-text';
import { checkpointWeights, exportPyTorch, type ScriptFiles, scriptFiles } from '../engine/export/pytorch';
import { withUserPaths } from '../engine/export/pytorch-data';
import { writeSafetensors } from '../engine/export/safetensors';
import { type GraphDocument, serializeGraph } from '../engine/graph';
import { exportOnnx } from '../engine/onnx/export';
import { checkpointWeightOf, initialWeightOf, type WeightOf } from '../engine/train/network-weights';
import { writeFileAtomic } from '../node-io/atomic-write';
import { readFileBounded } from '../node-io/read-file-bounded';
import { exitWith, runTool, toolArguments } from './command-line';
import { loadModel } from './load-model';
import { terminalSafe } from './terminal-text';

/** The bundled datasets' files, copied beside a script that trains on them. */
const bundledDataDir = join(import.meta.dirname, '../samples/data');

const usage =
  'usage: npm run export -- <graph.json|model.onnx> --to pytorch|onnx|netloom [--ckpt <run.ckpt>] [--out <dir>] [--probabilities]';

/** A checkpoint holds the parameters and two optimizer slots: 1 GiB of parameters at most, three times. */
const MAX_CHECKPOINT_BYTES = 3 * 1024 ** 3 + 64 * 1024 ** 2;

interface Target {
  doc: GraphDocument;
  graphPath: string;
  /** The graph file's name, kept to characters every file system and Python accept. */
  name: string;
  outDir: string;
  checkpoint?: { bytes: Uint8Array; path: string };
  /** The weights an ONNX model came with (a checkpoint, when given, takes their place). */
  weight?: WeightOf;
}

/** Files to write, by path; nothing is written until all of them are made. */
type Outputs = { path: string; bytes: string | Uint8Array }[];

function pytorchOutputs({ doc, graphPath, name, outDir, checkpoint, weight }: Target): {
  outputs: Outputs;
  note: string;
} {
  let files: ScriptFiles | undefined;
  let note = '';
  try {
    files = scriptFiles(doc, name);
    // The user's files stay where they are: named from the script's folder, which may be another.
    if (['idx', 'csv', 'image-folder'].includes(doc.training.dataset.source)) {
      const fromOut = (path: string) =>
        relative(outDir, resolve(dirname(graphPath), path))
          .split(sep)
          .join('/');
      files = { ...files, data: withUserPaths(files.data, fromOut) };
    }
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    note = `note: ${e.message}; ${name}.py holds the module and its training step, without main()`;
  }
  const outputs: Outputs = [
    { path: join(outDir, `${name}.py`), bytes: exportPyTorch(doc, files && { name, data: files.data }).source },
  ];
  if (checkpoint)
    outputs.push({
      path: join(outDir, `${name}.safetensors`),
      bytes: checkpointWeights(doc, checkpoint.bytes, checkpoint.path),
    });
  else if (weight) outputs.push({ path: join(outDir, `${name}.safetensors`), bytes: stateDictFile(doc, weight) });
  for (const file of files?.write ?? []) outputs.push({ path: join(outDir, file.path), bytes: file.bytes });
  for (const file of files?.copy ?? [])
    outputs.push({ path: join(outDir, file.to), bytes: readFileSync(join(bundledDataDir, file.folder, file.file)) });
  return { outputs, note };
}

async function onnxOutputs(target: Target, probabilities: boolean): Promise<{ outputs: Outputs; note: string }> {
  const { doc, name, outDir, checkpoint } = target;
  const weight = checkpoint
    ? checkpointWeightOf(doc, checkpoint.bytes, checkpoint.path).weight
    : (target.weight ?? (await initialWeightOf(doc)));
  return {
    outputs: [{ path: join(outDir, `${name}.onnx`), bytes: exportOnnx(doc, weight, { probabilities }) }],
    note:
      checkpoint || target.weight
        ? ''
        : `note: no --ckpt: ${name}.onnx holds the weights a run of the graph starts from`,
  };
}

/** An ONNX model as a Netloom graph file and its weights (the exported PyTorch module's state_dict, as --weights reads). */
function netloomOutputs({ doc, name, outDir, weight, graphPath }: Target): { outputs: Outputs; note: string } {
  if (!weight) exitWith(2, `--to netloom opens an ONNX model; ${graphPath} is a graph already`);
  return {
    outputs: [
      // The graph names its weights (beside it): npm run train starts from them.
      {
        path: join(outDir, `${name}.json`),
        bytes: serializeGraph({ ...doc, weights: { file: `${name}.safetensors` } }),
      },
      { path: join(outDir, `${name}.safetensors`), bytes: stateDictFile(doc, weight) },
    ],
    note: `note: npm run train -- ${join(outDir, `${name}.json`)} trains it on from these weights (--fresh: from new ones)`,
  };
}

/** Weights as the exported PyTorch module's state_dict in safetensors (what npm run train --weights reads). */
const stateDictFile = (doc: GraphDocument, weight: WeightOf) =>
  writeSafetensors(exportPyTorch(doc).stateDict(weight), { format: 'pt', source: 'netloom' });

async function main(): Promise<void> {
  const { values, positionals } = toolArguments(usage, {
    to: { type: 'string' },
    ckpt: { type: 'string' },
    out: { type: 'string' },
    probabilities: { type: 'boolean', default: false },
  });
  const [graphPath, ...extra] = positionals;
  if (!graphPath || extra.length > 0) exitWith(2, usage);
  if (values.to !== 'pytorch' && values.to !== 'onnx' && values.to !== 'netloom')
    exitWith(2, `--to names the target: pytorch, onnx or netloom (got ${values.to ? `"${values.to}"` : 'none'})`);
  if (values.probabilities && values.to !== 'onnx') exitWith(2, '--probabilities is an option of --to onnx');

  const loaded = await loadModel(graphPath);
  if (!loaded.ok) exitWith(2, loaded.message);
  for (const note of loaded.notes) process.stderr.write(`${terminalSafe(`note: ${note}`)}\n`);
  const target: Target = {
    doc: loaded.doc,
    graphPath,
    name: fileStem(basename(graphPath).replace(/\.(json|onnx)$/i, '')),
    ...(loaded.weight && { weight: loaded.weight }),
    outDir: resolve(values.out ?? dirname(graphPath)),
    ...(values.ckpt && {
      checkpoint: { bytes: await readFileBounded(values.ckpt, MAX_CHECKPOINT_BYTES, 'checkpoint'), path: values.ckpt },
    }),
  };
  // Everything is made (and checked) before anything is written.
  const { outputs, note } =
    values.to === 'onnx'
      ? await onnxOutputs(target, values.probabilities)
      : values.to === 'netloom'
        ? netloomOutputs(target)
        : pytorchOutputs(target);
  for (const { path, bytes } of outputs) {
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    process.stdout.write(`${terminalSafe(path)}\n`);
  }
  if (note) process.stderr.write(`${terminalSafe(note)}\n`);
}

runTool(main);
