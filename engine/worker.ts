import * as Comlink from 'comlink';
import { createEngineApi } from './api';
import type { SpawnThread } from './backend/cpu/wasm/kernel-threads';
import type { EngineEvent } from './session-types';

/** Checkpoints and steps' columns move to the page without a copy. */
const transferable = (event: EngineEvent) => {
  if (event.type === 'checkpoint') return Comlink.transfer(event, [event.bytes.buffer]);
  if (event.type === 'steps') return Comlink.transfer(event, [event.steps.step.buffer]);
  return event;
};

const cores = self.navigator.hardwareConcurrency;

/** The CPU kernels' helper thread: a worker of this worker, from its source (the CSP allows blob: workers). */
const spawnThread: SpawnThread = (source) => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  // Revoked once the worker has surely loaded it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return worker;
};

// The worker is the engine: the page talks to it only through this exposed API.
Comlink.expose(
  createEngineApi({
    gpu: self.navigator.gpu,
    cores,
    transferable,
    spawnThread: cores > 1 ? spawnThread : undefined,
  }),
);
