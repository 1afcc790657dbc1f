import { EngineError } from '../errors';
import { Random } from '../init/random';
import { type Shape, size } from '../layers/layer';

/**
 * Samples in memory, ready to upload to a backend: x is [count, ...inputShape]; targets are one class
 * index per sample ('class') or a tensor per sample ('tensor').
 */
export interface Dataset {
  name: string;
  inputShape: Shape;
  count: number;
  x: Float32Array;
  targetKind: 'class' | 'tensor';
  /** Elements of one sample's target: 1 for classes. */
  targetSize: number;
  targets: Float32Array;
  classes?: number;
  classNames?: string[];
  /** Each output's name where the data names them: a CSV dataset's several target columns. */
  outputNames?: string[];
  /** Where the samples came from, so that a message can point at the record in the user's file. */
  source?: SampleSource;
  /** A CSV dataset's feature scaling (x' = (x − offset) / scale per column), to prepare new inputs alike. */
  scaling?: { columns: string[]; offset: number[]; scale: number[] };
}

/**
 * What new data needs of the data a network was trained on to be read alike: a CSV dataset's feature
 * scaling (new rows are scaled as the training rows were, not by their own statistics), whether targets
 * are classes or values, the classes' names (a test set's labels are the training set's indices, whichever
 * of them it holds) and the outputs' names (to name the answers).
 */
export type DataReading = Partial<Pick<Dataset, 'scaling' | 'targetKind' | 'classNames' | 'outputNames'>>;

export const dataReading = ({ scaling, targetKind, classNames, outputNames }: Dataset): DataReading => ({
  ...(scaling && { scaling }),
  targetKind,
  ...(classNames && { classNames }),
  ...(outputNames && { outputNames }),
});

/**
 * The record in a file that each sample was read from: a line of a CSV file, a record of an IDX file (from
 * 1), or an image file. Plain data, so it crosses to the engine's worker with the samples.
 */
export interface SampleSource {
  file: string;
  unit: 'line' | 'record' | 'file';
  /** The line or record number of each sample; absent: sample i is record i + 1. */
  numbers?: Uint32Array;
  /** Unit 'file': the file of each sample. */
  files?: string[];
}

/** A sample by its index here and, where known, by its place in the user's file: for messages. */
export function sampleName(data: Dataset, i: number): string {
  const s = data.source;
  if (!s) return `sample ${i}`;
  if (s.unit === 'file') return `sample ${i} (${s.files?.[i] ?? '?'})`;
  return `sample ${i} (${s.unit} ${s.numbers ? s.numbers[i] : i + 1} of ${s.file})`;
}

/** The source of the samples at the given indices. */
function subsetSource(s: SampleSource | undefined, indices: ArrayLike<number>): SampleSource | undefined {
  if (!s) return undefined;
  if (s.unit === 'file') return { ...s, files: Array.from(indices, (j) => s.files?.[j] ?? '?') };
  return { ...s, numbers: Uint32Array.from(indices, (j) => (s.numbers ? s.numbers[j] : j + 1)) };
}

/** Refuses data that would poison training, naming the first bad sample. */
export function checkDataset(data: Dataset): void {
  const per = size(data.inputShape);
  if (data.x.length !== data.count * per)
    throw new EngineError(
      'INVALID_DATA',
      `${data.name}: ${data.x.length} input values for ${data.count} samples of [${data.inputShape.join(', ')}]`,
    );
  if (data.targets.length !== data.count * data.targetSize)
    throw new EngineError(
      'INVALID_DATA',
      `${data.name}: ${data.targets.length} target values for ${data.count} samples`,
    );
  for (let i = 0; i < data.x.length; i++)
    if (!Number.isFinite(data.x[i]))
      throw new EngineError(
        'INVALID_DATA',
        `${data.name}: ${sampleName(data, Math.floor(i / per))} has a non-finite input value (${data.x[i]}) at position ${i % per}`,
      );
  for (let i = 0; i < data.targets.length; i++) {
    const t = data.targets[i];
    const bad =
      data.targetKind === 'class'
        ? !Number.isInteger(t) || t < 0 || (data.classes !== undefined && t >= data.classes)
        : !Number.isFinite(t);
    if (bad)
      throw new EngineError(
        'INVALID_DATA',
        `${data.name}: ${sampleName(data, Math.floor(i / data.targetSize))} has an invalid target ${t}`,
      );
  }
}

/** The samples at the given indices, as a new dataset. */
export function subset(data: Dataset, indices: ArrayLike<number>, name: string): Dataset {
  const per = size(data.inputShape);
  const x = new Float32Array(indices.length * per);
  const targets = new Float32Array(indices.length * data.targetSize);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    x.set(data.x.subarray(j * per, (j + 1) * per), i * per);
    targets.set(data.targets.subarray(j * data.targetSize, (j + 1) * data.targetSize), i * data.targetSize);
  }
  return { ...data, name, count: indices.length, x, targets, source: subsetSource(data.source, indices) };
}

/**
 * A seeded random split: the last `fraction` of a shuffled order is held out for validation. `owned`: the
 * caller gives the data up, so its rows are put in that order where they lie and the two sets are views of
 * them (for 60,000 images, 190 MB neither allocated nor copied); else the two sets are new arrays.
 */
export function splitValidation(
  data: Dataset,
  fraction: number,
  seed: number,
  { owned = false } = {},
): { train: Dataset; validation?: Dataset } {
  const held = Math.floor(data.count * fraction);
  if (held === 0) return { train: data };
  const order = Array.from({ length: data.count }, (_, i) => i);
  new Random(seed ^ 0x5eed).shuffle(order);
  const kept = data.count - held;
  if (!owned)
    return {
      train: subset(data, order.slice(0, kept), `${data.name} (train)`),
      validation: subset(data, order.slice(kept), `${data.name} (validation)`),
    };
  const per = size(data.inputShape);
  permuteRows(data.x, per, order);
  permuteRows(data.targets, data.targetSize, order);
  const part = (from: number, to: number, name: string): Dataset => ({
    ...data,
    name,
    count: to - from,
    x: data.x.subarray(from * per, to * per),
    targets: data.targets.subarray(from * data.targetSize, to * data.targetSize),
    source: subsetSource(data.source, order.slice(from, to)),
  });
  return {
    train: part(0, kept, `${data.name} (train)`),
    validation: part(kept, data.count, `${data.name} (validation)`),
  };
}

/**
 * Puts rows in the given order where they lie (row i becomes the old row order[i]): each cycle of the
 * permutation is followed once, with one row set aside, so every row moves once and nothing is allocated
 * but that row and a mark per row.
 */
export function permuteRows(values: Float32Array, rowSize: number, order: ArrayLike<number>): void {
  const placed = new Uint8Array(order.length);
  const aside = new Float32Array(rowSize);
  for (let start = 0; start < order.length; start++) {
    if (placed[start] || order[start] === start) continue;
    aside.set(values.subarray(start * rowSize, (start + 1) * rowSize));
    let at = start;
    for (;;) {
      placed[at] = 1;
      const from = order[at];
      if (from === start) {
        values.set(aside, at * rowSize);
        break;
      }
      values.copyWithin(at * rowSize, from * rowSize, (from + 1) * rowSize);
      at = from;
    }
  }
}
