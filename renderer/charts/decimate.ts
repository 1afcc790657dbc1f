import type uPlot from 'uplot';
import type { RunSeries } from '../store/training-store';

/**
 * The chart's data with at most `buckets` points per series: a long run has tens of thousands of steps and
 * redrawing every one each frame costs the page more than a frame (and a screen shows no more points than
 * pixels). Consecutive steps are grouped into equal buckets; each bucket is drawn at its last step with the
 * mean of its per-step values (loss, accuracy, learning rate), and with the last validation value that fell
 * in it. Below `buckets` steps the series are drawn as they are.
 */
export function decimatedChartData(s: RunSeries, buckets: number): uPlot.AlignedData {
  const n = s.step.length;
  if (n <= buckets) return [s.step, s.loss, s.valLoss, s.accuracy, s.valAccuracy, s.lr];
  const out = {
    step: new Array<number>(buckets),
    loss: new Array<number | null>(buckets),
    valLoss: new Array<number | null>(buckets).fill(null),
    accuracy: new Array<number | null>(buckets),
    valAccuracy: new Array<number | null>(buckets).fill(null),
    lr: new Array<number | null>(buckets),
  };
  const mean = (values: (number | null)[], from: number, to: number): number | null => {
    let sum = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v !== null && Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    return count > 0 ? sum / count : null;
  };
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    out.step[b] = s.step[to - 1];
    out.loss[b] = mean(s.loss, from, to);
    out.accuracy[b] = mean(s.accuracy, from, to);
    out.lr[b] = mean(s.lr, from, to);
    for (let i = to - 1; i >= from; i--)
      if (s.valLoss[i] !== null || s.valAccuracy[i] !== null) {
        out.valLoss[b] = s.valLoss[i];
        out.valAccuracy[b] = s.valAccuracy[i];
        break;
      }
  }
  return [out.step, out.loss, out.valLoss, out.accuracy, out.valAccuracy, out.lr] as uPlot.AlignedData;
}
