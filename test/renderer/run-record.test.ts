import { describe, expect, it } from 'vitest';
import { emptyDocument } from '../../engine/graph';
import { runSchema } from '../../engine/graph/training-schema';
import { EPOCHS_KEPT, emptySeries, runRecord } from '../../renderer/store/run-series';
import { appendEpoch, appendStep } from '../../renderer/store/step-series';

/** A run of `epochs` epochs of one step each, its loss falling. */
function seriesOf(epochs: number) {
  const series = emptySeries();
  for (let e = 0; e < epochs; e++) {
    appendStep(series, e + 1, 1 / (e + 1), Number.NaN, 0.01);
    appendEpoch(series, { epoch: e, step: e + 1, trainLoss: 1 / (e + 1), lr: 0.01, seconds: 0.001 });
  }
  return series;
}

const recordOf = (epochs: number) =>
  runRecord(emptyDocument(), '2026-12-01T10:00:00.000Z', 'finished', seriesOf(epochs), 'cpu', [], null);

describe('a run as the document keeps it', () => {
  it('keeps every epoch of a short run', () => {
    const run = recordOf(40);
    expect(run.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(run.steps).toBe(40);
    expect(runSchema.safeParse(run).success).toBe(true);
  });

  it(`keeps ${EPOCHS_KEPT} evenly spaced epochs of a long run, the first and the last among them`, () => {
    const run = recordOf(20_000);
    const kept = run.epochs.map((e) => e.epoch);
    expect(kept).toHaveLength(EPOCHS_KEPT);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(19_999);
    expect(run.steps).toBe(20_000);
    // Evenly spaced to within the live series' own thinning (every 4th of 20,000 epochs kept while training).
    const gaps = kept.slice(1).map((e, i) => e - kept[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(36);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(44);
    expect(run.epochs.at(-1)?.trainLoss).toBe(1 / 20_000);
    // Small enough for the browser's storage and an undo step: 47 KB here, where every epoch made 1.8 MB.
    expect(JSON.stringify(run).length).toBeLessThan(100_000);
    expect(runSchema.safeParse(run).success).toBe(true);
  });
});
