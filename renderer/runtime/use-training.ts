import { useCallback, useEffect, useRef, useState } from 'react';
import type { DatasetInput, EpochMetrics, SessionInfo, StepReport } from '../../engine/api';
import type { GraphDocument } from '../../engine/graph';
import { useDocumentStore } from '../store/document-store';
import { fetchBundled } from './bundled-files';
import { connectBrowserWorker } from './engine-connection';
import { Owner } from './owner';
import { type SessionState, TrainingSession } from './training-session';

export interface TrainingView {
  state: SessionState;
  info: SessionInfo | null;
  progress: StepReport | null;
  lastEpoch: EpochMetrics | null;
}

const idle: TrainingView = { state: 'idle', info: null, progress: null, lastEpoch: null };

/** The data for a document: generated in the worker, or the bundled files; files of your own not yet. */
async function dataFor(doc: GraphDocument): Promise<DatasetInput | string> {
  const d = doc.training.dataset;
  if (d.source === 'synthetic') return { kind: 'document' };
  if (d.source === 'sample') return { kind: 'bundled', files: await fetchBundled(d.name) };
  return `This graph trains on ${d.source.toUpperCase()} files, which the app cannot load yet; \`npm run train -- graph.json --data images labels\` trains on IDX files.`;
}

/** One training run of the open document in the engine worker, with its state for the UI. */
export function useTraining() {
  const [view, setView] = useState<TrainingView>(idle);
  const session = useRef<{ training: TrainingSession; owner: Owner } | null>(null);

  const end = useCallback(() => {
    session.current?.owner.dispose();
    session.current?.training.dispose();
    session.current = null;
  }, []);
  useEffect(() => end, [end]);

  // Edits during a run: nodes that left lose their streams; a changed network is pointed out, never applied.
  useEffect(
    () =>
      useDocumentStore.subscribe((state, previous) => {
        const current = session.current?.training;
        if (!current || state.document === previous.document) return;
        current.documentChanged(state.document);
        const verdict = current.canApply(state.document);
        if (!verdict.ok && current.state !== 'stopped' && current.state !== 'finished')
          state.report({ title: 'This edit does not change the current run', details: [verdict.reason] });
      }),
    [],
  );

  const start = useCallback(async () => {
    const store = useDocumentStore.getState();
    const doc = store.document;
    end();
    setView({ ...idle, state: 'opening' });
    let data: DatasetInput | string;
    try {
      data = await dataFor(doc);
    } catch (error) {
      data = `The dataset could not be loaded: ${(error as Error).message}`;
    }
    if (typeof data === 'string') {
      setView(idle);
      store.report({ title: 'Training cannot start', details: [data] });
      return;
    }
    const training = new TrainingSession({ connect: connectBrowserWorker, doc, data });
    const owner = new Owner();
    session.current = { training, owner };
    setView(idle);
    owner.watch(training.state$, (state) => setView((v) => ({ ...v, state })));
    owner.watch(training.info$, (info) => setView((v) => ({ ...v, info })));
    owner.watch(training.progress$, (progress) => setView((v) => ({ ...v, progress })));
    owner.watch(training.epochs$, (lastEpoch) => setView((v) => ({ ...v, lastEpoch })));
    owner.watch(training.notices$, (n) => {
      if (n.kind !== 'info')
        useDocumentStore
          .getState()
          .report({ title: n.kind === 'error' ? 'Training stopped' : 'Training recovered', details: [n.message] });
    });
    await training.start().catch(() => {});
  }, [end]);

  const act = (what: 'pause' | 'resume' | 'stop' | 'step') => () => void session.current?.training[what]();
  return { view, start, pause: act('pause'), resume: act('resume'), stop: act('stop'), step: act('step') };
}
