import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import type { LayerKind } from '../layers/registry';
import type { WeightOf } from '../train/network-weights';
import { planTraining } from '../train/plan';
import { node, onnx, type proto, valueInfo } from './builder';
import { type OnnxLayer, onnxLayers } from './export-layers';

/** The opset and IR version written: opset 17 (ONNX 1.12, which IR version 8 goes with). */
export const OPSET = 17;
export const IR_VERSION = 8;

/** Metadata keys of the document's own settings. */
export const NETLOOM_TRAINING = 'netloom.training';
export const NETLOOM_LAYERS = 'netloom.layers';

export interface OnnxExportOptions {
  /** A second output, "probabilities": the softmax (or sigmoid) the loss applies to the network's output. */
  probabilities?: boolean;
}

/**
 * A document's network as an ONNX inference model: every layer with its weights (batch norms with their
 * running statistics), the input named after the Input node with a symbolic batch dimension, the output
 * named after the output node (the logits, when the loss applies the softmax, as Netloom trains it).
 */
export function exportOnnx(doc: GraphDocument, weight: WeightOf, options: OnnxExportOptions = {}): Uint8Array {
  const plan = planTraining(doc);
  const nodes: proto.INodeProto[] = [];
  const initializers: proto.ITensorProto[] = [];
  // Every value is named after its node ("h1", "h1.W", "h1/Y"); ids are the user's, so two may meet.
  const owners = new Map<string, string>();
  const claim = (name: string, id: string) => {
    const other = owners.get(name);
    if (other !== undefined)
      throw new EngineError(
        'INVALID_DATA',
        `the layers "${other}" and "${id}" both give an ONNX value the name "${name}": rename one of them`,
        id,
      );
    owners.set(name, id);
  };
  claim(plan.inputNode.node.id, plan.inputNode.node.id);
  if (options.probabilities) claim('probabilities', 'probabilities (the output)');
  for (const p of plan.nodes) {
    const layer: OnnxLayer<LayerKind> = {
      id: p.node.id,
      inputs: p.inputs,
      params: p.node.params as never,
      inputShapes: p.inputShapes,
      outputShape: p.outputShape,
      weight: (name) => weight(p.node.id, name),
    };
    const part = (onnxLayers[p.node.kind] as (l: OnnxLayer<LayerKind>) => ReturnType<typeof onnxLayers.input>)(layer);
    for (const n of part.nodes) for (const out of n.output ?? []) claim(out, p.node.id);
    for (const t of part.initializers) claim(t.name ?? '', p.node.id);
    nodes.push(...part.nodes);
    initializers.push(...part.initializers);
  }
  const input = plan.inputNode.node.id;
  const output = plan.outputNode.node.id;
  const outputs = [valueInfo(output, ['N', ...plan.outputNode.outputShape])];
  if (options.probabilities) {
    const loss = doc.training.loss.kind;
    if (loss === 'mse')
      throw new EngineError('INVALID_DATA', 'a network trained with mean squared error has no probabilities to export');
    nodes.push(
      loss === 'softmax-cross-entropy'
        ? node('Softmax', [output], ['probabilities'], 'probabilities', { axis: -1 })
        : node('Sigmoid', [output], ['probabilities'], 'probabilities'),
    );
    outputs.push(valueInfo('probabilities', ['N', ...plan.outputNode.outputShape]));
  }
  const model: proto.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'netloom',
    producerVersion: '0.1.0',
    // What ONNX has no words for (initialisers, penalties, labels, positions, the training settings), so that
    // a model opened in Netloom again is the same document.
    metadataProps: [
      { key: NETLOOM_TRAINING, value: JSON.stringify(doc.training) },
      {
        key: NETLOOM_LAYERS,
        value: JSON.stringify(
          Object.fromEntries(
            doc.nodes.map((n) => [
              n.id,
              {
                kind: n.kind,
                params: n.params,
                position: n.position,
                ...(n.label !== undefined && { label: n.label }),
              },
            ]),
          ),
        ),
      },
    ],
    graph: {
      name: doc.name ?? 'network',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(input, ['N', ...plan.inputNode.outputShape])],
      output: outputs,
    },
  };
  // A plain array of its own (in Node, protobufjs hands out a Buffer from a shared pool).
  return new Uint8Array(onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish());
}
