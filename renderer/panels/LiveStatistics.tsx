import { histogramPath } from '../charts/histogram-path';
import { EDITED_DURING_RUN } from '../runtime/changed-layers';
import { useTrainingStore } from '../store/training-store';
import { gradientHealth, NO_GRADIENT } from './gradient-health';

const fmt = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 0.001 && Math.abs(v) < 10_000 ? v.toPrecision(3) : v.toExponential(2);

/** The selected layer's statistics from the last training batch: what the badge on the canvas shows, in full. */
export function LiveStatistics({ id }: { id: string }) {
  const t = useTrainingStore((s) => s.telemetry.get(id));
  const edited = useTrainingStore((s) => s.editedLayers.has(id));
  if (!t) return null;
  if (edited)
    return (
      <section className="live-statistics" data-testid="live-statistics">
        <h3>While training</h3>
        <p className="muted" data-testid="live-statistics-edited">
          {EDITED_DURING_RUN} Undo the edit to see them again, or start a new run to train the layer as it is now.
        </p>
      </section>
    );
  const health = gradientHealth(t);
  return (
    <section className="live-statistics" data-testid="live-statistics">
      <h3>While training</h3>
      <svg width="200" height="40" viewBox="0 0 200 40" aria-label="activation histogram">
        <path d={histogramPath(t.activation.histogram, 200, 40, 1)} />
      </svg>
      <dl className="facts">
        <dt>activations</dt>
        <dd>
          μ {fmt(t.activation.mean)}, σ {fmt(t.activation.std)}, [{fmt(t.activation.min)}, {fmt(t.activation.max)}]
        </dd>
        <dt>gradient norm</dt>
        <dd className={health} data-testid="live-gradient">
          {t.gradNorm === undefined ? NO_GRADIENT : `${fmt(t.gradNorm)} (${health})`}
        </dd>
        {t.weightNorm !== undefined && (
          <>
            <dt>weight norm</dt>
            <dd>{fmt(t.weightNorm)}</dd>
          </>
        )}
        {t.updateRatio !== undefined && (
          <>
            <dt>update / weight</dt>
            <dd>{fmt(t.updateRatio)}</dd>
          </>
        )}
        {t.deadFraction !== undefined && (
          <>
            <dt>dead units</dt>
            <dd>{Math.round(100 * t.deadFraction)}%</dd>
          </>
        )}
      </dl>
    </section>
  );
}
