import type { Shape } from '../layers/layer';
import { layerDef } from '../layers/registry';
import { optimizerRules } from '../ops/optimizers';
import { type Diagnostic, diagnoseGraph } from './diagnostics';
import { FLOAT_BYTES } from './limits';
import type { GraphDocument } from './schema';

/** What the editor writes on a node: its shape, size and cost, and what is wrong with it. */
export interface NodeAnalysis {
  id: string;
  kind: string;
  outputShape?: Shape;
  paramCount: number;
  /** Forward FLOPs per sample. */
  flops: number;
  /** Training memory at the document's batch size: activations and their gradients, parameters with
   *  their gradients and optimizer slots. */
  memoryBytes: number;
  diagnostics: Diagnostic[];
}

/**
 * A whole graph as plain data (it crosses the worker boundary as is). Keyed by the document's ids in Maps:
 * an id is the user's string, and one such as "__proto__" or "constructor" must not reach an object's
 * prototype.
 */
export interface GraphAnalysis {
  nodes: Map<string, NodeAnalysis>;
  /** The tensor shape carried by each edge. */
  edgeShapes: Map<string, Shape | undefined>;
  /** Problems that belong to no single node. */
  graphDiagnostics: Diagnostic[];
  totals: { paramCount: number; flops: number; memoryBytes: number };
  outputId?: string;
  canTrain: boolean;
}

export function analyseGraph(doc: GraphDocument): GraphAnalysis {
  const { diagnostics, shapes, outputId } = diagnoseGraph(doc);
  const batch = doc.training.batchSize;
  const perParamBytes = FLOAT_BYTES * (2 + optimizerRules[doc.training.optimizer.kind].slots);
  const nodes = new Map<string, NodeAnalysis>();
  const totals = { paramCount: 0, flops: 0, memoryBytes: 0 };
  for (const node of doc.nodes) {
    const info = shapes.get(node.id);
    const out = info?.output;
    const aliases = layerDef(node.kind).aliasesInput === true;
    const activations = out && !aliases ? 2 * batch * out.reduce((a, b) => a * b, 1) * FLOAT_BYTES : 0;
    const entry: NodeAnalysis = {
      id: node.id,
      kind: node.kind,
      outputShape: out,
      paramCount: info?.paramCount ?? 0,
      flops: info?.flops ?? 0,
      memoryBytes: activations + (info?.paramCount ?? 0) * perParamBytes,
      diagnostics: diagnostics.filter((d) => d.nodeId === node.id),
    };
    nodes.set(node.id, entry);
    totals.paramCount += entry.paramCount;
    totals.flops += entry.flops;
    totals.memoryBytes += entry.memoryBytes;
  }
  const edgeShapes = new Map(doc.edges.map((e) => [e.id, shapes.get(e.source)?.output]));
  return {
    nodes,
    edgeShapes,
    graphDiagnostics: diagnostics.filter((d) => d.nodeId === undefined),
    totals,
    outputId,
    canTrain: !diagnostics.some((d) => d.severity === 'error'),
  };
}
