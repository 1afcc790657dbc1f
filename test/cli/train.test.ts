import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx } from '../../engine/data/idx';
import { barsData } from '../../engine/data/synthetic';
import { decodeCheckpoint } from '../../engine/train/checkpoint';
import { runCli, runCliViaTsx } from '../helpers/cli';
import { chain } from '../helpers/graphs';
import { sidesCsv } from '../helpers/sides-csv';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netloom-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: zero magic, type byte, rank, big-endian dims, then bytes. */
function idx(dims: number[], values: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

const train = (...args: string[]) => runCli('train', ...args);

const data = barsData(160, 8, 0.1, 3);
const images = join(dir, 'images-idx3-ubyte.gz');
const labels = join(dir, 'labels-idx1-ubyte');
writeFileSync(
  images,
  gzipSync(
    idx(
      [160, 8, 8],
      Array.from(data.x, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))),
    ),
  ),
);
writeFileSync(labels, idx([160], data.targets));
const graph = join(dir, 'bars.json');
writeFileSync(
  graph,
  JSON.stringify(
    chain(
      [1, 8, 8],
      [
        ['conv2d', { filters: 4, kernel: 3, padding: 1 }],
        ['activation', { fn: 'relu' }],
        ['globalavgpool'],
        ['dense', { units: 2 }],
      ],
      {
        optimizer: { kind: 'adam', lr: 0.02 },
        batchSize: 16,
        epochs: 3,
      },
    ),
  ),
);

describe('npm run train', () => {
  it('trains a graph on IDX files, prints epochs, writes a checkpoint and a report', () => {
    const run = runCliViaTsx('train', graph, '--data', images, labels, '--epochs', '2', '--out', join(dir, 'out'));
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/epoch 1\/2 {2}loss \d\.\d{4} \d+\.\d% {2}val loss/);
    expect(run.out).toMatch(/epoch 2\/2/);
    const report = JSON.parse(readFileSync(join(dir, 'out/bars.report.json'), 'utf8'));
    expect(report.history).toHaveLength(2);
    expect(report.steps).toBe(2 * 9);
    const checkpoint = decodeCheckpoint(readFileSync(join(dir, 'out/bars.ckpt')));
    expect(checkpoint.step).toBe(18);
    expect(checkpoint.paramCount).toBe(report.parameters);
  });

  it('resumes from a checkpoint', () => {
    const run = train(
      graph,
      '--data',
      images,
      labels,
      '--epochs',
      '3',
      '--out',
      join(dir, 'out'),
      '--resume',
      join(dir, 'out/bars.ckpt'),
    );
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/epoch 3\/3/);
    expect(run.out).not.toMatch(/epoch 1\/3/);
    const report = JSON.parse(readFileSync(join(dir, 'out/bars.report.json'), 'utf8'));
    expect(report.steps).toBe(27);
    // The whole history, the first run's epochs with the resumed one's, and the checkpoint it describes.
    expect(report.history.map((h: { epoch: number }) => h.epoch)).toEqual([0, 1, 2]);
    const written = readFileSync(join(dir, 'out/bars.ckpt'));
    expect(report.checkpoint.checksum).toBe(written.readUInt32LE(12).toString(16).padStart(8, '0'));
    expect(decodeCheckpoint(written).history).toHaveLength(3);
  });

  it('refuses a bad graph with the path of the offending value (exit 2)', () => {
    const bad = join(dir, 'bad.json');
    const doc = JSON.parse(readFileSync(graph, 'utf8'));
    doc.nodes[1].params.filters = 0;
    writeFileSync(bad, JSON.stringify(doc));
    const run = train(bad, '--data', images, labels);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/nodes\[1\]\.params\.filters \(node "n1"\)/);
  });

  it('runs the learning-rate range test with --find-lr, suggests a rate, and trains nothing', () => {
    const out = join(dir, 'find-lr');
    const result = train(graph, '--data', images, labels, '--find-lr', '--out', out);
    expect(result.err).toBe('');
    expect(result.out).toMatch(/^rate {6}smoothed loss$/m);
    expect(result.out).toMatch(/^1e-6 {6}[\d.]+$/m);
    const summary =
      /^(\d+) steps from 1e-6.*: lowest \(smoothed\) loss [\d.]+ at ([\d.e-]+), a tenth of which is suggested\.$/m.exec(
        result.out,
      );
    expect(summary, result.out).not.toBeNull();
    const suggested = Number(/^suggested learning rate: ([\d.e-]+)$/m.exec(result.out)?.[1]);
    expect(suggested).toBeCloseTo(Number(summary![2]) / 10, 1 - Math.floor(Math.log10(suggested)));
    expect(result.out).not.toMatch(/^epoch /m);
    expect(existsSync(join(out, 'bars.ckpt'))).toBe(false);
  });

  it('takes the seed of the run from --seed: the same seed trains the same, another seed differently', () => {
    const run = (seed: string, out: string) => {
      const result = train(graph, '--data', images, labels, '--epochs', '1', '--seed', seed, '--out', join(dir, out));
      expect(result.err).toBe('');
      return readFileSync(join(dir, out, 'bars.ckpt'));
    };
    const first = decodeCheckpoint(run('7', 'seed-a'));
    const again = decodeCheckpoint(run('7', 'seed-b'));
    const other = decodeCheckpoint(run('8', 'seed-c'));
    expect(Array.from(again.params)).toEqual(Array.from(first.params));
    expect(Array.from(other.params)).not.toEqual(Array.from(first.params));
    for (const bad of ['-1', '1.5', 'x', '4294967296'])
      expect(train(graph, `--seed=${bad}`).err, bad).toMatch(/--seed must be a whole number from 0 to 4294967295/);
  });

  it('prints its usage on --help; refuses an unknown option or a missing value with it (exit 2)', () => {
    for (const help of ['--help', '-h']) {
      const run = train(help);
      expect(run.code, help).toBe(0);
      expect(run.out).toMatch(/^usage: npm run train -- <graph\.json\|model\.onnx> \[options\]/);
      expect(run.out).toMatch(/--normalise <how> +the CSV features: z-score \(default\), min-max or none/);
    }
    const unknown = train(graph, '--epoch', '2');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^Unknown option '--epoch'\.\nusage: npm run train/);
    const missing = train(graph, '--epochs');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^Option '--epochs <value>' argument missing\.\nusage:/);
  });

  it('refuses bad arguments and data with a clear message', () => {
    expect(train().code).toBe(2);
    expect(train(graph, '--epochs', 'many').err).toMatch(/--epochs must be a whole number/);
    const truncated = join(dir, 'short-idx1-ubyte');
    writeFileSync(truncated, idx([160], data.targets).subarray(0, 100));
    const run = train(graph, '--data', images, truncated);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/short-idx1-ubyte: the header promises \[160\]/);
  });
});

describe('npm run train with local files', () => {
  it('trains on a CSV file with chosen columns', () => {
    const csvGraph = join(dir, 'iris.json');
    writeFileSync(
      csvGraph,
      JSON.stringify(
        chain(
          [3],
          [
            ['dense', { units: 8 }],
            ['activation', { fn: 'tanh' }],
            ['dense', { units: 3 }],
          ],
          { batchSize: 2, epochs: 3, validation: { split: 0 } },
        ),
      ),
    );
    const csv = join(root, 'test/fixtures/data/iris-mixed.csv');
    const run = train(
      csvGraph,
      '--data',
      csv,
      '--label',
      'species',
      '--features',
      'sepal_length,petal_length,petal_ratio',
      '--out',
      join(dir, 'out'),
    );
    expect(run.err).toBe('');
    expect(run.out).toMatch(/6 training and 0 validation samples/);
    expect(train(csvGraph, '--data', csv, '--label', 'species').err).toMatch(
      /line 2, column "colour": "white" is not a number/,
    );
  });

  it('evaluates a test file (--test) read as the training file was, refusing a bad one before training', () => {
    const csvGraph = join(dir, 'sides.json');
    writeFileSync(
      csvGraph,
      JSON.stringify(
        chain(
          [2],
          [
            ['dense', { units: 16 }],
            ['activation', { fn: 'tanh' }],
            ['dense', { units: 2 }],
          ],
          {
            optimizer: { kind: 'adam', lr: 0.03 },
            batchSize: 16,
            epochs: 20,
          },
        ),
      ),
    );
    writeFileSync(join(dir, 'sides.csv'), sidesCsv(300, 0));
    writeFileSync(
      join(dir, 'sides-test.csv'),
      sidesCsv(200, 5, (side) => side === 'high'),
    );
    const out = join(dir, 'out-test');
    const run = train(
      csvGraph,
      '--data',
      join(dir, 'sides.csv'),
      '--label',
      'side',
      '--test',
      join(dir, 'sides-test.csv'),
      '--out',
      out,
    );
    expect(run.err).toBe('');
    const accuracy = Number(/^test: loss [\d.]+, accuracy ([\d.]+)%$/m.exec(run.out)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
    const report = JSON.parse(readFileSync(join(out, 'sides.report.json'), 'utf8'));
    expect(100 * report.test.accuracy).toBeCloseTo(accuracy, 1);
    // A label the training file never had: refused before any epoch, the run's outputs not written.
    writeFileSync(join(dir, 'sides-odd.csv'), 'x,y,side\n3,1,high\n4,2,middle\n');
    const odd = train(
      csvGraph,
      '--data',
      join(dir, 'sides.csv'),
      '--label',
      'side',
      '--test',
      join(dir, 'sides-odd.csv'),
      '--out',
      join(dir, 'out-odd'),
    );
    expect(odd.code).toBe(2);
    expect(odd.err).toMatch(
      /sides-odd\.csv line 3, column "side": "middle" is not one of the training set's 2 classes/,
    );
    expect(odd.out).not.toMatch(/epoch 1\//);
  });

  it('reads graph and data text as every platform does: a BOM, UTF-16, a .csv.gz; invalid UTF-8 by offset', () => {
    const csvGraph = join(dir, 'bom.json');
    const doc = chain([2], [['dense', { units: 2 }]], { batchSize: 2, epochs: 1, validation: { split: 0 } });
    writeFileSync(csvGraph, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(doc))]));
    const gz = join(dir, 'pairs.csv.gz');
    writeFileSync(gz, gzipSync('a,b,y\n1,2,0\n3,4,1\n5,6,0\n'));
    const run = train(csvGraph, '--data', gz, '--label', 'y', '--out', join(dir, 'out'));
    expect(run.err).toBe('');
    expect(run.out).toMatch(/3 training and 0 validation samples/);
    const utf16 = join(dir, 'utf16.csv');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b,y\n1,2,0\n3,4,1\n', 'utf16le')]));
    expect(train(csvGraph, '--data', utf16, '--label', 'y', '--out', join(dir, 'out')).out).toMatch(/2 training/);
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('a,b,y\n1,2,caf\xe9\n', 'latin1'));
    const refused = train(csvGraph, '--data', latin1, '--label', 'y');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/latin1\.csv: not UTF-8 text: byte 0xe9 at byte 13/);
  });

  it('trains on a folder of images, one subfolder per class', () => {
    const folder = join(dir, 'bars');
    for (let i = 0; i < 16; i++) {
      const label = data.targets[i] === 0 ? 'horizontal' : 'vertical';
      mkdirSync(join(folder, label), { recursive: true });
      const pixels = Uint8Array.from(data.x.subarray(i * 64, (i + 1) * 64), (v) =>
        Math.max(0, Math.min(255, Math.round(v * 255))),
      );
      writeFileSync(
        join(folder, label, `${i}.png`),
        encodePng({ width: 8, height: 8, data: pixels, channels: 1, depth: 8 }),
      );
    }
    // Files that are not images are not read.
    writeFileSync(join(folder, 'horizontal', 'notes.txt'), 'not an image');
    const run = train(graph, '--data', folder, '--epochs', '1', '--out', join(dir, 'out'));
    expect(run.err).toBe('');
    expect(run.out).toMatch(/15 training and 1 validation samples/);
    // The report says how the data was read: the folder, and its classes by name (predict names answers so).
    const report = JSON.parse(readFileSync(join(dir, 'out', `${basename(graph, '.json')}.report.json`), 'utf8'));
    expect(report.data).toEqual({
      settings: { source: 'image-folder', path: 'bars', grayscale: false },
      targetKind: 'class',
      classNames: ['horizontal', 'vertical'],
    });
  });

  it('holds an image folder to the same limits as a pick in the app, from the sizes, before reading any', () => {
    const folder = join(dir, 'huge');
    mkdirSync(join(folder, 'a'), { recursive: true });
    // Three sparse files of 900 MiB: 2.6 GiB in all by their sizes, next to nothing on disk.
    for (let i = 0; i < 3; i++) {
      const path = join(folder, 'a', `${i}.png`);
      writeFileSync(path, '');
      truncateSync(path, 900 * 1024 ** 2);
    }
    const run = train(graph, '--data', folder, '--epochs', '1');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/huge: a\/2\.png: the picked files exceed 2147483648 bytes/);
  });
});

describe('IDX files', () => {
  it('parses ubyte images and refuses broken headers', () => {
    const parsed = parseIdx(idx([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 255]), 'x');
    expect(parsed.dims).toEqual([2, 2, 2]);
    expect(Array.from(parsed.values)).toEqual([0, 1, 2, 3, 4, 5, 6, 255]);
    expect(() => parseIdx(gzipSync(idx([1], [1])), 'g')).toThrow(/still gzipped/);
    const badType = idx([1], [1]);
    badType[2] = 0x42;
    expect(() => parseIdx(badType, 't')).toThrow(/unknown IDX element type 0x42/);
    // A header that promises far more than the file holds is refused before allocating.
    const huge = idx([4_000_000_000], []);
    expect(() => parseIdx(huge, 'h')).toThrow(/promises \[4000000000\]/);
  });
});

describe('files the command line refuses', () => {
  it('reads only regular files: a device, a pipe or a folder is refused before anything is read (exit 2)', () => {
    const fifo = join(dir, 'pipe-idx1-ubyte');
    spawnSync('mkfifo', [fifo]);
    for (const [path, kind] of [
      ['/dev/zero', 'a device'],
      [fifo, 'a pipe'],
    ]) {
      const run = train(graph, '--data', images, path);
      expect(run.code, path).toBe(2);
      expect(run.err).toContain(`${path}: not a regular file (${kind})`);
    }
    const asGraph = train('/dev/zero');
    expect(asGraph.code).toBe(2);
    expect(asGraph.err).toContain('/dev/zero: not a regular file (a device)');
  });

  it("keeps a document's data paths inside the graph's folder; --data is the way to read elsewhere", () => {
    const folder = mkdtempSync(join(dir, 'shared-'));
    const doc = JSON.parse(readFileSync(graph, 'utf8'));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ source: 'csv', path: '/etc/passwd', labelColumn: 'x' }, /"\/etc\/passwd" is an absolute path/],
      [{ source: 'csv', path: '../../../../proc/self/environ', labelColumn: 'x' }, /leads out of the folder/],
      [
        { source: 'idx', images: '../images-idx3-ubyte.gz', labels: 'labels' },
        /training\.dataset\.images .* leads out/,
      ],
    ];
    for (const [dataset, message] of cases) {
      const file = join(folder, 'shared.json');
      writeFileSync(file, JSON.stringify({ ...doc, training: { ...doc.training, dataset } }));
      const run = train(file);
      expect(run.code, JSON.stringify(dataset)).toBe(2);
      expect(run.err).toMatch(message);
      expect(run.err).toMatch(/pass it with --data/);
    }
    // A link inside the folder that points out of it is refused too.
    symlinkSync(images, join(folder, 'images.gz'));
    writeFileSync(
      join(folder, 'linked.json'),
      JSON.stringify({
        ...doc,
        training: { ...doc.training, dataset: { source: 'idx', images: 'images.gz', labels: 'x' } },
      }),
    );
    expect(train(join(folder, 'linked.json')).err).toMatch(/is a link that leads out of the folder/);
  });

  it('shows control characters from a document as escapes and cuts long quoted values', () => {
    const doc = JSON.parse(readFileSync(graph, 'utf8'));
    const named = join(dir, 'named.json');
    writeFileSync(named, JSON.stringify({ ...doc, name: 'evil\u001b]0;pwned\u0007\u001b[2J' }));
    const run = train(named, '--data', images, labels, '--epochs', '1', '--out', join(dir, 'named-out'));
    expect(run.code).toBe(0);
    expect(run.out.includes(String.fromCharCode(0x1b))).toBe(false);
    expect(run.out).toContain('evil\\u001b]0;pwned\\u0007\\u001b[2J');
    const csv = join(dir, 'long-cell.csv');
    writeFileSync(csv, `a,b,label\n1,${'9'.repeat(100_000)}x,0\n`);
    const csvRun = train(graph, '--data', csv, '--label', 'label');
    expect(csvRun.code).toBe(2);
    expect(csvRun.err.length).toBeLessThan(2000);
    expect(csvRun.err).toMatch(/…" \(100001 characters\)/);
  });
});
