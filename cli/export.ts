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
 * Exit codes: 0 done, 2 bad arguments or files (a graph that cannot train, a checkpoint of another network).
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineError } from '../engine/errors';
import { fileStem } from '../engine/export/python-text';
import { checkpointWeights, exportPyTorch, type ScriptFiles, scriptFiles } from '../engine/export/pytorch';
import { withUserPaths } from '../engine/export/pytorch-data';
import { decodeText, TextRefused } from '../engine/files/decode-text';
import { formatIssue, type GraphDocument, LIMITS, parseGraphText } from '../engine/graph';
import { exportOnnx } from '../engine/onnx/export';
import { checkpointWeightOf, initialWeightOf } from '../engine/train/network-weights';
import { writeFileAtomic } from '../node-io/atomic-write';
import { FileRefused, readFileBounded } from '../node-io/read-file-bounded';
import { terminalSafe } from './terminal-text';

/** The bundled datasets' files, copied beside a script that trains on them. */
const bundledDataDir = join(import.meta.dirname, '../samples/data');

const usage =
  'usage: npm run export -- <graph.json> --to pytorch|onnx [--ckpt <run.ckpt>] [--out <dir>] [--probabilities]';

/** A checkpoint holds the parameters and two optimizer slots: 1 GiB of parameters at most, three times. */
const MAX_CHECKPOINT_BYTES = 3 * 1024 ** 3 + 64 * 1024 ** 2;

function exit(code: number, message: string): never {
  process.stderr.write(`${terminalSafe(message)}\n`);
  process.exit(code);
}

interface Target {
  doc: GraphDocument;
  graphPath: string;
  /** The graph file's name, kept to characters every file system and Python accept. */
  name: string;
  outDir: string;
  checkpoint?: { bytes: Uint8Array; path: string };
}

/** Files to write, by path; nothing is written until all of them are made. */
type Outputs = { path: string; bytes: string | Uint8Array }[];

function pytorchOutputs({ doc, graphPath, name, outDir, checkpoint }: Target): { outputs: Outputs; note: string } {
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
  for (const file of files?.write ?? []) outputs.push({ path: join(outDir, file.path), bytes: file.bytes });
  for (const file of files?.copy ?? [])
    outputs.push({ path: join(outDir, file.to), bytes: readFileSync(join(bundledDataDir, file.folder, file.file)) });
  return { outputs, note };
}

async function onnxOutputs(target: Target, probabilities: boolean): Promise<{ outputs: Outputs; note: string }> {
  const { doc, name, outDir, checkpoint } = target;
  const weight = checkpoint
    ? checkpointWeightOf(doc, checkpoint.bytes, checkpoint.path).weight
    : await initialWeightOf(doc);
  return {
    outputs: [{ path: join(outDir, `${name}.onnx`), bytes: exportOnnx(doc, weight, { probabilities }) }],
    note: checkpoint ? '' : `note: no --ckpt: ${name}.onnx holds the weights a run of the graph starts from`,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      ckpt: { type: 'string' },
      out: { type: 'string' },
      probabilities: { type: 'boolean', default: false },
    },
  });
  const [graphPath, ...extra] = positionals;
  if (!graphPath || extra.length > 0) exit(2, usage);
  if (values.to !== 'pytorch' && values.to !== 'onnx')
    exit(2, `--to names the target: pytorch or onnx (got ${values.to ? `"${values.to}"` : 'none'})`);
  if (values.probabilities && values.to !== 'onnx') exit(2, '--probabilities is an option of --to onnx');

  const graphBytes = await readFileBounded(graphPath, LIMITS.fileBytes, 'graph file');
  const loaded = parseGraphText(decodeText(graphBytes, graphPath));
  if (!loaded.ok)
    exit(2, `${graphPath} was not loaded:\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  const target: Target = {
    doc: loaded.document,
    graphPath,
    name: fileStem(basename(graphPath).replace(/\.json$/i, '')),
    outDir: resolve(values.out ?? dirname(graphPath)),
    ...(values.ckpt && {
      checkpoint: { bytes: await readFileBounded(values.ckpt, MAX_CHECKPOINT_BYTES, 'checkpoint'), path: values.ckpt },
    }),
  };
  // Everything is made (and checked) before anything is written.
  const { outputs, note } =
    values.to === 'onnx' ? await onnxOutputs(target, values.probabilities) : pytorchOutputs(target);
  for (const { path, bytes } of outputs) {
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    process.stdout.write(`${terminalSafe(path)}\n`);
  }
  if (note) process.stderr.write(`${terminalSafe(note)}\n`);
}

main().catch((e: Error) =>
  exit(e instanceof EngineError || e instanceof FileRefused || e instanceof TextRefused ? 2 : 1, `error: ${e.message}`),
);
