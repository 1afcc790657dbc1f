import { fmt } from '../layers/layer';
import { layerDef } from '../layers/registry';
import type { GraphDocument } from './schema';
import type { NodeShapeInfo } from './shapes';

export interface ProposedWire {
  source: string;
  target: string;
  targetPort: string;
}

/**
 * Why a wire may not be made, or null when it may: a layer cannot feed itself or close a loop, and a
 * port takes only the kind of tensor its layer works on (a vector, a sequence, an image). Sizes that do
 * not fit (an Add of [64] and [32]) are allowed here and marked on the layer by the diagnostics, since the
 * user may be about to change the other side. `shapes` are the document's inferred shapes.
 */
export function wireProblem(
  doc: Pick<GraphDocument, 'nodes' | 'edges'>,
  shapes: ReadonlyMap<string, NodeShapeInfo>,
  wire: ProposedWire,
): string | null {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const source = byId.get(wire.source);
  const target = byId.get(wire.target);
  if (!source || !target) return 'both ends of a wire must be layers on the canvas';
  const sourceTitle = layerDef(source.kind).title;
  const targetDef = layerDef(target.kind);
  if (wire.source === wire.target) return `${targetDef.title} cannot feed itself`;
  if (reaches(doc, wire.target, wire.source, wire))
    return `this wire would close a loop: ${targetDef.title} (${wire.target}) already feeds ${sourceTitle} (${wire.source})`;
  const shape = shapes.get(wire.source)?.output;
  const accepts = targetDef.accepts;
  if (shape && accepts && !accepts.ranks.includes(shape.length))
    return `${targetDef.title} takes ${accepts.what}; ${sourceTitle} gives ${fmt(shape)}`;
  return null;
}

/** Whether `to` can be reached from `from` along the edges (the wire's own port replaced, as connecting does). */
function reaches(doc: Pick<GraphDocument, 'edges'>, from: string, to: string, wire: ProposedWire): boolean {
  const out = new Map<string, string[]>();
  for (const e of doc.edges) {
    if (e.target === wire.target && e.targetPort === wire.targetPort) continue;
    out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  }
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const next of out.get(id) ?? [])
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
  }
  return false;
}
