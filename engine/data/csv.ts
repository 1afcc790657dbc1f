import Papa from 'papaparse';
import { EngineError } from '../errors';
import type { Dataset } from './dataset';

export interface CsvOptions {
  labelColumn: string;
  /** Columns used as features; all others but the label by default. */
  featureColumns?: string[];
  normalise: 'none' | 'min-max' | 'z-score';
  /** How to read the label: class names or indices ('classes'), numbers to fit ('values'), or decide ('auto'). */
  labels?: 'auto' | 'classes' | 'values';
}

const MAX_ROWS = 5_000_000;
const MAX_COLUMNS = 100_000;

/**
 * A CSV file with a header as a dataset. Labels that are not all numbers become classes (sorted names);
 * whole numbers from 0 are class indices; other numbers are regression targets. Every refusal names the
 * file, the line and the column.
 */
export function parseCsv(text: string, file: string, options: CsvOptions): Dataset {
  const fail = (where: string, why: string) => new EngineError('INVALID_DATA', `${file}${where}: ${why}`);
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy', delimiter: '' });
  const serious = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (serious) throw fail(serious.row === undefined ? '' : ` line ${serious.row + 2}`, serious.message);
  const [header, ...rows] = parsed.data;
  if (!header || header.length === 0) throw fail('', 'the file is empty');
  if (header.length > MAX_COLUMNS) throw fail(' line 1', `${header.length} columns, over the limit of ${MAX_COLUMNS}`);
  if (rows.length === 0) throw fail('', 'the file has a header but no rows');
  if (rows.length > MAX_ROWS) throw fail('', `${rows.length} rows, over the limit of ${MAX_ROWS}`);
  const columns = header.map((h) => h.trim());
  const index = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw fail(' line 1', `no column "${name}"; the columns are ${columns.map((c) => `"${c}"`).join(', ')}`);
    return i;
  };
  const labelAt = index(options.labelColumn);
  const featureAt = (options.featureColumns ?? columns.filter((c) => c !== options.labelColumn)).map(index);
  if (featureAt.length === 0) throw fail(' line 1', 'no feature columns');

  const count = rows.length;
  const per = featureAt.length;
  const x = new Float32Array(count * per);
  rows.forEach((row, r) => {
    // Line numbers count the header as line 1.
    if (row.length !== columns.length)
      throw fail(` line ${r + 2}`, `${row.length} fields, the header has ${columns.length}`);
    featureAt.forEach((c, j) => {
      const cell = row[c].trim();
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) throw fail(` line ${r + 2}, column "${columns[c]}"`, `"${cell}" is not a number`);
      x[r * per + j] = value;
    });
  });
  normalise(x, count, per, options.normalise);

  const raw = rows.map((row) => row[labelAt].trim());
  const numeric = raw.every((v) => v !== '' && Number.isFinite(Number(v)));
  const wholeFromZero = numeric && raw.every((v) => Number.isInteger(Number(v)) && Number(v) >= 0);
  const mode = options.labels ?? 'auto';
  if (mode === 'values' || (mode === 'auto' && numeric && !wholeFromZero)) {
    const bad = raw.findIndex((v) => !Number.isFinite(Number(v)) || v === '');
    if (bad >= 0) throw fail(` line ${bad + 2}, column "${options.labelColumn}"`, `"${raw[bad]}" is not a number`);
    return {
      name: file,
      inputShape: [per],
      count,
      x,
      targetKind: 'tensor',
      targetSize: 1,
      targets: Float32Array.from(raw, Number),
    };
  }
  if (wholeFromZero && mode !== 'classes') {
    const targets = Float32Array.from(raw, Number);
    return {
      name: file,
      inputShape: [per],
      count,
      x,
      targetKind: 'class',
      targetSize: 1,
      targets,
      classes: Math.max(...targets) + 1,
    };
  }
  const classNames = [...new Set(raw)].sort();
  const id = new Map(classNames.map((n, i) => [n, i]));
  const targets = Float32Array.from(raw, (v) => id.get(v)!);
  return {
    name: file,
    inputShape: [per],
    count,
    x,
    targetKind: 'class',
    targetSize: 1,
    targets,
    classes: classNames.length,
    classNames,
  };
}

/** Scales each feature column in place: to [0, 1] (min-max) or to mean 0 and deviation 1 (z-score). */
function normalise(x: Float32Array, count: number, per: number, how: CsvOptions['normalise']): void {
  if (how === 'none') return;
  for (let j = 0; j < per; j++) {
    let a = 0;
    let b = 0;
    if (how === 'min-max') {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < count; r++) {
        min = Math.min(min, x[r * per + j]);
        max = Math.max(max, x[r * per + j]);
      }
      a = min;
      b = max > min ? max - min : 1;
    } else {
      let sum = 0;
      for (let r = 0; r < count; r++) sum += x[r * per + j];
      a = sum / count;
      let sq = 0;
      for (let r = 0; r < count; r++) sq += (x[r * per + j] - a) ** 2;
      b = Math.sqrt(sq / count) || 1;
    }
    for (let r = 0; r < count; r++) x[r * per + j] = (x[r * per + j] - a) / b;
  }
}
