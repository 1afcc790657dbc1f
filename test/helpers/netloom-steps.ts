import { createEngineApi, type DatasetInput } from '../../engine/api';
import { checkpointWeights } from '../../engine/export/pytorch';
import type { GraphDocument } from '../../engine/graph';

/**
 * The losses the engine takes over its first `steps` steps of a document on its data, and its starting
 * weights as the exported module's safetensors (for the script to start from the same point).
 */
export async function netloomSteps(
  doc: GraphDocument,
  data: DatasetInput,
  steps: number,
): Promise<{ losses: number[]; start: Uint8Array }> {
  const api = createEngineApi({ gpu: undefined, cores: 1 });
  const losses: number[] = [];
  await api.subscribe((e) => {
    if (e.type === 'steps') losses.push(...e.steps.loss);
  });
  await api.open({ doc, data, options: { checkpointIntervalMs: Number.POSITIVE_INFINITY } });
  const start = checkpointWeights(doc, await api.checkpoint(), 'start.ckpt');
  await api.run({ steps });
  await api.close();
  return { losses, start };
}
