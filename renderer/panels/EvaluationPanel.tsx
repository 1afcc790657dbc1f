import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ClassInspection, Prediction } from '../../engine/api';
import { counted } from '../../engine/words';
import { useTrainingStore } from '../store/training-store';
import { DecisionBoundaryView } from './DecisionBoundaryView';
import { figure, percent } from './figures';
import { LabelEvaluation } from './LabelEvaluation';
import { RegressionEvaluation } from './RegressionEvaluation';
import { TestDataButton } from './TestDataButton';
import { drawable, Thumbnail } from './Thumbnail';

function PredictionCard({ p, inspection }: { p: Prediction; inspection: ClassInspection }) {
  const right = p.label === p.predicted;
  const name = (c: number) => inspection.classNames[c] ?? String(c);
  const lookAt = useTrainingStore((s) => s.lookAt);
  const input = p.input;
  const look =
    input &&
    (() => lookAt({ x: input, name: `${inspection.set} sample ${p.index}`, classNames: inspection.classNames }));
  return (
    <figure className={`prediction ${right ? 'right' : 'wrong'}`} data-testid="prediction" data-correct={right}>
      {/* The sample becomes the input the inspector's look-inside views show (for the layer selected). */}
      <button
        type="button"
        className="look-at"
        data-testid="look-at-sample"
        title="Look inside with this sample"
        onClick={look}
        disabled={!look}
      >
        {input && drawable(inspection.inputShape) ? <Thumbnail input={input} shape={inspection.inputShape} /> : '⌕'}
      </button>
      <figcaption title={`sample ${p.index}: ${name(p.label)}, predicted ${name(p.predicted)}`}>
        {right ? '✓' : '✗'} {name(p.predicted)} {Math.round(100 * p.confidence)}%
        {!right && <span className="truth"> (is {name(p.label)})</span>}
      </figcaption>
    </figure>
  );
}

type Cell = { label: number; predicted: number };

/**
 * Rows are true classes, columns predictions; each cell is shaded by its share of the row. Columns are
 * headed by the class's number (its name in the title and on its row), so ten classes fit a narrow panel.
 * A cell with samples is a button: `onPick` shows them.
 */
function ConfusionMatrix({
  inspection,
  picked,
  onPick,
}: {
  inspection: ClassInspection;
  picked: Cell | null;
  onPick: (cell: Cell) => void;
}) {
  const { confusion, classNames } = inspection;
  const short = (name: string) => (name.length > 10 ? `${name.slice(0, 9)}…` : name);
  return (
    <table className="confusion" data-testid="confusion-matrix">
      <thead>
        <tr>
          <th scope="col" title="rows: the true class; columns: the class predicted">
            true \ predicted
          </th>
          {classNames.map((n, c) => (
            <th key={n} scope="col" title={`predicted ${n}`}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {confusion.map((row, r) => {
          const total = row.reduce((a, b) => a + b, 0) || 1;
          return (
            <tr key={classNames[r]}>
              <th scope="row" title={classNames[r]}>
                {/* A class whose name is its index (the toys' data) is named once: "1", not "1 1". */}
                {classNames[r] === String(r) ? r : `${r} ${short(classNames[r])}`}
              </th>
              {row.map((count, c) => {
                const share = count / total;
                const colour = r === c ? `rgba(46, 125, 50, ${share})` : `rgba(198, 40, 40, ${Math.min(1, 3 * share)})`;
                return (
                  <td
                    key={classNames[c]}
                    style={{ background: colour }}
                    className={picked?.label === r && picked.predicted === c ? 'picked' : undefined}
                  >
                    <button
                      type="button"
                      disabled={count === 0}
                      title={`${count} of ${total}: ${classNames[r]} predicted as ${classNames[c]}${count > 0 ? ' (show them)' : ''}`}
                      onClick={() => onPick({ label: r, predicted: c })}
                    >
                      {count}
                    </button>
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Precision, recall and F1 of each class, and the pairs most often taken one for the other. */
function PerClass({ inspection }: { inspection: ClassInspection }) {
  const name = (c: number) => inspection.classNames[c] ?? String(c);
  return (
    <div className="per-class">
      <table data-testid="per-class">
        <thead>
          <tr>
            <th>class</th>
            <th title="Of the samples predicted as this class, the share that are">precision</th>
            <th title="Of the samples of this class, the share found">recall</th>
            <th title="The harmonic mean of precision and recall">F1</th>
            <th title="Samples of this class in the set">n</th>
          </tr>
        </thead>
        <tbody>
          {inspection.perClass.map((f, c) => (
            <tr key={name(c)}>
              <td>{name(c)}</td>
              <td>{percent(f.precision)}</td>
              <td>{percent(f.recall)}</td>
              <td>{percent(f.f1)}</td>
              <td>{f.support}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {inspection.confusedPairs.length > 0 && (
        <p className="muted" data-testid="confused-pairs">
          Most confused:{' '}
          {inspection.confusedPairs
            .map((pair) => `${name(pair.label)} → ${name(pair.predicted)} (${pair.count})`)
            .join(', ')}
        </p>
      )}
    </div>
  );
}

/** The samples of a confusion matrix's cell, as the current weights classify them, the surest first. */
function CellSamples({
  inspection,
  cell,
  samples,
}: {
  inspection: ClassInspection;
  cell: Cell;
  samples: Prediction[] | string | null;
}) {
  const name = (c: number) => inspection.classNames[c] ?? String(c);
  const count = inspection.confusion[cell.label][cell.predicted];
  return (
    <div className="cell-samples" data-testid="cell-samples">
      <h3>
        {name(cell.label)} predicted as {name(cell.predicted)}: {counted(count, 'sample')}
        {typeof samples === 'object' && samples && samples.length < count ? ` (the ${samples.length} surest)` : ''}
      </h3>
      {samples === null ? (
        <p className="muted">Classifying…</p>
      ) : typeof samples === 'string' ? (
        <p className="field-error">{samples}</p>
      ) : (
        <div className="predictions">
          {samples.map((p) => (
            <PredictionCard key={p.index} p={p} inspection={inspection} />
          ))}
        </div>
      )}
    </div>
  );
}

/** A classifier's evaluation: the confusion matrix, figures per class and a grid of predictions. */
function ClassEvaluation({ inspection }: { inspection: ClassInspection }) {
  const cellSamples = useTrainingStore((s) => s.cellSamples);
  // The cell picked in this inspection's matrix, and its samples once classified.
  const [shown, setShown] = useState<{ of: ClassInspection; cell: Cell; samples: Prediction[] | string | null } | null>(
    null,
  );
  const pick = (cell: Cell) => {
    setShown({ of: inspection, cell, samples: null });
    void cellSamples(cell).then((samples) =>
      setShown((now) => (now?.of === inspection && now.cell === cell ? { ...now, samples } : now)),
    );
  };
  const current = shown?.of === inspection ? shown : null;
  return (
    <div className="evaluation-body">
      <ConfusionMatrix inspection={inspection} picked={current?.cell ?? null} onPick={pick} />
      <PerClass inspection={inspection} />
      {current && <CellSamples inspection={inspection} cell={current.cell} samples={current.samples} />}
      <div className="predictions">
        {inspection.predictions.map((p) => (
          <PredictionCard key={p.index} p={p} inspection={inspection} />
        ))}
      </div>
      {inspection.mostWrong.length > 0 && (
        <div className="most-wrong" data-testid="most-wrong">
          <h3>Most wrong</h3>
          <div className="predictions">
            {inspection.mostWrong.map((p) => (
              <PredictionCard key={p.index} p={p} inspection={inspection} />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * After evaluation: what the network gets right and wrong on the validation set. A classifier's confusion
 * matrix and predictions; a regression's (mean squared error) errors and predicted-against-target scatter;
 * several yes/no labels' figures each.
 */
export function EvaluationPanel() {
  const { state, inspection, inspecting, inspectionError, inspect } = useTrainingStore(
    useShallow((s) => ({
      state: s.state,
      inspection: s.inspection,
      inspecting: s.inspecting,
      inspectionError: s.inspectionError,
      inspect: s.inspect,
    })),
  );
  const ready = state === 'idle' || state === 'paused' || state === 'stopped' || state === 'finished';
  return (
    <section className="evaluation" data-testid="evaluation">
      <header>
        <h2>Evaluation</h2>
        <button
          type="button"
          data-testid="evaluate"
          disabled={!ready || inspecting}
          title={ready ? 'Run the validation set through the current weights' : 'Pause or finish the run first'}
          onClick={() => void inspect()}
        >
          {inspecting ? 'Evaluating…' : 'Evaluate'}
        </button>
        <TestDataButton disabled={!ready || inspecting} />
        {inspection?.kind === 'classes' && (
          <span className="muted" data-testid="evaluation-accuracy">
            {inspection.set} accuracy {(100 * inspection.accuracy).toFixed(1)}%
          </span>
        )}
        {inspection?.kind === 'regression' && (
          <span className="muted" data-testid="evaluation-figures">
            {inspection.set}: R² {figure(inspection.overall.r2)} · MSE {figure(inspection.overall.mse)} · MAE{' '}
            {figure(inspection.overall.mae)} ({inspection.count} samples)
          </span>
        )}
        {inspection?.kind === 'labels' && (
          <span className="muted" data-testid="evaluation-labels">
            {inspection.set}: labels right {percent(inspection.accuracy)} · samples with every label right{' '}
            {percent(inspection.exactMatch)} ({inspection.count} samples)
          </span>
        )}
      </header>
      {inspectionError && <p className="field-error">{inspectionError}</p>}
      <DecisionBoundaryView />
      {inspection?.kind === 'classes' && <ClassEvaluation inspection={inspection} />}
      {inspection?.kind === 'regression' && <RegressionEvaluation inspection={inspection} />}
      {inspection?.kind === 'labels' && <LabelEvaluation inspection={inspection} />}
    </section>
  );
}
