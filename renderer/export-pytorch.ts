import { zipSync } from 'fflate';
import { fileStem } from '../engine/export/python-text';
import { checkpointWeights, exportPyTorch, type ScriptFiles, scriptFiles } from '../engine/export/pytorch';
import type { GraphDocument } from '../engine/graph';
import { fetchBundled } from './runtime/bundled-files';

/** The script's file name: the document's name, kept to characters every file system and Python accept. */
export const scriptName = (doc: GraphDocument) => fileStem(doc.name);

/**
 * The document as a PyTorch project in one zip (<name>/<name>.py, the data it reads, and the weights of the
 * current run when one is given): what `npm run export` writes, for a browser's download.
 */
export async function pytorchZip(doc: GraphDocument, checkpoint?: Uint8Array): Promise<Uint8Array> {
  const name = scriptName(doc);
  let files: ScriptFiles | undefined;
  try {
    files = scriptFiles(doc, name);
  } catch {
    // A dataset the script cannot read yet: the module and its training step, without main().
  }
  const entries: Record<string, Uint8Array> = {
    [`${name}/${name}.py`]: new TextEncoder().encode(exportPyTorch(doc, files && { name, data: files.data }).source),
  };
  if (checkpoint) entries[`${name}/${name}.safetensors`] = checkpointWeights(doc, checkpoint, 'the current run');
  for (const file of files?.write ?? []) entries[`${name}/${file.path}`] = file.bytes;
  if (files?.copy.length && doc.training.dataset.source === 'sample') {
    const bundled = await fetchBundled(doc.training.dataset.name);
    for (const file of files.copy) entries[`${name}/${file.to}`] = bundled[file.file];
  }
  // Fixed times, so that the same graph gives the same bytes.
  return zipSync(entries, { mtime: new Date('2026-01-01T00:00:00Z') });
}

/** Hands bytes to the browser as a download. */
export function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
