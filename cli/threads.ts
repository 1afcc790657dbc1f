import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import './wasm-features';
import type { SpawnThread } from '../engine/backend/cpu/wasm/kernel-threads';

/**
 * Helper threads for the CPU kernels in Node: worker_threads running the helper's source. They do not
 * keep the process alive. Undefined on a one-core machine, where a second thread only gets in the way.
 */
export const nodeSpawnThread: SpawnThread | undefined =
  cpus().length > 1
    ? (source) => {
        const worker = new Worker(source, { eval: true });
        worker.unref();
        return worker;
      }
    : undefined;
