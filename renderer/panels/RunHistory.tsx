import { useState } from 'react';
import type { Run } from '../../engine/graph/training-schema';
import { runsCsv } from '../../engine/train/runs-csv';
import { describeValues } from '../../engine/train/sweep';
import { counted } from '../../engine/words';
import { scriptName } from '../export-pytorch';
import { saveCsv } from '../platform/save-csv';
import { useDocumentStore } from '../store/document-store';
import { ForOpenDocument } from './ForOpenDocument';
import { comparisonColour, RunComparison } from './RunComparison';

const percent = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);

/** A run's validation (or training) loss per epoch as a small line, scaled to the run's own range. */
function LossLine({ run }: { run: Run }) {
  const values = run.epochs.map((e) => e.valLoss ?? e.trainLoss);
  if (values.length < 2) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const points = values
    .map((v, i) => `${(60 * i) / (values.length - 1)},${hi > lo ? 16 - (14 * (v - lo)) / (hi - lo) : 9}`)
    .join(' ');
  return (
    <svg width="62" height="18" className="loss-line" aria-label="loss per epoch">
      <polyline points={points} fill="none" stroke="#1c3aa9" strokeWidth="1.2" />
    </svg>
  );
}

/** The epochs a run was to train when it ended: its settings', or the last number it was given while paused. */
const plannedEpochs = (run: Run) =>
  (run.changes ?? []).reduce((epochs, c) => c.settings.epochs ?? epochs, run.settings.epochs);

/** Settings changed while a run was paused, with their step: "step 120: adam 0.005". */
function changesText(run: Run): string | undefined {
  return run.changes
    ?.map(({ step, settings }) => {
      const parts = Object.entries(settings).map(([k, v]) =>
        k === 'optimizer' && v && typeof v === 'object'
          ? `${(v as Run['settings']['optimizer']).kind} ${(v as Run['settings']['optimizer']).lr}`
          : `${k} ${JSON.stringify(v)}`,
      );
      return `step ${step}: ${parts.join(', ')}`;
    })
    .join('\n');
}

/**
 * The runs kept in the document (newest first), with the settings each used and where it ended, so that
 * runs can be compared after the settings change (ticked runs' losses drawn on the same axes below). Three
 * columns, each of two lines (when and how; how far and how well; the loss per epoch), so that the table fits
 * the inspector's width (six columns scrolled sideways at 1280 × 800).
 */
export function RunHistory() {
  return (
    <ForOpenDocument>
      <RunList />
    </ForOpenDocument>
  );
}

function RunList() {
  // The selector returns the stored array itself: a fresh `[]` each time would re-render forever.
  const runs = useDocumentStore((s) => s.document.runs);
  // The runs ticked to compare, in the order ticked (each keeps its colour while ticked).
  const [ticked, setTicked] = useState<string[]>([]);
  if (!runs || runs.length === 0) return null;
  const compared = ticked.flatMap((id) => runs.filter((r) => r.id === id));
  const toggle = (id: string) => setTicked((now) => (now.includes(id) ? now.filter((t) => t !== id) : [...now, id]));
  return (
    <section className="run-history" data-testid="run-history">
      <header>
        <h2>Runs</h2>
        <button
          type="button"
          data-testid="runs-csv"
          title="Every run's figures per epoch as one CSV table (for a spreadsheet or a plot of your own)"
          onClick={() => {
            // Named after the document, read as the button is pressed (not a reason to draw the list again).
            const name = `${scriptName(useDocumentStore.getState().document)}-runs`;
            void saveCsv(runsCsv(runs), name, `${name}.csv`, 'The runs');
          }}
        >
          Save as CSV
        </button>
      </header>
      <table>
        <thead>
          <tr>
            <th>started, settings</th>
            <th>epochs; loss, accuracy</th>
            <th>loss per epoch</th>
          </tr>
        </thead>
        <tbody>
          {[...runs].reverse().map((run) => {
            const last = run.epochs.at(-1);
            const { optimizer, batchSize } = run.settings;
            const loss = last ? (last.valLoss ?? last.trainLoss) : run.result?.loss;
            const place = compared.indexOf(run);
            return (
              <tr key={run.id} data-testid="run" data-run={run.id} data-status={run.status}>
                <td>
                  <label className="run-started" title={`${run.startedAt}: tick to compare its loss with other runs'`}>
                    <input
                      type="checkbox"
                      data-testid="run-compare"
                      checked={place >= 0}
                      onChange={() => toggle(run.id)}
                      style={place >= 0 ? { accentColor: comparisonColour(place) } : undefined}
                    />
                    {run.startedAt.slice(5, 16).replace('T', ' ')}
                  </label>
                  <div className="run-settings" data-testid="run-settings" title={changesText(run)}>
                    {optimizer.kind} {optimizer.lr} · {batchSize}
                    {run.changes?.length ? ` (+${counted(run.changes.length, 'change')})` : ''}
                  </div>
                  {run.sweep && <div className="muted">sweep: {describeValues(run.sweep)}</div>}
                </td>
                <td>
                  <div data-testid="run-epochs">
                    {/* Epoch numbers count from 0; a long run's record keeps some of its epochs, the last among them. */}
                    {last ? last.epoch + 1 : 0}/{plannedEpochs(run)}
                    {run.status === 'completed' ? '' : ` (${run.status})`}
                  </div>
                  <div>
                    {loss === undefined ? '–' : loss.toFixed(3)} ·{' '}
                    {percent(last ? (last.valAccuracy ?? last.trainAccuracy) : run.result?.accuracy)}
                  </div>
                </td>
                <td>
                  <LossLine run={run} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {compared.length > 0 && <RunComparison runs={compared} />}
    </section>
  );
}
