import * as Comlink from 'comlink';
import { createEngineApi } from './api';
import type { EngineEvent } from './session-host';

/** Checkpoints move to the page without a copy. */
const transferable = (event: EngineEvent) =>
  event.type === 'checkpoint' ? Comlink.transfer(event, [event.bytes.buffer]) : event;

// The worker is the engine: the page talks to it only through this exposed API.
Comlink.expose(createEngineApi({ gpu: self.navigator.gpu, cores: self.navigator.hardwareConcurrency, transferable }));
