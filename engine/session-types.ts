import type { BackendId } from './backend/backend-id';
import type { DataReading } from './data/dataset';
import type { Training } from './graph/training-schema';
import type { SweepEvent } from './sweep-host';
import type { DecisionBoundary } from './train/decision-boundary';
import type { UnitsOverPlane } from './train/plane-units';
import type { RateSteps } from './train/rate-finder';
import type { StepColumns } from './train/step-columns';
import type { TelemetryFrame } from './train/telemetry';
import type { EpochMetrics } from './train/trainer';

/* What crosses between a training session in the engine worker and the page: its options, its events, what
   it says of itself, and the settings that may change between its runs. */

export interface SessionOptions {
  /** Least time between telemetry frames and between batches of step metrics (ms). */
  telemetryIntervalMs?: number;
  /** Per-layer statistics while training (the app's live view); off, only the steps' figures are sent. */
  telemetry?: boolean;
  /** Least time between checkpoints sent to the page, which restores one if the worker dies (ms). */
  checkpointIntervalMs?: number;
}

export type RunEnd = 'paused' | 'stopped' | 'finished' | 'steps';

export type EngineEvent =
  /**
   * The steps since the last such event, as columns, and the epochs that ended among them: a few times a
   * second, or sooner when STEPS_PER_MESSAGE steps are waiting. Not one message per epoch: a small network
   * ends hundreds a second, and each message costs the page a task.
   */
  | { type: 'steps'; steps: StepColumns; epochs: EpochMetrics[] }
  | { type: 'telemetry'; frame: TelemetryFrame }
  /** The toys' decision boundary (networks of 2-D points), a few times a second and at the end of a run. */
  | { type: 'boundary'; boundary: DecisionBoundary }
  | { type: 'checkpoint'; step: number; bytes: Uint8Array }
  /**
   * The session moved to another backend (the GPU device was lost): it goes on from its last checkpoint,
   * at `step`; `reason` says why, for the user.
   */
  | { type: 'backend'; info: SessionInfo; reason: string; step: number }
  /** The units over the plane of the layer watched (watchPlaneUnits), with each decision boundary. */
  | { type: 'plane-units'; nodeId: string; units: UnitsOverPlane }
  /** The learning-rate test's steps so far, a few times a second while it runs (its answer holds them all). */
  | { type: 'rate-steps'; steps: RateSteps }
  /** Reading the dataset's files before the session opens. */
  | { type: 'loading'; done: number; total: number; what: string }
  | SweepEvent;

export interface SessionInfo {
  paramCount: number;
  batchSize: number;
  batchesPerEpoch: number;
  epochs: number;
  step: number;
  epoch: number;
  trainSamples: number;
  validationSamples: number;
  /** Bytes the session plans to hold: its buffers, weights, optimizer state and datasets. */
  plannedBytes: number;
  /** Where it trains, and why there. */
  backend: { id: BackendId; label: string; reason: string };
  /** How its training data was read, for new inputs to be prepared and their answers named alike. */
  readAs: DataReading;
}

/** Training settings that may change between runs of one session (the network itself may not). */
export type SettingsPatch = Partial<
  Pick<Training, 'optimizer' | 'batchSize' | 'regularization' | 'clipNorm' | 'epochs' | 'schedule' | 'augmentation'>
>;

/** Hands the page a buffer it may take over (Comlink transfers it when the host wraps events). */
export type Emit = (event: EngineEvent) => void;
