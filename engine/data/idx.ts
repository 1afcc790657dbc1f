import { EngineError } from '../errors';
import type { Dataset } from './dataset';

/** Element types of the IDX format (the MNIST family's files), by their type byte. */
const types: Record<number, { bytes: number; read: (v: DataView, at: number) => number }> = {
  8: { bytes: 1, read: (v, at) => v.getUint8(at) },
  9: { bytes: 1, read: (v, at) => v.getInt8(at) },
  11: { bytes: 2, read: (v, at) => v.getInt16(at, false) },
  12: { bytes: 4, read: (v, at) => v.getInt32(at, false) },
  13: { bytes: 4, read: (v, at) => v.getFloat32(at, false) },
  14: { bytes: 8, read: (v, at) => v.getFloat64(at, false) },
};

export interface IdxArray {
  dims: number[];
  values: Float32Array;
}

/**
 * Parses an (already decompressed) IDX file: magic 0x0000, a type byte, a rank byte, the big-endian
 * dimensions, then the values. Sizes are checked against the file length before anything is allocated.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
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
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = 4 + 4 * rank + count * type.bytes;
  if (bytes.length !== expected)
    throw fail(`the header promises [${dims.join(', ')}] (${expected} bytes) but the file has ${bytes.length} bytes`);
  const values = new Float32Array(count);
  for (let i = 0, at = 4 + 4 * rank; i < count; i++, at += type.bytes) values[i] = type.read(view, at);
  return { dims, values };
}

/** Images [N, H, W] (scaled from 0..255 to 0..1) and labels [N] as a classification dataset of [1, H, W]. */
export function idxDataset(images: IdxArray, labels: IdxArray, name: string): Dataset {
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
  const classes = labels.values.reduce((m, v) => Math.max(m, v + 1), 0);
  return { name, inputShape: [1, h, w], count, x, targetKind: 'class', targetSize: 1, targets: labels.values, classes };
}
