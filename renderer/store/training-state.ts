import type {
  DecisionBoundary,
  EngineApi,
  Inspection,
  LookInsideAnswer,
  LookInsideQuestion,
  NodeTelemetry,
  Prediction,
  RateSearch,
  RateSteps,
  SessionInfo,
  SettingsPatch,
  StepReport,
  UnitsOverPlane,
} from '../../engine/api';
import type { PredictInputs } from '../../engine/train/predict';
import type { SessionState, TestData } from '../runtime/session-state';
import { emptySeries, type RunSeries } from './run-series';

/** What the UI shows of a run before it has told anything: at first, and when a new run starts. */
export const noRunYet = () => ({
  info: null,
  progress: null,
  rate: 0,
  telemetry: new Map<string, NodeTelemetry>(),
  editedLayers: new Set<string>() as ReadonlySet<string>,
  series: emptySeries(),
  version: 0,
  loading: null,
  inspection: null,
  boundary: null,
  rateSteps: null,
  planeUnits: null,
  inspectionError: null,
  weightsFrom: null,
  lastTry: null,
  stepping: false,
});

export interface TrainingState {
  state: SessionState;
  /**
   * One step asked for from pause is under way: the run counts as paused for its settings (they stay open
   * rather than locking and unlocking for one step), and a setting changed meanwhile applies once it is done.
   */
  stepping: boolean;
  info: SessionInfo | null;
  progress: StepReport | null;
  /** Samples per second smoothed over the last few seconds, so the rate and the time left settle. */
  rate: number;
  /** By node id (a Map: ids are the user's strings, "__proto__" included). */
  telemetry: Map<string, NodeTelemetry>;
  /**
   * Layers edited since the run started (another kind, settings or inputs): the run trains them as they
   * were, so their statistics are not shown beside the edited layer (they come back when it is undone).
   */
  editedLayers: ReadonlySet<string>;
  series: RunSeries;
  /** Reading the dataset's files before the run opens (null once it has opened). */
  loading: { done: number; total: number; what: string } | null;
  /** The last evaluation's confusion matrix and predictions (classifiers), or why there is none. */
  inspection: Inspection | null;
  /** The latest decision boundary (networks of 2-D points). */
  boundary: DecisionBoundary | null;
  /** The learning-rate test's steps so far while it runs (null before its first report and after it ends). */
  rateSteps: RateSteps | null;
  /** The watched layer's latest units over the plane (watchPlaneUnits), as the run trains. */
  planeUnits: { nodeId: string; units: UnitsOverPlane } | null;
  /** Watch a layer's units over the plane as the run trains (null: stop), this run and the next ones. */
  watchPlaneUnits(nodeId: string | null): void;
  inspecting: boolean;
  inspectionError: string | null;
  /** Evaluates the run as it stands: on its validation set, or on test data. */
  inspect(test?: TestData): Promise<void>;
  version: number;
  /** Opens a run of the open document and trains; `paused`: opens it and waits. */
  start(options?: { paused?: boolean }): Promise<void>;
  /** The safetensors file the current run's weights were loaded from, when they were. */
  weightsFrom: string | null;
  /**
   * Weights trained elsewhere (a safetensors file of the exported PyTorch module) into the open document's
   * run: the paused run, or a new one opened paused for them; then evaluated. A file that does not fit the
   * network is refused, naming the tensor, and nothing changes.
   */
  importWeights(bytes: Uint8Array, file: string): Promise<void>;
  /**
   * Weights the open document's runs start from (a model opened from ONNX): loaded into each run it opens,
   * in place of a fresh initialisation.
   */
  startFrom(bytes: Uint8Array, file: string): void;
  /**
   * The network's answers for inputs of the user's, on the current run's weights (from idle, a run opens
   * paused with the weights it would start from); or why there are none.
   */
  predict(inputs: PredictInputs): Promise<PredictResult | string>;
  /** The samples of one cell of the confusion matrix shown (true class, class predicted), or why there are none. */
  cellSamples(cell: { label: number; predicted: number }): Promise<Prediction[] | string>;
  /** The learning-rate range test from the run's weights as they stand (a run opens paused from idle). */
  findLearningRate(): Promise<RateSearch | string>;
  /** Ends the learning-rate test under way (its steps so far are its answer). */
  stopFindingRate(): void;
  /** The first input last tried, as the network saw it: what "look inside" shows layers' outputs for. */
  lastTry: { x: Float32Array; name: string; classNames?: string[] } | null;
  /** The first training sample, to preview augmentation on (a run opens paused from idle); or why not. */
  firstTrainingSample(): Promise<{ x: Float32Array; shape: number[] } | string>;
  /** Makes an input (a validation sample clicked in the evaluation) the one look inside shows. */
  lookAt(input: { x: Float32Array; name: string; classNames?: string[] }): void;
  /**
   * Look inside the current run: for the last tried input, what a layer makes of it, why the network
   * scores it so, a recurrent layer's states; or a layer's weights. Or why not.
   */
  lookInside(question: WithoutInput<LookInsideQuestion>): Promise<LookInsideAnswer | string>;
  /** The document's runs start from a fresh initialisation again (its recorded weights are dropped). */
  startFresh(): void;
  pause(): void;
  resume(): void;
  stop(): void;
  step(): void;
  /** New settings for the run (while paused); the document changes with them. */
  applySettings(patch: SettingsPatch): Promise<void>;
  /** The open document's run as a checkpoint, when it has one that is not running (for an export). */
  checkpoint(): Promise<Uint8Array | undefined>;
}

/** The network's answers for the user's inputs (see EngineApi.predict). */
export type PredictResult = Awaited<ReturnType<EngineApi['predict']>>;
/** A look-inside question without its input: the store adds the input last tried. */
export type WithoutInput<Q> = Q extends unknown ? Omit<Q, 'x'> : never;
