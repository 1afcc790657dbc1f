import type { Backend, Buf } from '../backend/backend';
import { checkDataset, type Dataset } from '../data/dataset';
import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import { Random } from '../init/random';
import { size } from '../layers/layer';
import { losses } from '../losses/registry';
import { hyperOf } from '../optim/optimizers';
import { learningRate } from '../optim/schedules';
import { planBuffers } from './buffer-plan';
import type { Checkpoint } from './checkpoint';
import { findNonFinite } from './diagnose';
import { planTraining, type TrainingPlan } from './plan';
import { buildSession, initialiseParams, type Session } from './session';

export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  /** Fraction of the batch predicted right (classification losses only). */
  accuracy?: number;
  lr: number;
}

export interface EpochMetrics {
  epoch: number;
  /** Optimizer steps done when the epoch ended. */
  step: number;
  trainLoss: number;
  trainAccuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
}

export interface Evaluation {
  loss: number;
  accuracy?: number;
}

export interface TrainerEvents {
  onStep?(m: StepMetrics): void;
  onEpoch?(m: EpochMetrics): void;
}

/** Steps recorded before their metrics are read back, at most, on a backend with deferred reads. */
const LOGGED_STEPS = 64;
/** Steps per runSteps call of a caller that checks for pauses between calls (see stepsPerCall). */
const DEFERRED_STEPS_PER_CALL = 16;

const MB = 1024 * 1024;

/**
 * A backend with a memory limit (one GPU buffer) is checked before anything is allocated: the planned
 * activations, gradients, parameters and datasets must fit, else the error names the layer that needs most.
 */
function checkMemory(plan: TrainingPlan, batch: number, sets: (Dataset | undefined)[], limitBytes: number): void {
  const buffers = planBuffers(plan, batch, 2);
  const dataBytes = sets.reduce((sum, d) => sum + (d ? (d.x.length + d.targets.length) * 4 : 0), 0);
  const total = buffers.totalBytes + dataBytes;
  if (total <= limitBytes) return;
  const largest = buffers.buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const nodeId = largest.name.includes('.') ? largest.name.slice(0, largest.name.lastIndexOf('.')) : undefined;
  const what = nodeId
    ? `node "${nodeId}" needs ${(largest.bytes / MB).toFixed(0)} MB for its ${largest.kind}s`
    : `the ${largest.kind} need ${(largest.bytes / MB).toFixed(0)} MB`;
  throw new EngineError(
    'TOO_LARGE',
    `${what} at batch ${batch}; the session needs ${(total / MB).toFixed(0)} MB (datasets ${(dataBytes / MB).toFixed(0)} MB) but this GPU allows ${(limitBytes / MB).toFixed(0)} MB in one buffer: lower the batch size or train on the CPU`,
    nodeId,
  );
}

/** A step recorded on a deferred backend, whose metrics are not read yet. */
interface PendingStep {
  step: number;
  epoch: number;
  n: number;
  lr: number;
}

/** A dataset uploaded once to the backend, so a batch is gathered there, not copied in. */
interface DeviceData {
  data: Dataset;
  x: Buf;
  targets: Buf;
}

/**
 * Trains one document on one backend: epochs of (optionally shuffled) batches, validation, early
 * stopping, checkpoints that resume bit for bit. Every buffer is allocated in the constructor.
 * A non-finite value stops training with an error that names the node, leaving the last good weights.
 */
export class Trainer {
  readonly plan: TrainingPlan;
  readonly session: Session;
  readonly batchSize: number;
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
  /** The weights and optimizer state before the last update (to undo it, and for update ratios). */
  readonly backup: { params: Buf; slot1: Buf; slot2: Buf };
  /** Samples in the last training batch (its activations and gradients are still in the buffers). */
  lastBatchSize = 0;
  private readonly paramNormSq: Buf;
  /** Deferred backends: each recorded step's loss, correct count, gradient norm² and weight norm². */
  private readonly stepLog?: Buf;
  /** Deferred backends: the state before the first step not yet read, to roll back to. */
  private readonly settledState?: { params: Buf; slot1: Buf; slot2: Buf };
  private pendingSteps: PendingStep[] = [];
  private progress = {
    bestLoss: Number.POSITIVE_INFINITY,
    epochsWithoutImprovement: 0,
    epochLossSum: 0,
    epochCorrect: 0,
    epochSeen: 0,
  };
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
    for (const d of validation ? [train, validation] : [train]) this.checkFits(d);
    if (be.memoryLimitBytes !== undefined)
      checkMemory(this.plan, this.batchSize, [train, validation], be.memoryLimitBytes);
    this.session = buildSession(be, this.plan, t, this.batchSize);
    this.random = new Random(t.seed);
    initialiseParams(this.session, this.random);
    this.train = this.upload(train);
    this.validation = validation && validation.count > 0 ? this.upload(validation) : undefined;
    this.order = Uint32Array.from({ length: train.count }, (_, i) => i);
    this.identity = Uint32Array.from({ length: Math.max(train.count, validation?.count ?? 0) }, (_, i) => i);
    this.indices = be.alloc(this.batchSize, 'batch indices');
    const total = Math.max(this.session.paramCount, 1);
    this.backup = {
      params: be.alloc(total, 'backup params'),
      slot1: be.alloc(total, 'backup slot1'),
      slot2: be.alloc(total, 'backup slot2'),
    };
    this.paramNormSq = be.alloc(1, 'param normSq');
    if (be.deferredReads) {
      this.stepLog = be.alloc(LOGGED_STEPS * 4, 'step log');
      this.settledState = {
        params: be.alloc(total, 'settled params'),
        slot1: be.alloc(total, 'settled slot1'),
        slot2: be.alloc(total, 'settled slot2'),
      };
    }
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

  /** Runs `count` optimizer steps (fewer if the run finishes), crossing epochs as needed. */
  async runSteps(count: number, events: TrainerEvents = {}): Promise<void> {
    if (this.be.deferredReads) return this.runDeferredSteps(count, events);
    for (let i = 0; i < count && !this.finished; i++) {
      const metrics = await this.trainStep();
      events.onStep?.(metrics);
      if (this.batchIndex === this.batchesPerEpoch) {
        const epoch = await this.endEpoch();
        events.onEpoch?.(epoch);
      }
    }
  }

  /**
   * The same steps with no read between them: each step's metrics go to the step log on the device, read
   * back when it is full, at the end of an epoch and at the end of the call. A non-finite value found then
   * rolls the weights back to before the first step of the log.
   */
  private async runDeferredSteps(count: number, events: TrainerEvents): Promise<void> {
    for (let i = 0; i < count && !this.finished; i++) {
      this.recordStep();
      const epochDone = this.batchIndex === this.batchesPerEpoch;
      if (epochDone || this.pendingSteps.length === LOGGED_STEPS) await this.settle(events);
      if (epochDone) {
        // Ended before it is reported: `onEpoch?.(await …)` would skip the call when there is no listener.
        const epoch = await this.endEpoch();
        events.onEpoch?.(epoch);
      }
    }
    await this.settle(events);
  }

  /** Records one step; `replaying` a step already taken keeps the epoch's order as it was shuffled. */
  private recordStep(replaying = false): void {
    const { be, session: s } = this;
    const t = this.doc.training;
    if (this.pendingSteps.length === 0) this.copyState(this.settledState!, s.flat);
    if (this.batchIndex === 0 && !replaying) {
      if (t.sampling !== 'full-batch') this.random.shuffle(this.order);
      this.epochStarted = performance.now();
    }
    const start = this.batchIndex * this.batchSize;
    const n = Math.min(this.batchSize, this.train.data.count - start);
    this.gather(this.train, this.order.subarray(start, start + n));
    s.forward(n, 'train', this.step);
    s.computeLoss(n);
    s.backward(n, 'train');
    s.finishGradients(t.clipNorm ?? 0);
    const lr = learningRate(t, this.epoch);
    this.copyState(this.backup, s.flat);
    be.optimizerStep({
      ...s.flat,
      kind: t.optimizer.kind,
      hyper: hyperOf(t.optimizer, lr),
      size: s.paramCount,
      step: this.step + 1,
    });
    be.clipByGlobalNorm({ g: s.flat.params, size: s.paramCount, maxNorm: 0, normSq: this.paramNormSq });
    const row = this.pendingSteps.length * 4;
    for (const [i, value] of [s.loss, s.correct, s.normSq, this.paramNormSq].entries())
      be.copy({ src: value, out: be.view(this.stepLog!, row + i, 1), size: 1, accumulate: false });
    be.submit?.();
    this.pendingSteps.push({ step: this.step + 1, epoch: this.epoch, n, lr });
    this.step++;
    this.batchIndex++;
    this.lastBatchSize = n;
  }

  /** Reads the step log and reports the steps in it (see runDeferredSteps). */
  private async settle(events: TrainerEvents): Promise<void> {
    const steps = this.pendingSteps;
    if (steps.length === 0) return;
    this.pendingSteps = [];
    const log = await this.be.read(this.stepLog!);
    for (const [k, p] of steps.entries()) {
      const [loss, correct, normSq, weightNormSq] = log.subarray(k * 4, k * 4 + 4);
      const problem = !Number.isFinite(loss)
        ? `the loss is ${loss}`
        : !Number.isFinite(normSq)
          ? 'the gradients are not finite'
          : undefined;
      if (problem) {
        this.rollBackTo(steps, k);
        throw await this.diagnoseNextStep(problem);
      }
      if (!Number.isFinite(weightNormSq)) {
        this.rollBackTo(steps, k);
        throw new EngineError(
          'NON_FINITE',
          `step ${p.step} made the weights overflow (learning rate ${p.lr} too high?); training stopped with the weights before it`,
        );
      }
      this.progress.epochLossSum += loss * p.n;
      this.progress.epochCorrect += correct;
      this.progress.epochSeen += p.n;
      events.onStep?.({
        step: p.step,
        epoch: p.epoch,
        loss,
        accuracy: this.classifies ? correct / (p.n * this.correctPerSample) : undefined,
        lr: p.lr,
      });
    }
  }

  /**
   * A deferred step went non-finite: back to the state before the first unread step, then the steps
   * before the bad one (`k`) are replayed with the same batches and dropout masks, so that training stops
   * exactly before it, as with per-step reads. (Layers' running statistics are not rolled back: the
   * replayed steps update them twice.)
   */
  private rollBackTo(steps: PendingStep[], k: number): void {
    this.copyState(this.session.flat, this.settledState!);
    this.step -= steps.length;
    this.batchIndex -= steps.length;
    for (let j = 0; j < k; j++) this.recordStep(true);
    this.pendingSteps = [];
  }

  /** Runs the next step's passes again without updating, to name the node that went non-finite. */
  private async diagnoseNextStep(problem: string): Promise<EngineError> {
    const s = this.session;
    const start = this.batchIndex * this.batchSize;
    const n = Math.min(this.batchSize, this.train.data.count - start);
    this.gather(this.train, this.order.subarray(start, start + n));
    s.forward(n, 'train', this.step);
    s.computeLoss(n);
    s.backward(n, 'train');
    s.finishGradients(this.doc.training.clipNorm ?? 0);
    return this.nonFinite(n, problem);
  }

  private async trainStep(): Promise<StepMetrics> {
    const { be, session: s } = this;
    const t = this.doc.training;
    if (this.batchIndex === 0) {
      if (t.sampling !== 'full-batch') this.random.shuffle(this.order);
      this.epochStarted = performance.now();
    }
    const start = this.batchIndex * this.batchSize;
    const n = Math.min(this.batchSize, this.train.data.count - start);
    this.gather(this.train, this.order.subarray(start, start + n));

    s.forward(n, 'train', this.step);
    s.computeLoss(n);
    const loss = (await be.read(s.loss))[0];
    if (!Number.isFinite(loss)) throw await this.nonFinite(n, `the loss is ${loss}`);
    const correct = (await be.read(s.correct))[0];

    s.backward(n, 'train');
    s.finishGradients(t.clipNorm ?? 0);
    const normSq = (await be.read(s.normSq))[0];
    if (!Number.isFinite(normSq)) throw await this.nonFinite(n, 'the gradients are not finite');

    const lr = learningRate(t, this.epoch);
    this.copyState(this.backup, s.flat);
    be.optimizerStep({
      ...s.flat,
      kind: t.optimizer.kind,
      hyper: hyperOf(t.optimizer, lr),
      size: s.paramCount,
      step: this.step + 1,
    });
    // Σ w² of the new weights (the clip kernel with no limit only measures): an overflow undoes the step.
    be.clipByGlobalNorm({ g: s.flat.params, size: s.paramCount, maxNorm: 0, normSq: this.paramNormSq });
    if (!Number.isFinite((await be.read(this.paramNormSq))[0])) {
      this.copyState(s.flat, this.backup);
      throw new EngineError(
        'NON_FINITE',
        `step ${this.step + 1} made the weights overflow (learning rate ${lr} too high?); training stopped with the weights before it`,
      );
    }
    this.step++;
    this.batchIndex++;
    this.lastBatchSize = n;
    this.progress.epochLossSum += loss * n;
    this.progress.epochCorrect += correct;
    this.progress.epochSeen += n;
    const classifies = this.classifies;
    return {
      step: this.step,
      epoch: this.epoch,
      loss,
      accuracy: classifies ? correct / (n * this.correctPerSample) : undefined,
      lr,
    };
  }

  private async endEpoch(): Promise<EpochMetrics> {
    const p = this.progress;
    const val = this.validation ? await this.evaluate('validation') : undefined;
    const metrics: EpochMetrics = {
      epoch: this.epoch,
      step: this.step,
      trainLoss: p.epochLossSum / p.epochSeen,
      trainAccuracy: this.classifies ? p.epochCorrect / (p.epochSeen * this.correctPerSample) : undefined,
      valLoss: val?.loss,
      valAccuracy: val?.accuracy,
      lr: learningRate(this.doc.training, this.epoch),
      seconds: (performance.now() - this.epochStarted) / 1000,
    };
    const monitored = val?.loss ?? metrics.trainLoss;
    if (monitored < p.bestLoss) {
      p.bestLoss = monitored;
      p.epochsWithoutImprovement = 0;
    } else p.epochsWithoutImprovement++;
    p.epochLossSum = 0;
    p.epochCorrect = 0;
    p.epochSeen = 0;
    this.history.push(metrics);
    this.epoch++;
    this.batchIndex = 0;
    return metrics;
  }

  /** Loss and accuracy over a dataset in evaluation mode (running statistics, no dropout). */
  async evaluate(which: 'train' | 'validation' = 'validation'): Promise<Evaluation> {
    const { be, session: s } = this;
    let lossSum = 0;
    let correct = 0;
    await this.forEachEvalBatch(which, async (_start, n) => {
      s.computeLoss(n);
      lossSum += (await be.read(s.loss))[0] * n;
      correct += (await be.read(s.correct))[0];
    });
    const count = this.dataset(which)!.count;
    return {
      loss: lossSum / count,
      accuracy: this.classifies ? correct / (count * this.correctPerSample) : undefined,
    };
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
      this.gather(d, this.identity.subarray(start, start + n));
      this.session.forward(n, 'eval', this.step);
      await visit(start, n);
    }
  }

  /** The run's whole state; restoring it into a trainer of the same document continues bit for bit. */
  async checkpoint(): Promise<Checkpoint> {
    const { be, session: s } = this;
    const f32 = async (b: Buf) => Float32Array.from(await be.read(b));
    const layerState: Record<string, Float32Array> = {};
    for (const node of s.nodes)
      for (const [name, st] of Object.entries(node.passes.state ?? {}))
        layerState[`${node.id}.${name}`] = await f32(st.buf);
    return {
      format: 'netloom-checkpoint',
      version: 1,
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
    };
  }

  restore(cp: Checkpoint): void {
    const { be, session: s } = this;
    if (cp.paramCount !== s.paramCount || cp.order.length !== this.order.length)
      throw new EngineError(
        'INVALID_DATA',
        `the checkpoint is of another network or dataset (${cp.paramCount} parameters, ${cp.order.length} samples)`,
      );
    if (s.paramCount > 0) {
      be.write(s.flat.params, cp.params);
      be.write(s.flat.slot1, cp.slot1);
      be.write(s.flat.slot2, cp.slot2);
    }
    for (const node of s.nodes)
      for (const [name, st] of Object.entries(node.passes.state ?? {})) {
        const saved = cp.layerState[`${node.id}.${name}`];
        if (saved) be.write(st.buf, saved);
      }
    this.step = cp.step;
    this.epoch = cp.epoch;
    this.batchIndex = cp.batchIndex;
    this.order.set(cp.order);
    this.random.setState(cp.random);
    this.progress = { ...cp.progress };
  }

  private get classifies(): boolean {
    return this.doc.training.loss.kind !== 'mse';
  }

  /** Correct predictions counted per sample: one for softmax, one per output for binary outputs. */
  private get correctPerSample(): number {
    return this.doc.training.loss.kind === 'sigmoid-binary-cross-entropy' ? size(this.plan.outputNode.outputShape) : 1;
  }

  private checkFits(d: Dataset): void {
    checkDataset(d);
    const input = this.plan.inputNode;
    if (size(input.outputShape) !== size(d.inputShape))
      throw new EngineError(
        'INVALID_DATA',
        `node "${input.node.id}" takes [${input.outputShape.join(', ')}] but ${d.name} has samples of [${d.inputShape.join(', ')}]`,
        input.node.id,
      );
    const out = this.plan.outputNode;
    const lossDef = losses[this.doc.training.loss.kind];
    if (lossDef.targets === 'class') {
      if (d.targetKind !== 'class')
        throw new EngineError(
          'LOSS_MISMATCH',
          `${lossDef.title} needs class labels; ${d.name} has tensor targets`,
          out.node.id,
        );
      if ((d.classes ?? 0) > out.outputShape[0])
        throw new EngineError(
          'LOSS_MISMATCH',
          `${d.name} has ${d.classes} classes but node "${out.node.id}" outputs ${out.outputShape[0]} scores`,
          out.node.id,
        );
      const tooHigh = d.targets.findIndex((label) => label >= out.outputShape[0]);
      if (tooHigh >= 0)
        throw new EngineError(
          'INVALID_DATA',
          `${d.name}: sample ${tooHigh} has label ${d.targets[tooHigh]}, but node "${out.node.id}" scores only ${out.outputShape[0]} classes`,
          out.node.id,
        );
    } else if (d.targetSize !== size(out.outputShape))
      throw new EngineError(
        'LOSS_MISMATCH',
        `${lossDef.title} compares node "${out.node.id}" [${out.outputShape.join(', ')}] with targets of ${d.targetSize} values`,
        out.node.id,
      );
  }

  private upload(data: Dataset): DeviceData {
    const x = this.be.alloc(data.x.length, `${data.name} x`);
    const targets = this.be.alloc(data.targets.length, `${data.name} targets`);
    this.be.write(x, data.x);
    this.be.write(targets, data.targets);
    return { data, x, targets };
  }

  private gather(d: DeviceData, rows: Uint32Array): void {
    const { be, session: s } = this;
    be.write(this.indices, rows);
    be.gatherRows({ src: d.x, indices: this.indices, out: s.input, rowSize: s.inputSize, count: rows.length });
    be.gatherRows({ src: d.targets, indices: this.indices, out: s.targets, rowSize: s.targetSize, count: rows.length });
  }

  private copyState(to: { params: Buf; slot1: Buf; slot2: Buf }, from: { params: Buf; slot1: Buf; slot2: Buf }): void {
    const size = this.session.paramCount;
    if (size === 0) return;
    for (const key of ['params', 'slot1', 'slot2'] as const)
      this.be.copy({ src: from[key], out: to[key], size, accumulate: false });
  }

  private async nonFinite(n: number, what: string): Promise<EngineError> {
    const culprit = await findNonFinite(this.session, n);
    const where = culprit ? `; node "${culprit.id}" is the first to ${culprit.what}` : '';
    return new EngineError(
      'NON_FINITE',
      `step ${this.step + 1}: ${what}${where}. Training stopped; the weights are those before this step.`,
      culprit?.id,
    );
  }
}
