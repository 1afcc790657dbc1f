import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bundledDatasets, loadBundled } from '../engine/data/bundled';
import type { Dataset } from '../engine/data/dataset';
import { generatedDataset } from '../engine/data/from-document';
import { idxDataset, parseIdx } from '../engine/data/idx';
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

export async function loadTrainingData(
  doc: GraphDocument,
  dataArgs: string[],
  graphDir: string,
): Promise<{ train: Dataset; test?: Dataset }> {
  if (dataArgs.length > 0) return { train: loadIdxPair(dataArgs.map((p) => resolve(p))) };
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
