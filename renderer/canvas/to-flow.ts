import type { Edge, Node } from '@xyflow/react';
import { type GraphDocument, inferShapes } from '../../engine/graph';
import { layerDef } from '../../engine/layers/registry';

export interface LayerNodeData extends Record<string, unknown> {
  title: string;
  summary?: string;
  kind: string;
  inputPorts: readonly string[];
  /** Output shape per sample, e.g. "6×28×28", when it can be inferred. */
  shape?: string;
  paramCount: number;
  error?: string;
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

/** The document as React Flow nodes and edges, with the inferred shape written on every edge. */
export function toFlow(doc: GraphDocument): { nodes: LayerFlowNode[]; edges: Edge[] } {
  const shapes = inferShapes(doc);
  const shapeText = (id: string) => shapes.get(id)?.output?.join('×');
  const nodes: LayerFlowNode[] = doc.nodes.map((n) => {
    const def = layerDef(n.kind);
    const info = shapes.get(n.id);
    return {
      id: n.id,
      type: 'layer',
      position: n.position,
      data: {
        title: n.label ?? def.title,
        summary: def.summary?.(n.params),
        kind: n.kind,
        inputPorts: def.inputPorts(n.params),
        shape: shapeText(n.id),
        paramCount: info?.paramCount ?? 0,
        error: info?.error && `${info.error.field}: ${info.error.message}`,
      },
    };
  });
  const edges: Edge[] = doc.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.sourcePort,
    targetHandle: e.targetPort,
    label: shapeText(e.source),
  }));
  return { nodes, edges };
}
