import { fetchBundledFiles, loadBundled } from './data/bundled';
import { type DataReading, type Dataset, splitValidation } from './data/dataset';
import { generatedDataset } from './data/from-document';
import { datasetFromFiles, type LoadProgress, type PickedFile } from './data/from-files';
import { EngineError } from './errors';
import type { GraphDocument } from './graph/schema';

/**
 * The data a session trains on: generated from the document, the bundled dataset it names (its files'
 * bytes, as shipped), files the user picked, or samples the page already holds.
 */
export type DatasetInput =
  | { kind: 'document' }
  | { kind: 'bundled'; files: Record<string, Uint8Array> }
  /**
   * The bundled dataset where the page's build serves it, by file name: the engine fetches the files itself
   * (a page that fetched 8 MB and handed it over would spend its own thread on them as a run opens).
   */
  | { kind: 'bundled-urls'; urls: Record<string, string> }
  /** Files the user picked (IDX, CSV or an image folder), read as the document's dataset settings say. */
  | { kind: 'files'; files: PickedFile[] }
  | { kind: 'samples'; train: Dataset; validation?: Dataset };

/** Training and validation sets for a document: a split of its training data, as its settings say. */
export async function resolveData(
  doc: GraphDocument,
  data: DatasetInput,
  onProgress?: LoadProgress,
): Promise<{ train: Dataset; validation?: Dataset }> {
  if (data.kind === 'samples') return data;
  const { validation: v, seed } = doc.training;
  // The whole set is read anew for this session, so the split may reorder it where it lies.
  return splitValidation(await wholeDataset(doc, data, onProgress), v.split, seed, { owned: true });
}

/**
 * All the samples a data input holds, unsplit: the training set of the files, the bundled dataset or the
 * generator; or, with `which: 'test'`, the bundled dataset's test set.
 */
export async function wholeDataset(
  doc: GraphDocument,
  data: DatasetInput,
  onProgress?: LoadProgress,
  which: 'train' | 'test' = 'train',
  like?: DataReading,
): Promise<Dataset> {
  if (data.kind === 'samples') return data.train;
  if (data.kind === 'files') return datasetFromFiles(doc, data.files, onProgress, undefined, like);
  if (data.kind === 'bundled' || data.kind === 'bundled-urls') {
    const { dataset } = doc.training;
    if (dataset.source !== 'sample')
      throw new EngineError('INVALID_DATA', `the document trains on "${dataset.source}" data, not a bundled dataset`);
    const files = data.kind === 'bundled' ? data.files : await fetchBundledFiles(data.urls);
    return (await loadBundled(dataset.name, files))[which];
  }
  return generatedDataset(doc);
}
