import { create } from 'zustand';
import type { DatasetInput, LookInsideQuestion, SettingsPatch } from '../../engine/api';
import { exportPyTorch } from '../../engine/export/pytorch';
import { readSafetensors } from '../../engine/export/safetensors';
import type { GraphDocument } from '../../engine/graph';
import { withRunRecorded } from '../../engine/graph/runs';
import { bundledUrls } from '../runtime/bundled-files';
import { connectBrowserWorker } from '../runtime/engine-connection';
import { Owner } from '../runtime/owner';
import { isTraining } from '../runtime/session-state';
import { TrainingSession } from '../runtime/training-session';
import { pickedMatches, useDatasetFilesStore } from './dataset-files-store';
import { stillOpen, useDocumentStore } from './document-store';
import { lastRunSeries, runRecord } from './run-series';
import { appendEpoch, appendSteps, lastStepOf } from './step-series';
import { noRunYet, type TrainingState } from './training-state';

export type { RunSeries } from './run-series';
export type { PredictResult, WithoutInput } from './training-state';

let current: { training: TrainingSession; owner: Owner } | null = null;
/** The weights the open document's runs start from, with the document's load count they belong to. */
let startingWeights: { loadCount: number; bytes: Uint8Array; file: string } | null = null;
/** A stop asked of the learning-rate test, which may come while its run is still opening. */
let rateStopAsked = false;
/** The layer whose units over the plane Look inside shows live: asked of every run the document opens. */
let planeWatch: string | null = null;
/** Settings changes waiting for the step under way to end (see `stepping`). */
const stepWaiters: (() => void)[] = [];
/** Settings changed while the current run was paused, with the step from which they applied. */
let runChanges: { step: number; settings: SettingsPatch }[] = [];

/** The data for a document: generated in the worker, the bundled files, or the files picked in this window. */
export async function dataFor(doc: GraphDocument): Promise<DatasetInput | string> {
  const d = doc.training.dataset;
  if (d.source === 'synthetic') return { kind: 'document' };
  if (d.source === 'sample') return { kind: 'bundled-urls', urls: bundledUrls(d.name) };
  const picked = useDatasetFilesStore.getState().picked;
  if (pickedMatches(d, picked)) return { kind: 'files', files: picked.files };
  return 'This graph trains on files of your own, which are not stored in the graph: choose them in the Training panel (dataset), then train.';
}

/** A run into the document's history (the last hundred kept). */
function recordRun(run: ReturnType<typeof runRecord>): void {
  useDocumentStore.getState().record((d) => withRunRecorded(d, run));
}

function end(): void {
  current?.owner.dispose();
  current?.training.dispose();
  current = null;
  // A step under way ends with its run: settings waiting for it are not applied (they were for that run).
  for (const done of stepWaiters.splice(0)) done();
}

/**
 * A run belongs to the document it started from (identified by the store's load count, which each New,
 * Open or sample changes): when another document replaces it, the run ends and its state leaves the screen.
 */
useDocumentStore.subscribe((now, before) => {
  if (now.loadCount === before.loadCount) return;
  end();
  useTrainingStore.setState({ state: 'idle', ...noRunYet(), inspecting: false, series: lastRunSeries(now.document) });
});

/**
 * The open document's run when it stands still (paused, stopped or finished), to evaluate or try inputs on;
 * from idle, a run opens paused with the weights it would start from. Undefined while one trains.
 */
async function stillRun(): Promise<TrainingSession | undefined> {
  const store = useTrainingStore.getState();
  if (!current && store.state === 'idle') await store.start({ paused: true });
  const state = useTrainingStore.getState().state;
  return state === 'paused' || state === 'stopped' || state === 'finished' ? current?.training : undefined;
}

/** The run of the open document in the engine worker: commands, and everything the UI shows of it. */
export const useTrainingStore = create<TrainingState>()((set, get) => ({
  state: 'idle',
  ...noRunYet(),
  inspecting: false,
  async inspect(test) {
    if (get().inspecting) return;
    // From idle: a run opens, paused, with the weights it would start from, and those are evaluated.
    const ownDocument = stillOpen();
    const training = await stillRun();
    if (!training) return;
    // An answer for a document no longer open (its run ended with it) is dropped, as a run's record is.
    const ifStillOpen = (patch: Partial<TrainingState>) => {
      if (ownDocument()) set(patch);
    };
    set({ inspecting: true, inspectionError: null });
    try {
      ifStillOpen({ inspection: await training.inspect(test) });
    } catch (error) {
      ifStillOpen({ inspectionError: (error as Error).message });
    } finally {
      set({ inspecting: false });
    }
  },
  async predict(inputs) {
    const ownDocument = stillOpen();
    const training = await stillRun();
    if (!training)
      return get().state === 'running'
        ? 'Pause the run to try the network on inputs.'
        : 'The network could not be opened.';
    try {
      const result = await training.predict(inputs);
      // Answered after another document opened: not an input of this one's to look inside.
      if (!ownDocument()) return result;
      const per = result.x.length / Math.max(result.names.length, 1);
      set({
        lastTry:
          result.names.length > 0
            ? { x: result.x.slice(0, per), name: result.names[0], classNames: result.classNames }
            : null,
      });
      return result;
    } catch (error) {
      return (error as Error).message;
    }
  },
  async findLearningRate() {
    rateStopAsked = false;
    set({ rateSteps: null });
    const training = await stillRun();
    if (!training) return 'Pause the run to look for a learning rate.';
    // Asked to stop while the run was opening: the test does not begin.
    if (rateStopAsked) return 'The learning-rate test was stopped before it began.';
    try {
      return await training.findLearningRate();
    } catch (error) {
      return (error as Error).message;
    } finally {
      set({ rateSteps: null });
    }
  },
  watchPlaneUnits(nodeId) {
    planeWatch = nodeId;
    if (nodeId === null) set({ planeUnits: null });
    void current?.training.watchPlaneUnits(nodeId).catch(() => {});
  },
  stopFindingRate() {
    rateStopAsked = true;
    void current?.training.stopFindingRate();
  },
  async cellSamples(cell) {
    const training = await stillRun();
    if (!training) return 'Pause the run to see the samples of a cell.';
    try {
      return await training.cellSamples(cell);
    } catch (error) {
      return (error as Error).message;
    }
  },
  async firstTrainingSample() {
    const training = current?.training ?? (await stillRun());
    if (!training) return 'The network could not be opened: see the status bar.';
    try {
      const { x, shape, count } = await training.trainingSamples(1);
      return count > 0 ? { x, shape } : 'The dataset has no training samples.';
    } catch (error) {
      return (error as Error).message;
    }
  },
  lookAt(input) {
    set({ lastTry: input });
  },
  async lookInside(question) {
    const input = get().lastTry;
    // The units over the plane need no input (the plane is it): from idle a run opens paused, as the Try
    // panel's does, so the units of a network not yet trained show too.
    const inputFree = question.kind === 'weights' || question.kind === 'plane';
    const training = question.kind === 'plane' ? await stillRun() : current?.training;
    if (!training)
      return question.kind === 'plane'
        ? 'Pause the run to see its units over the plane (once shown, they follow the run as it trains).'
        : 'Train the network, or try it on an input (the Try panel), first.';
    if (!inputFree && !input) return 'Try the network on an input first (the Try panel).';
    try {
      return await training.lookInside(
        inputFree ? (question as LookInsideQuestion) : ({ ...question, x: input!.x } as LookInsideQuestion),
      );
    } catch (error) {
      return (error as Error).message;
    }
  },
  startFresh() {
    startingWeights = null;
    set({ weightsFrom: null });
    const store = useDocumentStore.getState();
    if (store.document.weights)
      store.edit('Start from fresh weights', ({ weights: _dropped, ...doc }) => doc as typeof store.document);
  },
  startFrom(bytes, file) {
    startingWeights = { loadCount: useDocumentStore.getState().loadCount, bytes, file };
    set({ weightsFrom: file });
  },
  async importWeights(bytes, file) {
    const store = useDocumentStore.getState();
    const refuse = (why: string) => store.report({ title: `${file} was not loaded`, details: [why] });
    const state = get().state;
    if (state === 'running' || state === 'opening')
      return refuse('Pause or stop the run first: weights are loaded into a paused run.');
    // Checked here first, so that a file that does not fit changes nothing (no run is opened for it).
    try {
      exportPyTorch(store.document).weightsFrom(readSafetensors(bytes, file), file);
    } catch (error) {
      return refuse((error as Error).message);
    }
    // The document records them: its runs start from them (undo goes back to what it started from).
    startingWeights = { loadCount: store.loadCount, bytes, file };
    if (store.document.weights?.file !== file)
      store.edit(`Start from the weights in ${file}`, (doc) => ({ ...doc, weights: { file } }));
    if (state !== 'paused') {
      // A run opens, paused, from them.
      await get().start({ paused: true });
      if (get().state !== 'paused') return;
    } else
      try {
        await current?.training.importWeights(bytes, file);
      } catch (error) {
        return refuse((error as Error).message);
      }
    set({ weightsFrom: file });
    store.report(null);
    await get().inspect();
  },
  async start({ paused = false } = {}) {
    // Files still being read for the dataset: the document names the one before them (Train waits too).
    if (useDatasetFilesStore.getState().reading) return;
    const store = useDocumentStore.getState();
    const doc = store.document;
    const ownDocument = stillOpen();
    const from = doc.weights && startingWeights?.loadCount === store.loadCount ? startingWeights : null;
    if (doc.weights && !from) {
      store.report({
        title: 'Training cannot start',
        details: [
          `This graph starts from the weights in ${doc.weights.file}, which are not loaded in this window: load them with Import weights…, or choose "start fresh" to train from new weights.`,
        ],
      });
      return;
    }
    end();
    runChanges = [];
    set({ state: 'opening', ...noRunYet() });
    // The page answers Train (the training bar) in this task, and makes the worker in the next: one task
    // doing both was the longest the page had on a slow machine.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (get().state !== 'opening' || !ownDocument()) return;
    let data: DatasetInput | string;
    try {
      data = await dataFor(doc);
    } catch (error) {
      data = `The dataset could not be loaded: ${(error as Error).message}`;
    }
    if (typeof data === 'string') {
      set({ state: 'idle' });
      store.report({ title: 'Training cannot start', details: [data] });
      return;
    }
    const training = new TrainingSession({ connect: connectBrowserWorker, doc, data });
    const owner = new Owner();
    current = { training, owner };
    const series = get().series;
    const startedAt = new Date().toISOString();
    let recorded = false;
    owner.watch(training.state$, (state) => {
      set({ state });
      if (!recorded && (state === 'finished' || state === 'stopped' || state === 'failed') && series.length > 0) {
        recorded = true;
        // In a task after the one that shows the run's end (its record, a document edit, redraws the history).
        const { info, progress } = get();
        const changes = runChanges;
        setTimeout(() => {
          // Into the document the run started from, and no other (checked by identity, not by what is open).
          if (ownDocument())
            recordRun(runRecord(doc, startedAt, state, series, info?.backend.id ?? 'cpu', changes, progress));
        }, 0);
      }
      // A finished run is evaluated at once: a classifier's confusion matrix, a regression's errors appear.
      if (state === 'finished') void get().inspect();
    });
    owner.watch(training.info$, (info) => set({ info, ...(info ? { loading: null } : {}) }));
    owner.watch(training.loading$, (loading) => set({ loading }));
    owner.watch(training.boundary$, (boundary) => set({ boundary }));
    owner.watch(training.rateSteps$, (rateSteps) => set({ rateSteps }));
    owner.watch(training.planeUnits$, (planeUnits) => set({ planeUnits }));
    if (planeWatch !== null) void training.watchPlaneUnits(planeWatch).catch(() => {});
    owner.watch(training.steps$, (columns) => appendSteps(series, columns));
    owner.watch(training.epochs$, (e) => appendEpoch(series, e));
    // One UI update per frame at most: progress and telemetry arrive throttled.
    owner.watch(training.progress$, (progress) =>
      set((s) => ({
        progress,
        version: s.version + 1,
        // An exponential average over about ten readings (a second at ten a second).
        rate: s.rate > 0 ? 0.9 * s.rate + 0.1 * progress.samplesPerSecond : progress.samplesPerSecond,
      })),
    );
    owner.watch(training.telemetry$, (frame) => set({ telemetry: new Map(frame.nodes.map((n) => [n.id, n])) }));
    owner.watch(training.notices$, (n) => {
      if (n.kind !== 'info')
        useDocumentStore
          .getState()
          .report({ title: n.kind === 'error' ? 'Training stopped' : 'Training recovered', details: [n.message] });
    });

    await training.start({ paused: paused || from !== null }).catch(() => {});
    if (from && training.state === 'paused') {
      try {
        await training.importWeights(from.bytes, from.file);
        set({ weightsFrom: from.file });
      } catch (error) {
        store.report({ title: `${from.file} was not loaded`, details: [(error as Error).message] });
      }
      if (!paused) await training.resume();
    }
  },
  pause: () => void current?.training.pause(),
  resume: () => void current?.training.resume(),
  stop: () => void current?.training.stop(),
  step() {
    const training = current?.training;
    if (!training) return;
    const fromPause = get().state === 'paused';
    if (fromPause) set({ stepping: true });
    void training.step().finally(() => {
      if (!fromPause) return;
      set({ stepping: false });
      for (const done of stepWaiters.splice(0)) done();
    });
  },
  async checkpoint() {
    const state = get().state;
    if (!current || !['paused', 'stopped', 'finished'].includes(state)) return undefined;
    return current.training.checkpoint();
  },
  async applySettings(patch) {
    // Never while a run trains (a step from pause aside): the run would keep its own values while the document
    // showed these. The settings' fieldsets lock a frame or two after Train; this holds in those frames too.
    if (isTraining(get().state) && !get().stepping) throw new Error('Pause the run to change its settings.');
    useDocumentStore
      .getState()
      .edit('Change training settings', (doc) => ({ ...doc, training: { ...doc.training, ...patch } }));
    // Changed during a step from pause: applied to the run once the step is done, as from pause.
    const run = current;
    if (get().stepping) await new Promise<void>((resolve) => stepWaiters.push(resolve));
    if (current && current === run && (get().state === 'paused' || get().state === 'stopped')) {
      runChanges.push({ step: lastStepOf(get().series), settings: patch });
      await current.training.updateSettings(patch);
    }
  },
}));

// Edits during a run: nodes that left lose their streams; a changed network is pointed out, never applied.
useDocumentStore.subscribe((state, previous) => {
  const training = current?.training;
  if (!training || state.document === previous.document) return;
  training.documentChanged(state.document);
  const edited = training.layersChangedIn(state.document);
  const before = useTrainingStore.getState().editedLayers;
  if (edited.size !== before.size || [...edited].some((id) => !before.has(id)))
    useTrainingStore.setState({ editedLayers: edited });
  const verdict = training.canApply(state.document);
  if (!verdict.ok && training.state !== 'stopped' && training.state !== 'finished')
    state.report({ title: 'This edit does not change the current run', details: [verdict.reason] });
});
