import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bundledDatasets, loadBundled } from '../engine/data/bundled';
import { parseCsv } from '../engine/data/csv';
import type { Dataset } from '../engine/data/dataset';
import { generatedDataset } from '../engine/data/from-document';
import { idxDataset, parseIdx } from '../engine/data/idx';
import { type ImageFile, imageFolderDataset } from '../engine/data/images';
import { EngineError } from '../engine/errors';
import type { GraphDocument } from '../engine/graph';

const MAX_FILE_BYTES = 1024 * 1024 * 1024;

function readMaybeGzipped(path: string): Uint8Array {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) throw new EngineError('INVALID_DATA', `${path}: ${size} bytes, over the 1 GiB limit`);
  const bytes = readFileSync(path);
  // gzip's magic number: 1f 8b.
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_FILE_BYTES }) : bytes;
}

/** IDX images and labels, told apart by their rank (images [N, H, W], labels [N]). */
function loadIdxPair(paths: string[]): Dataset {
  if (paths.length !== 2)
    throw new EngineError('INVALID_DATA', `IDX data needs two files (images and labels), got ${paths.length}`);
  const arrays = paths.map((p) => ({ path: p, idx: parseIdx(readMaybeGzipped(p), basename(p)) }));
  const images = arrays.find((a) => a.idx.dims.length === 3);
  const labels = arrays.find((a) => a.idx.dims.length === 1);
  if (!images || !labels)
    throw new EngineError(
      'INVALID_DATA',
      `expected one images file [N, H, W] and one labels file [N] among ${paths.join(', ')}`,
    );
  return idxDataset(images.idx, labels.idx, basename(images.path));
}

/** The training data: files from the command line, else what the document names. */
const samplesData = join(import.meta.dirname, '../samples/data');

export interface CsvArgs {
  label?: string;
  features?: string[];
  normalise?: 'none' | 'min-max' | 'z-score';
}

/** Every file under a folder, with its path relative to it (for image folders: "<class>/<file>"). */
function filesUnder(folder: string): ImageFile[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const full = join(entry.parentPath, entry.name);
      return { path: relative(folder, full).split(sep).join('/'), bytes: readFileSync(full) };
    });
}

/** Files named on the command line: an image folder, a CSV file, or IDX images and labels. */
function loadFiles(doc: GraphDocument, paths: string[], csv: CsvArgs): Dataset {
  if (paths.length === 1 && statSync(paths[0]).isDirectory()) {
    const shape = doc.nodes.find((n) => n.kind === 'input')?.params.shape;
    if (shape?.length !== 3 || (shape[0] !== 1 && shape[0] !== 3))
      throw new EngineError(
        'INVALID_DATA',
        `an image folder needs an Input of shape [1 or 3, H, W], not [${shape?.join(', ')}]`,
      );
    return imageFolderDataset(filesUnder(paths[0]), basename(paths[0]), { shape: shape as [number, number, number] });
  }
  if (paths.length === 1 && /\.(csv|tsv|txt)$/i.test(paths[0])) {
    if (!csv.label) throw new EngineError('INVALID_DATA', 'a CSV file needs --label <column>');
    return parseCsv(readFileSync(paths[0], 'utf8'), basename(paths[0]), {
      labelColumn: csv.label,
      featureColumns: csv.features,
      normalise: csv.normalise ?? 'z-score',
    });
  }
  return loadIdxPair(paths);
}

export async function loadTrainingData(
  doc: GraphDocument,
  dataArgs: string[],
  graphDir: string,
  csv: CsvArgs = {},
): Promise<{ train: Dataset; test?: Dataset }> {
  if (dataArgs.length > 0)
    return {
      train: loadFiles(
        doc,
        dataArgs.map((p) => resolve(p)),
        csv,
      ),
    };
  const d = doc.training.dataset;
  switch (d.source) {
    case 'synthetic':
      return { train: generatedDataset(doc) };
    case 'idx': {
      const train = loadIdxPair([resolve(graphDir, d.images), resolve(graphDir, d.labels)]);
      const test =
        d.testImages && d.testLabels
          ? loadIdxPair([resolve(graphDir, d.testImages), resolve(graphDir, d.testLabels)])
          : undefined;
      return { train, test };
    }
    case 'sample': {
      const info = bundledDatasets[d.name];
      const files = Object.fromEntries(info.files.map((f) => [f, readFileSync(join(samplesData, info.folder, f))]));
      return loadBundled(d.name, files);
    }
    default:
      throw new EngineError(
        'INVALID_DATA',
        `the command line cannot load "${d.source}" datasets yet: pass IDX files with --data <images> <labels>`,
      );
  }
}
