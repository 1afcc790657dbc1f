import { useEffect, useMemo, useRef } from 'react';
import type { RegressionInspection } from '../../engine/api';
import { figure } from './figures';

const SIZE = 180;
const MARGIN = 6;

type Points = RegressionInspection['points'];

/** The smallest and largest finite value among the targets and predictions: the scatter's scale both ways. */
function rangeOf({ target, predicted }: Points): { low: number; high: number } {
  let [low, high] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const values of [target, predicted])
    for (const v of values)
      if (Number.isFinite(v)) {
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
  return { low, high };
}

/**
 * Predicted against target, one dot per value, on the same scale both ways: a perfect network puts every
 * dot on the diagonal; dots above it are over-estimates, below it under-estimates.
 */
function drawScatter(
  canvas: HTMLCanvasElement,
  { target, predicted }: Points,
  { low, high }: { low: number; high: number },
): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, SIZE, SIZE);
  if (!(high >= low)) return;
  const span = high - low || 1;
  const at = (v: number) => MARGIN + ((v - low) / span) * (SIZE - 2 * MARGIN);
  context.strokeStyle = '#bbb';
  context.beginPath();
  context.moveTo(at(low), SIZE - at(low));
  context.lineTo(at(high), SIZE - at(high));
  context.stroke();
  context.fillStyle = 'rgba(59, 108, 246, 0.55)';
  for (let i = 0; i < target.length; i++)
    if (Number.isFinite(target[i]) && Number.isFinite(predicted[i]))
      context.fillRect(at(target[i]) - 1.5, SIZE - at(predicted[i]) - 1.5, 3, 3);
}

/** What a regression gets right and wrong: its errors, predicted against target, and its worst samples. */
export function RegressionEvaluation({ inspection }: { inspection: RegressionInspection }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const several = inspection.outputs > 1;
  const range = useMemo(() => rangeOf(inspection.points), [inspection]);
  useEffect(() => {
    if (canvas.current) drawScatter(canvas.current, inspection.points, range);
  }, [inspection, range]);
  return (
    <div className="evaluation-body regression">
      <figure
        className="regression-scatter"
        data-testid="regression-scatter"
        data-points={inspection.points.target.length}
      >
        <canvas ref={canvas} width={SIZE} height={SIZE} aria-label="predicted against target" />
        <figcaption>
          predicted (up) against target (across){several ? ', every output' : ''}, both from {figure(range.low)} to{' '}
          {figure(range.high)}; on the diagonal is exact
        </figcaption>
      </figure>
      {several && (
        <table className="per-output" data-testid="per-output">
          <thead>
            <tr>
              <th>output</th>
              <th title="Mean squared error">MSE</th>
              <th title="Mean absolute error">MAE</th>
              <th title="1 is exact, 0 no better than the targets' mean">R²</th>
            </tr>
          </thead>
          <tbody>
            {inspection.perOutput.map((f, o) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: outputs are positions and never reorder
              <tr key={o}>
                <td>{inspection.outputNames?.[o] ?? o}</td>
                <td>{figure(f.mse)}</td>
                <td>{figure(f.mae)}</td>
                <td>{figure(f.r2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="most-wrong" data-testid="worst-predictions">
        <h3>Most wrong</h3>
        <ol>
          {inspection.worst.map((m) => (
            <li key={m.index} data-testid="worst-prediction">
              sample {m.index}: predicted {m.predicted.map(figure).join(', ')} for {m.target.map(figure).join(', ')}
              {inspection.outputs > m.target.length ? ', …' : ''} (squared error {figure(m.error)})
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
