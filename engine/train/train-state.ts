import type { Backend, Buf } from '../backend/backend';
import type { Checkpoint } from './checkpoint';
import type { Session } from './session';

/** Everything a step changes: weights, optimizer slots, layers' own state (batch norm's running statistics). */
export interface TrainState {
  params: Buf;
  slot1: Buf;
  slot2: Buf;
  layers: Buf[];
}

/** The session's own state buffers. */
export function liveState(session: Session): TrainState {
  const layers = session.nodes.flatMap((node) => Object.values(node.passes.state ?? {}).map((st) => st.buf));
  return { params: session.flat.params, slot1: session.flat.slot1, slot2: session.flat.slot2, layers };
}

/** A copy of the state's shape (allocated once, when the trainer is built), to save and restore the state into. */
export function allocStateLike(be: Backend, like: TrainState, label: string): TrainState {
  const total = Math.max(like.params.length, 1);
  return {
    params: be.alloc(total, `${label} params`),
    slot1: be.alloc(total, `${label} slot1`),
    slot2: be.alloc(total, `${label} slot2`),
    layers: like.layers.map((buf) => be.alloc(buf.length, `${label} layer state`)),
  };
}

/** Copies one state into another on the backend (no allocation, no read). */
export function copyState(be: Backend, paramCount: number, to: TrainState, from: TrainState): void {
  if (paramCount > 0)
    for (const key of ['params', 'slot1', 'slot2'] as const)
      be.copy({ src: from[key], out: to[key], size: paramCount, accumulate: false });
  for (let i = 0; i < from.layers.length; i++)
    be.copy({ src: from.layers[i], out: to.layers[i], size: from.layers[i].length, accumulate: false });
}

/** Layers' own state by "<node id>.<name>", as a checkpoint keeps it (no prototype: ids are the user's). */
export async function readLayerState(be: Backend, session: Session): Promise<Record<string, Float32Array>> {
  const state: Record<string, Float32Array> = Object.create(null);
  for (const node of session.nodes)
    for (const [name, st] of Object.entries(node.passes.state ?? {}))
      state[`${node.id}.${name}`] = Float32Array.from(await be.read(st.buf));
  return state;
}

/**
 * Whether a checkpoint fits this trainer before anything is written: the network's fingerprint, the
 * parameter count, the training set's size, the position in the epoch and each layer's state.
 */
export function checkRestorable(
  cp: Checkpoint,
  here: { fingerprint: string; session: Session; samples: number; batchesPerEpoch: number },
  fail: (why: string) => Error,
): void {
  if (cp.fingerprint !== here.fingerprint)
    throw fail("it belongs to another network (its layers, wires or optimizer differ from this graph's)");
  if (cp.paramCount !== here.session.paramCount)
    throw fail(`it holds ${cp.paramCount} parameters; this network has ${here.session.paramCount}`);
  if (cp.order.length !== here.samples)
    throw fail(`it was saved for ${cp.order.length} training samples; this dataset has ${here.samples}`);
  if (cp.batchIndex > here.batchesPerEpoch)
    throw fail(`field batchIndex ${cp.batchIndex} is past the epoch's ${here.batchesPerEpoch} batches`);
  checkLayerState(here.session, cp.layerState, fail);
}

/** A checkpoint's layer state must name this session's layers' state, each of its length. */
function checkLayerState(session: Session, saved: Record<string, Float32Array>, fail: (why: string) => Error): void {
  const expected = new Map<string, number>();
  for (const node of session.nodes)
    for (const [name, st] of Object.entries(node.passes.state ?? {})) expected.set(`${node.id}.${name}`, st.buf.length);
  for (const [key, values] of Object.entries(saved)) {
    const length = expected.get(key);
    if (length === undefined) throw fail(`field state:${key.slice(0, 60)} is not the state of a layer of this network`);
    if (values.length !== length)
      throw fail(`field state:${key.slice(0, 60)} holds ${values.length} values, not ${length}`);
  }
}

/** Writes back what readLayerState read; a layer missing from `saved` keeps its state. */
export function writeLayerState(be: Backend, session: Session, saved: Record<string, Float32Array>): void {
  for (const node of session.nodes)
    for (const [name, st] of Object.entries(node.passes.state ?? {})) {
      const values = saved[`${node.id}.${name}`];
      if (values) be.write(st.buf, values);
    }
}
