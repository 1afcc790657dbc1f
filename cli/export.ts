/**
 * Export: npm run export -- <graph.json> --to pytorch [--ckpt <run.ckpt>] [--out <dir>]
 * Writes <out>/<name>.py, the network as a PyTorch module, and with --ckpt <out>/<name>.safetensors, the
 * checkpoint's weights as that module's state_dict (load_weights in the file reads them). Exit codes: 0 done,
 * 2 bad arguments or files (a graph that cannot train, a checkpoint of another network).
 */

import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineError } from '../engine/errors';
import { checkpointWeights, exportPyTorch } from '../engine/export/pytorch';
import { decodeText, TextRefused } from '../engine/files/decode-text';
import { formatIssue, LIMITS, parseGraphText } from '../engine/graph';
import { writeFileAtomic } from '../node-io/atomic-write';
import { FileRefused, readFileBounded } from '../node-io/read-file-bounded';
import { terminalSafe } from './terminal-text';

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
  // Everything is checked before anything is written.
  const source = exportPyTorch(doc).source;
  const weights = values.ckpt
    ? checkpointWeights(doc, await readFileBounded(values.ckpt, MAX_CHECKPOINT_BYTES, 'checkpoint'), values.ckpt)
    : undefined;

  // The file's name, kept to characters every file system and Python accept.
  const name =
    basename(graphPath)
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9_.-]/g, '_') || 'network';
  const outDir = resolve(values.out ?? dirname(graphPath));
  mkdirSync(outDir, { recursive: true });
  const script = join(outDir, `${name}.py`);
  await writeFileAtomic(script, source);
  process.stdout.write(`${terminalSafe(script)}\n`);
  if (weights) {
    const file = join(outDir, `${name}.safetensors`);
    await writeFileAtomic(file, weights);
    process.stdout.write(`${terminalSafe(file)}\n`);
  }
}

main().catch((e: Error) =>
  exit(e instanceof EngineError || e instanceof FileRefused || e instanceof TextRefused ? 2 : 1, `error: ${e.message}`),
);
