import { EngineError } from '../errors';
import { type BundledName, bundledNames } from '../graph/training-schema';
import type { Dataset } from './dataset';
import { isGzip } from './gunzip';
import { gunzipIdx, idxDataset, parseIdx } from './idx';

/** Datasets shipped in samples/data/, by the name documents use. */
export const bundledDatasets = {
  'fashion-mnist-small': {
    title: 'Fashion-MNIST (10,000 training and 2,000 test images)',
    folder: 'fashion-mnist-small',
    /** Its training set, as the network sees it. */
    shape: { inputShape: [1, 28, 28], targetKind: 'class', classes: 10, count: 10_000 },
    files: ['train-images.idx.gz', 'train-labels.idx.gz', 'test-images.idx.gz', 'test-labels.idx.gz'],
    classNames: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
  },
} as const satisfies Record<BundledName, unknown>;

export { type BundledName, bundledNames };

/** The bundled dataset's files from where a build serves them (URLs by file name), as their bytes. */
export async function fetchBundledFiles(urls: Record<string, string>): Promise<Record<string, Uint8Array>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([file, url]) => {
      let response: Response;
      try {
        response = await fetch(url);
      } catch (error) {
        // Node's fetch says "fetch failed" and keeps the reason (refused, reset) as the cause.
        const { message, cause } = error as Error;
        const reason = cause instanceof Error ? `${message} (${cause.message})` : message;
        throw new EngineError('INVALID_DATA', `the bundled file ${file} could not be read: ${reason}`);
      }
      if (!response.ok)
        throw new EngineError(
          'INVALID_DATA',
          `the bundled file ${file} could not be read: ${response.status} ${response.statusText}`,
        );
      return [file, new Uint8Array(await response.arrayBuffer())] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The bundled dataset from its files' bytes (as shipped, gzipped): training and test sets. */
export async function loadBundled(
  name: BundledName,
  files: Record<string, Uint8Array>,
): Promise<{ train: Dataset; test: Dataset }> {
  const info = bundledDatasets[name];
  const read = async (file: string) => {
    const bytes = files[file];
    if (!bytes) throw new EngineError('INVALID_DATA', `${name}: the file ${file} is missing`);
    return parseIdx(isGzip(bytes) ? await gunzipIdx(bytes, file) : bytes, file);
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(info.files.map(read));
  const named = (d: Dataset): Dataset => ({ ...d, classNames: [...info.classNames] });
  return {
    train: named(idxDataset(trainImages, trainLabels, `${name} (train)`)),
    test: named(idxDataset(testImages, testLabels, `${name} (test)`)),
  };
}
