import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type WorkloadName, workloads } from './workloads';

/** A workload's network in tfjs-layers terms (channels last for images), compiled with its optimizer. */
export function tfjsModel(name: WorkloadName): tfl.Sequential {
  const m = tfl.sequential();
  if (name === 'mlp') {
    m.add(tfl.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
    m.add(tfl.layers.dense({ units: 256, activation: 'relu' }));
  } else if (name === 'lenet') {
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
    // Glorot rather than the default orthogonal recurrent initialiser, whose QR fails in the wasm and cpu
    // backends; initialisation does not change the speed.
    m.add(tfl.layers.lstm({ units: 128, inputShape: [28, 28], recurrentInitializer: 'glorotUniform' }));
  }
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  const o = workloads[name].optimizer;
  m.compile({
    optimizer: o.kind === 'adam' ? tf.train.adam(o.lr) : tf.train.momentum(o.lr, o.momentum),
    loss: 'sparseCategoricalCrossentropy',
  });
  return m;
}
