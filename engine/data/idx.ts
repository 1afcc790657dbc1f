import { EngineError } from '../errors';
import type { Dataset } from './dataset';
import { gunzipBounded } from './gunzip';
import { DATA_LIMITS, type MemoryBudget } from './limits';

/** Element types of the IDX format (the MNIST family's files), by their type byte. */
const types: Record<
  number,
  | {
      bytes: number;
      read: (v: DataView, at: number) => number;
      /** Single bytes: the values as a typed array over the file's bytes (converted in one native copy). */
      bytesAs?: (bytes: Uint8Array) => Uint8Array | Int8Array;
    }
  | undefined
> = {
  8: { bytes: 1, read: (v, at) => v.getUint8(at), bytesAs: (b) => b },
  9: { bytes: 1, read: (v, at) => v.getInt8(at), bytesAs: (b) => new Int8Array(b.buffer, b.byteOffset, b.length) },
  11: { bytes: 2, read: (v, at) => v.getInt16(at, false) },
  12: { bytes: 4, read: (v, at) => v.getInt32(at, false) },
  13: { bytes: 4, read: (v, at) => v.getFloat32(at, false) },
  14: { bytes: 8, read: (v, at) => v.getFloat64(at, false) },
};

export interface IdxArray {
  dims: number[];
  values: Float32Array;
}

type ElementType = NonNullable<(typeof types)[number]>;

interface IdxHeader {
  dims: number[];
  type: ElementType;
  /** Header and values: the whole file's length. */
  fileBytes: number;
  count: number;
}

/**
 * The header of an IDX file (the MNIST family's): magic 0x0000, a type byte, a rank byte, then the
 * big-endian dimensions. Read from the first bytes alone, so a gzipped file's declared size is known (and
 * refused if too large) before the rest is decompressed.
 */
export function idxHeader(bytes: Uint8Array, name: string): IdxHeader {
  const fail = (why: string) => new EngineError('INVALID_DATA', `${name}: ${why}`);
  if (bytes.length < 4) throw fail('too short to be an IDX file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0, false) !== 0)
    throw fail('not an IDX file (the first two bytes must be zero; is it still gzipped?)');
  const type = types[view.getUint8(2)];
  if (!type) throw fail(`unknown IDX element type 0x${view.getUint8(2).toString(16)}`);
  const rank = view.getUint8(3);
  if (rank < 1 || rank > 4) throw fail(`IDX rank ${rank} is not supported (1 to 4)`);
  if (bytes.length < 4 + 4 * rank) throw fail('the header is cut short');
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  // Exact in doubles: four dimensions below 2^32 multiply to far less than 2^53 only if small; past it
  // the file would be larger than any limit anyway, and the comparison still refuses it.
  const count = dims.reduce((a, b) => a * b, 1);
  return { dims, type, count, fileBytes: 4 + 4 * rank + count * type.bytes };
}

/**
 * Parses an (already decompressed) IDX file. Sizes are checked against the file length, and the values'
 * memory against the dataset's budget, before anything is allocated.
 */
export function parseIdx(bytes: Uint8Array, name: string, budget?: MemoryBudget): IdxArray {
  const { dims, type, count, fileBytes } = idxHeader(bytes, name);
  if (bytes.length !== fileBytes)
    throw new EngineError(
      'INVALID_DATA',
      `${name}: the header promises [${dims.join(', ')}] (${fileBytes} bytes) but the file has ${bytes.length} bytes`,
    );
  budget?.take(count * 4, name, `its ${count} values`);
  const start = 4 + 4 * dims.length;
  const values = new Float32Array(count);
  if (type.bytesAs) {
    // Images are bytes: one native conversion (a read call per value took 0.6 s for Fashion-MNIST).
    values.set(type.bytesAs(bytes.subarray(start)));
    return { dims, values };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0, at = start; i < count; i++, at += type.bytes) values[i] = type.read(view, at);
  return { dims, values };
}

/** Most classes a dataset may number its labels up to (a label is a class index). */
export const MAX_CLASSES = 65_536;

/**
 * Images [N, H, W] (scaled from 0..255 to 0..1) and labels [N] as a classification dataset of [1, H, W].
 * Labels must be class indices: whole numbers from 0; a bad one is cited by its record in the labels file.
 */
export function idxDataset(images: IdxArray, labels: IdxArray, name: string, labelsName = name): Dataset {
  if (images.dims.length !== 3)
    throw new EngineError('INVALID_DATA', `${name}: images must be [N, H, W], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0])
    throw new EngineError(
      'INVALID_DATA',
      `${name}: ${images.dims[0]} images but labels of shape [${labels.dims.join(', ')}]`,
    );
  const [count, h, w] = images.dims;
  const x = images.values;
  for (let i = 0; i < x.length; i++) x[i] /= 255;
  let classes = 0;
  labels.values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= MAX_CLASSES)
      throw new EngineError(
        'INVALID_DATA',
        `${labelsName}: record ${i + 1} has label ${v}; labels are class indices, whole numbers from 0 to ${MAX_CLASSES - 1}`,
      );
    classes = Math.max(classes, v + 1);
  });
  return {
    name,
    inputShape: [1, h, w],
    count,
    x,
    targetKind: 'class',
    targetSize: 1,
    targets: labels.values,
    classes,
    source: { file: name, unit: 'record' },
  };
}

/** A gzipped IDX file, decompressed no further than its header declares (and the limit allows). */
export function gunzipIdx(bytes: Uint8Array, file: string, limit = DATA_LIMITS.unpackedBytes): Promise<Uint8Array> {
  return gunzipBounded(bytes, file, { limit, declaredSize: (head) => idxHeader(head, file).fileBytes });
}
