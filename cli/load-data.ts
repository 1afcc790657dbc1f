import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { bundledDatasets, loadBundled } from '../engine/data/bundled';
import type { Dataset } from '../engine/data/dataset';
import { generatedDataset } from '../engine/data/from-document';
import { datasetFromFiles, MAX_PICKED_FILE_BYTES, type PickedFile } from '../engine/data/from-files';
import { EngineError } from '../engine/errors';
import type { GraphDocument } from '../engine/graph';

/** A file from disk, refused by size before it is read. */
function readChecked(path: string, name = basename(path)): PickedFile {
  const size = statSync(path).size;
  if (size > MAX_PICKED_FILE_BYTES)
    throw new EngineError('INVALID_DATA', `${path}: ${size} bytes, over the 1 GiB limit`);
  return { path: name, bytes: readFileSync(path) };
}

/** The training data: files from the command line, else what the document names. */
const samplesData = join(import.meta.dirname, '../samples/data');

export interface CsvArgs {
  label?: string;
  features?: string[];
  normalise?: 'none' | 'min-max' | 'z-score';
}

/** Every file under a folder, with its path relative to it (for image folders: "<class>/<file>"). */
function filesUnder(folder: string): PickedFile[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const full = join(entry.parentPath, entry.name);
      return readChecked(full, relative(folder, full).split(sep).join('/'));
    });
}

type DatasetSettings = GraphDocument['training']['dataset'];

/** Files named on the command line, read as the engine reads picked files: an image folder, a CSV file, or IDX images and labels. */
function loadFiles(doc: GraphDocument, paths: string[], csv: CsvArgs): Promise<Dataset> {
  const withDataset = (dataset: DatasetSettings, files: PickedFile[]) =>
    datasetFromFiles({ ...doc, training: { ...doc.training, dataset } }, files);
  if (paths.length === 1 && statSync(paths[0]).isDirectory())
    return withDataset({ source: 'image-folder', path: basename(paths[0]), grayscale: false }, filesUnder(paths[0]));
  if (paths.length === 1 && /\.(csv|tsv|txt)$/i.test(paths[0])) {
    if (!csv.label) throw new EngineError('INVALID_DATA', 'a CSV file needs --label <column>');
    return withDataset(
      {
        source: 'csv',
        path: basename(paths[0]),
        labelColumn: csv.label,
        featureColumns: csv.features,
        normalise: csv.normalise ?? 'z-score',
      },
      [readChecked(paths[0])],
    );
  }
  return withDataset(
    { source: 'idx', images: basename(paths[0] ?? 'images'), labels: basename(paths[1] ?? 'labels') },
    paths.map((p) => readChecked(p)),
  );
}

export async function loadTrainingData(
  doc: GraphDocument,
  dataArgs: string[],
  graphDir: string,
  csv: CsvArgs = {},
): Promise<{ train: Dataset; test?: Dataset }> {
  if (dataArgs.length > 0)
    return {
      train: await loadFiles(
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
      const pair = (images: string, labels: string) =>
        datasetFromFiles(doc, [readChecked(resolve(graphDir, images)), readChecked(resolve(graphDir, labels))]);
      const train = await pair(d.images, d.labels);
      const test = d.testImages && d.testLabels ? await pair(d.testImages, d.testLabels) : undefined;
      return { train, test };
    }
    case 'sample': {
      const info = bundledDatasets[d.name];
      const files = Object.fromEntries(info.files.map((f) => [f, readFileSync(join(samplesData, info.folder, f))]));
      return loadBundled(d.name, files);
    }
    case 'csv':
      return { train: await datasetFromFiles(doc, [readChecked(resolve(graphDir, d.path))]) };
    case 'image-folder':
      return { train: await datasetFromFiles(doc, filesUnder(resolve(graphDir, d.path))) };
  }
}
