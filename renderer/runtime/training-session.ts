import * as Comlink from 'comlink';
import {
  asyncScheduler,
  BehaviorSubject,
  map,
  type Observable,
  type SchedulerLike,
  Subject,
  share,
  throttleTime,
} from 'rxjs';
import type {
  DecisionBoundary,
  EngineApi,
  EngineEvent,
  EpochMetrics,
  Evaluation,
  Inspection,
  LookInsideQuestion,
  Prediction,
  RateSearch,
  RateSearchOptions,
  RateSteps,
  SessionInfo,
  SettingsPatch,
  StepColumns,
  StepReport,
  TelemetryFrame,
  UnitsOverPlane,
} from '../../engine/api';
import type { GraphDocument } from '../../engine/graph';
import type { PredictInputs } from '../../engine/train/predict';
import { stepAt } from '../../engine/train/step-columns';
import { layersChanged } from './changed-layers';

import type { EngineConnection } from './engine-connection';
import { structuralKey } from './graph-runtime';
import { watchHeartbeat } from './heartbeat';
import { Liveness } from './liveness';
import { NodeTelemetryStreams } from './node-telemetry';
import { Owner } from './owner';
import type { SessionNotice, SessionState, TestData, TrainingSessionOptions } from './session-state';
import { StepsDelivered } from './steps-delivered';

const MAX_RECOVERIES = 3;
const DEFAULT_HEARTBEAT = { intervalMs: 1000, timeoutMs: 5000, firstStepMs: 60_000 };

/**
 * One training run as the page sees it: commands (start, pause, resume, stop, single step, evaluate,
 * settings) go to the engine worker; metrics, telemetry and notices come back as streams, throttled for
 * the UI. If the worker crashes or stops answering, a new one continues from the last checkpoint.
 */
export class TrainingSession {
  readonly state$ = new BehaviorSubject<SessionState>('idle');
  readonly info$ = new BehaviorSubject<SessionInfo | null>(null);
  /** Every step's metrics, in order, a message's steps at a time as columns (for charts that keep all points). */
  readonly steps$ = new Subject<StepColumns>();
  /** The last step of each message (for waits and counters). */
  readonly latestStep$: Observable<StepReport>;
  readonly epochs$ = new Subject<EpochMetrics>();
  readonly notices$ = new Subject<SessionNotice>();
  /** The decision boundary of a network of 2-D points, a few times a second. */
  readonly boundary$ = new Subject<DecisionBoundary>();
  /** The learning-rate test's steps so far, while it runs. */
  readonly rateSteps$ = new Subject<RateSteps>();
  /** The watched layer's units over the plane, with each decision boundary (watchPlaneUnits). */
  readonly planeUnits$ = new Subject<{ nodeId: string; units: UnitsOverPlane }>();
  /** The layer watched: asked of each worker this session opens (a restarted one too). */
  private planeWatch: string | null = null;
  /** Reading the dataset's files in the worker, before the run opens. */
  readonly loading$ = new Subject<{ done: number; total: number; what: string }>();
  /** The latest step, at most one per frame (for progress bars and counters). */
  readonly progress$: Observable<StepReport>;
  /** Per-node telemetry, at most one frame per frameMs. */
  readonly telemetry$: Observable<TelemetryFrame>;
  /** The step of the newest checkpoint the page holds. */
  checkpointStep = 0;

  private readonly owner = new Owner();
  private readonly rawTelemetry = new Subject<TelemetryFrame>();
  private readonly nodes = new NodeTelemetryStreams(this.owner);
  private connection: EngineConnection | null = null;
  private lastCheckpoint: Uint8Array | undefined;
  private doc: GraphDocument;
  private readonly scheduler: SchedulerLike;
  private runGeneration = 0;
  private recoveries = 0;
  private readonly delivered = new StepsDelivered();
  private recoveredAt = -1;
  private readonly liveness: Liveness;
  /** A pause or stop asked of the run under way: honoured even if its worker is replaced before it answers. */
  private requested: 'pause' | 'stop' | null = null;

  constructor(private readonly options: TrainingSessionOptions) {
    this.doc = options.doc;
    this.scheduler = options.scheduler ?? asyncScheduler;
    const { timeoutMs, firstStepMs } = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
    this.liveness = new Liveness({ timeoutMs, firstStepMs }, this.scheduler.now());
    const frameMs = options.frameMs ?? 100;
    const throttle = { leading: true, trailing: true };
    this.latestStep$ = this.steps$.pipe(
      map((columns) => stepAt(columns, columns.count - 1)),
      share(),
    );
    this.progress$ = this.latestStep$.pipe(throttleTime(frameMs, this.scheduler, throttle), share());
    this.telemetry$ = this.rawTelemetry.pipe(throttleTime(frameMs, this.scheduler, throttle), share());
    this.owner.watch(this.telemetry$, (frame) => this.nodes.deliver(frame));
  }

  get state(): SessionState {
    return this.state$.value;
  }

  /** The telemetry of one node; completes when the node leaves the graph or the session ends. */
  nodeTelemetry(id: string): Observable<TelemetryFrame['nodes'][number]> {
    return this.nodes.of(id);
  }

  /** The editor's document changed: nodes that left it lose their telemetry streams. */
  documentChanged(doc: GraphDocument): void {
    this.nodes.keepOnly(doc);
  }

  /** The layers of `doc` that this run does not train as they are now (see layersChanged). */
  layersChangedIn(doc: GraphDocument): Set<string> {
    return layersChanged(this.doc, doc);
  }

  /** Whether an edit may go to this run: training settings may (when paused), the network may not. */
  canApply(doc: GraphDocument): { ok: true } | { ok: false; reason: string } {
    const network = (d: GraphDocument) => JSON.stringify([d.nodes.map((n) => [n.id, n.kind, n.params]), d.edges]);
    if (network(doc) !== network(this.doc))
      return {
        ok: false,
        reason: 'The network changed during this run. Stop the run and start a new one to train the changed network.',
      };
    return structuralKey(doc) === structuralKey(this.doc) || this.state !== 'running'
      ? { ok: true }
      : { ok: false, reason: 'Pause the run to change its settings.' };
  }

  /** Opens the session and trains; `paused`: opens it and waits (to load weights first, say). */
  async start({ paused = false } = {}): Promise<void> {
    this.state$.next('opening');
    try {
      await this.connect();
    } catch (error) {
      this.state$.next('failed');
      this.notices$.next({ kind: 'error', message: (error as Error).message });
      throw error;
    }
    if (paused) this.state$.next('paused');
    else void this.runLoop();
  }

  async pause(): Promise<void> {
    if (this.state === 'running' || this.state === 'recovering') this.requested ??= 'pause';
    if (this.state === 'running') await this.connection?.api.pause();
  }

  async resume(): Promise<void> {
    if (this.state === 'paused') void this.runLoop();
  }

  /** One optimizer step, from idle or paused. */
  async step(): Promise<void> {
    if (this.state !== 'paused' && this.state !== 'stopped') return;
    await this.runLoop(1);
  }

  async stop(): Promise<void> {
    if (this.state === 'running' || this.state === 'recovering') this.requested = 'stop';
    if (this.state === 'running') await this.connection?.api.stop();
    else if (this.state === 'paused') this.state$.next('stopped');
  }

  /** The engine of the open session (its worker's API); refused before the session opens. */
  private get api(): EngineConnection['api'] {
    if (!this.connection) throw new Error('the session is not open');
    return this.connection.api;
  }

  evaluate(): Promise<Evaluation> {
    return this.api.evaluate();
  }

  /**
   * The confusion matrix and sample predictions of the model as it stands (paused or finished), on the
   * validation set or on test data (read in the engine as the training data was).
   */
  inspect(test?: TestData): Promise<Inspection> {
    return this.api.inspect(test);
  }

  /** The learning-rate range test from the current weights, on a copy of them (paused or finished). */
  findLearningRate(options?: RateSearchOptions): Promise<RateSearch> {
    return this.api.findLearningRate(options);
  }

  /**
   * A layer whose units over the plane come with each decision boundary from now on (null: none), and at
   * once while paused. Kept for the session's workers; a session not yet open asks when it opens.
   */
  async watchPlaneUnits(nodeId: string | null): Promise<void> {
    this.planeWatch = nodeId;
    await this.connection?.api.watchPlaneUnits({ nodeId });
  }

  /** Ends the learning-rate test under way after its current step. */
  stopFindingRate(): Promise<void> {
    return this.api.stopFindingRate();
  }

  /** The samples of one cell of the last confusion matrix, on the current weights (paused or finished). */
  cellSamples(cell: { label: number; predicted: number }): Promise<Prediction[]> {
    return this.api.cellSamples(cell);
  }

  /** The network's answers for inputs of the user's, on the current weights (paused or finished). */
  predict(inputs: PredictInputs): ReturnType<EngineApi['predict']> {
    return this.api.predict(inputs);
  }

  /** Look inside the network, for one prepared input or at a layer's weights (paused or finished). */
  lookInside(question: LookInsideQuestion): ReturnType<EngineApi['lookInside']> {
    return this.api.lookInside(question);
  }

  /** The first training samples, unaugmented (for the augmentation preview). */
  trainingSamples(count: number): ReturnType<EngineApi['trainingSamples']> {
    return this.api.trainingSamples({ count });
  }

  /** The run's state as a checkpoint (its weights, for an export), while not running. */
  checkpoint(): Promise<Uint8Array> {
    return this.api.checkpoint();
  }

  /** Weights trained elsewhere (a safetensors file of the exported module) in place of the run's, while paused. */
  async importWeights(bytes: Uint8Array, file: string): Promise<void> {
    if (this.state !== 'paused') throw new Error('Pause the run to load weights into it.');
    await this.api.importWeights({ bytes, file });
  }

  /** New training settings while paused; the optimizer state is kept. */
  async updateSettings(patch: SettingsPatch): Promise<SessionInfo> {
    if (this.state === 'running') throw new Error('Pause the run to change its settings.');
    const info = await this.api.updateSettings(patch);
    this.doc = { ...this.doc, training: { ...this.doc.training, ...patch } };
    this.info$.next(info);
    return info;
  }

  /** Ends the run and everything it owns: worker, streams, subscriptions. */
  dispose(): void {
    this.runGeneration++;
    this.connection?.terminate();
    this.connection = null;
    this.owner.dispose();
    for (const s of [this.steps$, this.epochs$, this.notices$, this.rawTelemetry, this.state$, this.info$])
      s.complete();
  }

  get liveNodeStreams(): number {
    return this.nodes.live;
  }

  private async connect(checkpoint?: Uint8Array): Promise<void> {
    const connection = this.options.connect();
    this.connection = connection;
    // A crash while opening fails the opening; a crash later is recovered from.
    let failOpening: (reason: string) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      failOpening = (reason) => reject(new Error(`the engine worker failed to start: ${reason}`));
    });
    crashed.catch(() => {});
    let opened = false;
    connection.onCrash((reason) => {
      if (!opened) failOpening(reason);
      else if (this.connection === connection) void this.recover(`the engine worker crashed (${reason})`);
    });
    const opening = (async () => {
      await connection.api.subscribe(Comlink.proxy((event: EngineEvent) => this.onEvent(event)));
      return connection.api.open({ doc: this.doc, data: this.options.data, options: this.options.engine, checkpoint });
    })();
    const info = await Promise.race([opening, crashed]);
    opened = true;
    this.info$.next(info);
    if (this.planeWatch !== null) void connection.api.watchPlaneUnits({ nodeId: this.planeWatch }).catch(() => {});
    watchHeartbeat({
      owner: this.owner,
      scheduler: this.scheduler,
      intervalMs: { ...DEFAULT_HEARTBEAT, ...this.options.heartbeat }.intervalMs,
      liveness: this.liveness,
      ping: () => connection.api.ping(),
      current: () => this.connection === connection,
      lost: (silentMs) => void this.recover(`the engine worker stopped answering for ${Math.round(silentMs / 1000)} s`),
    });
  }

  private async runLoop(steps?: number): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const generation = ++this.runGeneration;
    this.requested = null;
    this.state$.next('running');
    try {
      const { end, step } = await connection.api.run(steps === undefined ? {} : { steps });
      // Its last steps may still be on their way (events have their own channel).
      await this.delivered.until(step);
      if (generation !== this.runGeneration) return;
      this.state$.next(end === 'steps' ? 'paused' : end);
      if (end === 'finished') this.notices$.next({ kind: 'info', message: 'Training finished.' });
    } catch (error) {
      if (generation !== this.runGeneration) return;
      const e = error as Error & { code?: string };
      this.state$.next('failed');
      this.notices$.next({ kind: 'error', message: e.message });
    }
  }

  private onEvent(event: EngineEvent): void {
    this.liveness.alive(this.scheduler.now(), { step: event.type === 'steps' });
    switch (event.type) {
      case 'steps':
        // Epochs first: the page waits for a run's last steps before it changes state, so everything
        // reported with them must be in by then.
        for (const e of event.epochs) this.epochs$.next(e);
        if (event.steps.count > 0) {
          this.steps$.next(event.steps);
          this.delivered.reached(event.steps.step[event.steps.count - 1]);
        }
        break;
      case 'telemetry':
        this.rawTelemetry.next(event.frame);
        break;
      case 'loading':
        this.loading$.next(event);
        break;
      case 'boundary':
        this.boundary$.next(event.boundary);
        break;
      case 'rate-steps':
        this.rateSteps$.next(event.steps);
        break;
      case 'plane-units':
        this.planeUnits$.next({ nodeId: event.nodeId, units: event.units });
        break;
      case 'checkpoint':
        this.lastCheckpoint = event.bytes;
        this.checkpointStep = event.step;
        break;
      case 'backend':
        // The GPU was lost: the engine goes on elsewhere from a checkpoint; say where and why.
        this.info$.next(event.info);
        this.delivered.last = event.step;
        this.notices$.next({ kind: 'info', message: event.reason });
        break;
    }
  }

  /** A new worker, the last checkpoint, and the run goes on if it was running. */
  private async recover(reason: string): Promise<void> {
    if (this.state === 'recovering' || !this.connection) return;
    // A worker that dies again and again without progress is not restarted forever.
    this.recoveries = this.checkpointStep === this.recoveredAt ? this.recoveries + 1 : 1;
    this.recoveredAt = this.checkpointStep;
    if (this.recoveries > MAX_RECOVERIES) {
      this.state$.next('failed');
      this.notices$.next({
        kind: 'error',
        message: `${reason}; it failed ${MAX_RECOVERIES} times at step ${this.checkpointStep}, so the run stopped.`,
      });
      return;
    }
    const wasRunning = this.state === 'running';
    this.runGeneration++;
    this.state$.next('recovering');
    this.connection.terminate();
    this.notices$.next({
      kind: 'warning',
      message: `${reason}. A new engine continues from the checkpoint at step ${this.checkpointStep}.`,
    });
    try {
      await this.connect(this.lastCheckpoint);
      // A pause or stop sent to the lost worker is the user's still: the new one does not train over it.
      const requested = this.requested;
      this.requested = null;
      if (wasRunning && !requested) void this.runLoop();
      else this.state$.next(requested === 'stop' ? 'stopped' : 'paused');
    } catch (error) {
      this.state$.next('failed');
      this.notices$.next({ kind: 'error', message: `the engine could not be restarted: ${(error as Error).message}` });
    }
  }
}
