import type { Shape } from '../layers/layer';
import { layerDef } from '../layers/registry';
import { losses } from '../losses/registry';
import type { GraphDocument, GraphNode } from './schema';
import { inferShapes, type NodeShapeInfo } from './shapes';
import { incomingByPort, topologicalOrder } from './topology';

export type DiagnosticCode =
  | 'EMPTY_GRAPH'
  | 'NO_INPUT'
  | 'MULTIPLE_INPUTS'
  | 'NO_OUTPUT'
  | 'AMBIGUOUS_OUTPUT'
  | 'MISSING_OUTPUT'
  | 'CYCLE'
  | 'UNCONNECTED_INPUT'
  | 'DOUBLE_INPUT'
  | 'SHAPE_MISMATCH'
  | 'LOSS_MISMATCH'
  | 'NO_PATH'
  | 'UNUSED_NODE'
  | 'FOLDED_INTO_LOSS'
  /** The network does not fit its dataset (engine/train/setup-check.ts). */
  | 'SETUP_MISMATCH'
  /** A value typed in the editor that the layer refuses (the layer keeps its own until it is fixed). */
  | 'INVALID_VALUE';

/** One problem of a graph, as the canvas shows it: on a node when it has one, else on the graph. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: 'error' | 'warning';
  nodeId?: string;
  message: string;
}

export interface GraphDiagnosis {
  diagnostics: Diagnostic[];
  shapes: Map<string, NodeShapeInfo>;
  /** The node the loss reads, when it can be told. */
  outputId?: string;
  /** Nodes the loss depends on, in schedule order (empty when the graph cannot train). */
  schedule: string[];
}

const fmt = (s: Shape | undefined) => (s ? `[${s.join(', ')}]` : 'unknown');

/**
 * Everything that keeps a graph from training, each with the node and the reason: what the runtime
 * shows on the canvas as the user edits, and what planning refuses (it throws the first error).
 */
export function diagnoseGraph(doc: GraphDocument, shapes = inferShapes(doc)): GraphDiagnosis {
  const out: Diagnostic[] = [];
  const error = (code: DiagnosticCode, message: string, nodeId?: string) =>
    out.push({ code, severity: 'error', nodeId, message });
  if (doc.nodes.length === 0) {
    error('EMPTY_GRAPH', 'the graph is empty: add an Input, some layers and an output layer');
    return { diagnostics: out, shapes, schedule: [] };
  }
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const incoming = incomingByPort(doc);
  const { order, cyclic } = topologicalOrder(doc);
  const onCycle = new Set(cyclic);

  const inputs = doc.nodes.filter((n) => n.kind === 'input');
  if (inputs.length === 0) error('NO_INPUT', 'the graph has no Input node');
  if (inputs.length > 1)
    for (const n of inputs.slice(1))
      error('MULTIPLE_INPUTS', `a network takes one Input; "${inputs[0].id}" is the first`, n.id);

  for (const node of doc.nodes) {
    const ports = layerDef(node.kind).inputPorts(node.params);
    for (const port of ports) {
      const edges = incoming.get(node.id)?.get(port) ?? [];
      if (edges.length === 0) error('UNCONNECTED_INPUT', `input "${port}" is not connected`, node.id);
      if (edges.length > 1)
        error(
          'DOUBLE_INPUT',
          `input "${port}" has ${edges.length} connections (${edges.map((e) => `"${e.source}"`).join(', ')}); it takes one`,
          node.id,
        );
    }
    if (onCycle.has(node.id)) error('CYCLE', 'this layer is on a cycle: a network must flow one way', node.id);
    const info = shapes.get(node.id);
    if (info?.error) {
      const got = info.inputs.map((s, i) => `${ports[i]} ${fmt(s)}`).join(', ');
      error('SHAPE_MISMATCH', `${info.error.field}: ${info.error.message} (inputs: ${got})`, node.id);
    }
  }

  const outputId = pickOutput(doc, error);
  const schedule: string[] = [];
  if (outputId) {
    const output = byId.get(outputId)!;
    const needed = ancestors(outputId, byId, incoming);
    const reachedFromInput = inputs.some((i) => needed.has(i.id));
    if (!reachedFromInput && inputs.length > 0)
      error('NO_PATH', 'no path leads from the Input to this output', outputId);
    for (const node of doc.nodes)
      if (!needed.has(node.id) && node.kind !== 'input')
        out.push({
          code: 'UNUSED_NODE',
          severity: 'warning',
          nodeId: node.id,
          message: `this layer does not feed the output "${outputId}"`,
        });
    const folded = foldedIntoLoss(doc, output);
    if (folded)
      out.push({
        code: 'FOLDED_INTO_LOSS',
        severity: 'warning',
        nodeId: output.id,
        message: `${folded.lossTitle} applies the ${folded.fn} itself: this layer is left out while training (a second ${folded.fn} would flatten the gradients), and the loss reads its input`,
      });
    const shape = shapes.get(outputId)?.output;
    const loss = losses[doc.training.loss.kind];
    if (shape) {
      const misfit = loss.check(shape);
      if (misfit) error('LOSS_MISMATCH', `${loss.title} cannot read this output: ${misfit}`, output.id);
    }
    schedule.push(...order.filter((id) => needed.has(id)));
    // Problems of layers the output does not depend on do not stop training: they are warnings.
    for (const d of out)
      if (d.nodeId !== undefined && !needed.has(d.nodeId) && d.severity === 'error') d.severity = 'warning';
  }
  return { diagnostics: out, shapes, outputId, schedule: out.some((d) => d.severity === 'error') ? [] : schedule };
}

/**
 * An activation at the output that the loss already applies (softmax before softmax cross-entropy, sigmoid
 * before sigmoid binary cross-entropy, as Keras habits put them): training folds it into the loss.
 */
export function foldedIntoLoss(
  doc: GraphDocument,
  output: GraphNode,
): { fn: 'softmax' | 'sigmoid'; lossTitle: string } | undefined {
  if (output.kind !== 'activation') return undefined;
  const loss = doc.training.loss.kind;
  const fn = output.params.fn;
  if (
    (fn === 'softmax' && loss === 'softmax-cross-entropy') ||
    (fn === 'sigmoid' && loss === 'sigmoid-binary-cross-entropy')
  )
    return { fn, lossTitle: losses[loss].title };
  return undefined;
}

function pickOutput(
  doc: GraphDocument,
  error: (code: DiagnosticCode, message: string, nodeId?: string) => void,
): string | undefined {
  const named = doc.training.loss.output;
  if (named !== undefined) {
    if (!doc.nodes.some((n) => n.id === named)) {
      error('MISSING_OUTPUT', `the loss reads node "${named}", which does not exist`);
      return undefined;
    }
    return named;
  }
  const read = new Set(doc.edges.map((e) => e.source));
  const sinks = doc.nodes.filter((n) => !read.has(n.id) && n.kind !== 'input');
  if (sinks.length === 1) return sinks[0].id;
  if (sinks.length === 0) error('NO_OUTPUT', 'the graph has no output layer for the loss to read');
  else
    for (const s of sinks)
      error(
        'AMBIGUOUS_OUTPUT',
        `${sinks.length} layers end the graph (${sinks.map((x) => `"${x.id}"`).join(', ')}): choose the one the loss reads`,
        s.id,
      );
  return undefined;
}

/** The node and everything it depends on, walked iteratively. */
function ancestors(id: string, byId: Map<string, GraphNode>, incoming: ReturnType<typeof incomingByPort>): Set<string> {
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length > 0) {
    const current = byId.get(stack.pop()!)!;
    for (const port of layerDef(current.kind).inputPorts(current.params))
      for (const e of incoming.get(current.id)?.get(port) ?? [])
        if (!seen.has(e.source) && byId.has(e.source)) {
          seen.add(e.source);
          stack.push(e.source);
        }
  }
  return seen;
}
