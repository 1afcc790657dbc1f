import type { GraphDocument } from '../graph/schema';
import { labelColumns } from '../graph/training-schema';
import type { Shape } from '../layers/layer';
import { bundledDatasets } from './bundled';
import { generatedDataset } from './from-document';
import type { PickedFile } from './from-files';
import { gunzipBounded, isGzip } from './gunzip';
import { idxHeader } from './idx';

/**
 * What is known of a dataset before it is loaded, to check the network against it as the user edits:
 * the shape of a sample, whether targets are classes (and how many) or values, and how many samples.
 * Each field is absent when it cannot be told without reading everything.
 */
export interface DatasetDescription {
  name: string;
  inputShape?: Shape;
  targetKind?: 'class' | 'tensor';
  /** Values per target (tensor targets). */
  targetSize?: number;
  classes?: number;
  count?: number;
}

/** The picked files a description may read: their first bytes (IDX headers), a CSV file's columns. */
export interface PickedForDescription {
  files: PickedFile[];
  columns?: string[];
}

/**
 * Whether the document's dataset gives classes or values to fit, where its settings alone tell: a sample's
 * and files' of images are classes, a generator's are what it generates, several CSV target columns are
 * values; undefined for one CSV label column (the whole file tells).
 */
export function targetKindOf(doc: GraphDocument): 'class' | 'tensor' | undefined {
  const d = doc.training.dataset;
  switch (d.source) {
    case 'synthetic':
      return generatedDataset({ ...doc, training: { ...doc.training, dataset: { ...d, samples: 4 } } }).targetKind;
    case 'csv':
      return labelColumns(d).length > 1 ? 'tensor' : undefined;
    default:
      return 'class';
  }
}

/** A dataset's description from the document's settings and, for files, the picked files. */
export async function describeDataset(
  doc: GraphDocument,
  picked?: PickedForDescription,
): Promise<DatasetDescription | undefined> {
  const d = doc.training.dataset;
  switch (d.source) {
    case 'synthetic': {
      // A few samples of the generator tell its shapes; the count is the document's.
      const few = generatedDataset({ ...doc, training: { ...doc.training, dataset: { ...d, samples: 4 } } });
      const { inputShape, targetKind, targetSize, classes } = few;
      return { name: d.generator, inputShape, targetKind, targetSize, classes, count: d.samples };
    }
    case 'sample': {
      const info = bundledDatasets[d.name];
      return { name: info.title, ...info.shape };
    }
    case 'csv': {
      if (!picked?.columns) return undefined;
      const targets = labelColumns(d);
      const features = d.featureColumns?.length ?? picked.columns.filter((c) => !targets.includes(c)).length;
      // One label column may hold classes or values (told by reading it all); several hold values.
      const several = targets.length > 1 && { targetKind: 'tensor' as const, targetSize: targets.length };
      return { name: d.path, inputShape: [features], ...several };
    }
    case 'idx':
      return picked ? describeIdx(picked.files) : undefined;
    case 'image-folder': {
      if (!picked) return undefined;
      const classes = new Set(picked.files.map((f) => f.path.split('/').slice(-2, -1)[0]).filter(Boolean)).size;
      return { name: d.path, targetKind: 'class', classes, count: picked.files.length };
    }
  }
}

/** IDX images [N, H, W] and labels [N] from their headers alone (gzipped ones unpacked no further). */
async function describeIdx(files: PickedFile[]): Promise<DatasetDescription | undefined> {
  const headers = [];
  for (const f of files) {
    try {
      const head = isGzip(f.bytes) ? await gunzipBounded(f.bytes, f.path, { limit: 64, truncate: true }) : f.bytes;
      headers.push(idxHeader(head.subarray(0, 64), f.path));
    } catch {
      return undefined; // The loader names what is wrong with the file, at Train.
    }
  }
  const images = headers.find((h) => h.dims.length === 3);
  if (!images) return undefined;
  return {
    name: files.map((f) => f.path).join(', '),
    inputShape: [1, images.dims[1], images.dims[2]],
    targetKind: 'class',
    count: images.dims[0],
  };
}
