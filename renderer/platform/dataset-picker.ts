import type { PickedFile } from '../../engine/data/from-files';
import {
  DATASET_CHUNK_BYTES,
  type DatasetFile,
  type DatasetKind,
  datasetCountProblem,
  datasetSizeProblem,
  type NetloomBridge,
} from '../../main/ipc-contract';
import type { PickedDataset } from '../store/dataset-files-store';
import { pickFiles } from './pick-files';

export type PickOutcome = { ok: true; picked: PickedDataset | null } | { ok: false; message: string };

const accept: Record<DatasetKind, string> = {
  idx: '.gz,.idx,.ubyte,.idx1-ubyte,.idx3-ubyte',
  csv: '.csv,.tsv,.txt,.gz',
  images: 'image/png,image/jpeg',
};

/**
 * Files named "<folder>/<class>/<file>" (a folder pick) become the folder's name and paths inside it;
 * files picked one by one keep their names.
 */
export function asPickedDataset(kind: DatasetKind, named: PickedFile[]): PickedDataset {
  if (kind !== 'images') return { kind, name: named.map((f) => f.path).join(', '), files: named };
  const folder = named[0]?.path.split('/')[0] ?? 'images';
  return {
    kind,
    name: folder,
    files: named.map((f) => ({ path: f.path.split('/').slice(1).join('/'), bytes: f.bytes })),
  };
}

/** Picks dataset files: the native dialog in the desktop app, a file input (a folder input for images) on the web. */
export async function pickDatasetFiles(
  kind: DatasetKind,
  /** Called once files are chosen, before they are read. */
  onReading: () => void = () => {},
): Promise<PickOutcome> {
  if (window.netloom) {
    const bridge = window.netloom;
    const result = await bridge.openDatasetFiles({ kind });
    if (!result.ok) return { ok: false, message: result.message };
    if (!result.value) return { ok: true, picked: null };
    onReading();
    const named: PickedFile[] = [];
    for (const file of result.value) {
      const bytes = await readInChunks(bridge, file);
      if (typeof bytes === 'string') return { ok: false, message: bytes };
      named.push({ path: file.name, bytes });
    }
    return { ok: true, picked: asPickedDataset(kind, named) };
  }
  const chosen = await chooseInBrowser(kind);
  if (chosen.length === 0) return { ok: true, picked: null };
  const images = /\.(png|jpe?g)$/i;
  const files = kind === 'images' ? chosen.filter((f) => images.test(f.name)) : chosen;
  // The same limits as the desktop app's, before any file is read.
  const problem = datasetCountProblem(files.length) ?? datasetSizeProblem(files);
  if (problem) return { ok: false, message: problem };
  onReading();
  const named: PickedFile[] = [];
  for (const f of files)
    named.push({ path: f.webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  named.sort((a, b) => a.path.localeCompare(b.path));
  return { ok: true, picked: asPickedDataset(kind, named) };
}

/** A picked file's bytes, brought over from the main process a chunk at a time; or why not. */
async function readInChunks(bridge: NetloomBridge, file: DatasetFile): Promise<Uint8Array | string> {
  const bytes = new Uint8Array(file.size);
  for (let offset = 0; offset < file.size; ) {
    const chunk = await bridge.readDatasetChunk({
      token: file.token,
      offset,
      length: Math.min(DATASET_CHUNK_BYTES, file.size - offset),
    });
    if (!chunk.ok) return chunk.message;
    if (chunk.value.length === 0) return `${file.name}: the file ended at byte ${offset} of ${file.size}`;
    bytes.set(chunk.value, offset);
    offset += chunk.value.length;
  }
  return bytes;
}

function chooseInBrowser(kind: DatasetKind): Promise<File[]> {
  return pickFiles({
    accept: accept[kind],
    multiple: kind !== 'csv',
    folder: kind === 'images',
    testid: `dataset-input-${kind}`,
  });
}
