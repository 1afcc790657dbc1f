import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { datasetFromFiles, type PickedFile } from '../../../engine/data/from-files';
import type { GraphDocument } from '../../../engine/graph';
import { resolveData } from '../../../engine/session-data';
import { chain } from '../../helpers/graphs';

const root = join(import.meta.dirname, '../../..');
const bundled = (name: string): PickedFile => ({
  path: name,
  bytes: readFileSync(join(root, 'samples/data/fashion-mnist-small', name)),
});
const withDataset = (doc: GraphDocument, dataset: GraphDocument['training']['dataset']): GraphDocument => ({
  ...doc,
  training: { ...doc.training, dataset },
});
const imageDoc = (shape: number[]) => chain(shape, [['flatten'], ['dense', { units: 2 }]]);

describe('datasets from picked files', () => {
  it('reads gzipped IDX images and labels in either order, with progress', async () => {
    const doc = withDataset(imageDoc([1, 28, 28]), { source: 'idx', images: 'x', labels: 'y' });
    const seen: string[] = [];
    const data = await datasetFromFiles(
      doc,
      [bundled('test-labels.idx.gz'), bundled('test-images.idx.gz')],
      (d, t, what) => seen.push(`${d}/${t} ${what}`),
    );
    expect(data).toMatchObject({ count: 2000, inputShape: [1, 28, 28], classes: 10 });
    expect(seen.at(-1)).toBe('2/2 read the IDX files');
  });

  it('reads a CSV file with the label column the document names, gzipped or not', async () => {
    const text = 'a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n';
    const doc = withDataset(chain([2], [['dense', { units: 2 }]]), {
      source: 'csv',
      path: 'pets.csv',
      labelColumn: 'kind',
      normalise: 'none',
    });
    for (const bytes of [new TextEncoder().encode(text), gzipSync(text)]) {
      const data = await datasetFromFiles(doc, [{ path: 'pets.csv', bytes }]);
      expect(data).toMatchObject({ count: 3, classNames: ['cat', 'dog'] });
      expect(Array.from(data.x)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('decodes an image folder to the Input shape, telling progress per image', async () => {
    const png = (v: number) =>
      encodePng({ width: 3, height: 3, data: new Uint8Array(9).fill(v), channels: 1, depth: 8 });
    const files = [
      { path: 'dark/a.png', bytes: png(0) },
      { path: 'light/b.png', bytes: png(255) },
      { path: 'light/c.png', bytes: png(255) },
    ];
    const doc = withDataset(imageDoc([1, 2, 2]), { source: 'image-folder', path: 'shades', grayscale: true });
    const progress: number[] = [];
    const data = await datasetFromFiles(doc, files, (done) => progress.push(done));
    expect(data).toMatchObject({ count: 3, classNames: ['dark', 'light'], inputShape: [1, 2, 2] });
    expect(Array.from(data.targets)).toEqual([0, 1, 1]);
    expect(progress).toEqual([1, 2, 3]);
    expect(Array.from(data.x.subarray(4, 8))).toEqual([1, 1, 1, 1]);
  });

  it('refuses bad picks with what is wrong and where, before parsing', async () => {
    const idx = withDataset(imageDoc([1, 28, 28]), { source: 'idx', images: 'x', labels: 'y' });
    await expect(datasetFromFiles(idx, [bundled('test-images.idx.gz')])).rejects.toThrow(
      /IDX data needs two files \(images and labels\), 1 were picked/,
    );
    const damaged = bundled('test-images.idx.gz');
    const cut = { path: damaged.path, bytes: damaged.bytes.subarray(0, 5000) };
    await expect(datasetFromFiles(idx, [cut, bundled('test-labels.idx.gz')])).rejects.toThrow(
      /test-images\.idx\.gz: the gzip data is damaged/,
    );
    const csv = withDataset(chain([2], [['dense', { units: 2 }]]), {
      source: 'csv',
      path: 'bad.csv',
      labelColumn: 'y',
      normalise: 'none',
    });
    await expect(
      datasetFromFiles(csv, [{ path: 'bad.csv', bytes: new Uint8Array([0x61, 0xff, 0xfe, 0x0a]) }]),
    ).rejects.toThrow(/bad\.csv: not UTF-8 text/);
    await expect(
      datasetFromFiles(csv, [{ path: 'bad.csv', bytes: new TextEncoder().encode('x,z,y\n1,2,0\n3,4\n') }]),
    ).rejects.toThrow(/bad\.csv line 3: 2 fields, the header has 3/);
    const folder = withDataset(imageDoc([4]), { source: 'image-folder', path: 'shades', grayscale: false });
    await expect(datasetFromFiles(folder, [{ path: 'a/b.png', bytes: new Uint8Array(1) }])).rejects.toThrow(
      /an image folder needs an Input of shape \[1 or 3, H, W\], not \[4\]/,
    );
    await expect(datasetFromFiles(folder, [])).rejects.toThrow(/no files were picked/);
  });

  it('splits picked files into training and validation sets in the session', async () => {
    const doc = withDataset(imageDoc([1, 28, 28]), { source: 'idx', images: 'x', labels: 'y' });
    const { train, validation } = await resolveData(
      { ...doc, training: { ...doc.training, validation: { split: 0.25 } } },
      { kind: 'files', files: [bundled('test-images.idx.gz'), bundled('test-labels.idx.gz')] },
    );
    expect(train.count).toBe(1500);
    expect(validation?.count).toBe(500);
  });
});
