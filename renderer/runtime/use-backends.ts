import { useEffect, useState } from 'react';
import type { BackendStatus } from '../../engine/api';
import { connectBrowserWorker } from './engine-connection';

export type BackendsState =
  | { state: 'loading' }
  | { state: 'ready'; backends: BackendStatus[] }
  | { state: 'failed'; message: string };

/** Asks the engine worker, over Comlink, which backends this machine offers. */
export function useBackends(): BackendsState {
  const [status, setStatus] = useState<BackendsState>({ state: 'loading' });
  useEffect(() => {
    // A worker of its own, ended once it has answered: it holds a WebGPU adapter and the engine's code
    // (3 MB), which a training session's worker loads for itself.
    const engine = connectBrowserWorker();
    let live = true;
    engine.api
      .backends()
      .then((backends) => live && setStatus({ state: 'ready', backends }))
      .catch(
        (error: Error) => live && setStatus({ state: 'failed', message: `engine worker failed: ${error.message}` }),
      )
      .finally(() => engine.terminate());
    return () => {
      live = false;
      engine.terminate();
    };
  }, []);
  return status;
}
