import { EngineError } from '../errors';
import { counted } from '../words';
import type { Trainer } from './trainer';

/** What the learning-rate range test found: each step's rate and loss, and the rate it suggests. */
export interface RateSearch {
  /** The rate of each step taken, rising geometrically. */
  rates: number[];
  /** Each step's training loss on its batch. */
  losses: number[];
  /** The losses smoothed (an exponential moving average, bias-corrected): what the suggestion reads. */
  smoothed: number[];
  /** The lowest smoothed loss past the first steps, and its rate (none when it stopped before). */
  lowest?: { rate: number; loss: number };
  /**
   * A tenth of the lowest point's rate; undefined where the loss did not really fall there (trained
   * weights: no rate makes them much better; see suggestion).
   */
  suggested?: number;
  /** Why it ended: all the steps taken, the loss past four times its lowest, a step not finite, or asked to. */
  ended: 'steps' | 'diverged' | 'not-finite' | 'stopped';
}

/** The steps of a range test so far: what the page plots while it runs. */
export type RateSteps = Pick<RateSearch, 'rates' | 'losses' | 'smoothed'>;

export interface RateSearchOptions {
  from?: number;
  to?: number;
  steps?: number;
}

/** The test's rates and steps unless asked otherwise (fast.ai's range, a step per rate). */
export const RATE_SEARCH_DEFAULTS = { from: 1e-6, to: 1, steps: 100 } as const;

/** Smoothing of the losses: β of the moving average (a step's weight is 1 − β). */
const BETA = 0.9;
/** Steps before the smoothed loss is read for a lowest point (the moving average holds ~1 / (1 − β) steps). */
const WARM_UP = 10;
/**
 * The share by which the losses around the lowest point must lie below the start's for a rate to be
 * suggested (medians of raw losses: see suggestion).
 */
const MIN_FALL = 0.1;

/**
 * The learning-rate range test (L. Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; the
 * "LR finder" of fast.ai): from the trainer's weights, one step at each rate of a geometric sequence from
 * `from` to `to`, recording the loss, until the steps are done or the smoothed loss passes four times its
 * lowest. The loss falls while the rate is useful and rises once it is too high; the suggestion is a tenth
 * of the rate at the lowest smoothed loss, safely below where the loss turns. The trainer's weights are
 * changed: run it on a copy.
 */
export async function findLearningRate(
  trainer: Trainer,
  {
    from = RATE_SEARCH_DEFAULTS.from,
    to = RATE_SEARCH_DEFAULTS.to,
    steps = RATE_SEARCH_DEFAULTS.steps,
  }: RateSearchOptions = {},
  /** Between steps, given the steps so far: lets other work in, and says whether to stop here. */
  between: (sofar: RateSteps) => Promise<boolean> = async () => false,
): Promise<RateSearch> {
  if (!(from > 0 && to > from && Number.isInteger(steps) && steps >= 2 && steps <= 1000))
    throw new EngineError(
      'INVALID_DATA',
      `a range test needs 0 < from < to and 2 to 1000 steps, not ${from}, ${to}, ${steps}`,
    );
  const rates: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let average = 0;
  let lowest = Number.POSITIVE_INFINITY;
  let ended: RateSearch['ended'] = 'steps';
  for (let i = 0; i < steps; i++) {
    const rate = from * (to / from) ** (i / (steps - 1));
    trainer.rateOverride = rate;
    let loss = Number.NaN;
    try {
      await trainer.runSteps(1, { onStep: (m) => (loss = m.loss) });
    } catch (error) {
      if (error instanceof EngineError && error.code === 'NON_FINITE') {
        ended = 'not-finite';
        break;
      }
      throw error;
    }
    average = BETA * average + (1 - BETA) * loss;
    const value = average / (1 - BETA ** (i + 1));
    rates.push(rate);
    losses.push(loss);
    smoothed.push(value);
    if (await between({ rates, losses, smoothed })) {
      ended = 'stopped';
      break;
    }
    // The average's first steps hold a few batches each: one lucky batch is no lowest point.
    if (i < WARM_UP) continue;
    lowest = Math.min(lowest, value);
    if (value > 4 * lowest) {
      ended = 'diverged';
      break;
    }
  }
  trainer.rateOverride = undefined;
  return { rates, losses, smoothed, ...suggestion(rates, losses, smoothed), ended };
}

/**
 * A tenth of the rate at the lowest smoothed loss past the warm-up, where the loss there really fell: the
 * median of the raw losses around that point below (1 − MIN_FALL) times the median of the first steps'
 * (at rates too small to move the weights). Medians, because a batch's loss is heavy-tailed: trained
 * weights give a flat, noisy curve whose lowest point is a run of lucky batches, and no rate is suggested.
 */
function suggestion(rates: number[], losses: number[], smoothed: number[]): Pick<RateSearch, 'lowest' | 'suggested'> {
  if (smoothed.length <= WARM_UP) return {};
  const after = smoothed.slice(WARM_UP);
  const best = WARM_UP + after.indexOf(Math.min(...after));
  const lowest = { rate: rates[best], loss: smoothed[best] };
  const start = median(losses.slice(0, WARM_UP));
  const there = median(losses.slice(Math.max(WARM_UP, best - 5), best + 5));
  return there < (1 - MIN_FALL) * start ? { lowest, suggested: rates[best] / 10 } : { lowest };
}

/** The middle value (the mean of the two middle ones for an even count): a batch's outlier moves it little. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A figure in four significant digits. */
const figure = (v: number) => Number(v.toPrecision(4)).toString();

/** A rate as people write them: 3e-4 rather than 0.0003. */
export const rateText = (rate: number) => (rate < 0.01 ? rate.toExponential(1).replace('.0e', 'e') : figure(rate));

/** What the test did, in words (the app's summary and the command line's). */
export function rateSearchSummary(search: RateSearch): string {
  const steps = search.rates.length;
  if (steps === 0) return 'The first step was not a number: no rate is suggested.';
  const last = rateText(search.rates[steps - 1]);
  const why = {
    steps: '',
    diverged: `; stopped at ${last}, where the loss passed four times its lowest`,
    'not-finite': `; stopped after ${last}, where a step's loss was not a number`,
    stopped: `; stopped at ${last}, as asked`,
  }[search.ended];
  const { lowest } = search;
  const found =
    lowest && search.suggested !== undefined
      ? `: lowest (smoothed) loss ${figure(lowest.loss)} at ${rateText(lowest.rate)}, a tenth of which is suggested`
      : ': the loss did not fall, so no rate is suggested (weights trained already change little; a fresh network that does not learn needs checking)';
  return `${counted(steps, 'step')} from ${rateText(search.rates[0])}${why}${found}.`;
}
