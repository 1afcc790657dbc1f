import type { Backend, Buf } from '../backend/backend';
import type { Dataset } from '../data/dataset';
import type { Session } from './session';

/** A dataset uploaded once to the backend, so a batch is gathered there, not copied in. */
export interface DeviceData {
  data: Dataset;
  /** [N, ...sample] */
  x: Buf;
  /** [N] labels or [N, ...target] */
  targets: Buf;
}

export function uploadDataset(be: Backend, data: Dataset): DeviceData {
  const x = be.alloc(data.x.length, `${data.name} x`);
  const targets = be.alloc(data.targets.length, `${data.name} targets`);
  be.write(x, data.x);
  be.write(targets, data.targets);
  return { data, x, targets };
}

/** Gathers the rows of a batch into the session's input and targets; `indices` holds the row numbers. */
export function gatherBatch(be: Backend, s: Session, indices: Buf, d: DeviceData, rows: Uint32Array): void {
  be.write(indices, rows);
  be.gatherRows({ src: d.x, indices, out: s.input, rowSize: s.inputSize, count: rows.length });
  be.gatherRows({ src: d.targets, indices, out: s.targets, rowSize: s.targetSize, count: rows.length });
}
