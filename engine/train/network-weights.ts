import type { Backend } from '../backend/backend';
import { createCpuBackend } from '../backend/cpu/cpu-backend';
import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import { Random } from '../init/random';
import { decodeCheckpoint } from './checkpoint';
import { networkFingerprint } from './fingerprint';
import { planTraining } from './plan';
import { buildSession, initialiseParams, parameterLayout, type Session } from './session';

/** A layer's parameter or running statistic by node id and Netloom's name, in Netloom's layout. */
export type WeightOf = (nodeId: string, name: string) => Float32Array;

/**
 * A checkpoint's weights and layer state (batch norms' running statistics) by node and name, for the
 * exporters; refused, naming the file, when the checkpoint belongs to another network.
 */
export function checkpointWeightOf(
  doc: GraphDocument,
  checkpoint: Uint8Array,
  file: string,
): { weight: WeightOf; step: number } {
  const cp = decodeCheckpoint(checkpoint, file);
  if (cp.fingerprint !== networkFingerprint(doc))
    throw new EngineError(
      'INVALID_DATA',
      `${file} belongs to another network (its layers, wires or optimizer differ from this graph's)`,
    );
  const weight = layoutWeightOf(doc, cp.params, cp.layerState, file);
  return { weight, step: cp.step };
}

/**
 * Weights kept as a checkpoint keeps them (flat parameters in the network's layout order, layer state by
 * "<node>.<name>") by node and name; the count is checked against the network.
 */
export function layoutWeightOf(
  doc: GraphDocument,
  params: Float32Array,
  layerState: Record<string, Float32Array>,
  file: string,
): WeightOf {
  const layout = parameterLayout(planTraining(doc));
  const total = layout.reduce((sum, slot) => sum + slot.size, 0);
  if (params.length !== total)
    throw new EngineError('INVALID_DATA', `${file} holds ${params.length} parameters; this network has ${total}`);
  const slots = new Map(layout.map((slot) => [`${slot.nodeId}\u0000${slot.name}`, slot]));
  return (nodeId, name) => {
    const slot = slots.get(`${nodeId}\u0000${name}`);
    if (slot) return params.slice(slot.offset, slot.offset + slot.size);
    const state = Object.hasOwn(layerState, `${nodeId}.${name}`) ? layerState[`${nodeId}.${name}`] : undefined;
    if (!state) throw new EngineError('INVALID_DATA', `${file} has no "${name}" for layer "${nodeId}"`, nodeId);
    return state;
  };
}

/** The weights a run of the document starts from (its seed's draws) and its layers' initial state. */
export async function initialWeightOf(doc: GraphDocument): Promise<WeightOf> {
  const plan = planTraining(doc);
  const be: Backend = createCpuBackend('f32', { fast: false });
  const session = buildSession(be, plan, doc.training, 1, doc.training.loss.kind === 'mse' ? 'tensor' : 'class');
  initialiseParams(session, new Random(doc.training.seed));
  return sessionWeightOf(session);
}

/** A built session's current weights and layer state, read back from its backend. */
export async function sessionWeightOf(session: Session): Promise<WeightOf> {
  const be = session.be;
  const flat = await be.read(session.flat.params);
  const values = new Map<string, Float32Array>();
  for (const s of session.params)
    values.set(`${s.nodeId}\u0000${s.name}`, Float32Array.from(flat.subarray(s.offset, s.offset + s.size)));
  for (const n of session.nodes)
    for (const [name, s] of Object.entries(n.passes.state ?? {}))
      values.set(`${n.id}\u0000${name}`, Float32Array.from(await be.read(s.buf)));
  return (nodeId, name) => {
    const found = values.get(`${nodeId}\u0000${name}`);
    if (!found) throw new EngineError('INTERNAL', `no "${name}" for layer "${nodeId}"`, nodeId);
    return found;
  };
}
