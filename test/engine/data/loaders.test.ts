import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../engine/data/csv';
import { type Dataset, dataReading, permuteRows, splitValidation } from '../../../engine/data/dataset';
import { parseIdx } from '../../../engine/data/idx';
import { imageFolderDataset } from '../../../engine/data/images';
import { MemoryBudget } from '../../../engine/data/limits';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/data', name), 'utf8');

describe('CSV', () => {
  it('reads chosen feature columns and categorical labels, normalised', () => {
    const data = parseCsv(fixture('iris-mixed.csv'), 'iris-mixed.csv', {
      labelColumn: 'species',
      featureColumns: ['sepal_length', 'petal_length', 'petal_ratio'],
      normalise: 'z-score',
    });
    expect(data.inputShape).toEqual([3]);
    expect(data.count).toBe(6);
    expect(data.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(data.targets)).toEqual([0, 0, 1, 1, 2, 2]);
    const column = [0, 1, 2, 3, 4, 5].map((r) => data.x[r * 3]);
    expect(column.reduce((a, b) => a + b, 0) / 6).toBeCloseTo(0, 6);
    expect(Math.sqrt(column.reduce((a, b) => a + b * b, 0) / 6)).toBeCloseTo(1, 5);
  });

  it('treats whole numbers from 0 as class indices and other numbers as regression targets', () => {
    const classes = parseCsv('x,y\n0.5,0\n1.5,2\n2.5,1\n', 'c.csv', { labelColumn: 'y', normalise: 'none' });
    expect(classes).toMatchObject({ targetKind: 'class', classes: 3 });
    const values = parseCsv('x,y\n0.5,0.25\n1.5,2\n', 'v.csv', { labelColumn: 'y', normalise: 'min-max' });
    expect(values.targetKind).toBe('tensor');
    expect(Array.from(values.x)).toEqual([0, 1]);
  });

  it('reads several target columns as a vector of values per row, named by their columns', () => {
    // Columns in any order; the targets in the order named, the features all the others in the file's order.
    const text = 'rain,x1,snow,x2\n1,0.5,0,2\n0,1.5,1,4\n1,2.5,1,6\n';
    const data = parseCsv(text, 'w.csv', { labelColumn: ['snow', 'rain'], normalise: 'none' });
    expect(data).toMatchObject({ targetKind: 'tensor', targetSize: 2, count: 3, inputShape: [2] });
    expect(data.outputNames).toEqual(['snow', 'rain']);
    expect(Array.from(data.targets)).toEqual([0, 1, 1, 0, 1, 1]);
    expect(Array.from(data.x)).toEqual([0.5, 2, 1.5, 4, 2.5, 6]);
    expect(data.scaling?.columns).toEqual(['x1', 'x2']);
    expect(data.classNames).toBeUndefined();
    // One column named in a list reads as a label column does (here class indices).
    expect(parseCsv(text, 'w.csv', { labelColumn: ['rain'], normalise: 'none' })).toMatchObject({
      targetKind: 'class',
      targetSize: 1,
    });
    // Rows past the first thousand: the targets grow as the features do, and are cut to the rows read.
    const long = ['a,b,y1,y2', ...Array.from({ length: 1500 }, (_, i) => `${i},1,${i % 2},${i / 10}`)].join('\n');
    const many = parseCsv(long, 'long.csv', { labelColumn: ['y1', 'y2'], normalise: 'none' });
    expect(many.targets.length).toBe(3000);
    expect([many.targets[2 * 1499], many.targets[2 * 1499 + 1]]).toEqual([1, Math.fround(149.9)]);
  });

  it('refuses a target cell that is not a number, a target named twice or read as a feature, by line and column', () => {
    const text = 'x,y1,y2\n1,0,1\n2,1,yes\n';
    expect(() => parseCsv(text, 't.csv', { labelColumn: ['y1', 'y2'], normalise: 'none' })).toThrow(
      /t\.csv line 3, column "y2": "yes" is not a number \(several target columns are values to fit, or 0 and 1 for yes\/no labels\)/,
    );
    expect(() => parseCsv(text, 't.csv', { labelColumn: ['y1', 'y1'], normalise: 'none' })).toThrow(
      /t\.csv line 1: the target column "y1" is named twice/,
    );
    expect(() =>
      parseCsv(text, 't.csv', { labelColumn: ['y1', 'y2'], featureColumns: ['x', 'y2'], normalise: 'none' }),
    ).toThrow(/t\.csv line 1: column "y2" is both a feature and a target/);
    expect(() => parseCsv(text, 't.csv', { labelColumn: 'y1', featureColumns: ['y1'], normalise: 'none' })).toThrow(
      /column "y1" is both a feature and a target/,
    );
    expect(() => parseCsv(text, 't.csv', { labelColumn: ['y1', 'y2'], labels: 'classes', normalise: 'none' })).toThrow(
      /several target columns are values \(or 0\/1 labels\), not one set of classes/,
    );
    expect(() => parseCsv(text, 't.csv', { labelColumn: ['x', 'y1', 'y2'], normalise: 'none' })).toThrow(
      /no feature columns/,
    );
  });

  it('reads a test file as its training set was read: its scaling, its classes by name, its kind of labels', () => {
    const training = parseCsv('h,w,kind\n1,10,cat\n3,30,dog\n5,20,eel\n', 'train.csv', {
      labelColumn: 'kind',
      normalise: 'z-score',
    });
    const like = dataReading(training);
    // Columns in another order, two of the three classes, in another order: the training set's indices and
    // scaling (the file's own z-score would make its one row of each 0).
    const test = parseCsv('kind,w,h\neel,20,7\ncat,10,1\n', 'test.csv', {
      labelColumn: 'kind',
      normalise: 'z-score',
      like,
    });
    expect(test.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(Array.from(test.targets)).toEqual([2, 0]);
    const { offset, scale } = training.scaling!;
    expect(Array.from(test.x)).toEqual([7, 20, 1, 10].map((v, i) => Math.fround((v - offset[i % 2]) / scale[i % 2])));
    expect(() => parseCsv('h,w,kind\n1,2,fox\n', 'test.csv', { labelColumn: 'kind', normalise: 'none', like })).toThrow(
      /test\.csv line 2, column "kind": "fox" is not one of the training set's 3 classes \("cat", "dog", "eel"\)/,
    );
    expect(() => parseCsv('h,kind\n1,cat\n', 'test.csv', { labelColumn: 'kind', normalise: 'none', like })).toThrow(
      /test\.csv line 1: no column "w"/,
    );
    // Labels that were class indices stay indices (a test file of 0 and 2 is not read as the names "0", "2");
    // values stay values (whole numbers included).
    const indices = dataReading(parseCsv('x,y\n1,0\n2,1\n3,2\n', 'i.csv', { labelColumn: 'y', normalise: 'none' }));
    const byIndex = parseCsv('x,y\n1,2\n2,0\n', 't.csv', { labelColumn: 'y', normalise: 'none', like: indices });
    expect(byIndex).toMatchObject({ targetKind: 'class' });
    expect(Array.from(byIndex.targets)).toEqual([2, 0]);
    expect(() => parseCsv('x,y\n1,cat\n', 't.csv', { labelColumn: 'y', normalise: 'none', like: indices })).toThrow(
      /line 2, column "y": "cat" is not a class index \(the training set's labels are whole numbers from 0\)/,
    );
    const values = dataReading(parseCsv('x,y\n1,0.5\n2,1.5\n', 'v.csv', { labelColumn: 'y', normalise: 'none' }));
    const asValues = parseCsv('x,y\n1,2\n2,0\n', 't.csv', { labelColumn: 'y', normalise: 'none', like: values });
    expect(asValues).toMatchObject({ targetKind: 'tensor' });
  });

  it('reads a label column as its rows arrive: classes by sorted name, a limit of classes refused at its line', () => {
    const read = (labels: string[], options = {}) =>
      parseCsv(`x,y\n${labels.map((y, i) => `${i},${y}`).join('\n')}\n`, 'l.csv', {
        labelColumn: 'y',
        normalise: 'none',
        ...options,
      });
    // Names first seen in another order than sorted; numbers among names are names too.
    const named = read(['pear', 'apple', '10', 'pear', '9', 'apple']);
    expect(named.classNames).toEqual(['10', '9', 'apple', 'pear']);
    expect(Array.from(named.targets)).toEqual([3, 2, 0, 3, 1, 2]);
    expect(Array.from(read(['2', '0', '1', '2'], { labels: 'classes' }).targets)).toEqual([2, 0, 1, 2]);
    // 65,537 different names: refused at the row that brings the one too many (line 65,538), the names read.
    const names = Array.from({ length: 65_537 }, (_, i) => `c${i}`);
    expect(() => read(names)).toThrow(/l\.csv line 65538, column "y": more than 65536 different labels/);
    expect(() =>
      read(
        names.map((_, i) => `${i}`),
        { labels: 'classes' },
      ),
    ).toThrow(/line 65538, column "y"/);
    // As many different numbers are values to fit, unless a name then comes (at line 70,002).
    const values = Array.from({ length: 70_000 }, (_, i) => `${i + 0.5}`);
    const fitted = read(values);
    expect(fitted.targetKind).toBe('tensor');
    expect(fitted.targets[69_999]).toBe(69_999.5);
    expect(() => read([...values, 'cat'])).toThrow(/line 70002, column "y": more than 65536 different labels/);
    // Whole numbers from 0 are indices, one past the limit cited by its line; a fraction anywhere makes values.
    expect(() => read(['0', '70000', '1'])).toThrow(/line 3, column "y": label 70000 is past the limit/);
    expect(read(['0', '70000', '1.5']).targetKind).toBe('tensor');
    expect(() => read(['0', 'cat', '1'], { labels: 'values' })).toThrow(/line 3, column "y": "cat" is not a number/);
  });

  it("takes several targets' memory from the dataset's budget as rows arrive", () => {
    // 2,000 rows of one feature and 40 targets: the features' 8 KiB fit a 64 KiB budget, the targets do not.
    const header = ['x', ...Array.from({ length: 40 }, (_, i) => `t${i}`)].join(',');
    const row = ['1', ...Array.from({ length: 40 }, () => '0')].join(',');
    const text = [header, ...Array.from({ length: 2000 }, () => row)].join('\n');
    const labelColumn = Array.from({ length: 40 }, (_, i) => `t${i}`);
    expect(() =>
      parseCsv(text, 'big.csv', { labelColumn, normalise: 'none', budget: new MemoryBudget(64 * 1024) }),
    ).toThrow(/big\.csv: .*memory budget/);
    expect(
      parseCsv(text, 'big.csv', { labelColumn, normalise: 'none', budget: new MemoryBudget(1024 * 1024) }).count,
    ).toBe(2000);
  });

  it('names the line of a ragged row, and the line and column of a bad value', () => {
    expect(() => parseCsv(fixture('ragged.csv'), 'ragged.csv', { labelColumn: 'label', normalise: 'none' })).toThrow(
      /ragged\.csv line 3: 2 fields, the header has 3/,
    );
    expect(() =>
      parseCsv(fixture('iris-mixed.csv'), 'iris-mixed.csv', { labelColumn: 'species', normalise: 'none' }),
    ).toThrow(/iris-mixed\.csv line 2, column "colour": "white" is not a number/);
    expect(() => parseCsv('a,b\n1,2\n', 'x.csv', { labelColumn: 'label', normalise: 'none' })).toThrow(
      /no column "label"; the columns are "a", "b"/,
    );
    expect(() => parseCsv('', 'empty.csv', { labelColumn: 'y', normalise: 'none' })).toThrow(
      /empty\.csv: the file is empty/,
    );
  });
});

describe('image folders', () => {
  const gray = (v: number) =>
    encodePng({ width: 4, height: 4, data: new Uint8Array(16).fill(v), channels: 1, depth: 8 });
  const rgb = (r: number, g: number, b: number) => {
    const data = new Uint8Array(6 * 3 * 4);
    for (let i = 0; i < 6 * 3; i++) data.set([r, g, b, 255], 4 * i);
    return new Uint8Array(encodeJpeg({ width: 6, height: 3, data }, 100).data);
  };

  it('decodes real PNG and JPEG files, resizes them, and labels them by subfolder', () => {
    const files = [
      { path: 'light/a.png', bytes: gray(255) },
      { path: 'dark/b.png', bytes: gray(0) },
      { path: 'light/c.jpg', bytes: rgb(250, 250, 250) },
      { path: 'dark/notes.txt', bytes: new Uint8Array([1]) },
    ];
    const data = imageFolderDataset(files, 'shades', { shape: [1, 8, 8] });
    expect(data.count).toBe(3);
    expect(data.classNames).toEqual(['dark', 'light']);
    // In the order of their paths (dark/b, light/a, light/c), whatever order they were listed in.
    expect(Array.from(data.targets)).toEqual([0, 1, 1]);
    expect(data.x[0]).toBe(0);
    expect(data.x[64]).toBe(1);
    expect(data.x[128]).toBeGreaterThan(0.95);
    // The top subfolder names the class, whatever lies below it.
    const nested = imageFolderDataset(
      [
        { path: 'light/more/a.png', bytes: gray(255) },
        { path: 'dark/b.png', bytes: gray(0) },
      ],
      'shades',
      { shape: [1, 8, 8] },
    );
    expect(nested.classNames).toEqual(['dark', 'light']);
    expect(Array.from(nested.targets)).toEqual([0, 1]);
    // A test folder read by the training set's classes: its one subfolder is class 1; a stranger refused.
    const test = imageFolderDataset([{ path: 'light/t.png', bytes: gray(255) }], 'test', {
      shape: [1, 8, 8],
      classNames: ['dark', 'light'],
    });
    expect([test.classNames, Array.from(test.targets)]).toEqual([['dark', 'light'], [1]]);
    expect(() =>
      imageFolderDataset([{ path: 'grey/t.png', bytes: gray(128) }], 'test', {
        shape: [1, 8, 8],
        classNames: ['dark', 'light'],
      }),
    ).toThrow(/test\/grey\/t\.png: its subfolder "grey" is not one of the training set's 2 classes/);
    const colour = imageFolderDataset([{ path: 'red/x.jpg', bytes: rgb(255, 0, 0) }], 'c', { shape: [3, 2, 2] });
    expect(colour.x[0]).toBeGreaterThan(0.9);
    expect(colour.x[4]).toBeLessThan(0.1);
  });

  it('refuses an unreadable image by name', () => {
    const broken = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);
    expect(() =>
      imageFolderDataset([{ path: 'cats/broken.png', bytes: broken }], 'pets', { shape: [1, 8, 8] }),
    ).toThrow(/pets\/cats\/broken\.png: the PNG is cut short/);
    expect(() =>
      imageFolderDataset([{ path: 'cats/fake.jpg', bytes: new Uint8Array([1, 2, 3]) }], 'pets', { shape: [1, 8, 8] }),
    ).toThrow(/pets\/cats\/fake\.jpg: not a PNG or JPEG image/);
    expect(() => imageFolderDataset([{ path: 'loose.png', bytes: gray(1) }], 'pets', { shape: [1, 8, 8] })).toThrow(
      /subfolder named after their class/,
    );
  });
});

describe('IDX', () => {
  const header = (dims: number[]) => {
    const b = new Uint8Array(4 + 4 * dims.length);
    b[2] = 0x08;
    b[3] = dims.length;
    const view = new DataView(b.buffer);
    dims.forEach((d, i) => {
      view.setUint32(4 + 4 * i, d);
    });
    return b;
  };
  it('reads unsigned and signed bytes as their values, and wider types big-endian', () => {
    const unsigned = new Uint8Array([...header([4]), 0, 1, 128, 255]);
    expect(Array.from(parseIdx(unsigned, 'u8.idx').values)).toEqual([0, 1, 128, 255]);
    const signed = Uint8Array.from(unsigned);
    signed[2] = 0x09;
    expect(Array.from(parseIdx(signed, 'i8.idx').values)).toEqual([0, 1, -128, -1]);
    const wide = new Uint8Array([...header([2]), 0xff, 0xfe, 0x01, 0x00]);
    wide[2] = 0x0b;
    expect(Array.from(parseIdx(wide, 'i16.idx').values)).toEqual([-2, 256]);
  });

  it('refuses a wrong magic number and a truncated file', () => {
    const wrong = header([2]);
    wrong[0] = 0x12;
    expect(() => parseIdx(wrong, 'labels.idx')).toThrow(/labels\.idx: not an IDX file/);
    const truncated = new Uint8Array([...header([3, 2, 2]), 1, 2, 3]);
    expect(() => parseIdx(truncated, 'images.idx')).toThrow(
      /images\.idx: the header promises \[3, 2, 2\] \(28 bytes\) but the file has 19 bytes/,
    );
  });
});

describe('the validation split', () => {
  /** Rows 0..n-1 of three values each (row i holds 10i, 10i+1, 10i+2), labels i mod 4, records from 1. */
  const numbered = (n: number): Dataset => ({
    name: 'numbered',
    inputShape: [3],
    count: n,
    x: Float32Array.from({ length: 3 * n }, (_, k) => 10 * Math.floor(k / 3) + (k % 3)),
    targetKind: 'class',
    targetSize: 1,
    targets: Float32Array.from({ length: n }, (_, i) => i % 4),
    classes: 4,
    source: { file: 'd.idx', unit: 'record' },
  });

  it('gives the same sets in place (data given up) as by copying, rows whole and records named', () => {
    for (const [n, fraction, seed] of [
      [1000, 0.1, 42],
      [37, 0.5, 3],
      [5, 0.2, 0],
    ] as const) {
      const copied = splitValidation(numbered(n), fraction, seed);
      const whole = numbered(n);
      const inPlace = splitValidation(whole, fraction, seed, { owned: true });
      for (const which of ['train', 'validation'] as const) {
        const a = copied[which]!;
        const b = inPlace[which]!;
        expect(b.count).toBe(a.count);
        expect(Array.from(b.x)).toEqual(Array.from(a.x));
        expect(Array.from(b.targets)).toEqual(Array.from(a.targets));
        expect(Array.from(b.source?.numbers ?? [])).toEqual(Array.from(a.source?.numbers ?? []));
        // Rows moved whole: each row's values and label still belong together.
        for (let i = 0; i < b.count; i++) {
          const row = b.x[3 * i] / 10;
          expect([b.x[3 * i + 1], b.x[3 * i + 2], b.targets[i]]).toEqual([10 * row + 1, 10 * row + 2, row % 4]);
          expect(b.source?.numbers?.[i]).toBe(row + 1);
        }
      }
      // The sets are views of the data given up: nothing was copied.
      expect(inPlace.train.x.buffer).toBe(whole.x.buffer);
    }
  });

  it('puts rows in any order where they lie', () => {
    const values = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    permuteRows(values, 2, [3, 0, 4, 2, 1]);
    expect(Array.from(values)).toEqual([3, 3, 0, 0, 4, 4, 2, 2, 1, 1]);
  });
});
