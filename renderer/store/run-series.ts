import type { EpochMetrics, SettingsPatch, StepReport } from '../../engine/api';
import type { BackendId } from '../../engine/backend/backend-id';
import type { GraphDocument } from '../../engine/graph';
import { networkFingerprint } from '../../engine/train/fingerprint';
import { decimatedChartData } from '../charts/decimate';
import { appendStep, emptySeries, epochsKept, lastStepOf, type RunSeries } from './step-series';

export { emptySeries, type RunSeries } from './step-series';

/** A run as the document's history keeps it, and an opened document's last run drawn again. */

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
    steps: lastStepOf(series),
    ...(last && {
      result: {
        loss: last.epochLoss,
        ...(last.epochAccuracy !== undefined && { accuracy: last.epochAccuracy }),
      },
    }),
    ...(changes.length > 0 && { changes }),
    ...(series.length > 1 && { curve: curveOf(series) }),
    id: `run-${digitsOf(startedAt)}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    backend,
    status: state === 'finished' ? ('completed' as const) : state,
    settings: { optimizer, batchSize, epochs, seed },
    epochs: epochRecords(epochsKept(series)),
  };
  return run;
}

/** An opened document's last run, drawn again from its stored curve (its validation points at each epoch's end). */
export function lastRunSeries(doc: GraphDocument): RunSeries {
  const series = emptySeries();
  const run = doc.runs?.at(-1);
  if (!run?.curve) return series;
  run.curve.step.forEach((step, i) => {
    appendStep(series, step, run.curve?.loss[i] ?? Number.NaN, Number.NaN, Number.NaN);
  });
  return series;
}
