import type uPlot from 'uplot';
import type { RunSeries } from '../store/step-series';

/**
 * The chart's data with at most `buckets` points per series: redrawing thousands of points each frame
 * costs the page more than a frame, and a screen shows no more points than pixels. Consecutive points are
 * grouped into equal buckets; each bucket is drawn at its last step with the mean of its points' values
 * (loss, accuracy, learning rate), and with the last validation value that fell in it. Below `buckets`
 * points the series are drawn as they are. Gaps (NaN in the series) are null, as uPlot draws them.
 */
export function decimatedChartData(s: RunSeries, buckets: number): uPlot.AlignedData {
  const n = s.length;
  const count = Math.min(n, buckets);
  const out = {
    step: new Array<number>(count),
    loss: new Array<number | null>(count),
    valLoss: new Array<number | null>(count).fill(null),
    accuracy: new Array<number | null>(count),
    valAccuracy: new Array<number | null>(count).fill(null),
    lr: new Array<number | null>(count),
  };
  const mean = (values: Float64Array, from: number, to: number): number | null => {
    let sum = 0;
    let points = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        sum += v;
        points++;
      }
    }
    return points > 0 ? sum / points : null;
  };
  const orNull = (v: number) => (Number.isNaN(v) ? null : v);
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * n) / count);
    const to = Math.floor(((b + 1) * n) / count);
    out.step[b] = s.step[to - 1];
    out.loss[b] = mean(s.loss, from, to);
    out.accuracy[b] = mean(s.accuracy, from, to);
    out.lr[b] = mean(s.lr, from, to);
    for (let i = to - 1; i >= from; i--)
      if (!Number.isNaN(s.valLoss[i]) || !Number.isNaN(s.valAccuracy[i])) {
        out.valLoss[b] = orNull(s.valLoss[i]);
        out.valAccuracy[b] = orNull(s.valAccuracy[i]);
        break;
      }
  }
  return [out.step, out.loss, out.valLoss, out.accuracy, out.valAccuracy, out.lr] as uPlot.AlignedData;
}
