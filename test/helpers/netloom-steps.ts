import { createEngineApi, type DatasetInput, type EpochMetrics } from '../../engine/api';
import { checkpointWeights } from '../../engine/export/pytorch';
import type { GraphDocument } from '../../engine/graph';

/**
 * The losses the engine takes over its first `steps` steps of a document on its data, the epochs it ends
 * on the way, and its starting weights as the exported module's safetensors (for the script to start from
 * the same point).
 */
export async function netloomSteps(
  doc: GraphDocument,
  data: DatasetInput,
  steps: number,
): Promise<{ losses: number[]; epochs: EpochMetrics[]; start: Uint8Array }> {
  const api = createEngineApi({ gpu: undefined, cores: 1 });
  const losses: number[] = [];
  const epochs: EpochMetrics[] = [];
  await api.subscribe((e) => {
    if (e.type !== 'steps') return;
    losses.push(...e.steps.loss);
    epochs.push(...e.epochs);
  });
  await api.open({ doc, data, options: { checkpointIntervalMs: Number.POSITIVE_INFINITY } });
  const start = checkpointWeights(doc, await api.checkpoint(), 'start.ckpt');
  await api.run({ steps });
  await api.close();
  return { losses, epochs, start };
}
