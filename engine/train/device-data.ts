import type { Backend, Buf } from '../backend/backend';
import { augmentBatch, augments } from '../data/augment';
import type { Dataset } from '../data/dataset';
import type { Augmentation, Training } from '../graph/training-schema';
import { Random } from '../init/random';
import { checkAugmentable } from './preflight';
import type { Session } from './session';

/**
 * A dataset as the backend reads its batches: uploaded once to a device, so a batch is gathered there, not
 * copied in; or, on a backend that gathers from host memory (see Backend.gatherHostRows), left where it is.
 */
export interface DeviceData {
  data: Dataset;
  /** [N, ...sample], on the device (none where batches are gathered from the host) */
  x?: Buf;
  /** [N] labels or [N, ...target], on the device likewise */
  targets?: Buf;
}

export function uploadDataset(be: Backend, data: Dataset): DeviceData {
  if (be.gatherHostRows) return { data };
  const x = be.alloc(data.x.length, `${data.name} x`);
  const targets = be.alloc(data.targets.length, `${data.name} targets`);
  be.write(x, data.x);
  be.write(targets, data.targets);
  return { data, x, targets };
}

/** Gathers the rows of a batch into the session's input and targets; `indices` holds the row numbers. */
export function gatherBatch(be: Backend, s: Session, indices: Buf, d: DeviceData, rows: Uint32Array): void {
  if (!d.x) {
    be.gatherHostRows!({ src: d.data.x, rows, out: s.input, rowSize: s.inputSize });
    be.gatherHostRows!({ src: d.data.targets, rows, out: s.targets, rowSize: s.targetSize });
    return;
  }
  be.write(indices, rows);
  be.gatherRows({ src: d.x, indices, out: s.input, rowSize: s.inputSize, count: rows.length });
  be.gatherRows({ src: d.targets!, indices, out: s.targets, rowSize: s.targetSize, count: rows.length });
}

/** The targets of a batch alone (its inputs come augmented through the host). */
function gatherTargets(be: Backend, s: Session, indices: Buf, d: DeviceData, rows: Uint32Array): void {
  if (!d.targets) {
    be.gatherHostRows!({ src: d.data.targets, rows, out: s.targets, rowSize: s.targetSize });
    return;
  }
  be.write(indices, rows);
  be.gatherRows({ src: d.targets, indices, out: s.targets, rowSize: s.targetSize, count: rows.length });
}

/** Host memory for augmented batches, allocated once with the session. */
export interface AugmentHost {
  augmentation: Augmentation;
  seed: number;
  /** [maxBatch, ...sample], one sample of scratch, and the generator reseeded for each sample. */
  batch: Float32Array;
  scratch: Float32Array;
  random: Random;
}

/** Host memory for the document's augmentation of this training set; none when it does not augment. */
export function augmentHost(s: Session, t: Training, train: Dataset): AugmentHost | undefined {
  if (!augments(t.augmentation)) return undefined;
  checkAugmentable(t.augmentation, train);
  return {
    augmentation: t.augmentation,
    seed: t.seed,
    batch: new Float32Array(s.maxBatch * s.inputSize),
    scratch: new Float32Array(s.inputSize),
    random: new Random(0),
  };
}

/** The next training batch: augmented through the host when the run augments, else gathered on the device. */
export function gatherTrainingBatch(
  be: Backend,
  s: Session,
  indices: Buf,
  d: DeviceData,
  rows: Uint32Array,
  host: AugmentHost | undefined,
  step: number,
): void {
  if (host) gatherAugmentedBatch(be, s, indices, d, rows, host, step);
  else gatherBatch(be, s, indices, d, rows);
}

/**
 * Gathers a training batch through the host, augmented: the rows from the dataset's host copy, each sample
 * transformed with its own draws for this step (see augmentBatch), then written to the session's input;
 * the targets are gathered on the device as usual.
 */
function gatherAugmentedBatch(
  be: Backend,
  s: Session,
  indices: Buf,
  d: DeviceData,
  rows: Uint32Array,
  host: AugmentHost,
  step: number,
): void {
  const per = s.inputSize;
  for (let k = 0; k < rows.length; k++) host.batch.set(d.data.x.subarray(rows[k] * per, (rows[k] + 1) * per), k * per);
  const batch = host.batch.subarray(0, rows.length * per);
  augmentBatch(host.augmentation, batch, rows.length, d.data.inputShape, host.seed, step, host.scratch, host.random);
  be.write(s.input, batch);
  gatherTargets(be, s, indices, d, rows);
}
