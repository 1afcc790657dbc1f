import type { LabelInspection } from '../../engine/api';
import { percent } from './figures';

/** Label names said yes to: the first few, and how many more. */
const names = (list: string[], of: number) =>
  of === 0 ? 'none' : `${list.join(', ')}${of > list.length ? ` and ${of - list.length} more` : ''}`;

/**
 * Several yes/no labels (binary cross-entropy over several outputs): each label's precision, recall and F1
 * of its "yes" and the share of its decisions right, then the samples with the most labels wrong.
 */
export function LabelEvaluation({ inspection }: { inspection: LabelInspection }) {
  return (
    <div className="evaluation-body labels">
      <div className="per-class">
        <table data-testid="per-label">
          <thead>
            <tr>
              <th>label</th>
              <th title="Of the samples given this label, the share that have it">precision</th>
              <th title="Of the samples that have this label, the share given it">recall</th>
              <th title="The harmonic mean of precision and recall">F1</th>
              <th title="The share of samples whose yes or no for this label is right">right</th>
              <th title="Samples that have this label in the set">n</th>
            </tr>
          </thead>
          <tbody>
            {inspection.perLabel.map((f) => (
              <tr key={f.name}>
                <td>{f.name}</td>
                <td>{percent(f.precision)}</td>
                <td>{percent(f.recall)}</td>
                <td>{percent(f.f1)}</td>
                <td>{percent(f.accuracy)}</td>
                <td>{f.support}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {inspection.labels > inspection.perLabel.length && (
          <p className="muted">
            the first {inspection.perLabel.length} of {inspection.labels} labels
          </p>
        )}
      </div>
      <div className="most-wrong" data-testid="worst-predictions">
        <h3>Most wrong</h3>
        {inspection.worst.length === 0 ? (
          <p className="muted">every label of every sample right</p>
        ) : (
          <ol>
            {inspection.worst.map((m) => (
              <li key={m.index} data-testid="worst-prediction">
                sample {m.index}: {m.wrong} wrong; said {names(m.predicted, m.predictedCount)} for{' '}
                {names(m.target, m.targetCount)}
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
