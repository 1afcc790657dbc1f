import type { GraphDocument } from '../graph/schema';
import { hash32 } from '../init/hash';

/**
 * What a checkpoint's state depends on, as 16 hex digits: every layer (id, kind, settings), every wire,
 * and the optimizer's kind. Positions, names and the other training settings (epochs, learning rate) do
 * not count: a run may go on with more epochs or another rate, not with another network.
 */
export function networkFingerprint(doc: GraphDocument): string {
  const nodes = [...doc.nodes]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => [n.id, n.kind, canonical(n.params)]);
  const edges = doc.edges.map((e) => [e.source, e.sourcePort, e.target, e.targetPort].join('\u0000')).sort();
  const text = JSON.stringify([nodes, edges, doc.training.optimizer.kind]);
  return [0x9e3779b9, 0x85ebca6b].map((seed) => hashText(text, seed).toString(16).padStart(8, '0')).join('');
}

/** Objects with their keys sorted, so that the same settings always give the same text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]);
  return value;
}

function hashText(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = hash32(h ^ text.charCodeAt(i));
  return hash32(h ^ text.length);
}
