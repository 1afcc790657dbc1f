import * as Comlink from 'comlink';
import type { EngineApi } from '../../engine/api';

export interface EngineClient {
  api: Comlink.Remote<EngineApi>;
  dispose(): void;
}

/** Starts the engine worker and wraps it; the caller owns it and must dispose it. */
export function startEngine(): EngineClient {
  const worker = new Worker(new URL('../../engine/worker.ts', import.meta.url), {
    type: 'module',
    name: 'netloom-engine',
  });
  const api = Comlink.wrap<EngineApi>(worker);
  return {
    api,
    dispose() {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
