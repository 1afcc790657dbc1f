/** One Netloom measurement, in its own process so that its peak memory is its own; prints one JSON line. */

import { parseArgs } from 'node:util';
import { nodeSpawnThread } from '../../cli/threads';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import type { Dataset } from '../../engine/data/dataset';
import { emptyDocument, loadGraph } from '../../engine/graph';
import { Trainer } from '../../engine/train/trainer';
import { measure } from './measure';
import { syntheticBatch, type WorkloadName, workloads } from './workloads';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'mlp' },
    batch: { type: 'string', default: '64' },
    reference: { type: 'boolean', default: false },
    'one-thread': { type: 'boolean', default: false },
    /** The MLP's hidden width (for the scaling table). */
    width: { type: 'string' },
    runs: { type: 'string', default: '5' },
  },
});
const named = workloads[values.workload as WorkloadName];
const width = Number(values.width ?? 0);
const workload =
  values.workload === 'mlp' && width > 0
    ? {
        ...named,
        layers: named.layers.map(([kind, params]) =>
          kind === 'dense' && params?.units === 256
            ? ([kind, { units: width }] as (typeof named.layers)[number])
            : [kind, params],
        ) as typeof named.layers,
      }
    : named;
const batch = Number(values.batch);

const base = emptyDocument();
const nodes = [
  { id: 'input', kind: 'input', params: { shape: workload.inputShape }, position: { x: 0, y: 0 } },
  ...workload.layers.map(([kind, params = {}], i) => ({ id: `n${i + 1}`, kind, params, position: { x: 0, y: 0 } })),
];
const loaded = loadGraph({
  ...base,
  nodes,
  edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id })),
  training: {
    ...base.training,
    dataset: { source: 'synthetic', generator: 'xor' },
    validation: { split: 0 },
    loss: { kind: 'softmax-cross-entropy' },
    optimizer: workload.optimizer,
    batchSize: batch,
    epochs: 100_000,
  },
});
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));

// Eight batches of random samples, so that each step gathers a shuffled batch as in real training.
const { x, labels } = syntheticBatch(workload, batch * 8);
const data: Dataset = {
  name: 'random',
  inputShape: workload.inputShape,
  count: batch * 8,
  x,
  targetKind: 'class',
  targetSize: 1,
  targets: Float32Array.from(labels),
  classes: 10,
};
const trainer = new Trainer(
  loaded.document,
  createCpuBackend('f32', { fast: !values.reference, spawnThread: values['one-thread'] ? undefined : nodeSpawnThread }),
  data,
);
const result = await measure(() => trainer.runSteps(1), batch, { runs: Number(values.runs) });
process.stdout.write(`${JSON.stringify(result)}\n`);
