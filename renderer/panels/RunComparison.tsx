import type { Run } from '../../engine/graph/training-schema';
import { figure } from './figures';

const WIDTH = 240;
const HEIGHT = 110;
/** Room for the loss axis' labels at the left and the epochs' at the bottom. */
const LEFT = 38;
const BOTTOM = 14;
const colours = ['#1c3aa9', '#e85d3c', '#2ea043', '#a35cd2', '#e6aa1e', '#14aab4', '#787878', '#d23c8c'];
export const comparisonColour = (k: number) => colours[k % colours.length];

/** The loss a run is compared by: its validation loss per epoch where every run compared has one. */
function lossesOf(runs: readonly Run[]): { label: string; of: (e: Run['epochs'][number]) => number | undefined } {
  const validation = runs.every((r) => r.epochs.length > 0 && r.epochs.every((e) => e.valLoss !== undefined));
  return validation
    ? { label: 'validation loss', of: (e) => e.valLoss }
    : { label: 'training loss', of: (e) => e.trainLoss };
}

/**
 * Runs of the document side by side: each one's loss per epoch on the same axes (epochs from the first,
 * the loss from the lowest to the highest of them all), in the colour its row in the history is marked with.
 */
export function RunComparison({ runs }: { runs: readonly Run[] }) {
  const { label, of } = lossesOf(runs);
  const series = runs.map((run) =>
    run.epochs.flatMap((e) => {
      const loss = of(e);
      return loss !== undefined && Number.isFinite(loss) ? [{ epoch: e.epoch + 1, loss }] : [];
    }),
  );
  const all = series.flat();
  if (all.length === 0) return null;
  // Folded, not spread: a hundred runs of 500 epochs each are more arguments than a call should take.
  const last = all.reduce((m, p) => Math.max(m, p.epoch), 2);
  const low = all.reduce((m, p) => Math.min(m, p.loss), Number.POSITIVE_INFINITY);
  const high = all.reduce((m, p) => Math.max(m, p.loss), Number.NEGATIVE_INFINITY);
  const px = (epoch: number) => LEFT + ((epoch - 1) / (last - 1)) * (WIDTH - LEFT - 4);
  const py = (loss: number) => (high > low ? 4 + ((high - loss) / (high - low)) * (HEIGHT - BOTTOM - 8) : HEIGHT / 2);
  return (
    <figure className="run-comparison" data-testid="run-comparison">
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={`${label} per epoch of ${runs.length} runs`}>
        <line x1={LEFT} y1={4} x2={LEFT} y2={HEIGHT - BOTTOM} stroke="#bbb" />
        <line x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH - 4} y2={HEIGHT - BOTTOM} stroke="#bbb" />
        <text x={LEFT - 3} y={10} textAnchor="end">
          {figure(high)}
        </text>
        <text x={LEFT - 3} y={HEIGHT - BOTTOM} textAnchor="end">
          {figure(low)}
        </text>
        <text x={LEFT} y={HEIGHT - 2}>
          1
        </text>
        <text x={WIDTH - 4} y={HEIGHT - 2} textAnchor="end">
          epoch {last}
        </text>
        {series.map((points, k) => (
          <g key={runs[k].id}>
            <polyline
              data-testid="compared-run"
              data-run={runs[k].id}
              data-points={points.length}
              points={points.map((p) => `${px(p.epoch).toFixed(1)},${py(p.loss).toFixed(1)}`).join(' ')}
              fill="none"
              stroke={comparisonColour(k)}
              strokeWidth="1.5"
            />
            {/* A run of one epoch is a point, which a line alone would not show. */}
            {points.length === 1 && (
              <circle cx={px(points[0].epoch)} cy={py(points[0].loss)} r="2.5" fill={comparisonColour(k)} />
            )}
          </g>
        ))}
      </svg>
      <figcaption className="muted">{label} per epoch, the runs ticked above in their colours</figcaption>
    </figure>
  );
}
