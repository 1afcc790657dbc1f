import { useDeferredValue, useEffect, useState } from 'react';
import { RunChart } from '../charts/RunChart';
import { useTrainingStore } from '../store/training-store';
import { useViewStore } from '../store/view-store';
import { ResultsDivider } from './ResultsDivider';
import { ResultsMiddle } from './ResultsMiddle';
import { TryPanel } from './TryPanel';

/**
 * Below the canvas: the run's chart, its evaluation (or a sweep) and the Try panel. It shows once there is
 * something in it: a run (or the last run's curve an opened document keeps), weights to start from (a model
 * opened from ONNX) to evaluate, or the sweep tab. Its own component, so that the app around it does not
 * re-render when it appears (React Flow's canvas among it).
 */
export function ResultsArea() {
  const hasResults = useTrainingStore((s) => s.state !== 'idle' || s.series.step.length > 0 || s.weightsFrom !== null);
  const resultsTab = useViewStore((s) => s.resultsTab);
  const height = useViewStore((s) => s.resultsHeight);
  const setHeight = useViewStore((s) => s.setResultsHeight);
  // Deferred: the area mounts in a render React may interrupt, after the one that answers Train (the
  // training bar), so that no single task of the page does both.
  const show = useDeferredValue(hasResults || resultsTab === 'sweep');
  const parts = useStagedParts(show, 3);
  if (!show) return null;
  return (
    <>
      <ResultsDivider height={height} onHeight={setHeight} />
      <div className="results" data-testid="results" style={{ height }}>
        {parts >= 1 && <RunChart />}
        {parts >= 2 && <ResultsMiddle />}
        {parts >= 3 && <TryPanel />}
      </div>
    </>
  );
}

/**
 * How many of an area's parts to show: none while it is hidden, then one more in each task after it shows.
 * The area takes its whole room at once (the canvas shrinks once); its parts fill it in turn, each mounted,
 * laid out and painted in a task of its own rather than all of them in one long one.
 */
function useStagedParts(shown: boolean, count: number): number {
  const [parts, setParts] = useState(0);
  useEffect(() => {
    if (!shown) {
      setParts(0);
      return;
    }
    if (parts >= count) return;
    const timer = setTimeout(() => setParts(parts + 1), 0);
    return () => clearTimeout(timer);
  }, [shown, parts, count]);
  return shown ? parts : 0;
}
