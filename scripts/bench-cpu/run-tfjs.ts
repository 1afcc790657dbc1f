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
import * as tfl from '@tensorflow/tfjs-layers';
import { measure } from './measure';
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

/** The same network in tfjs-layers terms (channels last for images). */
function model(): tfl.Sequential {
  const m = tfl.sequential();
  if (values.workload === 'mlp') {
    m.add(tfl.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
    m.add(tfl.layers.dense({ units: 256, activation: 'relu' }));
  } else if (values.workload === 'lenet') {
    m.add(
      tfl.layers.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
    );
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 120, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 84, activation: 'relu' }));
  } else {
    // Glorot rather than the default orthogonal recurrent initialiser, whose QR fails in these backends;
    // initialisation does not change the speed.
    m.add(tfl.layers.lstm({ units: 128, inputShape: [28, 28], recurrentInitializer: 'glorotUniform' }));
  }
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  const o = workload.optimizer;
  m.compile({
    optimizer: o.kind === 'adam' ? tf.train.adam(o.lr) : tf.train.momentum(o.lr, o.momentum),
    loss: 'sparseCategoricalCrossentropy',
  });
  return m;
}

const { x, labels } = syntheticBatch(workload, batch);
const shape = values.workload === 'lenet' ? [batch, 28, 28, 1] : [batch, ...workload.inputShape];
const xs = tf.tensor(x, shape);
const ys = tf.tensor(Float32Array.from(labels), [batch, 1]);
try {
  const m = model();
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
