import { z } from 'zod';
import '../zod-config';
import { EngineError } from '../errors';
import { jsonTooLarge } from '../files/json-limits';
import { LIMITS } from '../graph/limits';

/**
 * The safetensors format (the weights exchange format of the PyTorch world): an 8-byte little-endian
 * header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
 * little-endian data. https://github.com/huggingface/safetensors
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The tensors in one file, F32, in the order given (the same tensors give the same bytes). */
export function writeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`tensor "${t.name}": shape [${t.shape}] holds ${count} values, not ${t.data.length}`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  // The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += 4 * t.data.length;
  }
  return out;
}

/** The most header a weights file may have: names and shapes of many thousand tensors fit in far less. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
const MAX_DIMS = 8;

const refuse = (file: string, why: string) => new EngineError('INVALID_DATA', `${file}: ${why}`);

/**
 * The tensors of a safetensors file, checked before anything is allocated for them: the header's length
 * against the file, its JSON against the format, every tensor's dtype (F32 only), shape and byte range
 * against the body, and no two tensors' bytes overlapping. A lying or truncated header, another dtype, a
 * tensor larger than the file or bytes shared are refused with the file's name and the tensors'.
 */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, { shape: number[]; data: Float32Array }> {
  if (bytes.length < 8) throw refuse(file, `${bytes.length} bytes: too short for a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(Math.min(bytes.length - 8, MAX_HEADER_BYTES)))
    throw refuse(file, `the header claims ${claimed} bytes; the file has ${bytes.length - 8} after the length`);
  const headerLength = Number(claimed);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch (e) {
    throw refuse(file, `the header is not JSON text (${(e as Error).message})`);
  }
  // Counted before parsing: a header of millions of tiny entries would take gigabytes as objects.
  const tooLarge = jsonTooLarge(text, { depth: 8, values: LIMITS.jsonValues });
  if (tooLarge) throw refuse(file, `the header holds ${tooLarge}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw refuse(file, `the header is not JSON text (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw refuse(file, 'the header is not a JSON object');
  const body = bytes.subarray(8 + headerLength);
  // Every entry checked before any is read: a file's tensors together can claim no more than its body.
  const entries: { name: string; shape: number[]; begin: number; end: number; count: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = entrySchema.safeParse(info);
    if (!entry.success) throw refuse(file, `tensor "${name}": ${entry.error.issues[0].message}`);
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry.data;
    if (dtype !== 'F32') throw refuse(file, `tensor "${name}" is ${dtype}; only F32 is read`);
    let count = 1;
    for (const d of shape) {
      count *= d;
      if (count * 4 > body.length) break;
    }
    if (count * 4 > body.length)
      throw refuse(file, `tensor "${name}" of shape [${shape}] needs more bytes than the file's ${body.length}`);
    if (begin > end || end > body.length || end - begin !== 4 * count)
      throw refuse(
        file,
        `tensor "${name}" has bytes ${begin}..${end} for shape [${shape}] in a body of ${body.length}`,
      );
    entries.push({ name, shape, begin, end, count });
  }
  // Tensors do not share bytes (as the format requires): otherwise a small file could name the same
  // gigabyte a thousand times, and each would be copied out.
  const byPlace = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < byPlace.length; i++) {
    const [before, after] = [byPlace[i - 1], byPlace[i]];
    if (after.begin < before.end)
      throw refuse(
        file,
        `tensors "${before.name}" (bytes ${before.begin}..${before.end}) and "${after.name}" (bytes ${after.begin}..${after.end}) overlap: each tensor has bytes of its own`,
      );
  }
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const { name, shape, begin, count } of entries) {
    const data = new Float32Array(count);
    const values = new DataView(body.buffer, body.byteOffset + begin, 4 * count);
    for (let i = 0; i < count; i++) data[i] = values.getFloat32(4 * i, true);
    out.set(name, { shape, data });
  }
  return out;
}

const entrySchema = z.strictObject({
  dtype: z.string().max(16),
  shape: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 31),
    )
    .max(MAX_DIMS),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});
