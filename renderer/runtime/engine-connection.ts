import * as Comlink from 'comlink';
import type { EngineApi } from '../../engine/api';

/** A running engine worker: its API, a way to end it, and word when it dies. */
export interface EngineConnection {
  api: Comlink.Remote<EngineApi>;
  /** Called once if the worker crashes (an uncaught error or a failed load). */
  onCrash(listener: (reason: string) => void): void;
  /** Ends the worker; again, it does nothing. */
  terminate(): void;
}

export type ConnectEngine = () => EngineConnection;

/** The engine in a dedicated Web Worker (the app, in Electron and in browsers). */
export const connectBrowserWorker: ConnectEngine = () => {
  const worker = new Worker(new URL('../../engine/worker.ts', import.meta.url), {
    type: 'module',
    name: 'netloom-engine',
  });
  const api = Comlink.wrap<EngineApi>(worker);
  let ended = false;
  return {
    api,
    onCrash(listener) {
      worker.addEventListener('error', (event) => listener(event.message || 'the engine worker failed'), {
        once: true,
      });
    },
    terminate() {
      // Once: a released proxy throws when released again.
      if (ended) return;
      ended = true;
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
};
