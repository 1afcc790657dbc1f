/**
 * Everything a run needs to continue exactly where it stopped: weights, optimizer state, the layers'
 * running statistics, the generator's state and the position in the epoch.
 */
export interface Checkpoint {
  format: 'netloom-checkpoint';
  version: 1;
  paramCount: number;
  step: number;
  epoch: number;
  batchIndex: number;
  /** This epoch's sample order. */
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
}

const MAGIC = 0x4b434c4e; // "NLCK"

/** A checkpoint as one binary blob: magic, header length, a JSON header, then float32 arrays. */
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
    JSON.stringify({ ...scalars, arrays: arrays.map(([name, a]) => [name, a.length]) }),
  );
  const headerPadded = Math.ceil(header.length / 4) * 4;
  const total = 8 + headerPadded + arrays.reduce((s, [, a]) => s + a.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, header.length, true);
  bytes.set(header, 8);
  let at = 8 + headerPadded;
  for (const [, a] of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, true) !== MAGIC) throw new Error('not a Netloom checkpoint');
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error('checkpoint header is cut short');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  let at = 8 + Math.ceil(headerLength / 4) * 4;
  const arrays = new Map<string, ArrayBuffer>();
  for (const [name, length] of header.arrays as [string, number][]) {
    if (at + length * 4 > bytes.length) throw new Error(`checkpoint array ${name} is cut short`);
    // A copy (not a view: a Node Buffer's slice shares its pool), aligned for the typed arrays.
    const copy = new Uint8Array(length * 4);
    copy.set(bytes.subarray(at, at + length * 4));
    arrays.set(name, copy.buffer);
    at += length * 4;
  }
  const f32 = (name: string) => new Float32Array(arrays.get(name) ?? new ArrayBuffer(0));
  // Keys come from the file ("state:<node id>.<name>"): no prototype for a "__proto__" to reach.
  const layerState: Record<string, Float32Array> = Object.create(null);
  for (const name of arrays.keys()) if (name.startsWith('state:')) layerState[name.slice(6)] = f32(name);
  const { arrays: _listing, ...scalars } = header;
  return {
    ...scalars,
    order: new Uint32Array(arrays.get('order') ?? new ArrayBuffer(0)),
    params: f32('params'),
    slot1: f32('slot1'),
    slot2: f32('slot2'),
    layerState,
  };
}
