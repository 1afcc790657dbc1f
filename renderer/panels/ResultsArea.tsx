import { memo } from 'react';
import { RunChart } from '../charts/RunChart';
import { usePaintedLater, useStagedParts } from '../runtime/paint-later';
import { useTrainingStore } from '../store/training-store';
import { useViewStore } from '../store/view-store';
import { ResultsDivider } from './ResultsDivider';
import { ResultsMiddle } from './ResultsMiddle';
import { TryPanel } from './TryPanel';

/**
 * Below the canvas: the run's chart, its evaluation (or a sweep) and the Try panel. It shows once there is
 * something in it: a run (or the last run's curve an opened document keeps), weights to start from (a model
 * opened from ONNX) to evaluate, or the sweep tab. Its own component, so that the app around it does not
 * re-render when it appears (React Flow's canvas among it); memoised, so that the app's re-renders (a
 * training setting changed) do not re-render the evaluation's tables, which follow their stores.
 */
export const ResultsArea = memo(function ResultsArea() {
  const hasResults = useTrainingStore((s) => s.state !== 'idle' || s.series.step.length > 0 || s.weightsFrom !== null);
  const resultsTab = useViewStore((s) => s.resultsTab);
  const height = useViewStore((s) => s.resultsHeight);
  const setHeight = useViewStore((s) => s.setResultsHeight);
  // Two frames after the training bar answers Train and the settings are locked (each in a frame of its own).
  const show = usePaintedLater(hasResults || resultsTab === 'sweep', 2);
  const parts = useStagedParts(show, 3);
  if (!show) return null;
  return (
    <>
      <ResultsDivider height={height} onHeight={setHeight} />
      <div className="results" data-testid="results" style={{ height }}>
        {/* The chart last, in a room kept for it: made once its box is final, never resized as the others come. */}
        {parts >= 3 ? <RunChart /> : <div className="run-chart" />}
        {parts >= 1 && <ResultsMiddle />}
        {parts >= 2 && <TryPanel />}
      </div>
    </>
  );
});
