import type { ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionInfo, StepReport } from '../../engine/api';
import type { GraphAnalysis } from '../../engine/graph';
import { isTraining } from '../runtime/session-state';
import { useDatasetFilesStore } from '../store/dataset-files-store';
import { useDocumentStore } from '../store/document-store';
import { useRateFinderStore } from '../store/rate-finder-store';
import { useTrainingStore } from '../store/training-store';

const pct = (v: number | undefined) => (v === undefined ? '' : ` · accuracy ${(100 * v).toFixed(1)}%`);
const number = new Intl.NumberFormat('en');

/** "3 min left", from the samples still to go at the smoothed speed. */
function timeLeft(info: SessionInfo, progress: StepReport, rate: number): string {
  const stepsLeft = info.epochs * info.batchesPerEpoch - progress.step;
  if (stepsLeft <= 0 || rate <= 0) return '';
  const seconds = (stepsLeft * info.batchSize) / rate;
  if (seconds < 60) return ` · ${Math.ceil(seconds)} s left`;
  if (seconds < 3600) return ` · ${Math.ceil(seconds / 60)} min left`;
  return ` · ${(seconds / 3600).toFixed(1)} h left`;
}

/** Why Train is disabled, in view beside it: the first problem, with its layer. */
function firstError(analysis: GraphAnalysis): string {
  const all = [...analysis.graphDiagnostics, ...[...analysis.nodes.values()].flatMap((n) => n.diagnostics)];
  const first = all.find((d) => d.severity === 'error');
  if (!first) return '';
  const more = all.filter((d) => d.severity === 'error').length - 1;
  return `${first.nodeId ? `${first.nodeId}: ` : ''}${first.message}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/** Train, pause, resume, single step and stop, with the run's progress in one line. */
export function TrainingBar({ analysis }: { analysis: GraphAnalysis | null }) {
  // Only what the bar shows: telemetry and the decision boundary arrive as often and must not redraw it.
  const { state, info, progress, loading, start, pause, resume, stop, step, rate, weightsFrom } = useTrainingStore(
    useShallow((s) => ({
      state: s.state,
      info: s.info,
      progress: s.progress,
      loading: s.loading,
      start: s.start,
      pause: s.pause,
      resume: s.resume,
      stop: s.stop,
      step: s.step,
      rate: s.rate,
      weightsFrom: s.weightsFrom,
    })),
  );
  const validation = useTrainingStore((s) => s.series.latestEpoch?.valAccuracy);
  // Files being read for the dataset: the document still names the one before them.
  const readingFiles = useDatasetFilesStore((s) => s.reading);
  // The learning-rate test trains a copy of the weights in the same worker: the run waits for it.
  const findingRate = useRateFinderStore((s) => s.finding);
  const active = isTraining(state);
  const epoch = progress ? progress.epoch + 1 : 0;
  const inEpoch = progress && info ? ((progress.step - 1) % info.batchesPerEpoch) + 1 : 0;
  const fraction = info && progress ? inEpoch / info.batchesPerEpoch : 0;
  return (
    <div className="training-bar" data-testid="training-bar" data-state={state}>
      <div className="line">
        {!active && state !== 'paused' && (
          <button
            type="button"
            data-testid="train"
            disabled={!analysis?.canTrain || readingFiles || findingRate}
            title={
              readingFiles
                ? 'Reading the picked files…'
                : findingRate
                  ? 'Looking for a learning rate…'
                  : analysis?.canTrain
                    ? 'Train this network'
                    : 'Fix the marked layers first'
            }
            onClick={() => void start()}
          >
            ▶ Train
          </button>
        )}
        {state === 'running' && (
          <button type="button" data-testid="pause" onClick={pause}>
            ❚❚ Pause
          </button>
        )}
        {state === 'paused' && (
          <>
            <button type="button" data-testid="resume" disabled={findingRate} onClick={resume}>
              ▶ Resume
            </button>
            <button type="button" data-testid="step" disabled={findingRate} onClick={step}>
              Step
            </button>
          </>
        )}
        {(state === 'running' || state === 'paused') && (
          <button type="button" data-testid="stop" onClick={stop}>
            ■ Stop
          </button>
        )}
        {!active && state !== 'paused' && analysis && !analysis.canTrain && (
          <span className="train-blocked" data-testid="train-blocked" title={firstError(analysis)}>
            {firstError(analysis)}
          </span>
        )}
        <span className="training-state">{state === 'idle' ? '' : state}</span>
        {state === 'opening' && loading && (
          <ProgressLine testId="data-loading">
            <span className="bar" aria-hidden="true">
              <span style={{ width: `${Math.round((100 * loading.done) / Math.max(loading.total, 1))}%` }} />
            </span>
            {loading.total > 1
              ? `loading data ${Math.round((100 * loading.done) / loading.total)}% · `
              : 'preparing · '}
            {loading.what}
          </ProgressLine>
        )}
        {state === 'running' && !progress && info && (
          // Until the first step reports: on a GPU, it creates the pipelines of the kernels the network uses.
          <ProgressLine testId="first-step">
            first step{info.backend.id === 'webgpu' ? ' · compiling the GPU kernels it uses' : ''}
          </ProgressLine>
        )}
        {progress && info && (
          <ProgressLine testId="training-progress">
            <span className="bar" aria-hidden="true">
              {/* Scaled, not sized: a new width would lay the page out again at every frame of a run. */}
              <span style={{ width: '100%', transform: `scaleX(${fraction.toFixed(3)})` }} />
            </span>
            epoch {epoch}/{info.epochs} · step {number.format(progress.step)} · loss {progress.epochLoss.toFixed(4)}
            {pct(progress.epochAccuracy)}
            {/* A finished run's last epoch is whole: its figures are that epoch's own. */}
            {state === 'finished' ? '' : ' (this epoch so far)'}
            {validation === undefined ? '' : ` · validation ${(100 * validation).toFixed(1)}%`} ·{' '}
            {number.format(Math.round(rate))} samples/s
            {state === 'running' ? timeLeft(info, progress, rate) : ''}
            <span
              className="training-backend"
              data-testid="training-backend"
              data-backend={info.backend.id}
              title={info.backend.reason}
            >
              {' '}
              · on {info.backend.id === 'cpu' ? 'CPU' : `WebGPU (${info.backend.label})`}
            </span>
          </ProgressLine>
        )}
        <StartingWeights loaded={weightsFrom} />
      </div>
    </div>
  );
}

/**
 * The run's progress in one line, which changes at every frame of a run. The browser lays out again from the
 * nearest relayout boundary above a change, and a flex item is never one: the line sits in a box of its own
 * (size, layout and paint contained, not a flex item), so that its new words are laid out there and not in
 * the whole page (Chromium's rule: `ObjectIsRelayoutBoundary`).
 */
function ProgressLine({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <span className="training-progress" data-testid={testId}>
      <span className="line">{children}</span>
    </span>
  );
}

/** Where the document's runs start from, when it records weights: loaded in this window or not, and a way back to fresh ones. */
function StartingWeights({ loaded }: { loaded: string | null }) {
  const recorded = useDocumentStore((s) => s.document.weights?.file);
  const startFresh = useTrainingStore((s) => s.startFresh);
  if (!recorded) return null;
  return (
    <span className="muted starting-weights" data-testid="weights-from" data-loaded={loaded === recorded}>
      {loaded === recorded ? `weights from ${recorded}` : `starts from ${recorded} (not loaded: Import weights…)`}{' '}
      <button
        type="button"
        className="link"
        data-testid="start-fresh"
        title="Train from a fresh initialisation instead (the graph stops naming these weights)"
        onClick={startFresh}
      >
        start fresh
      </button>
    </span>
  );
}
