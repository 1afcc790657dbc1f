/**
 * One TensorFlow.js measurement (backend 'wasm' or 'cpu'), in its own process; prints one JSON line, or
 * {"error": "..."} when the backend cannot train the workload.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { measure } from './measure';
import { tfjsModel } from './tfjs-model';
import { syntheticBatch, type WorkloadName, workloads } from './workloads';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'mlp' },
    batch: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'wasm' },
    runs: { type: 'string', default: '5' },
  },
});
const workload = workloads[values.workload as WorkloadName];
const batch = Number(values.batch);

if (values.backend === 'wasm') {
  const wasmEntry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${dirname(wasmEntry)}/`);
}
await tf.setBackend(values.backend!);
await tf.ready();

const { x, labels } = syntheticBatch(workload, batch);
const shape = values.workload === 'lenet' ? [batch, 28, 28, 1] : [batch, ...workload.inputShape];
const xs = tf.tensor(x, shape);
const ys = tf.tensor(Float32Array.from(labels), [batch, 1]);
try {
  const m = tfjsModel(values.workload as WorkloadName);
  const result = await measure(
    async () => {
      await m.trainOnBatch(xs, ys);
    },
    batch,
    { runs: Number(values.runs) },
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as Error).message.split('\n')[0] })}\n`);
}
