import Papa from 'papaparse';
import { EngineError } from '../errors';
import { parseDecimal, quote } from './csv-cells';
import { LabelColumn } from './csv-labels';
import { csvDelimiter, eachCsvRow } from './csv-rows';
import type { DataReading, Dataset } from './dataset';
import { MemoryBudget } from './limits';

export interface CsvOptions {
  /** The column to predict, or several target columns (values to fit, or 0/1 labels: one output each). */
  labelColumn: string | readonly string[];
  /** Columns used as features; all others but the labels by default. */
  featureColumns?: string[];
  normalise: 'none' | 'min-max' | 'z-score';
  /** How to read the label: class names or indices ('classes'), numbers to fit ('values'), or decide ('auto'). */
  labels?: 'auto' | 'classes' | 'values';
  /** The dataset's memory budget, which the samples are taken from as rows arrive. */
  budget?: MemoryBudget;
  /**
   * Read as the training set was (a test set): its feature columns scaled by its scaling, not by this file's
   * statistics, and its labels as its targets were read (values, the classes by their names, or indices).
   */
  like?: DataReading;
}

export const MAX_ROWS = 5_000_000;

/** How a CSV dataset's feature columns were scaled: x' = (x − offset) / scale, per column. */
export interface FeatureScaling {
  /** The feature columns, by name, in the order the network reads them. */
  columns: string[];
  offset: number[];
  scale: number[];
}
const MAX_COLUMNS = 100_000;

/**
 * What a file picked as CSV shows in its first lines: its column names, or why it is not a CSV file with a
 * header (JSON, binary, a single column, rows whose field counts differ from the header's). Checked when the
 * file is picked, so that a wrong file is refused then and not at Train. `cut`: the text is only the file's
 * start, so its last line may be incomplete.
 */
export function csvHead(text: string, file: string, cut: boolean): { columns: string[] } | { problem: string } {
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart()[0];
  if (start === '{' || start === '[')
    return { problem: `${file} looks like JSON, not CSV: a CSV file starts with a line of column names` };
  if (body.includes('\u0000')) return { problem: `${file} is not text (it holds NUL bytes)` };
  // Its first rows only, whatever the text's length (Papa's guess and fast mode would split it all first).
  const rows = Papa.parse<string[]>(body, {
    preview: 21,
    delimiter: csvDelimiter(body),
    fastMode: false,
    skipEmptyLines: 'greedy',
  }).data;
  const columns = (rows[0] ?? []).map((c) => c.trim());
  if (columns.filter(Boolean).length < 2)
    return { problem: `${file}: the first line must name at least two columns (a header, then rows)` };
  const checked = cut ? rows.slice(1, -1) : rows.slice(1);
  const ragged = checked.findIndex((row) => row.length !== columns.length);
  if (ragged >= 0)
    return {
      problem: `${file}: row ${ragged + 2} has ${checked[ragged].length} fields, the header has ${columns.length}: is it a CSV file with a header?`,
    };
  return { columns: columns.filter(Boolean) };
}

/**
 * A CSV file with a header as a dataset. One label column: labels that are not all numbers become classes
 * (sorted names); whole numbers from 0 are class indices; other numbers are regression targets. Several
 * target columns: a vector of numbers per row (values to fit, or yes/no labels of 0 and 1), named by their
 * columns. Rows are parsed one at a time into the samples (no copy of the table is held), and every refusal
 * names the file, the line and the column.
 */
export function parseCsv(text: string, file: string, options: CsvOptions): Dataset {
  const fail = (where: string, why: string) => new EngineError('INVALID_DATA', `${file}${where}: ${why}`);
  const budget = options.budget ?? new MemoryBudget(Number.POSITIVE_INFINITY);
  let columns: string[] | undefined;
  let labelAt: number[] = [];
  let featureAt: number[] = [];
  let per = 0;
  const grown = <T extends Float32Array | Uint16Array | Uint32Array>(array: T, length: number) =>
    grow(array, length, budget, file);
  let x: Float32Array = new Float32Array(0);
  // One label column: its labels read as they arrive (LabelColumn); several: their numbers.
  let label: LabelColumn | undefined;
  let values: Float32Array = new Float32Array(0);
  let lines = new Uint32Array(0);
  let count = 0;
  eachCsvRow(text, file, (row, at) => {
    if (!columns) {
      ({ columns, labelAt, featureAt } = readHeader(row, at, fail, options));
      per = featureAt.length;
      if (labelAt.length === 1) label = labelColumn(columns[labelAt[0]], options, fail, grown);
      return;
    }
    if (row.length !== columns.length)
      throw fail(` line ${at}`, `${row.length} fields, the header has ${columns.length}`);
    const r = count;
    if (r === MAX_ROWS) throw fail(` line ${at}`, `more than the limit of ${MAX_ROWS} rows`);
    if ((r + 1) * per > x.length) x = grown(x, Math.max(1024, 2 * x.length));
    if (r === lines.length) lines = grown(lines, Math.max(1024, 2 * lines.length));
    readNumbers(row, featureAt, x, r * per, (c, cell) =>
      fail(` line ${at}, column "${columns![c]}"`, `${quote(cell)} is not a number`),
    );
    if (label) {
      const text = row[labelAt[0]].trim();
      if (text === '') throw fail(` line ${at}, column "${columns[labelAt[0]]}"`, 'the label is empty');
      label.add(text, at);
    } else {
      const k = labelAt.length;
      if ((r + 1) * k > values.length) values = grown(values, Math.max(1024, 2 * values.length));
      readNumbers(row, labelAt, values, r * k, (c, cell) =>
        fail(
          ` line ${at}, column "${columns![c]}"`,
          `${quote(cell)} is not a number (several target columns are values to fit, or 0 and 1 for yes/no labels)`,
        ),
      );
    }
    lines[r] = at;
    count++;
  });
  if (!columns) throw fail('', 'the file is empty');
  if (count === 0) throw fail('', 'the file has a header but no rows');
  x = x.length === count * per ? x : x.slice(0, count * per);
  const like = options.like;
  const scaling = like?.scaling
    ? scaledLike(x, count, like.scaling)
    : { columns: featureAt.map((c) => columns![c]), ...normalise(x, count, per, options.normalise) };
  const source = { file, unit: 'line' as const, numbers: lines.slice(0, count) };
  const base = { name: file, inputShape: [per], count, x, source, scaling };
  if (label) return { ...base, targetSize: 1, ...label.finish() };
  const k = labelAt.length;
  return {
    ...base,
    targetKind: 'tensor',
    targetSize: k,
    targets: values.length === count * k ? values : values.slice(0, count * k),
    outputNames: labelAt.map((c) => columns![c]),
  };
}

/** The row's cells at the columns `at` as numbers, into `into` from index `from`; a cell that is not one refused. */
export function readNumbers(
  row: string[],
  at: number[],
  into: Float32Array,
  from: number,
  refuse: (column: number, cell: string) => EngineError,
): void {
  for (let j = 0; j < at.length; j++) {
    const cell = row[at[j]].trim();
    const value = parseDecimal(cell);
    if (!Number.isFinite(value)) throw refuse(at[j], cell);
    into[from + j] = value;
  }
}

type Fail = (where: string, why: string) => EngineError;

/** The header's columns, each name once, and where the labels and the features are (no column both). */
function readHeader(row: string[], line: number, fail: Fail, options: CsvOptions) {
  const columns = row.map((h) => h.trim());
  if (columns.length > MAX_COLUMNS)
    throw fail(` line ${line}`, `${columns.length} columns, over the limit of ${MAX_COLUMNS}`);
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined)
      throw fail(
        ` line ${line}`,
        `columns ${first + 1} and ${i + 1} are both named ${quote(name)}: each column needs its own name`,
      );
    seen.set(name, i);
  });
  const index = (name: string) => {
    const i = seen.get(name);
    if (i === undefined)
      throw fail(
        ` line ${line}`,
        `no column ${quote(name)}; the columns are ${columns
          .slice(0, 20)
          .map(quote)
          .join(', ')}${columns.length > 20 ? ', …' : ''}`,
      );
    return i;
  };
  const labelNames = typeof options.labelColumn === 'string' ? [options.labelColumn] : [...options.labelColumn];
  if (labelNames.length === 0) throw fail(` line ${line}`, 'no label column');
  if (labelNames.length > 1 && options.labels === 'classes')
    throw fail(` line ${line}`, 'several target columns are values (or 0/1 labels), not one set of classes');
  const labelAt = labelNames.map(index);
  const repeated = labelAt.findIndex((c, i) => labelAt.indexOf(c) !== i);
  if (repeated >= 0) throw fail(` line ${line}`, `the target column ${quote(labelNames[repeated])} is named twice`);
  const isLabel = new Set(labelAt);
  // A set read like another reads that set's feature columns, by name, in its order.
  const featureNames = options.like?.scaling?.columns ?? options.featureColumns;
  const featureAt = (featureNames ?? columns.filter((_, i) => !isLabel.has(i))).map(index);
  const both = featureAt.find((c) => isLabel.has(c));
  if (both !== undefined)
    throw fail(
      ` line ${line}`,
      `column ${quote(columns[both])} is both a feature and a target: the network would be given its answer`,
    );
  if (featureAt.length === 0) throw fail(` line ${line}`, 'no feature columns');
  return { columns, labelAt, featureAt };
}

/** A larger copy of the samples, its memory taken from the dataset's budget first. */
function grow<T extends Float32Array | Uint16Array | Uint32Array>(
  x: T,
  length: number,
  budget: MemoryBudget,
  file: string,
): T {
  // Counted whole each time: while the rows are copied, the old array and the new are both held.
  budget.take((length - x.length) * x.BYTES_PER_ELEMENT, file, 'its rows');
  const bigger = new (x.constructor as new (length: number) => T)(length);
  bigger.set(x);
  return bigger;
}

/** Feature columns scaled in place by another set's scaling (x' = (x − offset) / scale); that scaling. */
function scaledLike(x: Float32Array, count: number, scaling: FeatureScaling): FeatureScaling {
  const per = scaling.columns.length;
  for (let r = 0; r < count; r++)
    for (let j = 0; j < per; j++) x[r * per + j] = (x[r * per + j] - scaling.offset[j]) / scaling.scale[j];
  return scaling;
}

/**
 * Scales each feature column in place: to [0, 1] (min-max) or to mean 0 and deviation 1 (z-score); returns
 * each column's offset and scale (x' = (x − offset) / scale), for inputs read later to be scaled alike.
 */
function normalise(
  x: Float32Array,
  count: number,
  per: number,
  how: CsvOptions['normalise'],
): Omit<FeatureScaling, 'columns'> {
  const scaling = { offset: new Array<number>(per).fill(0), scale: new Array<number>(per).fill(1) };
  if (how === 'none') return scaling;
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
    scaling.offset[j] = a;
    scaling.scale[j] = b;
  }
  return scaling;
}

/**
 * The reader of the one label column. Read like a training set: its classes by name, else its indices or
 * values; else as the options say.
 */
function labelColumn(
  column: string,
  options: CsvOptions,
  fail: Fail,
  grown: <T extends Float32Array | Uint16Array>(array: T, length: number) => T,
): LabelColumn {
  const like = options.like;
  const mode = like ? (like.targetKind === 'tensor' ? 'values' : 'indices') : (options.labels ?? 'auto');
  return new LabelColumn(mode, like?.classNames, (line, why) => fail(` line ${line}, column "${column}"`, why), grown);
}
