/** The engine worker under Node: the same EngineApi as engine/worker.ts, over worker_threads. */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nodeSpawnThread } from '../../cli/threads';
import { createEngineApi } from '../../engine/api';
import type { EngineEvent } from '../../engine/session-types';

if (!parentPort) throw new Error('run this file as a worker thread');
const transferable = (event: EngineEvent) =>
  event.type === 'checkpoint' ? Comlink.transfer(event, [event.bytes.buffer]) : event;
Comlink.expose(
  createEngineApi({ gpu: undefined, cores: 2, transferable, spawnThread: nodeSpawnThread }),
  nodeEndpoint(parentPort),
);
