import { chooseBackend } from './backend/choose';
import { createFastMatmul } from './backend/cpu/fast-matmul';
import { WasmArena } from './backend/cpu/wasm/arena';
import type { SpawnThread } from './backend/cpu/wasm/kernel-threads';
import { type BackendStatus, cpuStatus, probeWebGpu } from './backend/status';
import { EngineError } from './errors';
import { analyseGraph, type GraphAnalysis } from './graph/analysis';
import { loadGraph } from './graph/load';
import type { GraphDocument } from './graph/schema';
import { type DatasetInput, resolveData, wholeDataset } from './session-data';
import { SessionHost } from './session-host';
import type { EngineEvent, RunEnd, SessionInfo, SessionOptions, SettingsPatch } from './session-types';
import { sweepInEngine } from './sweep-host';
import type { LookInsideAnswer, LookInsideQuestion } from './train/explain';
import type { Inspection, Prediction } from './train/inspect';
import type { PredictAnswer, PredictInputs } from './train/predict';
import type { RateSearch, RateSearchOptions } from './train/rate-finder';
import type { SweepResult, SweepSpec } from './train/sweep';
import type { EpochMetrics, Evaluation } from './train/trainer';

export interface EngineEnvironment {
  gpu: GPU | undefined;
  cores: number | undefined;
  /** Wraps an event before it crosses to the page (the worker marks its buffers for transfer). */
  transferable?: (event: EngineEvent) => EngineEvent;
  /** Starts a helper thread for the CPU kernels (workers of the platform); none: one thread. */
  spawnThread?: SpawnThread;
}

export interface OpenSessionArgs {
  doc: GraphDocument;
  data: DatasetInput;
  options?: SessionOptions;
  /** Continue from this checkpoint (after a crash, or a saved run). */
  checkpoint?: Uint8Array;
  /** The checkpoint's file, named in any refusal. */
  checkpointName?: string;
}

/**
 * The engine's interface: the same object runs in-process (tests, the command line) and behind Comlink
 * in the worker. Every method takes at most one plain-data argument and returns plain data; progress
 * comes as events to the listener given to `subscribe`. Errors carry a `code` (EngineError).
 */
export interface EngineApi {
  ping(): Promise<'pong'>;
  /** The backends this machine offers, CPU first. */
  backends(): Promise<BackendStatus[]>;
  /** Shapes, sizes and diagnostics of a graph, for the editor. */
  analyse(doc: GraphDocument): Promise<GraphAnalysis>;
  subscribe(listener: (event: EngineEvent) => void): Promise<void>;
  open(args: OpenSessionArgs): Promise<SessionInfo>;
  /**
   * Trains until paused, stopped or finished, or for `steps` steps; says why it ended and at which step
   * (events travel on their own channel: the caller may wait for the steps up to it).
   */
  run(args?: { steps?: number }): Promise<{ end: RunEnd; step: number }>;
  pause(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Loss and accuracy of the current weights: on the validation set (the training set without one), or on
   * other data (a test set; `which: 'test'` reads a bundled dataset's test set). Not while running.
   */
  evaluate(args?: { data: DatasetInput; which?: 'train' | 'test' }): Promise<Evaluation>;
  /**
   * The epochs so far (those before a resume included), whether early stopping ended the run, and the
   * step its state is at (after an error: the last good step).
   */
  summary(): Promise<{ history: EpochMetrics[]; stoppedEarly: boolean; step: number }>;
  /**
   * The network's answers for inputs of the user's: ready rows of the Input's shape, image files (decoded
   * and resized as its images were) or CSV text (its training columns, scaled as its training set was).
   * Class probabilities for a classifier, outputs otherwise, the inputs as the network saw them, and how
   * long the forward passes took; CSV rows that hold the training set's label columns are also scored (their
   * targets, and the loss and accuracy of the evaluation pass). Not while running.
   */
  predict(inputs: PredictInputs): Promise<PredictAnswer>;
  /**
   * Look inside, for one prepared input (a row of the Input's shape, as predict returns them), in evaluation
   * mode: what a layer makes of it (a convolution's feature maps), why the network scores it as it does
   * (saliency and Grad-CAM from the backward pass), a recurrent layer's states over time; or a layer's
   * weights. Not while running.
   */
  lookInside(question: LookInsideQuestion): Promise<LookInsideAnswer>;
  /**
   * A layer whose units over the plane (a network of 2-D points) are sent with the decision boundary while
   * a run trains, as a 'plane-units' event (and once now, when paused); null: none.
   */
  watchPlaneUnits(args: { nodeId: string | null }): Promise<void>;
  /** The first training samples (at most 64) as the data gives them, before any augmentation. */
  trainingSamples(args: { count: number }): Promise<{ x: Float32Array; shape: number[]; count: number }>;
  /**
   * The network on the validation set, while not running: a classifier's confusion matrix and first
   * predictions, a regression's errors, scatter and worst samples, or several labels' figures. With data: on
   * that data instead (a test set: the bundled dataset's test part, or files read as the training set was).
   */
  inspect(args?: { data: DatasetInput; which?: 'train' | 'test' }): Promise<Inspection>;
  /**
   * The samples of one cell of the last inspection's confusion matrix (true class `label`, predicted
   * `predicted`), classified by the current weights, the surest first (at most 24).
   */
  cellSamples(cell: { label: number; predicted: number }): Promise<Prediction[]>;
  /**
   * The learning-rate range test from the current weights (on a copy: the run's own are untouched), while
   * not running: a step at each rate from `from` to `to`, their losses, and a suggested rate.
   */
  findLearningRate(options?: RateSearchOptions): Promise<RateSearch>;
  /** Ends the learning-rate test under way after its current step (it answers with the steps taken). */
  stopFindingRate(): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<SessionInfo>;
  checkpoint(): Promise<Uint8Array>;
  /**
   * Weights trained elsewhere (a safetensors file of the exported PyTorch module's state_dict) into the open
   * session, in place of its own; the optimizer starts fresh. Refused, with nothing changed, when a tensor is
   * missing, has another shape, or is not one of this network's. Not while running.
   */
  importWeights(args: { bytes: Uint8Array; file: string }): Promise<void>;
  /**
   * A sweep: the document trained once per combination of the spec's values, one run after another (each
   * fresh, on the document's data), sending a sweep-result event as each run ends and sweep-progress as it
   * goes. Runs in `done` that completed are not run again (a resumed sweep). Resolves with every result.
   */
  sweep(args: {
    doc: GraphDocument;
    data: DatasetInput;
    spec: SweepSpec;
    done?: SweepResult[];
  }): Promise<SweepResult[]>;
  /** Stops the sweep after the current step: finished runs are kept, the one it stops is marked stopped. */
  stopSweep(): Promise<void>;
  close(): Promise<void>;
}

export function createEngineApi(env: EngineEnvironment): EngineApi {
  let listener: ((event: EngineEvent) => void) | undefined;
  let session: SessionHost | undefined;
  let sweepStopped = false;
  const current = () => {
    if (!session) throw new EngineError('INTERNAL', 'no training session is open');
    return session;
  };
  const emit = (event: EngineEvent) => {
    // Over Comlink the listener answers with a promise; a page that went away must not crash the worker.
    const answer: unknown = listener?.(env.transferable ? env.transferable(event) : event);
    if (answer instanceof Promise) answer.catch(() => {});
  };
  return {
    ping: async () => 'pong',
    backends: async () => {
      const arena = WasmArena.create();
      const kernels = arena ? 'shared-memory' : createFastMatmul() ? 'simd' : 'plain';
      return [cpuStatus(env.cores, kernels, arena?.fusedMultiplyAdd), await probeWebGpu(env.gpu)];
    },
    analyse: async (doc) => analyseGraph(doc),
    async subscribe(l) {
      listener = l;
    },
    async open({ doc, data, options, checkpoint, checkpointName }) {
      // The document crossed a boundary: check it as any file before building anything from it.
      const checked = loadGraph(doc);
      if (!checked.ok)
        throw new EngineError('INVALID_GRAPH', checked.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
      // Progress at most ten times a second, and always the last.
      let told = 0;
      const progress = (done: number, total: number, what: string) => {
        const now = performance.now();
        if (done < total && now - told < 100) return;
        told = now;
        emit({ type: 'loading', done, total, what });
      };
      const { train, validation } = await resolveData(checked.document, data, progress);
      await session?.close();
      // What takes the time after the data, said as it happens (checking every shader module; each kernel's
      // pipeline is then made at its first use, in the first step).
      if (checked.document.training.backend !== 'cpu')
        emit({ type: 'loading', done: 0, total: 1, what: 'compiling the GPU kernels' });
      const backend = await chooseBackend(checked.document.training.backend, env);
      emit({ type: 'loading', done: 0, total: 1, what: 'building the network and its memory' });
      session = new SessionHost(
        checked.document,
        train,
        validation,
        backend,
        emit,
        options,
        checkpoint,
        checkpointName,
      );
      return session.info();
    },
    async run(args = {}) {
      const s = current();
      const end = await s.run(args.steps);
      return { end, step: s.info().step };
    },
    pause: async () => current().pause(),
    stop: async () => current().stop(),
    async evaluate(args) {
      const s = current();
      if (!args) return s.evaluate();
      return s.evaluateOn(await wholeDataset(s.doc, args.data, undefined, args.which, s.dataReading()));
    },
    summary: async () => current().summary(),
    async inspect(args) {
      const s = current();
      if (!args) return s.inspect();
      return s.inspectOn(await wholeDataset(s.doc, args.data, undefined, args.which, s.dataReading()));
    },
    cellSamples: async (cell) => current().cellSamples(cell),
    findLearningRate: async (options) => current().findLearningRate(options),
    stopFindingRate: async () => current().stopFindingRate(),
    trainingSamples: async ({ count }) => current().trainingSamples(count),
    predict: async (inputs) => current().predict(inputs),
    lookInside: async (question) => current().lookInside(question),
    watchPlaneUnits: async ({ nodeId }) => current().watchPlaneUnits(nodeId),
    updateSettings: async (patch) => current().updateSettings(patch),
    checkpoint: async () => current().checkpoint(),
    importWeights: async ({ bytes, file }) => current().importWeights(bytes, file),
    async sweep(args) {
      sweepStopped = false;
      return sweepInEngine(env, args, () => sweepStopped, emit);
    },
    async stopSweep() {
      sweepStopped = true;
    },
    async close() {
      await session?.close();
      session = undefined;
    },
  };
}

export type { BackendId, BackendStatus } from './backend/status';
export type { GraphAnalysis } from './graph/analysis';
export type { DatasetInput } from './session-data';
export type {
  EngineEvent,
  RunEnd,
  SessionInfo,
  SessionOptions,
  SettingsPatch,
} from './session-types';
export type { SweepEvent } from './sweep-host';
export type { DecisionBoundary } from './train/decision-boundary';
export type { LabelInspection } from './train/evaluate-labels';
export type { RegressionInspection } from './train/evaluate-regression';
export type { LookInsideAnswer, LookInsideQuestion, StateOverTime } from './train/explain';
export type { ClassInspection, Inspection, Prediction } from './train/inspect';
export type { UnitsOverPlane } from './train/plane-units';
export type { RateSearch, RateSearchOptions, RateSteps } from './train/rate-finder';
export type { StepColumns, StepReport } from './train/step-columns';
export type { SweepResult, SweepSpec, SweepValue } from './train/sweep';
export type { NodeTelemetry, TelemetryFrame } from './train/telemetry';
export type { EpochMetrics, Evaluation } from './train/trainer';
