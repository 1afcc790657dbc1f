import { memo } from 'react';
import { RunChart } from '../charts/RunChart';
import { useStagedParts } from '../runtime/paint-later';
import { useViewStore } from '../store/view-store';
import { ResultsDivider } from './ResultsDivider';
import { ResultsMiddle } from './ResultsMiddle';
import { TryPanel } from './TryPanel';

/**
 * Below the canvas: the run's chart, its evaluation (or a sweep) and the Try panel. There from the start,
 * empty until a run (as TensorFlow Playground's output is): a user sees where the curves will come, and
 * Train does not resize the canvas. When it appeared at Train, the canvas shrank in the same frames as the
 * training bar and the locked settings changed, and React Flow measured and repainted every layer: the
 * page's longest frames (over 50 ms with the CPU throttled 4x). Its own component, so that the app around it
 * does not re-render with it (React Flow's canvas among it); memoised, so that the app's re-renders (a
 * training setting changed) do not re-render the evaluation's tables, which follow their stores.
 */
export const ResultsArea = memo(function ResultsArea() {
  const height = useViewStore((s) => s.resultsHeight);
  const setHeight = useViewStore((s) => s.setResultsHeight);
  // Its parts mounted a frame apart as the page opens, each laid out and painted on its own.
  const parts = useStagedParts(3);
  return (
    <>
      <ResultsDivider height={height} onHeight={setHeight} />
      <div className="results" data-testid="results" style={{ height }}>
        <div className="row">
          {/* The chart last, in a room kept for it: made once its box is final, never resized as the others come. */}
          {parts >= 3 ? <RunChart /> : <div className="run-chart" />}
          {parts >= 1 && <ResultsMiddle />}
          {parts >= 2 && <TryPanel />}
        </div>
      </div>
    </>
  );
});
