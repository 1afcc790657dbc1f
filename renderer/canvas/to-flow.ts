import type { Edge, Node } from '@xyflow/react';
import type { GraphAnalysis, GraphDocument } from '../../engine/graph';
import { layerDef } from '../../engine/layers/registry';

export interface LayerNodeData extends Record<string, unknown> {
  title: string;
  summary?: string;
  kind: string;
  inputPorts: readonly string[];
  /** Output shape per sample, e.g. "6×28×28", when it can be inferred. */
  shape?: string;
  paramCount: number;
  /** The runtime's errors and warnings for this node. */
  problems: { severity: 'error' | 'warning'; message: string }[];
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

/** The document as React Flow nodes and edges, with the runtime's shapes on every edge and node. */
export function toFlow(doc: GraphDocument, analysis: GraphAnalysis | null): { nodes: LayerFlowNode[]; edges: Edge[] } {
  const nodes: LayerFlowNode[] = doc.nodes.map((n) => {
    const def = layerDef(n.kind);
    const info = analysis?.nodes[n.id];
    return {
      id: n.id,
      type: 'layer',
      position: n.position,
      data: {
        title: n.label ?? def.title,
        summary: def.summary?.(n.params),
        kind: n.kind,
        inputPorts: def.inputPorts(n.params),
        shape: info?.outputShape?.join('×'),
        paramCount: info?.paramCount ?? 0,
        problems: (info?.diagnostics ?? []).map((d) => ({ severity: d.severity, message: d.message })),
      },
    };
  });
  const edges: Edge[] = doc.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.sourcePort,
    targetHandle: e.targetPort,
    label: analysis?.edgeShapes[e.id]?.join('×'),
  }));
  return { nodes, edges };
}
