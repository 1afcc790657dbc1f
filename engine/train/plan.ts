import { EngineError, type EngineErrorCode } from '../errors';
import { type Diagnostic, diagnoseGraph, foldedIntoLoss } from '../graph/diagnostics';
import type { GraphDocument, GraphNode } from '../graph/schema';
import { incomingByPort } from '../graph/topology';
import type { Shape } from '../layers/layer';
import { layerDef } from '../layers/registry';

/** One node the training schedule runs, with its shapes and the node ids feeding each input port. */
export interface PlannedNode {
  node: GraphNode;
  inputs: string[];
  inputShapes: Shape[];
  outputShape: Shape;
  /** Whether gradients must flow into this node's output (false for data and what only data feeds). */
  needsGrad: boolean;
}

/** Plain data: the same plan runs in the worker, in the command line and in tests. */
export interface TrainingPlan {
  /** In execution order (topological), only the nodes the loss depends on. */
  nodes: PlannedNode[];
  inputNode: PlannedNode;
  /** The node whose output the loss reads (the logits, when an activation was folded into the loss). */
  outputNode: PlannedNode;
  /** The output activation the loss already applies, left out of training (see foldedIntoLoss). */
  folded?: string;
}

const errorCodes: Partial<Record<Diagnostic['code'], EngineErrorCode>> = {
  SHAPE_MISMATCH: 'SHAPE_MISMATCH',
  LOSS_MISMATCH: 'LOSS_MISMATCH',
};

/** The schedule of a graph that can train, or an error naming the node of its first problem. */
export function planTraining(doc: GraphDocument): TrainingPlan {
  const { diagnostics, shapes, outputId, schedule } = diagnoseGraph(doc);
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first) {
    const node = first.nodeId === undefined ? undefined : doc.nodes.find((n) => n.id === first.nodeId);
    const where = node ? `node "${node.id}" (${node.kind}): ` : '';
    throw new EngineError(errorCodes[first.code] ?? 'INVALID_GRAPH', `${where}${first.message}`, first.nodeId);
  }
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const incoming = incomingByPort(doc);
  const planned = new Map<string, PlannedNode>();
  const nodes = schedule.map((id) => {
    const node = byId.get(id)!;
    const info = shapes.get(id)!;
    const def = layerDef(node.kind);
    const inputs = def.inputPorts(node.params).map((port) => incoming.get(id)!.get(port)![0].source);
    const hasParams = Object.keys(def.paramSpecs(node.params, info.inputs as Shape[])).length > 0;
    const entry: PlannedNode = {
      node,
      inputs,
      inputShapes: info.inputs as Shape[],
      outputShape: info.output!,
      needsGrad: hasParams || inputs.some((i) => planned.get(i)!.needsGrad),
    };
    planned.set(id, entry);
    return entry;
  });
  const inputNode = nodes.find((n) => n.node.kind === 'input')!;
  const output = planned.get(outputId!)!;
  // A softmax before softmax cross-entropy (or a sigmoid before its binary cross-entropy) is not run: the
  // loss reads its input, the logits, so the activation is applied once, inside the loss.
  if (foldedIntoLoss(doc, output.node) && output.inputs.length === 1 && planned.get(output.inputs[0])!.needsGrad)
    return {
      nodes: nodes.filter((n) => n !== output),
      inputNode,
      outputNode: planned.get(output.inputs[0])!,
      folded: output.node.id,
    };
  return { nodes, inputNode, outputNode: output };
}
