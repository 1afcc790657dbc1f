import type { Backend, Buf } from '../backend/backend';
import type { Dataset } from '../data/dataset';
import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import { Random } from '../init/random';
import { hyperOf } from '../optim/optimizers';
import { learningRate } from '../optim/schedules';
import type { Checkpoint } from './checkpoint';
import {
  type AugmentHost,
  augmentHost,
  type DeviceData,
  gatherBatch,
  gatherTrainingBatch,
  uploadDataset,
} from './device-data';
import { findNonFinite } from './diagnose';
import { evaluateSet } from './evaluate';
import { networkFingerprint } from './fingerprint';
import { accuracyUnits, addStep, closeEpoch, type EpochMetrics, freshProgress, type TrainerEvents } from './metrics';
import { planTraining, type TrainingPlan } from './plan';
import { checkFits, checkMemory, plannedFloats } from './preflight';
import { type RecordedStep, ReplayWindow } from './replay-window';
import { buildSession, initialiseParams, type Session } from './session';
import { checkRestorable, liveState, readLayerState, type TrainState, writeLayerState } from './train-state';

export type { EpochMetrics, Evaluation, StepMetrics, TrainerEvents } from './metrics';

/** Steps recorded before their metrics are read back, at most, on a backend with deferred reads. */
const LOGGED_STEPS = 64;
/** Steps per runSteps call of a caller that checks for pauses between calls (see stepsPerCall). */
const DEFERRED_STEPS_PER_CALL = 16;

/**
 * Trains one document on one backend: epochs of (optionally shuffled) batches, validation, early
 * stopping, checkpoints that resume bit for bit. Every buffer is allocated in the constructor.
 * A non-finite value stops training with an error that names the node, leaving the last good weights.
 */
export class Trainer {
  readonly plan: TrainingPlan;
  readonly session: Session;
  readonly batchSize: number;
  /**
   * What the session plans to hold, in bytes: plannedFloats with the datasets, whether the backend holds a
   * copy or gathers batches from the host's (the CPU). What the engine's memory is measured against.
   */
  readonly plannedBytes: number;
  readonly history: EpochMetrics[] = [];
  step = 0;
  epoch = 0;
  batchIndex = 0;
  private order: Uint32Array;
  private readonly identity: Uint32Array;
  private readonly random: Random;
  private readonly train: DeviceData;
  private readonly validation?: DeviceData;
  private readonly indices: Buf;
  /** Host memory for augmented training batches, when the document augments. */
  private readonly augmentHost?: AugmentHost;
  /** The weights before the last step of a runSteps call asked to keep them (the telemetry's update ratios). */
  readonly weightsBefore: Buf;
  /** The step whose weights before it `weightsBefore` holds (0: none). */
  weightsKeptBefore = 0;
  /** Samples in the last training batch (its activations and gradients are still in the buffers). */
  lastBatchSize = 0;
  /** A learning rate for the next steps in place of the schedule's (the learning-rate range test's). */
  rateOverride?: number;
  private readonly paramNormSq: Buf;
  /** Each recorded step's loss, correct count, gradient norm² and weight norm², until read. */
  private readonly stepLog: Buf;
  /** Its cells, as views made once. */
  private readonly stepLogCells: Buf[];
  /** The state to go back to, and the steps since, when a step goes non-finite. */
  private readonly replayWindow: ReplayWindow;
  /** The session's own state buffers: weights, optimizer slots and layers' state (batch norm's running statistics). */
  private readonly live: TrainState;
  /** Recorded steps whose metrics are not read yet. */
  private pendingSteps: RecordedStep[] = [];
  private progress = freshProgress();
  /** Correct predictions per sample, or undefined where accuracy is not counted (see accuracyUnits). */
  private readonly accuracyUnits: number | undefined;
  private epochStarted = 0;

  constructor(
    readonly doc: GraphDocument,
    readonly be: Backend,
    train: Dataset,
    validation?: Dataset,
  ) {
    this.plan = planTraining(doc);
    const t = doc.training;
    this.batchSize =
      t.sampling === 'full-batch' ? train.count : t.sampling === 'stochastic' ? 1 : Math.min(t.batchSize, train.count);
    if (train.count === 0) throw new EngineError('INVALID_DATA', `${train.name} has no samples`);
    for (const d of validation ? [train, validation] : [train]) checkFits(this.plan, doc, d);
    if (be.memoryLimitBytes !== undefined)
      checkMemory(this.plan, this.batchSize, [train, validation], be.memoryLimitBytes);
    // A backend that gathers batches from the host holds no copy of the datasets.
    be.reserve?.(plannedFloats(this.plan, this.batchSize, be.gatherHostRows ? [] : [train, validation]));
    this.plannedBytes = 4 * plannedFloats(this.plan, this.batchSize, [train, validation]);
    this.session = buildSession(be, this.plan, t, this.batchSize, train.targetKind);
    this.random = new Random(t.seed);
    initialiseParams(this.session, this.random);
    this.train = uploadDataset(be, train);
    this.accuracyUnits = accuracyUnits(doc, this.plan, train.targetKind);
    this.validation = validation && validation.count > 0 ? uploadDataset(be, validation) : undefined;
    this.order = Uint32Array.from({ length: train.count }, (_, i) => i);
    this.identity = Uint32Array.from({ length: Math.max(train.count, validation?.count ?? 0) }, (_, i) => i);
    this.indices = be.alloc(this.batchSize, 'batch indices');
    this.augmentHost = augmentHost(this.session, t, train);
    this.live = liveState(this.session);
    this.weightsBefore = be.alloc(Math.max(this.session.paramCount, 1), 'weights before the last step');
    this.paramNormSq = be.alloc(1, 'param normSq');
    this.stepLog = be.alloc(this.loggedSteps * 4, 'step log');
    this.stepLogCells = Array.from({ length: this.loggedSteps * 4 }, (_, i) => be.view(this.stepLog, i, 1));
    this.replayWindow = new ReplayWindow(be, this.session.paramCount, this.live, this.loggedSteps);
  }

  /** Steps a caller that checks for pauses between runSteps calls should ask for at a time. */
  get stepsPerCall(): number {
    return this.be.deferredReads ? DEFERRED_STEPS_PER_CALL : 1;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.train.data.count / this.batchSize);
  }

  get finished(): boolean {
    return this.epoch >= this.doc.training.epochs || this.stoppedEarly;
  }

  get stoppedEarly(): boolean {
    const es = this.doc.training.earlyStopping;
    return es !== undefined && this.progress.epochsWithoutImprovement >= es.patience;
  }

  /** Runs until the document's epochs are done or early stopping ends the run. */
  async fit(events: TrainerEvents = {}): Promise<EpochMetrics[]> {
    while (!this.finished) await this.runSteps(this.stepsPerCall, events);
    return this.history;
  }

  /**
   * Runs `count` optimizer steps (fewer if the run finishes), crossing epochs as needed. Steps are recorded
   * with no read between them; each one's metrics go to the step log, read back when it is full (after
   * every step on the CPU, every LOGGED_STEPS on a deferred backend), at the end of an epoch and at the end
   * of the call.
   */
  async runSteps(count: number, events: TrainerEvents = {}, keepWeightsBeforeLast = false): Promise<void> {
    for (let i = 0; i < count && !this.finished; i++) {
      this.recordStep(false, keepWeightsBeforeLast && (i === count - 1 || this.willFinishAfterStep()));
      const epochDone = this.batchIndex === this.batchesPerEpoch;
      if (epochDone || this.pendingSteps.length === this.loggedSteps) await this.settle(events);
      if (epochDone) {
        // Ended before it is reported: `onEpoch?.(await …)` would skip the call when there is no listener.
        const epoch = await this.endEpoch();
        events.onEpoch?.(epoch);
      }
    }
    await this.settle(events);
  }

  /** Steps recorded before the step log is read. */
  private get loggedSteps(): number {
    return this.be.deferredReads ? LOGGED_STEPS : 1;
  }

  /** Whether the run's last epoch ends with the next step (runSteps stops there, before its count). */
  private willFinishAfterStep(): boolean {
    return this.batchIndex + 1 === this.batchesPerEpoch && this.epoch + 1 >= this.doc.training.epochs;
  }

  /**
   * Records one step; `replaying` a step already taken keeps the epoch's order as it was shuffled.
   */
  private recordStep(replaying = false, keepWeights = false): void {
    const { be, session: s } = this;
    const t = this.doc.training;
    // Before the passes: a training forward pass moves the running statistics.
    if (!replaying) this.replayWindow.beforeStep(this.pendingSteps.length === 0, this.batchIndex === 0);
    if (keepWeights) {
      be.copy({ src: s.flat.params, out: this.weightsBefore, size: s.paramCount, accumulate: false });
      this.weightsKeptBefore = this.step + 1;
    }
    const n = this.nextBatch(!replaying);
    this.passes(n);
    const lr = this.rateOverride ?? learningRate(t, this.epoch);
    be.optimizerStep({
      ...s.flat,
      kind: t.optimizer.kind,
      hyper: hyperOf(t.optimizer, lr),
      size: s.paramCount,
      step: this.step + 1,
    });
    // Σ w² of the new weights (the clip kernel with no limit only measures): an overflow undoes the step.
    be.clipByGlobalNorm({ g: s.flat.params, size: s.paramCount, maxNorm: 0, normSq: this.paramNormSq });
    const record = { step: this.step + 1, epoch: this.epoch, n, lr };
    // A replayed step was read before: only the steps recorded for the first time go to the log.
    if (!replaying) {
      const row = this.pendingSteps.length * 4;
      for (const [i, value] of [s.loss, s.correct, s.normSq, this.paramNormSq].entries())
        be.copy({ src: value, out: this.stepLogCells[row + i], size: 1, accumulate: false });
      this.pendingSteps.push(record);
    }
    be.submit?.();
    this.replayWindow.record(record);
    this.step++;
    this.batchIndex++;
    this.lastBatchSize = n;
  }

  /** Gathers the epoch's next batch (shuffling the order at an epoch's start when asked); its size. */
  private nextBatch(shuffle: boolean): number {
    const t = this.doc.training;
    if (this.batchIndex === 0 && shuffle) {
      if (t.sampling !== 'full-batch') this.random.shuffle(this.order);
      this.epochStarted = performance.now();
    }
    const start = this.batchIndex * this.batchSize;
    const n = Math.min(this.batchSize, this.train.data.count - start);
    // Augmented for the step being taken (a replay of it draws the same).
    const rows = this.order.subarray(start, start + n);
    gatherTrainingBatch(this.be, this.session, this.indices, this.train, rows, this.augmentHost, this.step + 1);
    return n;
  }

  /** Forward, loss, backward and the gradients' penalties and clipping of one batch. */
  private passes(n: number): void {
    const s = this.session;
    s.forward(n, 'train', this.step);
    s.computeLoss(n);
    s.backward(n, 'train');
    s.finishGradients(this.doc.training.clipNorm ?? 0);
  }

  /** Reads the step log and reports the steps in it; the first non-finite one stops training before it. */
  private async settle(events: TrainerEvents): Promise<void> {
    const steps = this.pendingSteps;
    if (steps.length === 0) return;
    this.pendingSteps = [];
    const log = await this.be.read(this.stepLog);
    for (const [k, p] of steps.entries()) {
      const [loss, correct, normSq, weightNormSq] = log.subarray(k * 4, k * 4 + 4);
      const problem = !Number.isFinite(loss)
        ? `the loss is ${loss}`
        : !Number.isFinite(normSq)
          ? 'the gradients are not finite'
          : undefined;
      if (problem) {
        this.rollBackTo(p);
        throw await this.diagnoseNextStep(problem);
      }
      if (!Number.isFinite(weightNormSq)) {
        this.rollBackTo(p);
        throw new EngineError(
          'NON_FINITE',
          `step ${p.step} made the weights overflow (learning rate ${p.lr} too high?); training stopped with the weights before it`,
        );
      }
      const metrics = addStep(this.progress, p, loss, correct, (c, samples) => this.accuracyOf(c, samples));
      events.onStep?.(metrics);
    }
  }

  /** A step went non-finite: back to the replay window's start, then its steps before the bad one again. */
  private rollBackTo(bad: RecordedStep): void {
    const { undone, replay } = this.replayWindow.rewind(bad);
    this.step -= undone;
    this.batchIndex -= undone;
    for (let j = 0; j < replay; j++) this.recordStep(true);
  }

  /** Runs the next step's passes again without updating, to name the node that went non-finite. */
  private async diagnoseNextStep(problem: string): Promise<EngineError> {
    const n = this.nextBatch(false);
    // The diagnosing forward pass moves the running statistics too: the state is put back after it.
    const culprit = await this.replayWindow.aside(() => {
      this.passes(n);
      return findNonFinite(this.session, n);
    });
    const where = culprit ? `; node "${culprit.id}" is the first to ${culprit.what}` : '';
    return new EngineError(
      'NON_FINITE',
      `step ${this.step + 1}: ${problem}${where}. Training stopped; the weights are those before this step.`,
      culprit?.id,
    );
  }

  private async endEpoch(): Promise<EpochMetrics> {
    const p = this.progress;
    const val = this.validation ? await evaluateSet(this, 'validation') : undefined;
    const metrics: EpochMetrics = {
      epoch: this.epoch,
      step: this.step,
      trainLoss: p.epochLossSum / p.epochSeen,
      trainAccuracy: this.accuracyOf(p.epochCorrect, p.epochSeen),
      valLoss: val?.loss,
      valAccuracy: val?.accuracy,
      lr: learningRate(this.doc.training, this.epoch),
      seconds: (performance.now() - this.epochStarted) / 1000,
    };
    closeEpoch(p, val?.loss ?? metrics.trainLoss);
    this.history.push(metrics);
    this.epoch++;
    this.batchIndex = 0;
    return metrics;
  }

  /** The samples of a set, as the trainer holds them (the validation set when there is one). */
  dataset(which: 'train' | 'validation'): Dataset | undefined {
    return (which === 'train' ? this.train : this.validation)?.data;
  }

  /**
   * Runs the set through the network in evaluation mode, batch by batch: after each forward pass,
   * `visit(start, n)` may read the outputs of samples [start, start + n).
   */
  async forEachEvalBatch(
    which: 'train' | 'validation',
    visit: (start: number, n: number) => Promise<void>,
  ): Promise<void> {
    const d = which === 'train' ? this.train : this.validation;
    if (!d) throw new EngineError('INVALID_DATA', 'there is no validation set');
    for (let start = 0; start < d.data.count; start += this.batchSize) {
      const n = Math.min(this.batchSize, d.data.count - start);
      gatherBatch(this.be, this.session, this.indices, d, this.identity.subarray(start, start + n));
      this.session.forward(n, 'eval', this.step);
      await visit(start, n);
    }
  }

  /** The run's whole state; restoring it into a trainer of the same document continues bit for bit. */
  async checkpoint(): Promise<Checkpoint> {
    const { be, session: s } = this;
    const f32 = async (b: Buf) => Float32Array.from(await be.read(b));
    const layerState = await readLayerState(be, s);
    return {
      format: 'netloom-checkpoint',
      version: 2,
      fingerprint: networkFingerprint(this.doc),
      paramCount: s.paramCount,
      step: this.step,
      epoch: this.epoch,
      batchIndex: this.batchIndex,
      order: this.order.slice(),
      random: this.random.getState(),
      params: await f32(s.flat.params),
      slot1: await f32(s.flat.slot1),
      slot2: await f32(s.flat.slot2),
      layerState,
      progress: { ...this.progress },
      history: this.history.map((h) => ({ ...h })),
    };
  }

  /**
   * Continues from a checkpoint of this network and this training set, checked against both first: the
   * network's fingerprint, the parameter count, the dataset's size, the position in the epoch and each
   * layer's state. Nothing is written unless all of it fits.
   */
  restore(cp: Checkpoint, file = 'the checkpoint'): void {
    const { be, session: s } = this;
    const here = {
      fingerprint: networkFingerprint(this.doc),
      session: s,
      samples: this.order.length,
      batchesPerEpoch: this.batchesPerEpoch,
    };
    checkRestorable(cp, here, (why) => new EngineError('INVALID_DATA', `${file}: ${why}`));
    if (s.paramCount > 0) {
      be.write(s.flat.params, cp.params);
      be.write(s.flat.slot1, cp.slot1);
      be.write(s.flat.slot2, cp.slot2);
    }
    writeLayerState(be, s, cp.layerState);
    this.step = cp.step;
    this.epoch = cp.epoch;
    this.batchIndex = cp.batchIndex;
    // The state changed under the window: the next step starts a new one.
    this.replayWindow.end();
    this.pendingSteps = [];
    this.order.set(cp.order);
    this.random.setState(cp.random);
    this.progress = { ...cp.progress };
    this.history.splice(0, this.history.length, ...cp.history.map((h) => ({ ...h })));
  }

  /** Correct predictions over samples as a fraction, where accuracy is counted. */
  accuracyOf(correct: number, samples: number): number | undefined {
    return this.accuracyUnits === undefined ? undefined : correct / (samples * this.accuracyUnits);
  }
}
