import { layerDef } from '../layers/registry';
import type { DocumentIssue } from './errors';
import { FLOAT_BYTES, formatBytes, LIMITS } from './limits';
import type { GraphDocument } from './schema';
import { inferShapes } from './shapes';

/**
 * Cross-references a schema cannot express: unique ids, edges that point at existing nodes and ports,
 * a loss output that exists. A file failing these is corrupt, not merely unfinished.
 */
export function checkReferences(doc: GraphDocument): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const nodeIndex = new Map<string, number>();
  doc.nodes.forEach((n, i) => {
    if (nodeIndex.has(n.id))
      issues.push({ path: `nodes[${i}].id`, nodeId: n.id, message: `duplicate node id "${n.id}"` });
    else nodeIndex.set(n.id, i);
  });
  // Every list the editor keys by id: wires, blocks and notes (runs are renamed on load instead: withUniqueRunIds).
  issues.push(
    ...duplicateIds(doc.edges, 'edges', 'edge'),
    ...duplicateIds(doc.groups, 'groups', 'group'),
    ...duplicateIds(doc.notes, 'notes', 'note'),
  );
  doc.edges.forEach((e, i) => {
    if (!nodeIndex.has(e.source))
      issues.push({ path: `edges[${i}].source`, message: `no node has the id "${e.source}"` });
    else if (e.sourcePort !== 'out')
      issues.push({
        path: `edges[${i}].sourcePort`,
        nodeId: e.source,
        message: `unknown output port "${e.sourcePort}" (layers have one output, "out")`,
      });
    const t = nodeIndex.get(e.target);
    if (t === undefined) {
      issues.push({ path: `edges[${i}].target`, message: `no node has the id "${e.target}"` });
      return;
    }
    const target = doc.nodes[t];
    const ports = layerDef(target.kind).inputPorts(target.params);
    if (!ports.includes(e.targetPort)) {
      const known = ports.length === 0 ? 'it has no inputs' : `its inputs are ${ports.join(', ')}`;
      issues.push({
        path: `edges[${i}].targetPort`,
        nodeId: e.target,
        message: `${target.kind} has no input port "${e.targetPort}": ${known}`,
      });
    }
  });
  const output = doc.training.loss.output;
  if (output !== undefined && !nodeIndex.has(output))
    issues.push({ path: 'training.loss.output', message: `no node has the id "${output}"` });
  // A layer belongs to at most one group; groups name existing layers.
  const groupOf = new Map<string, string>();
  (doc.groups ?? []).forEach((g, i) => {
    g.nodes.forEach((id, j) => {
      if (!nodeIndex.has(id)) issues.push({ path: `groups[${i}].nodes[${j}]`, message: `no node has the id "${id}"` });
      else if (groupOf.has(id))
        issues.push({
          path: `groups[${i}].nodes[${j}]`,
          nodeId: id,
          message: `"${id}" is already in group "${groupOf.get(id)}"`,
        });
      else groupOf.set(id, g.id);
    });
  });
  return issues;
}

/** The second and later items of a list that repeat an id, each named by its path. */
function duplicateIds(list: readonly { id: string }[] | undefined, field: string, what: string): DocumentIssue[] {
  const seen = new Set<string>();
  return (list ?? []).flatMap((item, i) => {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      return [];
    }
    return [{ path: `${field}[${i}].id`, message: `duplicate ${what} id "${item.id}"` }];
  });
}

/**
 * Size limits, from the inferred shapes: one node's output per sample and per batch, and the total
 * parameter memory. Each issue names the node and the param that makes it large.
 */
export function checkLimits(doc: GraphDocument): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const shapes = inferShapes(doc);
  let parameterBytes = 0;
  doc.nodes.forEach((node, i) => {
    const info = shapes.get(node.id);
    if (!info?.output) return;
    const field = `nodes[${i}].params.${layerDef(node.kind).sizeField}`;
    const elements = info.output.reduce((a, b) => a * b, 1);
    if (elements > LIMITS.sampleTensorElements) {
      issues.push({
        path: field,
        nodeId: node.id,
        message: `output [${info.output.join(', ')}] holds ${elements.toExponential(2)} values per sample, over the limit of ${LIMITS.sampleTensorElements}`,
      });
      return;
    }
    const batchBytes = elements * doc.training.batchSize * FLOAT_BYTES;
    if (batchBytes > LIMITS.batchTensorBytes)
      issues.push({
        path: 'training.batchSize',
        nodeId: node.id,
        message: `at batch size ${doc.training.batchSize} the output of node "${node.id}" needs ${formatBytes(batchBytes)}, over the limit of ${formatBytes(LIMITS.batchTensorBytes)}`,
      });
    const before = parameterBytes;
    parameterBytes += info.paramCount * FLOAT_BYTES;
    if (before <= LIMITS.parameterBytes && parameterBytes > LIMITS.parameterBytes)
      issues.push({
        path: field,
        nodeId: node.id,
        message: `parameters reach ${formatBytes(parameterBytes)} with this node, over the limit of ${formatBytes(LIMITS.parameterBytes)}`,
      });
  });
  return issues;
}
