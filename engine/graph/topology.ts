import type { GraphDocument, GraphEdge } from './schema';

/** Edges into each node, by target port. */
export function incomingByPort(doc: Pick<GraphDocument, 'edges'>): Map<string, Map<string, GraphEdge[]>> {
  const byTarget = new Map<string, Map<string, GraphEdge[]>>();
  for (const e of doc.edges) {
    let ports = byTarget.get(e.target);
    if (!ports) {
      ports = new Map();
      byTarget.set(e.target, ports);
    }
    const list = ports.get(e.targetPort);
    if (list) list.push(e);
    else ports.set(e.targetPort, [e]);
  }
  return byTarget;
}

/**
 * Kahn's algorithm: node ids in an order where every edge goes forward. Nodes on a cycle (or fed by one)
 * are returned in `cyclic` instead. Iterative, so a hostile file cannot overflow the stack.
 */
export function topologicalOrder(doc: Pick<GraphDocument, 'nodes' | 'edges'>): { order: string[]; cyclic: string[] } {
  const indegree = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const n of doc.nodes) {
    indegree.set(n.id, 0);
    out.set(n.id, []);
  }
  for (const e of doc.edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    out.get(e.source)?.push(e.target);
  }
  const ready = doc.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i];
    order.push(id);
    for (const next of out.get(id) ?? []) {
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) ready.push(next);
    }
  }
  const placed = new Set(order);
  return { order, cyclic: doc.nodes.filter((n) => !placed.has(n.id)).map((n) => n.id) };
}
