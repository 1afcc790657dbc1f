import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { csvHead, parseCsv } from '../../../engine/data/csv';
import { isDecimalText } from '../../../engine/data/csv-cells';
import { checkDataset, splitValidation } from '../../../engine/data/dataset';
import { datasetFromFiles } from '../../../engine/data/from-files';
import { gunzipBounded } from '../../../engine/data/gunzip';
import { gunzipIdx, parseIdx } from '../../../engine/data/idx';
import { DATA_LIMITS, MemoryBudget } from '../../../engine/data/limits';
import { decodeText } from '../../../engine/files/decode-text';
import { emptyDocument } from '../../../engine/graph';

const csv = (text: string, options = {}) =>
  parseCsv(text, 'd.csv', { labelColumn: 'y', normalise: 'none', ...options });

/** An IDX header: unsigned bytes of the given dimensions (the values follow). */
function idxHeaderBytes(dims: number[]): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length);
  const v = new DataView(b.buffer);
  b[2] = 0x08;
  b[3] = dims.length;
  dims.forEach((d, i) => {
    v.setUint32(4 + 4 * i, d);
  });
  return b;
}

describe('text is decoded the same way everywhere', () => {
  it('drops a UTF-8 byte-order mark', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x62]), 'f')).toBe('ab');
  });

  it('decodes UTF-16 with its byte-order mark, either byte order', () => {
    const le = new Uint8Array([0xff, 0xfe, 0x61, 0, 0xe9, 0]);
    const be = new Uint8Array([0xfe, 0xff, 0, 0x61, 0, 0xe9]);
    expect(decodeText(le, 'f')).toBe('aé');
    expect(decodeText(be, 'f')).toBe('aé');
  });

  it('refuses invalid UTF-8 with the byte offset', () => {
    const bytes = new TextEncoder().encode('x,y\n1,2\n3,\u00e9');
    const broken = new Uint8Array([...bytes.subarray(0, 10), 0xc3, 0x28]);
    expect(() => decodeText(broken, 'data.csv')).toThrow(/data\.csv: not UTF-8 text: byte 0xc3 at byte 10/);
    // Overlong forms and surrogates are not UTF-8 either.
    expect(() => decodeText(new Uint8Array([0x41, 0xc0, 0xaf]), 'f')).toThrow(/byte 0xc0 at byte 1/);
    expect(() => decodeText(new Uint8Array([0xed, 0xa0, 0x80]), 'f')).toThrow(/byte 0xed at byte 0/);
  });

  it('refuses NUL bytes (binary, or UTF-16 without its mark) by offset', () => {
    expect(() => decodeText(new Uint8Array([0x61, 0, 0x62, 0]), 'u.csv')).toThrow(
      /u\.csv: not text: a NUL byte at byte 1/,
    );
  });
});

describe('CSV traps', () => {
  it('refuses two columns of one name instead of reading the first twice', () => {
    expect(() => csv('a,b,a,y\n1,2,3,0\n')).toThrow(/d\.csv line 1: columns 1 and 3 are both named "a"/);
  });

  it('reads decimal numbers only: 0x1F, Infinity and 1_000 are not numbers', () => {
    for (const cell of ['0x1F', '0b11', 'Infinity', '1_000', '1,5'])
      expect(() => csv(`a,y\n"${cell}",0\n`), cell).toThrow(/d\.csv line 2, column "a": ".*" is not a number/);
    expect(Array.from(csv('a,y\n-1.5e2,0\n+.5,1\n').x)).toEqual([-150, 0.5]);
  });

  it('refuses an empty label with its line instead of making a class named ""', () => {
    expect(() => csv('a,y\n1,cat\n2, \n3,dog\n')).toThrow(/d\.csv line 3, column "y": the label is empty/);
  });

  it('counts lines as the file has them: blank lines and quoted line breaks included', () => {
    expect(() => csv('a,b,y\n1,"2\n",0\n\n3,x,1\n', { featureColumns: ['a', 'b'] })).toThrow(
      /d\.csv line 5, column "b": "x" is not a number/,
    );
  });

  // A run of digits that a backtracking pattern splits every way before failing on the letter: quadratic,
  // that took minutes; the same work as any other cell now.
  it('refuses a cell of a million digits and a letter as it refuses any other word', () => {
    expect(() => csv(`a,y\n${'9'.repeat(1_000_000)}x,0\n`)).toThrow(/"9{60}…" \(1000001 characters\) is not a number/);
    expect(isDecimalText(`${'1'.repeat(1_000_000)}.5e3`)).toBe(true);
  });

  it('cuts a huge cell in a message', () => {
    const cell = 'z'.repeat(1_000_000);
    expect(() => csv(`a,y\n${cell},0\n`)).toThrow(/"z{60}…" \(1000000 characters\) is not a number/);
  });

  /** The refusals printed by many-short-rows.ts, run in a process with a 192 MB heap. */
  const inSmallHeap = (...args: string[]) => {
    const helper = join(import.meta.dirname, '../../helpers/many-short-rows.ts');
    const done = spawnSync(process.execPath, ['--max-old-space-size=192', '--import', 'tsx', helper, ...args], {
      encoding: 'utf8',
    });
    expect(done.status, done.stderr.slice(-2000)).toBe(0);
    return done.stdout.trim().split('\n');
  };

  it('reads a file of millions of short rows a row at a time: refused at the row limit within a small heap', () => {
    // 40 MB of text in a 192 MB heap. Read whole first (the parser's delimiter guess and its fast mode split
    // the text into a string per line) the same file took over 1 GB and ended the process.
    expect(inSmallHeap()).toEqual([
      'rows.csv line 5000002: more than the limit of 5000000 rows',
      'rows.csv line 5000002: more than the limit of 5000000 rows',
    ]);
    // 110 MB of rows labelled by two long names: kept as each row's string until the file's end, the labels
    // took more than the heap's last 80 MB; read as they arrive, each row keeps 6 bytes outside the heap.
    expect(inSmallHeap('names')).toEqual(['names.csv line 5000002: more than the limit of 5000000 rows']);
  });

  it('cites a bad label by its line in the file, not by its place after shuffling', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i === 29 ? 3 : i % 2}`).join('\n');
    const data = csv(`a,y\n${rows}\n`);
    // The split shuffles; the sample with label 3 keeps its line (31) wherever it lands.
    const { train, validation } = splitValidation(data, 0.5, 7);
    const holder = [train, validation].find((d) => d?.targets.includes(3));
    expect(holder).toBeDefined();
    const at = Array.from(holder?.targets ?? []).indexOf(3);
    const broken = { ...holder!, classes: 2 };
    expect(() => checkDataset(broken)).toThrow(
      new RegExp(`sample ${at} \\(line 31 of d\\.csv\\) has an invalid target 3`),
    );
  });

  it('reads a gzipped CSV named .csv.gz, and a gzipped one named .csv', async () => {
    const doc = emptyDocument();
    doc.training.dataset = { source: 'csv', path: 'd.csv.gz', labelColumn: 'y', normalise: 'none' };
    const bytes = new Uint8Array(gzipSync('a,y\n1,0\n2,1\n'));
    const data = await datasetFromFiles(doc, [{ path: 'd.csv.gz', bytes }]);
    expect(Array.from(data.x)).toEqual([1, 2]);
  });
});

describe('a file picked as CSV is checked for being one', () => {
  it('refuses JSON, binary, a single column and ragged rows; gives the columns otherwise', () => {
    expect(csvHead('  {"nodes": []}', 'g.json', false)).toEqual({
      problem: 'g.json looks like JSON, not CSV: a CSV file starts with a line of column names',
    });
    expect(csvHead('[1, 2]', 'a.csv', false)).toMatchObject({ problem: expect.stringMatching(/looks like JSON/) });
    expect(csvHead('a,b\n1\u00002,3\n', 'b.csv', false)).toEqual({ problem: 'b.csv is not text (it holds NUL bytes)' });
    expect(csvHead('just one column\n1\n2\n', 'c.csv', false)).toMatchObject({
      problem: expect.stringMatching(/the first line must name at least two columns/),
    });
    expect(csvHead('a,b,c\n1,2,3\n4,5\n', 'd.csv', false)).toEqual({
      problem: 'd.csv: row 3 has 2 fields, the header has 3: is it a CSV file with a header?',
    });
    // Only the start of a large file was read: its last line may be cut, and is not held against it.
    expect(csvHead('a,b,c\n1,2,3\n4,5', 'e.csv', true)).toEqual({ columns: ['a', 'b', 'c'] });
    expect(csvHead('\uFEFFx;y;label\n1;2;cat\n', 'f.csv', false)).toEqual({ columns: ['x', 'y', 'label'] });
  });
});

describe('decompression has a ceiling', () => {
  it('stops a gzip stream at the limit, whatever its compressed size', async () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 * 1024 ** 2), { level: 9 }));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(gunzipBounded(bomb, 'bomb.csv', { limit: 1024 ** 2 })).rejects.toThrow(
      /bomb\.csv: unpacks to more than the 1 MiB limit for unpacked data/,
    );
  });

  it('refuses a gzipped IDX file whose header declares more than the limit, before the rest is unpacked', async () => {
    const header = idxHeaderBytes([1_000_000, 100, 100]);
    const bytes = new Uint8Array(gzipSync(Buffer.concat([header, new Uint8Array(1024)])));
    await expect(gunzipIdx(bytes, 'big.idx.gz', 1024 ** 3)).rejects.toThrow(
      /big\.idx\.gz: its header declares 9\.3 GiB of content, over the 1 GiB limit/,
    );
  });

  it('stops a gzipped IDX file that unpacks past what its header declares', async () => {
    const header = idxHeaderBytes([10]);
    const bytes = new Uint8Array(gzipSync(Buffer.concat([header, new Uint8Array(10 * 1024 ** 2)])));
    await expect(gunzipIdx(bytes, 'l.idx.gz')).rejects.toThrow(
      /l\.idx\.gz: unpacks to more than the 18 bytes its header declares/,
    );
  });

  it('takes IDX values from the dataset budget before allocating them', () => {
    const bytes = Buffer.concat([idxHeaderBytes([4, 8, 8]), new Uint8Array(256)]);
    expect(() => parseIdx(bytes, 'i.idx', new MemoryBudget(512))).toThrow(
      /i\.idx: its 256 values need 1024 bytes, over the 512 bytes memory budget/,
    );
  });

  it('keeps one budget across the files of a dataset', async () => {
    const doc = emptyDocument();
    doc.training.dataset = { source: 'idx', images: 'i.idx', labels: 'l.idx' };
    const images = Buffer.concat([idxHeaderBytes([64, 8, 8]), new Uint8Array(64 * 64)]);
    const labels = Buffer.concat([idxHeaderBytes([64]), new Uint8Array(64)]);
    const files = [
      { path: 'i.idx', bytes: new Uint8Array(images) },
      { path: 'l.idx', bytes: new Uint8Array(labels) },
    ];
    await expect(
      datasetFromFiles(doc, files, undefined, { ...DATA_LIMITS, datasetBytes: 64 * 64 * 4 + 100 }),
    ).rejects.toThrow(
      /l\.idx: its 64 values need 256 bytes, over the 16484 bytes memory budget for a dataset \(16384 bytes already taken\)/,
    );
    expect((await datasetFromFiles(doc, files)).count).toBe(64);
  });

  it('cites an IDX label that is not a class index by its record in the labels file', async () => {
    const doc = emptyDocument();
    doc.training.dataset = { source: 'idx', images: 'i.idx', labels: 'l.idx' };
    const labels = Buffer.concat([idxHeaderBytes([4]), new Uint8Array([0, 1, 2, 3])]);
    labels[2] = 0x0d; // float32 labels
    const floatLabels = new Uint8Array(8 + 16);
    floatLabels.set(labels.subarray(0, 8));
    new DataView(floatLabels.buffer).setFloat32(8 + 4 * 2, 1.5, false);
    const images = Buffer.concat([idxHeaderBytes([4, 2, 2]), new Uint8Array(16)]);
    await expect(
      datasetFromFiles(doc, [
        { path: 'i.idx', bytes: new Uint8Array(images) },
        { path: 'l.idx', bytes: floatLabels },
      ]),
    ).rejects.toThrow(/l\.idx: record 3 has label 1\.5; labels are class indices/);
  });
});
