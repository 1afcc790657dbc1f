import { EngineError } from '../errors';
import { decodeText } from '../files/decode-text';
import type { GraphDocument } from '../graph/schema';
import { parseCsv } from './csv';
import type { DataReading, Dataset } from './dataset';
import { gunzipBounded, isGzip } from './gunzip';
import { gunzipIdx, idxDataset, parseIdx } from './idx';
import { imageFolderDataset } from './images';
import { DATA_LIMITS, type DataLimits, formatSize, MemoryBudget } from './limits';

/** A file the user picked: its path inside the chosen folder (image folders) or its name, and its bytes. */
export interface PickedFile {
  path: string;
  bytes: Uint8Array;
}

/** Loading progress: `done` of `total` units of work (files, or bytes), and what is being done. */
export type LoadProgress = (done: number, total: number, what: string) => void;

/** Most bytes a picked file may hold, gzipped or not; checked before anything is unpacked or parsed. */
export const MAX_PICKED_FILE_BYTES = DATA_LIMITS.fileBytes;

/**
 * The training set from files the user picked, read as the document's dataset settings say: IDX images and
 * labels (gzipped or not, told apart by rank), one CSV file, or a folder of images with one subfolder per
 * class. Runs in the engine worker in the app (and in the CLI), so a large file never blocks the page;
 * every refusal names the file and, where it can, the line and column.
 */
export async function datasetFromFiles(
  doc: GraphDocument,
  files: PickedFile[],
  onProgress: LoadProgress = () => {},
  limits: DataLimits = DATA_LIMITS,
  like?: DataReading,
): Promise<Dataset> {
  if (files.length === 0) throw new EngineError('INVALID_DATA', 'no files were picked');
  for (const f of files)
    if (f.bytes.length > limits.fileBytes)
      throw new EngineError(
        'TOO_LARGE',
        `${f.path}: ${f.bytes.length} bytes, over the ${formatSize(limits.fileBytes)} limit for a data file`,
      );
  const budget = new MemoryBudget(limits.datasetBytes);
  const d = doc.training.dataset;
  switch (d.source) {
    case 'idx':
      return idxPair(files, onProgress, limits, budget);
    case 'csv': {
      if (files.length !== 1)
        throw new EngineError('INVALID_DATA', `CSV data is one file, ${files.length} were picked`);
      onProgress(0, 1, `reading ${files[0].path}`);
      const data = parseCsv(await text(files[0], limits), files[0].path, {
        labelColumn: d.labelColumn,
        featureColumns: d.featureColumns,
        normalise: d.normalise,
        budget,
        like,
      });
      onProgress(1, 1, `read ${files[0].path}`);
      return data;
    }
    case 'image-folder':
      return imageFolderDataset(files, d.path, {
        shape: imageShape(doc),
        onProgress,
        limits,
        budget,
        ...(like?.classNames && { classNames: like.classNames }),
      });
    default:
      throw new EngineError('INVALID_DATA', `"${d.source}" data is not read from files`);
  }
}

/** IDX images [N, H, W] and labels [N], in either order. */
async function idxPair(
  files: PickedFile[],
  onProgress: LoadProgress,
  limits: DataLimits,
  budget: MemoryBudget,
): Promise<Dataset> {
  if (files.length !== 2)
    throw new EngineError('INVALID_DATA', `IDX data needs two files (images and labels), ${files.length} were picked`);
  const arrays = [];
  for (const [i, f] of files.entries()) {
    onProgress(i, 2, `reading ${f.path}`);
    const bytes = isGzip(f.bytes) ? await gunzipIdx(f.bytes, f.path, limits.unpackedBytes) : f.bytes;
    arrays.push({ path: f.path, idx: parseIdx(bytes, f.path, budget) });
  }
  onProgress(2, 2, 'read the IDX files');
  const images = arrays.find((a) => a.idx.dims.length === 3);
  const labels = arrays.find((a) => a.idx.dims.length === 1);
  if (!images || !labels)
    throw new EngineError(
      'INVALID_DATA',
      `expected one images file [N, H, W] and one labels file [N] among ${files.map((f) => f.path).join(', ')}`,
    );
  return idxDataset(images.idx, labels.idx, images.path, labels.path);
}

/** A text file's content, gunzipped (no further than the limit) if it is gzip whatever its name. */
async function text(f: PickedFile, limits: DataLimits): Promise<string> {
  const limit = Math.min(limits.unpackedBytes, limits.textBytes);
  const bytes = isGzip(f.bytes) ? await gunzipBounded(f.bytes, f.path, { limit }) : f.bytes;
  if (bytes.length > limit)
    throw new EngineError(
      'TOO_LARGE',
      `${f.path}: ${formatSize(bytes.length)} of text, over the ${formatSize(limit)} limit for a text file`,
    );
  try {
    return decodeText(bytes, f.path);
  } catch (error) {
    throw new EngineError('INVALID_DATA', (error as Error).message);
  }
}

/** The Input's shape, which an image folder is converted to: [1 or 3, H, W]. */
export function imageShape(doc: GraphDocument): [number, number, number] {
  const shape = doc.nodes.find((n) => n.kind === 'input')?.params.shape as number[] | undefined;
  if (shape?.length !== 3 || (shape[0] !== 1 && shape[0] !== 3))
    throw new EngineError(
      'INVALID_DATA',
      `an image folder needs an Input of shape [1 or 3, H, W], not [${shape?.join(', ') ?? ''}]`,
    );
  return shape as [number, number, number];
}
