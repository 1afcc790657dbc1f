import { type BackendStatus, cpuStatus, probeWebGpu } from './backend/status';

export interface EngineEnvironment {
  gpu: GPU | undefined;
  cores: number | undefined;
}

/**
 * The engine's interface: the same object runs in-process (tests, CLI) and behind Comlink in the
 * worker. Every method takes at most one plain-data argument and returns plain data.
 */
export interface EngineApi {
  ping(): Promise<'pong'>;
  /** The backends this machine offers, CPU first. */
  backends(): Promise<BackendStatus[]>;
}

export function createEngineApi(env: EngineEnvironment): EngineApi {
  return {
    ping: async () => 'pong',
    backends: async () => [cpuStatus(env.cores), await probeWebGpu(env.gpu)],
  };
}

export type { BackendId, BackendStatus } from './backend/status';
