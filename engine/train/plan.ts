import { EngineError } from '../errors';
import type { GraphDocument, GraphNode } from '../graph/schema';
import { inferShapes } from '../graph/shapes';
import { incomingByPort, topologicalOrder } from '../graph/topology';
import { type Shape, size } from '../layers/layer';
import { layerDef } from '../layers/registry';
import { losses } from '../losses/registry';

/** One node the training schedule runs, with its shapes and the node ids feeding each input port. */
export interface PlannedNode {
  node: GraphNode;
  inputs: string[];
  inputShapes: Shape[];
  outputShape: Shape;
  /** Whether gradients must flow into this node's output (false for data and what only data feeds). */
  needsGrad: boolean;
}

export interface TrainingPlan {
  /** In execution order (topological), only the nodes the loss depends on. */
  nodes: PlannedNode[];
  inputNode: PlannedNode;
  outputNode: PlannedNode;
}

/**
 * Turns a loaded document into the schedule a session runs, or stops with an error that names the node:
 * one input, a loss output that exists and fits the loss, every needed port connected once, no cycle,
 * every shape known.
 */
export function planTraining(doc: GraphDocument): TrainingPlan {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const output = lossOutput(doc);
  const incoming = incomingByPort(doc);
  const { order, cyclic } = topologicalOrder(doc);

  // Ancestors of the output, walked iteratively.
  const needed = new Set<string>([output.id]);
  const stack = [output.id];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const node = byId.get(id)!;
    for (const port of layerDef(node.kind).inputPorts(node.params)) {
      const edges = incoming.get(id)?.get(port) ?? [];
      if (edges.length === 0)
        throw new EngineError('INVALID_GRAPH', `input "${port}" of node "${id}" is not connected`, id);
      if (edges.length > 1)
        throw new EngineError(
          'INVALID_GRAPH',
          `input "${port}" of node "${id}" has ${edges.length} connections; it takes one`,
          id,
        );
      if (!needed.has(edges[0].source)) {
        needed.add(edges[0].source);
        stack.push(edges[0].source);
      }
    }
  }
  const onCycle = cyclic.find((id) => needed.has(id));
  if (onCycle)
    throw new EngineError('INVALID_GRAPH', `node "${onCycle}" is on a cycle; a network must flow one way`, onCycle);

  const shapes = inferShapes(doc);
  const nodes: PlannedNode[] = [];
  const planned = new Map<string, PlannedNode>();
  for (const id of order) {
    if (!needed.has(id)) continue;
    const node = byId.get(id)!;
    const info = shapes.get(id)!;
    if (info.error)
      throw new EngineError(
        'SHAPE_MISMATCH',
        `node "${id}" (${node.kind}): ${info.error.field}: ${info.error.message}`,
        id,
      );
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
    nodes.push(entry);
    planned.set(id, entry);
  }
  const inputs = nodes.filter((n) => n.node.kind === 'input');
  if (inputs.length !== 1)
    throw new EngineError(
      'INVALID_GRAPH',
      `the network needs exactly one Input node feeding the output, found ${inputs.length}`,
    );
  const outputNode = planned.get(output.id)!;
  const lossDef = losses[doc.training.loss.kind];
  const misfit = lossDef.check(outputNode.outputShape);
  if (misfit)
    throw new EngineError('LOSS_MISMATCH', `${lossDef.title} cannot read node "${output.id}": ${misfit}`, output.id);
  if (size(outputNode.outputShape) === 0)
    throw new EngineError('SHAPE_MISMATCH', `node "${output.id}" has an empty output`, output.id);
  return { nodes, inputNode: inputs[0], outputNode };
}

/** The loss reads the named node, or else the graph's only node whose output nobody reads. */
function lossOutput(doc: GraphDocument): GraphNode {
  const named = doc.training.loss.output;
  if (named !== undefined) {
    const node = doc.nodes.find((n) => n.id === named);
    if (!node) throw new EngineError('INVALID_GRAPH', `the loss reads node "${named}", which does not exist`);
    return node;
  }
  const read = new Set(doc.edges.map((e) => e.source));
  const sinks = doc.nodes.filter((n) => !read.has(n.id) && n.kind !== 'input');
  if (sinks.length !== 1)
    throw new EngineError(
      'INVALID_GRAPH',
      sinks.length === 0
        ? 'the network has no output node for the loss'
        : `the network has ${sinks.length} output nodes (${sinks.map((s) => `"${s.id}"`).join(', ')}): name the one the loss reads in training.loss.output`,
    );
  return sinks[0];
}
