import { EngineError } from '../errors';
import type { Trainer } from './trainer';

/** How close a regression's predictions come to its targets, over a set or one output. */
export interface RegressionFigures {
  /** Mean squared error: the mean of (predicted − target)². */
  mse: number;
  /** Mean absolute error: the mean of |predicted − target|. */
  mae: number;
  /**
   * Coefficient of determination, 1 − Σ(predicted − target)² / Σ(target − mean target)²: 1 is exact, 0 is no
   * better than always answering the mean; NaN where the targets do not vary. Over several outputs, the mean
   * of their R² (scikit-learn's `r2_score`, uniform average), over those whose targets vary.
   */
  r2: number;
}

/** A sample the network gets most wrong. */
export interface RegressionMiss {
  index: number;
  /** Its squared error summed over the outputs. */
  error: number;
  /** Its first outputs' targets and predictions (at most MISS_VALUES). */
  target: number[];
  predicted: number[];
}

/** What a regression network (mean squared error against values) gets right and wrong on a set. */
export interface RegressionInspection {
  kind: 'regression';
  /** The set evaluated: the validation set (the training set without one), or a test set of other data. */
  set: 'train' | 'validation' | 'test';
  count: number;
  /** Values predicted per sample. */
  outputs: number;
  /** Each output's name where the data names them (a CSV file's target columns). */
  outputNames?: string[];
  overall: RegressionFigures;
  /** Per output, for the first MAX_OUTPUTS_LISTED outputs. */
  perOutput: RegressionFigures[];
  /**
   * Pairs for a predicted-against-target scatter: every value of the set where there are at most
   * MAX_POINTS, else every k-th (in sample order, outputs within a sample), so the plot shows all outputs.
   */
  points: { target: Float32Array; predicted: Float32Array };
  /** The samples with the largest squared error, largest first. */
  worst: RegressionMiss[];
}

export const MAX_POINTS = 2000;
const MAX_OUTPUTS_LISTED = 16;
const MISS_VALUES = 4;
const WORST = 8;

/** An error's rank among the worst: NaN (a prediction that is not a number) above any. */
const rankOf = (error: number) => (Number.isNaN(error) ? Number.POSITIVE_INFINITY : error);

/** Running sums for one output: enough for MSE, MAE and R² in one pass (targets' variance by Welford). */
class OutputSums {
  n = 0;
  squared = 0;
  absolute = 0;
  mean = 0;
  spread = 0;
  add(target: number, predicted: number): void {
    const e = predicted - target;
    this.squared += e * e;
    this.absolute += Math.abs(e);
    this.n++;
    const d = target - this.mean;
    this.mean += d / this.n;
    this.spread += d * (target - this.mean);
  }
  figures(): RegressionFigures {
    return {
      mse: this.squared / this.n,
      mae: this.absolute / this.n,
      r2: this.spread > 0 ? 1 - this.squared / this.spread : Number.NaN,
    };
  }
}

/**
 * Predicts every sample of the set (the validation set when there is one) and compares with its targets:
 * MSE, MAE and R², overall and per output, a scatter's points and the worst samples. For networks trained
 * with mean squared error against target values.
 */
export async function inspectRegression(trainer: Trainer): Promise<RegressionInspection> {
  const set = trainer.dataset('validation') ? 'validation' : 'train';
  const data = trainer.dataset(set)!;
  if (data.targetKind !== 'tensor')
    throw new EngineError('INVALID_DATA', 'a regression is evaluated against target values, and this set has classes');
  const outputs = data.targetSize;
  const sums = Array.from({ length: outputs }, () => new OutputSums());
  const values = data.count * outputs;
  const every = Math.ceil(values / MAX_POINTS);
  const kept = Math.ceil(values / every);
  const points = { target: new Float32Array(kept), predicted: new Float32Array(kept) };
  const worst: RegressionMiss[] = [];
  await trainer.forEachEvalBatch(set, async (start, n) => {
    const out = await trainer.be.read(trainer.session.output);
    for (let r = 0; r < n; r++) {
      const index = start + r;
      let error = 0;
      for (let o = 0; o < outputs; o++) {
        const target = data.targets[index * outputs + o];
        const predicted = out[r * outputs + o];
        sums[o].add(target, predicted);
        error += (predicted - target) ** 2;
        const at = index * outputs + o;
        if (at % every === 0) {
          points.target[at / every] = target;
          points.predicted[at / every] = predicted;
        }
      }
      // The largest errors, kept to the WORST as they come (NaN counts as the largest).
      if (worst.length < WORST || rankOf(error) > rankOf(worst[worst.length - 1].error)) {
        const shown = Math.min(outputs, MISS_VALUES);
        worst.push({
          index,
          error,
          target: Array.from(data.targets.subarray(index * outputs, index * outputs + shown)),
          predicted: Array.from(out.subarray(r * outputs, r * outputs + shown)),
        });
        worst.sort((a, b) => rankOf(b.error) - rankOf(a.error) || a.index - b.index);
        if (worst.length > WORST) worst.pop();
      }
    }
  });
  const perOutput = sums.map((s) => s.figures());
  const mean = (pick: (f: RegressionFigures) => number) => perOutput.reduce((t, f) => t + pick(f), 0) / outputs;
  // R² over the outputs whose targets vary (NaN where none does).
  const defined = perOutput.filter((f) => !Number.isNaN(f.r2));
  const r2 = defined.length > 0 ? defined.reduce((t, f) => t + f.r2, 0) / defined.length : Number.NaN;
  return {
    kind: 'regression',
    set,
    count: data.count,
    outputs,
    ...(data.outputNames && { outputNames: data.outputNames.slice(0, MAX_OUTPUTS_LISTED) }),
    overall: { mse: mean((f) => f.mse), mae: mean((f) => f.mae), r2 },
    perOutput: perOutput.slice(0, MAX_OUTPUTS_LISTED),
    points,
    worst,
  };
}
