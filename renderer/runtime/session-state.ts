import type { SchedulerLike } from 'rxjs';
import type { DatasetInput, SessionOptions } from '../../engine/api';
import type { GraphDocument } from '../../engine/graph';
import type { ConnectEngine } from './engine-connection';

/* What a training session of the page is made with, and what it says of itself. */

/** Data to evaluate a run on besides its own: the bundled dataset's test part, or files the user picked. */
export type TestData = { data: DatasetInput; which?: 'train' | 'test' };

export type SessionState = 'idle' | 'opening' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed' | 'recovering';

/** A run that is training, or about to (opening, or recovering from a lost worker): its settings are locked. */
export const isTraining = (state: SessionState) => state === 'running' || state === 'opening' || state === 'recovering';

export interface SessionNotice {
  kind: 'info' | 'warning' | 'error';
  message: string;
}

export interface TrainingSessionOptions {
  connect: ConnectEngine;
  doc: GraphDocument;
  data: DatasetInput;
  engine?: SessionOptions;
  /**
   * How often the worker is pinged, and how long it may stay silent before it counts as lost (ms): at least
   * `timeoutMs`, more once its steps are seen to take long (see Liveness), `firstStepMs` before its first.
   */
  heartbeat?: { intervalMs: number; timeoutMs: number; firstStepMs?: number };
  /** The UI hears at most one frame per this many ms (about ten a second). */
  frameMs?: number;
  scheduler?: SchedulerLike;
}
