import type { EpochMetrics, SettingsPatch, StepReport } from '../../engine/api';
import type { BackendId } from '../../engine/backend/backend-id';
import type { GraphDocument } from '../../engine/graph';
import { networkFingerprint } from '../../engine/train/fingerprint';
import { decimatedChartData } from '../charts/decimate';

/** A run's points as the chart draws them, and the run as the document's history keeps it. */

/**
 * Every point of a run, in growing arrays (tens of thousands of steps): charts read them in place and
 * redraw when `version` changes, at most once per frame.
 */
export interface RunSeries {
  step: number[];
  loss: number[];
  accuracy: (number | null)[];
  lr: (number | null)[];
  /**
   * Each epoch's validation values at the step where it ended, a gap (null) at every other step: aligned
   * with `step` and grown with it, so a redraw never rebuilds them (a long run has tens of thousands).
   */
  valLoss: (number | null)[];
  valAccuracy: (number | null)[];
  epochs: EpochMetrics[];
  /** Step at which each epoch ended, for plotting validation points. */
  epochSteps: number[];
}

export const emptySeries = (): RunSeries => ({
  step: [],
  loss: [],
  accuracy: [],
  lr: [],
  valLoss: [],
  valAccuracy: [],
  epochs: [],
  epochSteps: [],
});

/** Puts the epochs that ended at the series' last step on it (an epoch is reported after its last step). */
export function placeEpochsAtLastStep(series: RunSeries): void {
  const last = series.step.length - 1;
  for (let k = series.epochs.length - 1; k >= 0 && series.epochSteps[k] === series.step[last]; k--) {
    series.valLoss[last] = series.epochs[k].valLoss ?? null;
    series.valAccuracy[last] = series.epochs[k].valAccuracy ?? null;
  }
}

/** Points of a run's loss curve kept in the document. */
const CURVE_POINTS = 500;

/** A run's per-step training loss, downsampled for the document (bucket means, as the chart draws them). */
function curveOf(series: RunSeries): { step: number[]; loss: number[] } {
  const [step, loss] = decimatedChartData(series, CURVE_POINTS) as [number[], (number | null)[]];
  const keep = loss.flatMap((v, i) => (v !== null && Number.isFinite(v) ? [i] : []));
  return { step: keep.map((i) => step[i]), loss: keep.map((i) => loss[i] as number) };
}

/** A time's digits, year to second (run ids). */
export const digitsOf = (iso: string) => iso.replace(/[^0-9]/g, '').slice(0, 14);

/**
 * Epochs a run record keeps at most. A small dataset trains thousands of epochs a minute (the spiral sample's
 * 1,000 in seconds), and a record of each made documents of megabytes: the autosave and every edit's undo
 * step then copied them on the page's thread. Evenly spaced, the first and the last always among them; each
 * keeps its own epoch number.
 */
export const EPOCHS_KEPT = 500;

/** Epochs as a run record keeps them (the document's schema: no step or learning rate), at most EPOCHS_KEPT. */
export const epochRecords = (epochs: readonly EpochMetrics[]) =>
  evenlySpaced(epochs, EPOCHS_KEPT).map(({ epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, seconds }) => ({
    epoch,
    trainLoss,
    trainAccuracy,
    valLoss,
    valAccuracy,
    seconds,
  }));

/** At most `most` of `items`, evenly spaced, the first and the last among them. */
function evenlySpaced<T>(items: readonly T[], most: number): readonly T[] {
  if (items.length <= most) return items;
  return Array.from({ length: most }, (_, i) => items[Math.round((i * (items.length - 1)) / (most - 1))]);
}

/**
 * The run as it ended (finished, stopped or failed), kept in the document's history so that runs can be
 * compared later: its settings and the changes made while paused (with their step), its epochs, where it
 * ended (a run stopped inside its first epoch too), its loss curve downsampled, and its network's fingerprint.
 */
export function runRecord(
  doc: GraphDocument,
  startedAt: string,
  state: 'finished' | 'stopped' | 'failed',
  series: RunSeries,
  backend: BackendId,
  changes: { step: number; settings: SettingsPatch }[],
  last: StepReport | null,
) {
  const { optimizer, batchSize, epochs, seed } = doc.training;
  const run = {
    fingerprint: networkFingerprint(doc),
    steps: series.step.at(-1) ?? 0,
    ...(last && {
      result: {
        loss: last.epochLoss,
        ...(last.epochAccuracy !== undefined && { accuracy: last.epochAccuracy }),
      },
    }),
    ...(changes.length > 0 && { changes }),
    ...(series.step.length > 1 && { curve: curveOf(series) }),
    id: `run-${digitsOf(startedAt)}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    backend,
    status: state === 'finished' ? ('completed' as const) : state,
    settings: { optimizer, batchSize, epochs, seed },
    epochs: epochRecords(series.epochs),
  };
  return run;
}

/** An opened document's last run, drawn again from its stored curve (its validation points at each epoch's end). */
export function lastRunSeries(doc: GraphDocument): RunSeries {
  const series = emptySeries();
  const run = doc.runs?.at(-1);
  if (!run?.curve) return series;
  series.step = [...run.curve.step];
  series.loss = [...run.curve.loss];
  series.accuracy = series.step.map(() => null);
  series.lr = series.step.map(() => null);
  series.valLoss = series.step.map(() => null);
  series.valAccuracy = series.step.map(() => null);
  return series;
}
