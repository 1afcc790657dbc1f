import * as Comlink from 'comlink';
import { create } from 'zustand';
import type { EngineEvent, SweepResult, SweepSpec } from '../../engine/api';
import type { GraphDocument } from '../../engine/graph';
import { withRunRecorded } from '../../engine/graph/runs';
import { describeValues, parseSweepSetting, sweepCombinations, withValues } from '../../engine/train/sweep';
import { connectBrowserWorker, type EngineConnection } from '../runtime/engine-connection';
import { useDatasetFilesStore } from './dataset-files-store';
import { stillOpen, useDocumentStore } from './document-store';
import { digitsOf, epochRecords } from './run-series';
import { dataFor } from './training-store';

/** What the sweep panel shows and does. */
interface SweepState {
  /** One setting per line: `name=v1,v2,…`. */
  settings: string;
  /** Random draws ('' for the whole grid) and epochs per run ('' for the document's). */
  random: string;
  epochs: string;
  running: boolean;
  /** The spec of the results shown (a rerun of the same spec keeps its finished runs). */
  spec: SweepSpec | null;
  results: SweepResult[];
  /** The run going on: its place and how far it got. */
  progress: { index: number; total: number; step: number; epoch: number } | null;
  error: string | null;
  edit(patch: Partial<Pick<SweepState, 'settings' | 'random' | 'epochs'>>): void;
  start(): Promise<void>;
  stop(): void;
  /** The run's values into the document (one step of history). */
  apply(result: SweepResult): void;
}

let connection: EngineConnection | null = null;
/** Numbers each sweep started: late messages of an earlier one are told apart. */
let sweepCount = 0;

/** The spec the panel's fields describe, checked against the document; or why not. */
function specOf(state: SweepState, doc: GraphDocument): SweepSpec | string {
  try {
    const lines = state.settings.split('\n').filter((l) => l.trim() !== '');
    const whole = (text: string, what: string, most: number) => {
      if (text.trim() === '') return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1 || n > most) throw new Error(`${what}: a whole number from 1 to ${most}`);
      return n;
    };
    const spec: SweepSpec = {
      settings: lines.map(parseSweepSetting),
      random: whole(state.random, 'random runs', 1000),
      seed: doc.training.seed,
      epochs: whole(state.epochs, 'epochs per run', 100_000),
    };
    sweepCombinations(doc, spec);
    return spec;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A finished run of a sweep into the document's run history, with the values it tried. */
function recordSweepRun(r: SweepResult, index: number): void {
  const { optimizer, batchSize, epochs, seed } = r.training;
  const now = new Date().toISOString();
  const last = r.history.at(-1);
  const run = {
    id: `sweep-${digitsOf(now)}-${index + 1}`,
    startedAt: new Date(Date.now() - r.seconds * 1000).toISOString(),
    finishedAt: now,
    backend: 'cpu' as const,
    status: r.status,
    settings: { optimizer, batchSize, epochs, seed },
    epochs: epochRecords(r.history),
    fingerprint: r.fingerprint,
    steps: r.steps,
    ...(last && {
      result: {
        loss: last.valLoss ?? last.trainLoss,
        ...((last.valAccuracy ?? last.trainAccuracy) !== undefined && {
          accuracy: last.valAccuracy ?? last.trainAccuracy,
        }),
      },
    }),
    ...(r.curve.step.length > 1 && { curve: r.curve }),
    sweep: r.values,
  };
  useDocumentStore.getState().record((d) => withRunRecorded(d, run));
}

/**
 * A sweep of the open document, in an engine worker of its own: its runs one after another, each recorded in
 * the document's history as it ends. Stop keeps the finished runs; Start again with the same settings goes
 * on from them. Another document (New, Open, a sample) stops the sweep and clears its results.
 */
export const useSweepStore = create<SweepState>()((set, get) => ({
  settings: 'lr=0.003,0.01,0.03',
  random: '',
  epochs: '',
  running: false,
  spec: null,
  results: [],
  progress: null,
  error: null,
  edit: (patch) => set(patch),
  async start() {
    // (Files still being read for the dataset: the document names the one before them.)
    if (get().running || useDatasetFilesStore.getState().reading) return;
    const doc = useDocumentStore.getState().document;
    const ownDocument = stillOpen();
    const spec = specOf(get(), doc);
    if (typeof spec === 'string') return set({ error: spec });
    const data = await dataFor(doc);
    if (typeof data === 'string') return set({ error: data });
    const same = JSON.stringify(get().spec) === JSON.stringify(spec);
    const done = same ? get().results.filter((r) => r.status === 'completed') : [];
    const total = sweepCombinations(doc, spec).length;
    set({ running: true, error: null, spec, results: done, progress: { index: 0, total, step: 0, epoch: 0 } });
    connection = connectBrowserWorker();
    const mine = connection;
    const token = ++sweepCount;
    const belongs = () => ownDocument() && sweepCount === token;
    // Each finished run is recorded once, whether its event or the sweep's answer comes first.
    const recorded = new Set<number>();
    const kept = new Set(done.map((r) => describeValues(r.values)));
    const record = (result: SweepResult, index: number) => {
      if (recorded.has(index) || result.status === 'stopped' || kept.has(describeValues(result.values))) return;
      recorded.add(index);
      recordSweepRun(result, index);
    };
    connection.onCrash((reason) => set({ error: `the sweep's engine stopped: ${reason}` }));
    try {
      await connection.api.subscribe(
        Comlink.proxy((event: EngineEvent) => {
          if (!belongs()) return;
          if (event.type === 'sweep-progress')
            set({ progress: { index: event.index, total, step: event.step, epoch: event.epoch } });
          if (event.type === 'sweep-result' && !recorded.has(event.index)) {
            set({ results: [...get().results, event.result] });
            record(event.result, event.index);
          }
        }),
      );
      const all = await connection.api.sweep({ doc, data, spec, done });
      if (belongs()) {
        // The answer holds every run in order (kept ones included); a run stopped mid-way is not a result
        // (starting again runs it anew).
        all.forEach((result, index) => {
          record(result, index);
        });
        set({ results: all.filter((r) => r.status !== 'stopped') });
      }
    } catch (error) {
      if (belongs()) set({ error: (error as Error).message });
    } finally {
      mine.terminate();
      if (connection === mine) connection = null;
      if (belongs()) set({ running: false, progress: null });
    }
  },
  stop() {
    void connection?.api.stopSweep();
  },
  apply(result) {
    const store = useDocumentStore.getState();
    try {
      const applied = withValues(store.document, result.values);
      store.edit('Apply a sweep run', (d) => ({ ...applied, runs: d.runs, ...(d.weights && { weights: d.weights }) }));
    } catch (error) {
      set({ error: (error as Error).message });
    }
  },
}));

// A sweep belongs to the document it started from: another document stops it and clears its results.
useDocumentStore.subscribe((now, before) => {
  if (now.loadCount === before.loadCount) return;
  connection?.terminate();
  connection = null;
  sweepCount++;
  useSweepStore.setState({ running: false, spec: null, results: [], progress: null, error: null });
});
