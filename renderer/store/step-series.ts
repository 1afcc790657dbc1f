import type { EpochMetrics, StepColumns } from '../../engine/api';

/**
 * A run's curves as the page keeps them while it trains, in bounded memory however long the run.
 *
 * A small network trains tens of thousands of steps a second: a point per step grew the page by megabytes a
 * minute (an hour of the spiral sample would not fit), and a screen shows no more points than pixels. So the
 * series keep at most SERIES_POINTS points: each stands for `stride` consecutive steps (drawn at the last of
 * them, with the mean of their loss, accuracy and learning rate), and when the series fill up, neighbouring
 * points merge in pairs and the stride doubles, as a chart's decimation would. A short run keeps every step.
 * The columns are typed arrays (no object per point for the collector to trace); NaN is a gap.
 */
export interface RunSeries {
  /** Points in use. */
  length: number;
  /** Steps each point stands for (1 until the series first fill up). */
  stride: number;
  /**
   * The last point's steps so far (it takes steps until it has `stride`), and its figures' sums and counts
   * over their finite values (a diverged step's loss is left out of its point's mean).
   */
  last: PointSums;
  /** Each point's last step. */
  step: Float64Array;
  loss: Float64Array;
  accuracy: Float64Array;
  lr: Float64Array;
  /** The validation values of the last epoch that ended inside each point; NaN at the other points. */
  valLoss: Float64Array;
  valAccuracy: Float64Array;
  /** Epochs, evenly thinned to at most EPOCHS_LIVE (every `epochStride`-th kept), and the newest. */
  epochs: EpochMetrics[];
  epochStride: number;
  epochsSeen: number;
  latestEpoch: EpochMetrics | null;
  /** Epochs whose last step has not arrived yet (an epoch can be reported before its step). */
  waiting: EpochMetrics[];
}

interface PointSums {
  steps: number;
  loss: number;
  losses: number;
  accuracy: number;
  accuracies: number;
  lr: number;
  lrs: number;
}

const noSums = (): PointSums => ({ steps: 0, loss: 0, losses: 0, accuracy: 0, accuracies: 0, lr: 0, lrs: 0 });

/** Points the series keep at most: six columns of 8,192 numbers are 384 KB. */
export const SERIES_POINTS = 8192;
/** Epochs kept while a run trains (each thinned away evenly when there are more). */
export const EPOCHS_LIVE = 8192;

export const emptySeries = (): RunSeries => ({
  length: 0,
  stride: 1,
  last: noSums(),
  step: new Float64Array(SERIES_POINTS),
  loss: new Float64Array(SERIES_POINTS),
  accuracy: new Float64Array(SERIES_POINTS),
  lr: new Float64Array(SERIES_POINTS),
  valLoss: new Float64Array(SERIES_POINTS),
  valAccuracy: new Float64Array(SERIES_POINTS),
  epochs: [],
  epochStride: 1,
  epochsSeen: 0,
  latestEpoch: null,
  waiting: [],
});

/** The last step the series hold (0 before any). */
export const lastStepOf = (s: RunSeries) => (s.length > 0 ? s.step[s.length - 1] : 0);

/** The mean of two points' means, either of which may be missing (NaN). */
function meanOfTwo(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return (a + b) / 2;
}

/** Neighbouring points merged in pairs: half the points, each for twice the steps. */
function mergePairs(s: RunSeries): void {
  const half = s.length >> 1;
  for (let i = 0; i < half; i++) {
    const a = 2 * i;
    const b = a + 1;
    s.step[i] = s.step[b];
    s.loss[i] = meanOfTwo(s.loss[a], s.loss[b]);
    s.accuracy[i] = meanOfTwo(s.accuracy[a], s.accuracy[b]);
    s.lr[i] = meanOfTwo(s.lr[a], s.lr[b]);
    // The later epoch's validation, as at one point per step.
    const later = !Number.isNaN(s.valLoss[b]) || !Number.isNaN(s.valAccuracy[b]) ? b : a;
    s.valLoss[i] = s.valLoss[later];
    s.valAccuracy[i] = s.valAccuracy[later];
  }
  s.length = half;
  s.stride *= 2;
}

/** One step's figures into the series (NaN for a figure it does not have). */
export function appendStep(s: RunSeries, step: number, loss: number, accuracy: number, lr: number): void {
  const p = s.last;
  if (s.length === 0 || p.steps === s.stride) {
    if (s.length === SERIES_POINTS) mergePairs(s);
    s.length++;
    p.steps = p.loss = p.losses = p.accuracy = p.accuracies = p.lr = p.lrs = 0;
  }
  const i = s.length - 1;
  p.steps++;
  // Sums, not running means: nothing is allocated per step.
  if (Number.isFinite(loss)) {
    p.loss += loss;
    p.losses++;
  }
  if (Number.isFinite(accuracy)) {
    p.accuracy += accuracy;
    p.accuracies++;
  }
  if (Number.isFinite(lr)) {
    p.lr += lr;
    p.lrs++;
  }
  s.step[i] = step;
  s.loss[i] = p.losses > 0 ? p.loss / p.losses : Number.NaN;
  s.accuracy[i] = p.accuracies > 0 ? p.accuracy / p.accuracies : Number.NaN;
  s.lr[i] = p.lrs > 0 ? p.lr / p.lrs : Number.NaN;
  if (p.steps === 1) s.valLoss[i] = s.valAccuracy[i] = Number.NaN;
}

/** A message's steps into the series, and the validation of epochs that were waiting for them. */
export function appendSteps(s: RunSeries, c: StepColumns): void {
  for (let i = 0; i < c.count; i++) appendStep(s, c.step[i], c.loss[i], c.accuracy[i], c.lr[i]);
  if (s.waiting.length === 0) return;
  const waiting = s.waiting;
  s.waiting = [];
  for (const e of waiting) placeValidation(s, e);
}

/** An epoch that ended: kept (evenly thinned), its validation values put on the point of its last step. */
export function appendEpoch(s: RunSeries, e: EpochMetrics): void {
  s.latestEpoch = e;
  if (s.epochsSeen++ % s.epochStride === 0) s.epochs.push(e);
  if (s.epochs.length >= EPOCHS_LIVE) {
    s.epochs = s.epochs.filter((_, i) => i % 2 === 0);
    s.epochStride *= 2;
  }
  placeValidation(s, e);
}

function placeValidation(s: RunSeries, e: EpochMetrics): void {
  if (e.valLoss === undefined && e.valAccuracy === undefined) return;
  // The first point whose last step is at or after the epoch's (points are in step order).
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.step[mid] < e.step) lo = mid + 1;
    else hi = mid;
  }
  if (lo === s.length) {
    s.waiting.push(e);
    return;
  }
  s.valLoss[lo] = e.valLoss ?? Number.NaN;
  s.valAccuracy[lo] = e.valAccuracy ?? Number.NaN;
}

/** The epochs kept, the newest always last (for the run's record). */
export const epochsKept = (s: RunSeries): EpochMetrics[] =>
  s.latestEpoch && s.epochs.at(-1) !== s.latestEpoch ? [...s.epochs, s.latestEpoch] : s.epochs;
