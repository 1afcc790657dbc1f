import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { DatasetInput } from '../engine/api';
import { bundledDatasets } from '../engine/data/bundled';
import { MAX_PICKED_FILE_BYTES, type PickedFile } from '../engine/data/from-files';
import { EngineError } from '../engine/errors';
import { datasetCountProblem, datasetSizeProblem } from '../engine/files/pick-limits';
import type { GraphDocument } from '../engine/graph';
import { FileRefused, readFileBounded } from '../node-io/read-file-bounded';

/** A regular file from disk, refused by kind and size before it is read, and never read past the limit. */
async function readChecked(path: string, name = basename(path)): Promise<PickedFile> {
  try {
    return { path: name, bytes: await readFileBounded(path, MAX_PICKED_FILE_BYTES, 'data file') };
  } catch (error) {
    if (error instanceof FileRefused) throw new EngineError('INVALID_DATA', error.message);
    throw error;
  }
}

/**
 * A path a document names, resolved inside the graph's folder. A shared graph file must not make Netloom
 * read elsewhere (an absolute path, `..`, or a link out of the folder): such data is passed with --data,
 * which is the user's own choice.
 */
export function documentPath(
  graphDir: string,
  field: string,
  path: string,
  { prefix = 'training.dataset.', elsewhere = 'to train on data elsewhere, pass it with --data' } = {},
): string {
  const refuse = (why: string) =>
    new EngineError(
      'INVALID_DATA',
      `${prefix}${field} "${path}" ${why}: a graph's paths stay inside the graph's folder (${graphDir}); ${elsewhere}`,
    );
  if (isAbsolute(path)) throw refuse('is an absolute path');
  const full = resolve(graphDir, path);
  const inside = (root: string, target: string) => {
    const rel = relative(root, target);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (!inside(graphDir, full)) throw refuse('leads out of the folder');
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return full; // Missing: the read names it.
  }
  if (!inside(realpathSync(graphDir), real)) throw refuse('is a link that leads out of the folder');
  return full;
}

/** The bundled datasets' files. */
const samplesData = join(import.meta.dirname, '../samples/data');

export interface CsvArgs {
  label?: string;
  features?: string[];
  normalise?: 'none' | 'min-max' | 'z-score';
}

/**
 * The images under a folder, with their paths relative to it ("<class>/<file>"), held to the same limits
 * as a pick in the app (how many files, how many bytes in all), checked from their sizes before any is read.
 */
async function filesUnder(folder: string): Promise<PickedFile[]> {
  const found = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(png|jpe?g)$/i.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
  const problem =
    datasetCountProblem(found.length) ??
    datasetSizeProblem(found.map((path) => ({ name: relative(folder, path), size: statSync(path).size })));
  if (problem) throw new EngineError('TOO_LARGE', `${folder}: ${problem}`);
  const files: PickedFile[] = [];
  for (const full of found) files.push(await readChecked(full, relative(folder, full).split(sep).join('/')));
  return files;
}

type DatasetSettings = GraphDocument['training']['dataset'];

/** What a run trains on, as the engine takes it: the document (its dataset settings), the data, a test set. */
export interface TrainingData {
  doc: GraphDocument;
  data: DatasetInput;
  /** A test set to report after training: other files, or the bundled dataset's test part. */
  test?: { data: DatasetInput; which?: 'train' | 'test' };
}

/**
 * Files named on the command line, as the engine reads picked files: an image folder, a CSV file (gzipped
 * or not), or IDX images and labels. The document's dataset settings are set to describe them.
 */
async function fromFiles(doc: GraphDocument, paths: string[], csv: CsvArgs): Promise<TrainingData> {
  const withDataset = (dataset: DatasetSettings, files: PickedFile[]): TrainingData => ({
    doc: { ...doc, training: { ...doc.training, dataset } },
    data: { kind: 'files', files },
  });
  if (paths.length === 1 && statSync(paths[0]).isDirectory())
    return withDataset(
      { source: 'image-folder', path: basename(paths[0]), grayscale: false },
      await filesUnder(paths[0]),
    );
  if (paths.length === 1 && /\.(csv|tsv|txt)(\.gz)?$/i.test(paths[0])) {
    if (!csv.label) throw new EngineError('INVALID_DATA', 'a CSV file needs --label <column>');
    // --label a,b: several target columns, as --features lists its columns.
    const labels = csv.label.split(',').map((c) => c.trim());
    return withDataset(
      {
        source: 'csv',
        path: basename(paths[0]),
        labelColumn: labels.length === 1 ? labels[0] : labels,
        featureColumns: csv.features,
        normalise: csv.normalise ?? 'z-score',
      },
      [await readChecked(paths[0])],
    );
  }
  const files: PickedFile[] = [];
  for (const p of paths) files.push(await readChecked(p));
  return withDataset(
    { source: 'idx', images: basename(paths[0] ?? 'images'), labels: basename(paths[1] ?? 'labels') },
    files,
  );
}

/** A test set's files from the command line: a folder's images, or the files themselves (CSV, IDX). */
export async function testFiles(paths: string[]): Promise<DatasetInput> {
  const files: PickedFile[] = [];
  for (const p of paths) files.push(...(statSync(p).isDirectory() ? await filesUnder(p) : [await readChecked(p)]));
  return { kind: 'files', files };
}

/**
 * The training data: files from the command line, else what the document names (its paths confined to the
 * graph's folder). Only reading happens here; the engine parses and checks, as it does for the app.
 */
export async function loadTrainingData(
  doc: GraphDocument,
  dataArgs: string[],
  graphDir: string,
  csv: CsvArgs = {},
): Promise<TrainingData> {
  if (dataArgs.length > 0)
    return fromFiles(
      doc,
      dataArgs.map((p) => resolve(p)),
      csv,
    );
  const d = doc.training.dataset;
  const files = (list: PickedFile[]): DatasetInput => ({ kind: 'files', files: list });
  switch (d.source) {
    case 'synthetic':
      return { doc, data: { kind: 'document' } };
    case 'idx': {
      const pair = async (images: [string, string], labels: [string, string]) => [
        await readChecked(documentPath(graphDir, ...images)),
        await readChecked(documentPath(graphDir, ...labels)),
      ];
      const train = files(await pair(['images', d.images], ['labels', d.labels]));
      if (!d.testImages || !d.testLabels) return { doc, data: train };
      return {
        doc,
        data: train,
        test: { data: files(await pair(['testImages', d.testImages], ['testLabels', d.testLabels])) },
      };
    }
    case 'sample': {
      const info = bundledDatasets[d.name];
      const bundled: DatasetInput = {
        kind: 'bundled',
        files: Object.fromEntries(
          info.files.map((f) => [f, new Uint8Array(readFileSync(join(samplesData, info.folder, f)))]),
        ),
      };
      return { doc, data: bundled, test: { data: bundled, which: 'test' } };
    }
    case 'csv':
      return { doc, data: files([await readChecked(documentPath(graphDir, 'path', d.path))]) };
    case 'image-folder':
      return { doc, data: files(await filesUnder(documentPath(graphDir, 'path', d.path))) };
  }
}
