import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTrainingStore } from '../store/training-store';
import { decimatedChartData } from './decimate';
import { drawSoon } from './draw-soon';

/** Points per series the chart draws at most: about one per pixel of its width (as uPlot knows it: no layout read). */
const bucketsFor = (width: number) => Math.max(200, Math.min(2000, width));

/** Validation points are marked while there are few; past that the line alone reads better (and costs less). */
const FEW_EPOCHS = 100;

/**
 * Loss and accuracy of every step and of every epoch's validation, and the learning rate, on one chart
 * (uPlot), a long run decimated to about one point per pixel. It redraws at most once per progress frame,
 * in a task of its own: never inside React's commit of the panels that changed with the same message.
 */
/** The plot's height at least, however small the results area is made. */
const MIN_PLOT_HEIGHT = 80;

export function RunChart() {
  const host = useRef<HTMLDivElement>(null);
  const series = useTrainingStore((s) => s.series);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const points = { show: () => useTrainingStore.getState().series.epochs.length <= FEW_EPOCHS, size: 6 };
    // The plot takes the room its box has, less the legend's (which wraps on a narrow box).
    const legendHeight = () => (element.querySelector('.u-legend') as HTMLElement | null)?.offsetHeight ?? 0;
    const plotHeight = () => Math.max(MIN_PLOT_HEIGHT, (element.clientHeight || 205) - legendHeight() - 4);
    const u = new uPlot(
      {
        width: element.clientWidth || 600,
        height: plotHeight(),
        scales: { x: { time: false }, loss: { auto: true }, acc: { range: [0, 1] }, lr: { auto: true } },
        axes: [
          { label: 'step' },
          { scale: 'loss', label: 'loss' },
          { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } },
          { scale: 'lr', show: false },
        ],
        series: [
          {},
          { label: 'train loss', scale: 'loss', stroke: '#3b6cf6', width: 1 },
          { label: 'validation loss', scale: 'loss', stroke: '#1c3aa9', width: 2, points, spanGaps: true },
          { label: 'train accuracy', scale: 'acc', stroke: '#7cc08a', width: 1 },
          { label: 'validation accuracy', scale: 'acc', stroke: '#1f7a35', width: 2, points, spanGaps: true },
          { label: 'learning rate', scale: 'lr', stroke: '#c28a00', width: 1, dash: [4, 4] },
        ],
        legend: { live: false },
      },
      decimatedChartData(series, bucketsFor(element.clientWidth || 600)),
      element,
    );
    element.dataset.points = String(series.step.length);
    // The series grow in place; `version` says when. Drawn in a task of its own, at most once per change.
    const redraw = drawSoon(() => {
      u.setData(decimatedChartData(series, bucketsFor(u.width)));
      element.dataset.points = String(series.step.length);
    });
    const unsubscribe = useTrainingStore.subscribe((now, before) => {
      if (now.version !== before.version) redraw.request();
    });
    const resize = new ResizeObserver(() => u.setSize({ width: element.clientWidth, height: plotHeight() }));
    resize.observe(element);
    return () => {
      unsubscribe();
      redraw.cancel();
      resize.disconnect();
      u.destroy();
    };
  }, [series]);

  return <div className="run-chart" ref={host} data-testid="run-chart" />;
}
