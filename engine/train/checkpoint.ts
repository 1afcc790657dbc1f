import { z } from 'zod';
import '../zod-config';
import { EngineError } from '../errors';
import { crc32 } from '../files/crc32';
import { jsonTooLarge } from '../files/json-limits';
import { LIMITS } from '../graph/limits';
import type { EpochMetrics } from './metrics';

/**
 * Everything a run needs to continue exactly where it stopped: weights, optimizer state, the layers'
 * running statistics, the generator's state, the position in the epoch, and the epochs so far.
 */
export interface Checkpoint {
  format: 'netloom-checkpoint';
  version: 2;
  /** The network it belongs to (layers, their settings, wires, optimizer): see networkFingerprint. */
  fingerprint: string;
  paramCount: number;
  step: number;
  epoch: number;
  batchIndex: number;
  /** This epoch's sample order: a permutation of the training set's indices. */
  order: Uint32Array;
  random: number[];
  params: Float32Array;
  slot1: Float32Array;
  slot2: Float32Array;
  /** Non-learned layer state by `${nodeId}.${name}` (batch norm's running averages). */
  layerState: Record<string, Float32Array>;
  progress: {
    bestLoss: number;
    epochsWithoutImprovement: number;
    epochLossSum: number;
    epochCorrect: number;
    epochSeen: number;
  };
  history: EpochMetrics[];
}

const MAGIC = 0x4b434c4e; // "NLCK"
const VERSION = 2;
/** Magic, version, header length, checksum. */
const PREFIX = 16;
/** A header holds scalars and the epochs' history: 64 MiB is a million epochs and more. */
const MAX_HEADER = 64 * 1024 ** 2;
/** Values in the header, counted before it is parsed: a history of 400,000 epochs (nine values each). */
export const MAX_HEADER_VALUES = 2 * LIMITS.jsonValues;

/** Whole numbers from 0 that a double holds exactly. */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A finite number, or null for one that JSON cannot hold (an infinite best loss before the first epoch). */
const real = z.number().nullable();

const headerSchema = z.strictObject({
  format: z.literal('netloom-checkpoint'),
  version: z.literal(VERSION),
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  paramCount: count,
  step: count,
  epoch: count,
  batchIndex: count,
  random: z
    .array(z.number().int().min(0).max(0xffff_ffff))
    .length(4)
    .refine((s) => s.some((w) => w !== 0), 'the generator state is all zero'),
  progress: z.strictObject({
    bestLoss: real,
    epochsWithoutImprovement: count,
    epochLossSum: z.number().min(0),
    epochCorrect: z.number().min(0),
    epochSeen: count,
  }),
  history: z.array(
    z.strictObject({
      epoch: count,
      step: count,
      trainLoss: real,
      trainAccuracy: z.number().min(0).max(1).optional(),
      valLoss: real.optional(),
      valAccuracy: z.number().min(0).max(1).optional(),
      lr: z.number(),
      seconds: z.number().min(0),
    }),
  ),
  arrays: z.array(z.tuple([z.string().max(1024), count])).max(100_000),
});

/**
 * A checkpoint as one binary blob: magic "NLCK", format version, header length and a CRC-32 of all that
 * follows (little-endian u32 each), then a JSON header padded to 4 bytes, then the arrays (float32, the
 * order uint32) in the order the header lists them.
 */
export function encodeCheckpoint(cp: Checkpoint): Uint8Array {
  const arrays: [string, Float32Array | Uint32Array][] = [
    ['order', cp.order],
    ['params', cp.params],
    ['slot1', cp.slot1],
    ['slot2', cp.slot2],
    ...Object.entries(cp.layerState).map(([k, v]) => [`state:${k}`, v] as [string, Float32Array]),
  ];
  const { order, params, slot1, slot2, layerState, ...scalars } = cp;
  const header = new TextEncoder().encode(
    JSON.stringify({ ...scalars, arrays: arrays.map(([name, a]) => [name, a.length]) }, (_, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? null : v,
    ),
  );
  const headerPadded = Math.ceil(header.length / 4) * 4;
  const total = PREFIX + headerPadded + arrays.reduce((s, [, a]) => s + a.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, PREFIX);
  let at = PREFIX + headerPadded;
  for (const [, a] of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  view.setUint32(12, crc32(bytes.subarray(PREFIX)), true);
  return bytes;
}

/** The checksum a checkpoint's bytes carry (to tie a report to the checkpoint of the same run). */
export function checkpointChecksum(bytes: Uint8Array): number | undefined {
  if (bytes.length < PREFIX) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
}

/**
 * Reads a checkpoint, trusting nothing: the format and version, the checksum, every field's type and range,
 * the arrays' names and lengths against the file's, the order as a permutation, the weights as finite.
 * A refusal names the file and the field. Whether it fits the network and the data is `Trainer.restore`'s.
 */
export function decodeCheckpoint(bytes: Uint8Array, file = 'the checkpoint'): Checkpoint {
  const fail = (why: string) => new EngineError('INVALID_DATA', `${file}: ${why}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < PREFIX || view.getUint32(0, true) !== MAGIC) throw fail('not a Netloom checkpoint');
  const version = view.getUint32(4, true);
  if (version !== VERSION)
    throw fail(`checkpoint format version ${version}; this version of Netloom reads version ${VERSION}`);
  const headerLength = view.getUint32(8, true);
  const headerEnd = PREFIX + Math.ceil(headerLength / 4) * 4;
  if (headerLength > MAX_HEADER || headerEnd > bytes.length) throw fail('the header is cut short or too long');
  if (crc32(bytes.subarray(PREFIX)) !== view.getUint32(12, true))
    throw fail('the checkpoint is damaged: its checksum does not match its contents');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength));
  } catch {
    throw fail('the header is not JSON');
  }
  const tooLarge = jsonTooLarge(text, { depth: 16, values: MAX_HEADER_VALUES });
  if (tooLarge) throw fail(`the header holds ${tooLarge}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('the header is not JSON');
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(`field ${issue.path.join('.') || 'header'}: ${issue.message}`);
  }
  const header = parsed.data;
  const arrays = readArrays(bytes, headerEnd, header.arrays, fail);
  const f32 = (name: string) => {
    const a = arrays.get(name);
    if (!a) throw fail(`the array "${name}" is missing`);
    const values = new Float32Array(a);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw fail(`field ${name}[${bad}] is ${values[bad]}, not a finite number`);
    return values;
  };
  const params = f32('params');
  const slot1 = f32('slot1');
  const slot2 = f32('slot2');
  for (const [name, a] of [
    ['params', params],
    ['slot1', slot1],
    ['slot2', slot2],
  ] as const)
    if (a.length !== header.paramCount)
      throw fail(`field ${name} holds ${a.length} values for ${header.paramCount} parameters`);
  const orderBuffer = arrays.get('order');
  if (!orderBuffer) throw fail('the array "order" is missing');
  const order = new Uint32Array(orderBuffer);
  checkPermutation(order, fail);
  // Keys come from the file ("state:<node id>.<name>"): no prototype for a "__proto__" to reach.
  const layerState: Record<string, Float32Array> = Object.create(null);
  for (const name of arrays.keys()) if (name.startsWith('state:')) layerState[name.slice(6)] = f32(name);
  const { arrays: _listing, progress, history, ...scalars } = header;
  const infinite = (v: number | null) => v ?? Number.POSITIVE_INFINITY;
  if (header.batchIndex > order.length) throw fail(`field batchIndex ${header.batchIndex} is past the epoch's samples`);
  return {
    ...scalars,
    order,
    params,
    slot1,
    slot2,
    layerState,
    progress: { ...progress, bestLoss: infinite(progress.bestLoss) },
    history: history.map(({ valLoss, ...h }) => ({
      ...h,
      trainLoss: h.trainLoss ?? Number.NaN,
      ...(valLoss !== undefined && { valLoss: valLoss ?? Number.NaN }),
    })),
  };
}

/** The arrays the header lists, each copied out (aligned), the lengths adding up to the file's exactly. */
function readArrays(
  bytes: Uint8Array,
  start: number,
  listing: [string, number][],
  fail: (why: string) => EngineError,
): Map<string, ArrayBuffer> {
  const known = /^(order|params|slot1|slot2|state:.+)$/;
  const arrays = new Map<string, ArrayBuffer>();
  let at = start;
  for (const [name, length] of listing) {
    if (!known.test(name)) throw fail(`field arrays: an unknown array "${name.slice(0, 60)}"`);
    if (arrays.has(name)) throw fail(`field arrays: "${name.slice(0, 60)}" is listed twice`);
    if (length * 4 > bytes.length - at) throw fail(`the array "${name.slice(0, 60)}" is cut short`);
    // A copy (not a view: a Node Buffer's slice shares its pool), aligned for the typed arrays.
    const copy = new Uint8Array(length * 4);
    copy.set(bytes.subarray(at, at + length * 4));
    arrays.set(name, copy.buffer);
    at += length * 4;
  }
  if (at !== bytes.length) throw fail(`${bytes.length - at} bytes follow the last array`);
  return arrays;
}

/** The order must hold each index of the epoch once: anything else would read past the data or skip some. */
function checkPermutation(order: Uint32Array, fail: (why: string) => EngineError): void {
  const seen = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const j = order[i];
    if (j >= order.length) throw fail(`field order[${i}] is ${j}, past the ${order.length} samples`);
    if (seen[j]) throw fail(`field order[${i}] repeats sample ${j}: the order is not a permutation`);
    seen[j] = 1;
  }
}
