import { zipSync } from 'fflate';
import { fileStem } from '../engine/export/python-text';
import { checkpointWeights, exportPyTorch, type ScriptFiles, scriptFiles } from '../engine/export/pytorch';
import type { GraphDocument } from '../engine/graph';
import { fetchBundled } from './runtime/bundled-files';
import { pickedMatches, useDatasetFilesStore } from './store/dataset-files-store';

/** The script's file name: the document's name, kept to characters every file system and Python accept. */
export const scriptName = (doc: GraphDocument) => fileStem(doc.name);

/**
 * The document as a PyTorch project, by path inside its folder (<name>.py, the data it reads, and the
 * weights of the current run when one is given): what `npm run export` writes. The user's dataset files
 * picked in this window go beside the script where the document names them; files not picked here are
 * named in the script, to be given with --data.
 */
export async function pytorchProject(doc: GraphDocument, checkpoint?: Uint8Array): Promise<Record<string, Uint8Array>> {
  const name = scriptName(doc);
  let files: ScriptFiles | undefined;
  try {
    files = scriptFiles(doc, name);
  } catch {
    // Data the document names outside its folder: the module and its training step, without main().
  }
  const entries: Record<string, Uint8Array> = {
    [`${name}.py`]: new TextEncoder().encode(exportPyTorch(doc, files && { name, data: files.data }).source),
  };
  if (checkpoint) entries[`${name}.safetensors`] = checkpointWeights(doc, checkpoint, 'the current run');
  for (const file of files?.write ?? []) entries[file.path] = file.bytes;
  const d = doc.training.dataset;
  if (files?.copy.length && d.source === 'sample') {
    const bundled = await fetchBundled(d.name);
    for (const file of files.copy) entries[file.to] = bundled[file.file];
  }
  const picked = useDatasetFilesStore.getState().picked;
  if (files && pickedMatches(d, picked))
    for (const file of picked.files)
      entries[d.source === 'image-folder' ? `${d.path}/${file.path}` : file.path] = file.bytes;
  return entries;
}

/** A project as one zip with its folder inside, for a browser's download; the same graph gives the same bytes. */
export function zipProject(name: string, entries: Record<string, Uint8Array>): Uint8Array {
  const inFolder = Object.fromEntries(Object.entries(entries).map(([path, bytes]) => [`${name}/${path}`, bytes]));
  return zipSync(inFolder, { mtime: new Date('2026-01-01T00:00:00Z') });
}

/** Hands bytes to the browser as a download. */
export function downloadBytes(bytes: Uint8Array, name: string, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
