import type { Shape } from '../layers/layer';
import { layerDef } from '../layers/registry';
import type { GraphDocument } from './schema';
import { incomingByPort, topologicalOrder } from './topology';

export interface NodeShapeInfo {
  /** Input shapes in port order; undefined where the port is unconnected or its source is unknown. */
  inputs: (Shape | undefined)[];
  /** Output shape per sample, when every input is known and the layer accepts them. */
  output?: Shape;
  /** Why the output could not be computed from known inputs: the param field (or port) and the reason. */
  error?: { field: string; message: string };
  /** Learnable tensors by name, and their total element count. */
  paramShapes: Record<string, Shape>;
  paramCount: number;
  flops: number;
}

/**
 * Shapes of every node that can be reached from inputs through acyclic, fully connected paths.
 * Nodes that cannot (unconnected, cyclic, downstream of an error) get no output shape.
 */
export function inferShapes(doc: Pick<GraphDocument, 'nodes' | 'edges'>): Map<string, NodeShapeInfo> {
  const nodesById = new Map(doc.nodes.map((n) => [n.id, n]));
  const incoming = incomingByPort(doc);
  const info = new Map<string, NodeShapeInfo>();
  for (const id of topologicalOrder(doc).order) {
    const node = nodesById.get(id);
    if (!node) continue;
    const def = layerDef(node.kind);
    const ports = def.inputPorts(node.params);
    const inputs = ports.map((port) => {
      const edge = incoming.get(id)?.get(port)?.[0];
      return edge ? info.get(edge.source)?.output : undefined;
    });
    const entry: NodeShapeInfo = { inputs, paramShapes: {}, paramCount: 0, flops: 0 };
    info.set(id, entry);
    if (inputs.some((s) => s === undefined)) continue;
    const known = inputs as Shape[];
    const result = def.outputShape(node.params, known);
    if (!result.ok) {
      entry.error = { field: result.field, message: result.message };
      continue;
    }
    entry.output = result.shape;
    const specs = def.paramSpecs(node.params, known);
    entry.paramShapes = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.shape]));
    entry.paramCount = Object.values(entry.paramShapes).reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
    entry.flops = def.flops(node.params, known, result.shape);
  }
  return info;
}
