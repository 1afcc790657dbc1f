/**
 * Export: npm run export -- <graph.json> --to pytorch [--ckpt <run.ckpt>] [--out <dir>]
 * Writes <out>/<name>.py, the network as a PyTorch module with its training step and a main() that trains it
 * (python <name>.py, or torchrun), the data it reads beside it (generated data as CSV, the bundled set as
 * IDX; the user's IDX, CSV or image files are read where they are), and with --ckpt <out>/<name>.safetensors, the checkpoint's weights as the module's state_dict
 * (the script starts from them with --weights). Exit codes: 0 done,
 * 2 bad arguments or files (a graph that cannot train, a checkpoint of another network).
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineError } from '../engine/errors';
import { fileStem } from '../engine/export/python-text';
import { checkpointWeights, exportPyTorch, type ScriptFiles, scriptFiles } from '../engine/export/pytorch';
import { withUserPaths } from '../engine/export/pytorch-data';
import { decodeText, TextRefused } from '../engine/files/decode-text';
import { formatIssue, LIMITS, parseGraphText } from '../engine/graph';
import { writeFileAtomic } from '../node-io/atomic-write';
import { FileRefused, readFileBounded } from '../node-io/read-file-bounded';
import { terminalSafe } from './terminal-text';

/** The bundled datasets' files, copied beside a script that trains on them. */
const bundledDataDir = join(import.meta.dirname, '../samples/data');

const usage = 'usage: npm run export -- <graph.json> --to pytorch [--ckpt <run.ckpt>] [--out <dir>]';

/** A checkpoint holds the parameters and two optimizer slots: 1 GiB of parameters at most, three times. */
const MAX_CHECKPOINT_BYTES = 3 * 1024 ** 3 + 64 * 1024 ** 2;

function exit(code: number, message: string): never {
  process.stderr.write(`${terminalSafe(message)}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { to: { type: 'string' }, ckpt: { type: 'string' }, out: { type: 'string' } },
  });
  const [graphPath, ...extra] = positionals;
  if (!graphPath || extra.length > 0) exit(2, usage);
  if (values.to !== 'pytorch') exit(2, `--to names the target: pytorch (got ${values.to ? `"${values.to}"` : 'none'})`);

  const graphBytes = await readFileBounded(graphPath, LIMITS.fileBytes, 'graph file');
  const loaded = parseGraphText(decodeText(graphBytes, graphPath));
  if (!loaded.ok)
    exit(2, `${graphPath} was not loaded:\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  const doc = loaded.document;
  // The file's name, kept to characters every file system and Python accept.
  const name = fileStem(basename(graphPath).replace(/\.json$/i, ''));
  // Everything is checked before anything is written.
  const outDir = resolve(values.out ?? dirname(graphPath));
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
  const source = exportPyTorch(doc, files && { name, data: files.data }).source;
  const weights = values.ckpt
    ? checkpointWeights(doc, await readFileBounded(values.ckpt, MAX_CHECKPOINT_BYTES, 'checkpoint'), values.ckpt)
    : undefined;

  const written: string[] = [];
  const write = async (path: string, bytes: string | Uint8Array) => {
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    written.push(path);
  };
  await write(join(outDir, `${name}.py`), source);
  if (weights) await write(join(outDir, `${name}.safetensors`), weights);
  for (const file of files?.write ?? []) await write(join(outDir, file.path), file.bytes);
  for (const file of files?.copy ?? [])
    await write(join(outDir, file.to), readFileSync(join(bundledDataDir, file.folder, file.file)));
  for (const path of written) process.stdout.write(`${terminalSafe(path)}\n`);
  if (note) process.stderr.write(`${terminalSafe(note)}\n`);
}

main().catch((e: Error) =>
  exit(e instanceof EngineError || e instanceof FileRefused || e instanceof TextRefused ? 2 : 1, `error: ${e.message}`),
);
