import type { ChosenBackend } from './backend/choose';
import { type DataReading, type Dataset, dataReading } from './data/dataset';
import { EngineError } from './errors';
import { exportPyTorch } from './export/pytorch';
import { readSafetensors } from './export/safetensors';
import type { GraphDocument } from './graph/schema';
import { size } from './layers/layer';
import { SessionCopies } from './session-copies';
import type { Emit, RunEnd, SessionInfo, SessionOptions, SettingsPatch } from './session-types';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './train/checkpoint';
import { decisionBoundary, hasDecisionBoundary } from './train/decision-boundary';
import { evaluateSet } from './train/evaluate';
import { type LookInsideAnswer, type LookInsideQuestion, lookInside } from './train/explain';
import { networkFingerprint } from './train/fingerprint';
import { type Inspection, inspectNetwork, type Prediction } from './train/inspect';
import { unitsOverPlane } from './train/plane-units';
import { type PredictAnswer, type PredictInputs, predict, prepareInputs } from './train/predict';
import type { RateSearch, RateSearchOptions } from './train/rate-finder';
import { StepColumnsBuilder } from './train/step-columns';
import { collectTelemetry, type TelemetryFrame } from './train/telemetry';
import { type EpochMetrics, type Evaluation, Trainer } from './train/trainer';
import { MESSAGE_SLICE_MS, messageYielder } from './yield-to-messages';

/**
 * Most steps reported in one message. As columns (StepColumns) a message of them is one copy of their bytes
 * however many they are: this only bounds a message's size (512 KB) when the page is slow to take them.
 */
const STEPS_PER_MESSAGE = 8192;

/** Lets other messages (pause, stop, ping) in while a run goes on: at most every MESSAGE_SLICE_MS. */
const yieldToMessages = messageYielder();
/** Least time between two decision-boundary pictures of a run. */
const BOUNDARY_MS = 400;

/**
 * One training session inside the engine worker: a Trainer plus run control (run, pause, stop, single
 * steps), throttled metric and telemetry events, and periodic checkpoints for crash recovery.
 */
export class SessionHost {
  private trainer: Trainer;
  private running = false;
  private stopRequested: 'pause' | 'stop' | null = null;
  private readonly pending = new StepColumnsBuilder();
  private pendingEpochs: EpochMetrics[] = [];
  private lastFlush = 0;
  private lastTelemetry = 0;
  private lastFrame?: TelemetryFrame;
  private lastCheckpoint = 0;
  /** Work on copies of the current weights: test data, the learning-rate test. */
  private readonly copies: SessionCopies;
  private readonly telemetryMs: number;
  private readonly telemetry: boolean;
  private readonly checkpointMs: number;
  /** The last checkpoint taken, to go on from if the device is lost. */
  private lastGood?: Checkpoint;

  constructor(
    private _doc: GraphDocument,
    private readonly train: Dataset,
    private readonly validation: Dataset | undefined,
    private backend: ChosenBackend,
    private readonly emit: Emit,
    options: SessionOptions = {},
    checkpoint?: Uint8Array,
    checkpointName = 'the saved checkpoint',
  ) {
    this.telemetryMs = options.telemetryIntervalMs ?? 200;
    this.telemetry = options.telemetry ?? true;
    this.checkpointMs = options.checkpointIntervalMs ?? 2000;
    this.trainer = new Trainer(this._doc, backend.make(), this.train, this.validation);
    this.copies = new SessionCopies({
      doc: () => this._doc,
      trainer: () => this.trainer,
      makeBackend: () => this.backend.make(),
      train: this.train,
      running: () => this.running,
      rateSteps: (steps) => this.emit({ type: 'rate-steps', steps }),
    });
    if (checkpoint) this.trainer.restore(decodeCheckpoint(checkpoint, checkpointName), checkpointName);
  }

  /** The document the session trains (its settings as last updated). */
  get doc(): GraphDocument {
    return this._doc;
  }

  info(): SessionInfo {
    const t = this.trainer;
    return {
      paramCount: t.session.paramCount,
      batchSize: t.batchSize,
      batchesPerEpoch: t.batchesPerEpoch,
      epochs: this._doc.training.epochs,
      step: t.step,
      epoch: t.epoch,
      trainSamples: this.train.count,
      validationSamples: this.validation?.count ?? 0,
      plannedBytes: t.plannedBytes,
      backend: { id: this.backend.id, label: this.backend.label, reason: this.backend.reason },
      readAs: this.dataReading(),
    };
  }

  /** Trains until paused, stopped, finished, or `steps` steps are done. Errors reject with their code. */
  async run(steps = Number.POSITIVE_INFINITY): Promise<RunEnd> {
    if (this.running) throw new EngineError('INTERNAL', 'the session is already running');
    this.running = true;
    this.stopRequested = null;
    let done = 0;
    let sliceStart = performance.now();
    let rateStart = performance.now();
    let rateSamples = 0;
    try {
      while (done < steps && !this.trainer.finished) {
        if (this.stopRequested) return this.stopRequested === 'pause' ? 'paused' : 'stopped';
        const before = this.trainer.step;
        let now = 0;
        // Telemetry after this call: its last step keeps the weights before it (for the update ratios).
        const telemetryDue = this.telemetry && performance.now() - this.lastTelemetry >= this.telemetryMs;
        await this.recovering(async () => {
          await this.trainer.runSteps(
            Math.min(this.trainer.stepsPerCall, steps - done),
            {
              onStep: (m) => {
                rateSamples += this.trainer.lastBatchSize;
                const seconds = (performance.now() - rateStart) / 1000;
                this.pending.push(m, seconds > 0 ? rateSamples / seconds : 0);
                if (this.pending.count >= STEPS_PER_MESSAGE) this.flushSteps();
              },
              onEpoch: (metrics) => {
                this.pendingEpochs.push(metrics);
              },
            },
            telemetryDue,
          );
          now = performance.now();
          if (now - this.lastFlush >= this.telemetryMs) {
            this.flushSteps();
            rateStart = now;
            rateSamples = 0;
          }
          if (telemetryDue) {
            this.lastTelemetry = now;
            this.lastFrame = await collectTelemetry(this.trainer);
            this.emit({ type: 'telemetry', frame: this.lastFrame });
          }
          // After the telemetry (which reads the last batch's activations): the grid overwrites them.
          if (now - this.lastBoundary >= BOUNDARY_MS) await this.sendBoundary();
          if (now - this.lastCheckpoint >= this.checkpointMs) await this.sendCheckpoint();
        });
        done += Math.max(this.trainer.step - before, 1);
        if (now - sliceStart >= MESSAGE_SLICE_MS) {
          await yieldToMessages();
          sliceStart = performance.now();
        }
      }
      return this.trainer.finished ? 'finished' : 'steps';
    } finally {
      this.flushSteps();
      if (this.telemetry && this.trainer.lastBatchSize > 0)
        this.emit({ type: 'telemetry', frame: await collectTelemetry(this.trainer, this.lastFrame) });
      await this.sendBoundary();
      await this.sendCheckpoint();
      this.running = false;
    }
  }

  /** Asks a run to end after the current step (it answers within one step). */
  pause(): void {
    if (this.running) this.stopRequested = 'pause';
  }

  stop(): void {
    if (this.running) this.stopRequested = 'stop';
  }

  evaluate(): Promise<Evaluation> {
    return evaluateSet(this.trainer, this.validation ? 'validation' : 'train');
  }

  /** Loss and accuracy of the current weights on other data (a test set), in a trainer of its own. */
  evaluateOn(data: Dataset): Promise<Evaluation> {
    return this.copies.evaluate(data);
  }

  /** The network's inspection (see inspect) on other data: a test set, read as the training set was. */
  inspectOn(data: Dataset): Promise<Inspection> {
    return this.copies.inspect(data);
  }

  /** How the training data was read, for other data to be read alike (a test set: its scaling, its classes). */
  dataReading(): DataReading {
    return dataReading(this.train);
  }

  /** The learning-rate range test from the current weights, on a copy: the session's own are untouched. */
  findLearningRate(options: RateSearchOptions = {}): Promise<RateSearch> {
    return this.copies.findLearningRate(options);
  }

  /** Ends the learning-rate test under way after its current step; it answers with the steps taken. */
  stopFindingRate(): void {
    this.copies.stopFindingRate();
  }

  /** The epochs so far (with those before a resume) and whether early stopping ended the run. */
  summary(): { history: EpochMetrics[]; stoppedEarly: boolean; step: number } {
    const t = this.trainer;
    return { history: t.history.map((h) => ({ ...h })), stoppedEarly: t.stoppedEarly, step: t.step };
  }

  /** The network's answers for inputs of the user's (see EngineApi.predict), prepared here as its data is. */
  async predict(inputs: PredictInputs): Promise<PredictAnswer> {
    if (this.running) throw new EngineError('INTERNAL', 'pause the session before asking for predictions');
    const { x, names, labelled } = prepareInputs(this.trainer, inputs);
    const answer = { ...(await predict(this.trainer, x, names.length)), x, names };
    // Rows with their labels: scored as test data is, on a copy (the run's position stays).
    return labelled ? { ...answer, targets: labelled.targets, score: await this.copies.evaluate(labelled) } : answer;
  }

  /** What a layer makes of an input, why the network answers as it does, its weights (see EngineApi.lookInside). */
  lookInside(question: LookInsideQuestion): Promise<LookInsideAnswer> {
    if (this.running) throw new EngineError('INTERNAL', 'pause the session before looking inside it');
    return lookInside(this.trainer, question);
  }

  /** The first training samples as the data gives them (for the augmentation preview); allowed while running. */
  trainingSamples(count: number): { x: Float32Array; shape: number[]; count: number } {
    const d = this.trainer.dataset('train')!;
    const n = Math.min(Math.max(Math.floor(count), 0), d.count, 64);
    return { x: d.x.slice(0, n * size(d.inputShape)), shape: [...d.inputShape], count: n };
  }

  /**
   * The network on the validation set (or the training set without one): a classifier's confusion matrix
   * and predictions, or a regression's errors (mean squared error against values).
   */
  inspect(): Promise<Inspection> {
    if (this.running) throw new EngineError('INTERNAL', 'pause the session before inspecting its predictions');
    this.copies.forgetTested();
    return inspectNetwork(this.trainer);
  }

  /**
   * The samples of one cell of the last inspection's confusion matrix (its set: the validation set, or the
   * test data it was given), classified by the current weights, the surest first.
   */
  cellSamples(cell: { label: number; predicted: number }): Promise<Prediction[]> {
    if (this.running) throw new EngineError('INTERNAL', 'pause the session before inspecting its predictions');
    return this.copies.cellSamples(cell);
  }

  async checkpoint(): Promise<Uint8Array> {
    return encodeCheckpoint(await this.trainer.checkpoint());
  }

  /** Weights from a safetensors file of the exported module (see EngineApi.importWeights). */
  async importWeights(bytes: Uint8Array, file: string): Promise<void> {
    if (this.running) throw new EngineError('INTERNAL', 'pause the session before loading weights');
    // Everything is read and checked before the session changes.
    const { params, layerState } = exportPyTorch(this._doc).weightsFrom(readSafetensors(bytes, file), file);
    const now = await this.trainer.checkpoint();
    this.trainer.restore(
      {
        ...now,
        params,
        layerState: { ...now.layerState, ...layerState },
        slot1: new Float32Array(now.slot1.length),
        slot2: new Float32Array(now.slot2.length),
      },
      file,
    );
  }

  /**
   * New training settings between runs: the session is rebuilt around them and the weights, optimizer
   * state and position restored, so training goes on where it was. A new optimizer kind starts fresh slots.
   */
  async updateSettings(patch: SettingsPatch): Promise<SessionInfo> {
    if (this.running) throw new EngineError('INTERNAL', 'pause the session before changing its settings');
    const old = this.trainer;
    const saved = await old.checkpoint();
    const sameOptimizer = patch.optimizer === undefined || patch.optimizer.kind === this._doc.training.optimizer.kind;
    this._doc = { ...this._doc, training: { ...this._doc.training, ...patch } };
    this.trainer = new Trainer(this._doc, this.backend.make(), this.train, this.validation);
    const seen = saved.batchIndex * old.batchSize;
    const restored = {
      ...saved,
      // The same network: only the optimizer may differ, and its slots start fresh below.
      fingerprint: networkFingerprint(this._doc),
      batchIndex: Math.min(Math.floor(seen / this.trainer.batchSize), this.trainer.batchesPerEpoch),
    };
    if (!sameOptimizer) {
      restored.slot1 = new Float32Array(saved.slot1.length);
      restored.slot2 = new Float32Array(saved.slot2.length);
    }
    this.trainer.restore(restored);
    old.be.dispose?.();
    return this.info();
  }

  /** Ends the session for good: its backend's threads stop (a running step finishes first). */
  async close(): Promise<void> {
    this.stop();
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    this.trainer.be.dispose?.();
    this.backend.release();
  }

  private lastBoundary = 0;
  /** The layer whose units over the plane go with each boundary (the page's Look inside shows them live). */
  private planeNode: string | null = null;

  /** Sends a layer's units over the plane with each boundary from now on (null: none); once now if paused. */
  async watchPlaneUnits(nodeId: string | null): Promise<void> {
    this.planeNode = nodeId;
    if (nodeId !== null && !this.running) await this.sendPlaneUnits();
  }

  private async sendBoundary(): Promise<void> {
    this.lastBoundary = performance.now();
    if (hasDecisionBoundary(this.trainer))
      this.emit({ type: 'boundary', boundary: await decisionBoundary(this.trainer) });
    // Units over the plane go on at the boundary's pace for any network of 2-D points, with a boundary or not.
    await this.sendPlaneUnits();
  }

  private async sendPlaneUnits(): Promise<void> {
    const nodeId = this.planeNode;
    if (nodeId === null) return;
    try {
      this.emit({ type: 'plane-units', nodeId, units: await unitsOverPlane(this.trainer, nodeId) });
    } catch (error) {
      // The layer is gone or has no plane (the network changed): nothing to watch any more.
      if (!(error instanceof EngineError)) throw error;
      this.planeNode = null;
    }
  }

  private flushSteps(): void {
    this.lastFlush = performance.now();
    if (this.pending.count === 0 && this.pendingEpochs.length === 0) return;
    this.emit({ type: 'steps', steps: this.pending.take(), epochs: this.pendingEpochs });
    this.pendingEpochs = [];
  }

  private async sendCheckpoint(): Promise<void> {
    this.lastCheckpoint = performance.now();
    if (this.trainer.step === 0) return;
    this.lastGood = await this.trainer.checkpoint();
    this.emit({ type: 'checkpoint', step: this.trainer.step, bytes: encodeCheckpoint(this.lastGood) });
  }

  /**
   * Runs a slice of training; when the GPU device is lost under it, the session moves to a new device (or to the CPU)
   * and goes on from its last checkpoint, losing at most the steps since it, and says so.
   */
  private async recovering(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      // The loss is reported asynchronously: give it a moment to arrive before deciding.
      for (let i = 0; i < 20 && !this.backend.lost(); i++) await new Promise((r) => setTimeout(r, 10));
      const lost = this.backend.lost();
      if (!lost) throw error;
      const old = this.trainer;
      this.backend = await this.backend.replacement();
      this.trainer = new Trainer(this._doc, this.backend.make(), this.train, this.validation);
      if (this.lastGood) this.trainer.restore(this.lastGood);
      old.be.dispose?.();
      const step = this.trainer.step;
      this.emit({
        type: 'backend',
        info: this.info(),
        step,
        reason: `The GPU device was lost (${lost}). Training goes on ${this.backend.id === 'cpu' ? 'on the CPU' : 'on a new GPU device'} from step ${step}${this.lastGood ? ', its last checkpoint' : ' (no checkpoint yet: from the start)'}.`,
      });
    }
  }
}
