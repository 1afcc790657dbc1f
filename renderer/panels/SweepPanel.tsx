import { useShallow } from 'zustand/react/shallow';
import { describeValues, paretoFront, rankResults } from '../../engine/train/sweep';
import { useSweepStore } from '../store/sweep-store';
import { useTrainingStore } from '../store/training-store';
import { SweepScatter } from './SweepScatter';

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);

/**
 * Search for a better network: settings to vary (a training setting, or a layer's parameter as
 * `<layer id>.<param>`), as a grid or random draws; the runs queue in an engine worker one after another,
 * each recorded in the document's run history; a table best first and a scatter of validation error against
 * cost with its Pareto front; Apply puts a run's values into the graph.
 */
export function SweepPanel() {
  const s = useSweepStore(
    useShallow((state) => ({
      settings: state.settings,
      random: state.random,
      epochs: state.epochs,
      running: state.running,
      results: state.results,
      progress: state.progress,
      error: state.error,
      spec: state.spec,
      edit: state.edit,
      start: state.start,
      stop: state.stop,
      apply: state.apply,
    })),
  );
  const training = useTrainingStore((t) => t.state);
  const names = s.spec?.settings.map((x) => x.name) ?? [];
  const front = new Set(paretoFront(s.results));
  // A regression's runs have no accuracy: the column is left out, the loss is what they are ranked by.
  const accuracy = s.results.some((r) => r.valAccuracy !== undefined);
  return (
    <section className="sweep" data-testid="sweep">
      <div className="sweep-setup">
        <label htmlFor="sweep-settings">
          Settings to vary, one per line: <code>lr=0.001,0.01</code>, <code>batch=32,64</code>,{' '}
          <code>&lt;layer id&gt;.units=64,128</code>
        </label>
        <textarea
          id="sweep-settings"
          data-testid="sweep-settings"
          rows={3}
          value={s.settings}
          disabled={s.running}
          onChange={(e) => s.edit({ settings: e.currentTarget.value })}
        />
        <div className="sweep-options">
          <SweepOption
            label="random runs"
            testId="sweep-random"
            value={s.random}
            placeholder="all"
            disabled={s.running}
            onChange={(random) => s.edit({ random })}
          />
          <SweepOption
            label="epochs each"
            testId="sweep-epochs"
            value={s.epochs}
            placeholder="as set"
            disabled={s.running}
            onChange={(epochs) => s.edit({ epochs })}
          />
          {s.running ? (
            <button type="button" data-testid="sweep-stop" onClick={s.stop}>
              Stop
            </button>
          ) : (
            <button
              type="button"
              data-testid="sweep-start"
              disabled={training === 'running' || training === 'opening'}
              title={
                training === 'running' ? 'Pause or stop the run first' : 'Run every combination, one after another'
              }
              onClick={() => void s.start()}
            >
              {s.results.some((r) => r.status === 'completed') ? 'Start (finished runs kept)' : 'Start'}
            </button>
          )}
          {s.progress && (
            <span className="muted" data-testid="sweep-progress">
              run {Math.min(s.progress.index + 1, s.progress.total)} of {s.progress.total} · step {s.progress.step}
            </span>
          )}
        </div>
        {s.error && (
          <p className="field-error" role="alert">
            {s.error}
          </p>
        )}
      </div>
      {s.results.length > 0 && (
        <div className="sweep-results">
          <table data-testid="sweep-table">
            <thead>
              <tr>
                {names.map((n) => (
                  <th key={n}>{n}</th>
                ))}
                {accuracy && <th>val acc</th>}
                <th>val loss</th>
                <th>params</th>
                <th>mult-adds</th>
                <th>s</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rankResults(s.results).map((r) => (
                <tr key={describeValues(r.values)} data-testid="sweep-row" className={front.has(r) ? 'front' : ''}>
                  {names.map((n) => (
                    <td key={n}>{String(r.values[n])}</td>
                  ))}
                  {accuracy && <td>{r.status === 'failed' ? <Failed error={r.error} /> : pct(r.valAccuracy)}</td>}
                  <td>
                    {!accuracy && r.status === 'failed' ? <Failed error={r.error} /> : (r.valLoss?.toFixed(4) ?? '–')}
                  </td>
                  <td>{r.params.toLocaleString()}</td>
                  <td>{Math.round(r.multiplyAdds).toLocaleString()}</td>
                  <td>{r.seconds.toFixed(1)}</td>
                  <td>
                    <button
                      type="button"
                      data-testid="sweep-apply"
                      title="Put these values into the graph"
                      disabled={r.status === 'failed'}
                      onClick={() => s.apply(r)}
                    >
                      Apply
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <SweepScatter results={s.results} />
        </div>
      )}
    </section>
  );
}

/** A run that failed, its error on hover. */
function Failed({ error }: { error?: string }) {
  return <span title={error}>failed</span>;
}

/** A short number field of the sweep's options (empty: the default its placeholder names). */
function SweepOption(props: {
  label: string;
  testId: string;
  value: string;
  placeholder: string;
  disabled: boolean;
  onChange(value: string): void;
}) {
  return (
    <label>
      {props.label}{' '}
      <input
        data-testid={props.testId}
        value={props.value}
        placeholder={props.placeholder}
        size={5}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    </label>
  );
}
