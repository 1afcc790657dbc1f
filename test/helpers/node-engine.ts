import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { EngineApi } from '../../engine/api';
import type { ConnectEngine } from '../../renderer/runtime/engine-connection';

const entry = new URL('./node-engine-worker.mjs', import.meta.url);

/** Engine workers as Node worker threads; `workers` lets a test kill one behind the session's back. */
export function nodeEngines(): { connect: ConnectEngine; workers: Worker[] } {
  const workers: Worker[] = [];
  const connect: ConnectEngine = () => {
    const worker = new Worker(entry);
    workers.push(worker);
    let ending = false;
    const api = Comlink.wrap<EngineApi>(nodeEndpoint(worker));
    return {
      api,
      onCrash(listener) {
        worker.once('error', (e) => listener(e.message));
        worker.once('exit', (code) => {
          if (!ending) listener(`exit code ${code}`);
        });
      },
      terminate() {
        ending = true;
        api[Comlink.releaseProxy]();
        void worker.terminate();
      },
    };
  };
  return { connect, workers };
}
