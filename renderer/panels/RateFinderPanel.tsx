import { useShallow } from 'zustand/react/shallow';
import type { RateSearch, RateSteps } from '../../engine/api';
import { RATE_SEARCH_DEFAULTS, rateText, rateSearchSummary as summary } from '../../engine/train/rate-finder';
import { useDocumentStore } from '../store/document-store';
import { useRateFinderStore } from '../store/rate-finder-store';
import { useTrainingStore } from '../store/training-store';
import { figure } from './figures';

const WIDTH = 300;
const HEIGHT = 160;
const PAD = { left: 44, right: 8, top: 8, bottom: 28 };

/**
 * Loss against learning rate (log scale), each step a faint dot, the smoothed loss a line; a mark at the
 * rate suggested and at the document's own. The scale's top is the highest smoothed loss before the lowest:
 * the blow-up past it is clipped, not allowed to flatten the part that matters.
 */
function RateChart({
  search,
  current,
  span,
}: {
  /** The test's answer, or its steps so far while it runs (no lowest point or suggestion yet). */
  search: RateSteps & Partial<Pick<RateSearch, 'lowest' | 'suggested'>>;
  current: number;
  /** The rates the axis spans: the test's whole range while it runs, else the rates of its steps. */
  span?: [number, number];
}) {
  const { rates, losses, smoothed } = search;
  const [from, to] = span ?? [rates[0], rates[rates.length - 1]];
  const [lo, hi] = [Math.log10(from), Math.log10(to)];
  // The lowest point past the first steps (its rate is one of the steps'); without one, the whole curve.
  const best = search.lowest ? rates.indexOf(search.lowest.rate) : smoothed.length - 1;
  // The lowest step's loss at the bottom (the steps scatter below the smoothed line).
  const bottom = Math.min(...smoothed, ...losses.filter(Number.isFinite));
  const top = Math.max(...smoothed.slice(0, best + 1)) * 1.05 || 1;
  const x = (rate: number) => PAD.left + ((Math.log10(rate) - lo) / (hi - lo || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (loss: number) => {
    const share = (Math.min(loss, top) - bottom) / (top - bottom || 1);
    return PAD.top + (1 - share * 0.9) * (HEIGHT - PAD.top - PAD.bottom);
  };
  const mark = (rate: number, colour: string, id: string) =>
    rate >= from && rate <= to ? (
      <line
        data-testid={id}
        x1={x(rate)}
        x2={x(rate)}
        y1={PAD.top}
        y2={HEIGHT - PAD.bottom}
        stroke={colour}
        strokeDasharray="3 2"
      />
    ) : null;
  return (
    <svg className="rate-chart" data-testid="rate-chart" width={WIDTH} height={HEIGHT} role="img">
      <title>
        Training loss against learning rate (log scale), smoothed; dashed: the rate suggested and the current
      </title>
      <line x1={PAD.left} y1={HEIGHT - PAD.bottom} x2={WIDTH - PAD.right} y2={HEIGHT - PAD.bottom} stroke="#9aa4b5" />
      <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={HEIGHT - PAD.bottom} stroke="#9aa4b5" />
      <text x={PAD.left} y={HEIGHT - 8} fontSize="10">
        rate (log) {rateText(from)} … {rateText(to)}
      </text>
      <text x={2} y={PAD.top + 8} fontSize="10">
        {figure(top)}
      </text>
      <text x={2} y={HEIGHT - PAD.bottom} fontSize="10">
        {figure(bottom)}
      </text>
      {losses.map((loss, i) =>
        Number.isFinite(loss) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps are positions and never reorder
          <circle key={i} cx={x(rates[i])} cy={y(loss)} r={1.5} fill="rgba(59, 108, 246, 0.35)" />
        ) : null,
      )}
      <polyline
        data-testid="rate-smoothed"
        fill="none"
        stroke="#3b6cf6"
        strokeWidth="1.5"
        points={smoothed.map((s, i) => `${x(rates[i]).toFixed(1)},${y(s).toFixed(1)}`).join(' ')}
      />
      {search.suggested !== undefined && mark(search.suggested, '#1f7a35', 'rate-suggested-mark')}
      {mark(current, '#c77700', 'rate-current-mark')}
    </svg>
  );
}

/**
 * The learning-rate range test: a copy of the network trained for up to 100 steps at rates rising from 10⁻⁶
 * to 1, its loss plotted against the rate. The loss falls while the rate helps and turns up once it is too
 * high; the rate suggested is a tenth of the one at the lowest loss, and one click makes it the optimizer's.
 * From the weights as they stand (a fresh network, or a paused run's); the run itself is not changed.
 */
export function RateFinderPanel() {
  const { search, finding, error, find } = useRateFinderStore(
    useShallow((s) => ({ search: s.search, finding: s.finding, error: s.error, find: s.find })),
  );
  const state = useTrainingStore((s) => s.state);
  const apply = useTrainingStore((s) => s.applySettings);
  const stopFinding = useTrainingStore((s) => s.stopFindingRate);
  // While the test runs, its steps so far (reported a few times a second).
  const sofar = useTrainingStore((s) => (finding ? s.rateSteps : null));
  const optimizer = useDocumentStore((s) => s.document.training.optimizer);
  const ready = state === 'idle' || state === 'paused' || state === 'stopped' || state === 'finished';
  const suggested = search?.suggested === undefined ? undefined : Number(search.suggested.toPrecision(2));
  return (
    <section className="rate-finder" data-testid="rate-finder">
      <header>
        <h2>Learning rate</h2>
        <button
          type="button"
          data-testid="find-rate"
          disabled={!ready || finding}
          title={
            ready ? 'Train a copy of the network at rising rates and plot its loss' : 'Pause or finish the run first'
          }
          onClick={() => void find()}
        >
          {finding ? 'Looking…' : 'Find'}
        </button>
        {finding && (
          <button
            type="button"
            data-testid="stop-rate"
            title="End the test after its current step: the steps so far are plotted"
            onClick={stopFinding}
          >
            Stop
          </button>
        )}
        {suggested !== undefined && (
          <button
            type="button"
            data-testid="use-rate"
            disabled={!ready || suggested === optimizer.lr}
            title={`Make ${rateText(suggested)} the ${optimizer.kind} learning rate`}
            onClick={() =>
              apply({ optimizer: { ...optimizer, lr: suggested } }).catch((e: Error) =>
                useRateFinderStore.setState({ error: e.message }),
              )
            }
          >
            Use {rateText(suggested)}
          </button>
        )}
      </header>
      <p className="muted">
        Trains a copy of the network for up to 100 steps at rates rising from 10⁻⁶ to 1 and plots its loss: it falls
        while the rate helps and turns up once it is too high. The run's own weights are not changed.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {sofar && (
        <>
          {sofar.rates.length > 1 && (
            <RateChart
              search={sofar}
              current={optimizer.lr}
              span={[RATE_SEARCH_DEFAULTS.from, RATE_SEARCH_DEFAULTS.to]}
            />
          )}
          <p className="muted" data-testid="rate-progress" aria-live="polite">
            {sofar.rates.length} of up to {RATE_SEARCH_DEFAULTS.steps} steps, at{' '}
            {rateText(sofar.rates[sofar.rates.length - 1])} now
          </p>
        </>
      )}
      {search && !finding && (
        <>
          {search.rates.length > 1 && <RateChart search={search} current={optimizer.lr} />}
          <p className="muted" data-testid="rate-summary">
            {summary(search)}
          </p>
        </>
      )}
    </section>
  );
}
