import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphDocument } from '../../engine/graph';

const elk = new ELK();

/**
 * New positions for every layer from ELK's layered algorithm: top to bottom in data order, branches side by
 * side (inception modules, residual skips) and as few crossings as it can.
 */
export async function autoLayout(
  doc: GraphDocument,
  sizes: Map<string, { width: number; height: number }>,
): Promise<Map<string, { x: number; y: number }>> {
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '30',
    },
    children: doc.nodes.map((n) => ({
      id: n.id,
      width: sizes.get(n.id)?.width ?? 180,
      height: sizes.get(n.id)?.height ?? 60,
    })),
    edges: doc.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  return new Map((graph.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]));
}
