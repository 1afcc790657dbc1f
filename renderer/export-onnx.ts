import type { GraphDocument } from '../engine/graph';
import { exportOnnx } from '../engine/onnx/export';
import { checkpointWeightOf, initialWeightOf } from '../engine/train/network-weights';

/**
 * The document's network as an ONNX model: the current run's weights when one is given, otherwise the
 * weights a run of it starts from.
 */
export async function onnxModel(
  doc: GraphDocument,
  checkpoint: Uint8Array | undefined,
  probabilities: boolean,
): Promise<Uint8Array> {
  const weight = checkpoint
    ? checkpointWeightOf(doc, checkpoint, 'the current run').weight
    : await initialWeightOf(doc);
  return exportOnnx(doc, weight, { probabilities });
}
