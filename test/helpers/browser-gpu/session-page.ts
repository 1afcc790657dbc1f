/**
 * Runs in Chromium: a training session of the engine on WebGPU whose device is destroyed mid-run (as a
 * driver reset would), for the device-loss test. Every device the page creates is kept, to destroy one.
 */
import { createEngineApi, type EngineEvent } from '../../../engine/api';
import type { Dataset } from '../../../engine/data/dataset';
import { emptyDocument, loadGraph } from '../../../engine/graph';

const devices: GPUDevice[] = [];
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
  const device = await requestDevice.call(this, descriptor);
  devices.push(device);
  return device;
};

/** Points of the plane labelled by quadrant. */
function quadrants(count: number): Dataset {
  const x = new Float32Array(count * 2);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    x[2 * i] = Math.sin(i * 12.9898) * 2;
    x[2 * i + 1] = Math.cos(i * 78.233) * 2;
    targets[i] = (x[2 * i] > 0 ? 1 : 0) + (x[2 * i + 1] > 0 ? 2 : 0);
  }
  return { name: 'quadrants', inputShape: [2], count, x, targetKind: 'class', targetSize: 1, targets, classes: 4 };
}

/** Trains 40 steps, destroys the device, trains 40 more; with `gpuComesBack` false no adapter answers after. */
async function deviceLoss(gpuComesBack: boolean) {
  const base = emptyDocument();
  const chain: [string, string, Record<string, unknown>][] = [
    ['input', 'input', { shape: [2] }],
    ['hidden', 'dense', { units: 16 }],
    ['tanh', 'activation', { fn: 'tanh' }],
    ['out', 'dense', { units: 4 }],
  ];
  const loaded = loadGraph({
    ...base,
    nodes: chain.map(([id, kind, params]) => ({ id, kind, params, position: { x: 0, y: 0 } })),
    edges: chain.slice(1).map(([id], i) => ({ id: `e${i}`, source: chain[i][0], target: id })),
    training: {
      ...base.training,
      validation: { split: 0 },
      loss: { kind: 'softmax-cross-entropy' },
      optimizer: { kind: 'adam', lr: 0.02 },
      batchSize: 32,
      epochs: 1000,
      backend: 'webgpu',
    },
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const events: EngineEvent[] = [];
  const api = createEngineApi({ gpu: navigator.gpu, cores: 1 });
  await api.subscribe((e) => events.push(e));
  const opened = await api.open({
    doc: loaded.document,
    data: { kind: 'samples', train: quadrants(256) },
    options: { checkpointIntervalMs: 0 },
  });
  const first = await api.run({ steps: 40 });
  const devicesBefore = devices.length;
  if (!gpuComesBack) navigator.gpu.requestAdapter = async () => null;
  devices[devices.length - 1].destroy();
  const second = await api.run({ steps: 40 });
  // Closing the session gives its device back.
  await api.close();
  const last = devices[devices.length - 1];
  const released = await Promise.race([
    last.lost.then((info) => info.reason),
    new Promise((resolve) => setTimeout(() => resolve('still held'), 2000)),
  ]);
  const losses = events.flatMap((e) => (e.type === 'steps' ? [...e.steps.loss] : []));
  return {
    backend: opened.backend,
    first,
    devicesBefore,
    devicesAfter: devices.length,
    moved: events.flatMap((e) => (e.type === 'backend' ? [{ step: e.step, reason: e.reason, info: e.info }] : [])),
    second,
    released,
    firstLoss: losses[0],
    lastLoss: losses[losses.length - 1],
  };
}

(window as unknown as { deviceLoss: typeof deviceLoss }).deviceLoss = deviceLoss;
