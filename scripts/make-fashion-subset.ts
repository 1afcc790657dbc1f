/**
 * Writes the bundled Fashion-MNIST subset (samples/data/fashion-mnist-small/) from the full set that
 * Debian's dataset-fashion-mnist package installs: the first 10,000 training and 2,000 test images.
 * Run: npx tsx scripts/make-fashion-subset.ts [/usr/share/datasets/fashion-mnist]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const source = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const target = join(import.meta.dirname, '../samples/data/fashion-mnist-small');
mkdirSync(target, { recursive: true });

/** The first `count` items of an IDX file: same header with the first dimension changed. */
function head(file: string, count: number): Buffer {
  const bytes = gunzipSync(readFileSync(join(source, file)));
  const rank = bytes[3];
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(4 + 4 * rank, 4 + 4 * rank + count * itemBytes)]);
}

const parts: [string, string, number][] = [
  ['train-images-idx3-ubyte.gz', 'train-images.idx.gz', 10_000],
  ['train-labels-idx1-ubyte.gz', 'train-labels.idx.gz', 10_000],
  ['t10k-images-idx3-ubyte.gz', 'test-images.idx.gz', 2_000],
  ['t10k-labels-idx1-ubyte.gz', 'test-labels.idx.gz', 2_000],
];
for (const [from, to, count] of parts) {
  writeFileSync(join(target, to), gzipSync(head(from, count), { level: 9 }));
  console.log(`${to}: ${count} items`);
}
