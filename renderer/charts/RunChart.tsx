import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { type RunSeries, useTrainingStore } from '../store/training-store';
import { decimatedChartData } from './decimate';
import { drawSoon } from './draw-soon';

/** Points per series the chart draws at most: about one per pixel of its width (as uPlot knows it: no layout read). */
const bucketsFor = (width: number) => Math.max(200, Math.min(2000, width));

/** Validation points are marked while there are few; past that the line alone reads better (and costs less). */
const FEW_EPOCHS = 100;

/** The plot's height at least, however small the results area is made. */
const MIN_PLOT_HEIGHT = 80;
/** The legend's height before there is one to measure (two rows); corrected at the first drawing. */
const LEGEND_GUESS = 40;

/**
 * Loss and accuracy of every step and of every epoch's validation, and the learning rate, on one chart
 * (uPlot), a long run decimated to about one point per pixel. It redraws at most once per progress frame,
 * in a task of its own: never inside React's commit of the panels that changed with the same message.
 */
export function RunChart() {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    let u: uPlot | null = null;
    /** uPlot's first layout and drawing, while the chart is made but not yet set up. */
    let init: (() => void) | null = null;
    let drawn: RunSeries | null = null;
    // The box's size as the resize observer last gave it: reading it from the element would lay the page
    // out inside the task that makes the chart.
    let box = { width: 600, height: 205 };
    const points = { show: () => useTrainingStore.getState().series.epochs.length <= FEW_EPOCHS, size: 6 };
    // The plot takes the room its box has, less the legend's (which wraps on a narrow box).
    const legendHeight = () => (element.querySelector('.u-legend') as HTMLElement | null)?.offsetHeight ?? 0;
    const plotHeight = () => Math.max(MIN_PLOT_HEIGHT, box.height - legendHeight() - 4);
    // Each step a task of its own, never inside the commit that showed the results area (the task that
    // answers Train would otherwise hold them all): the chart made, set up, then its data drawn.
    const redraw = drawSoon(() => {
      if (!u || init) return;
      if (drawn === null) u.setSize({ width: box.width, height: plotHeight() });
      // A new run (or document) brings new series; the same run's series grow in place.
      const series = useTrainingStore.getState().series;
      drawn = series;
      u.setData(decimatedChartData(series, bucketsFor(u.width)));
      element.dataset.points = String(series.step.length);
    });
    const setUp = drawSoon(() => {
      if (!u || !init) return;
      element.append(u.root);
      init();
      init = null;
      redraw.request();
    });
    const create = drawSoon(() => {
      u = new uPlot(
        {
          width: box.width,
          height: Math.max(MIN_PLOT_HEIGHT, box.height - LEGEND_GUESS),
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
        [[], [], [], [], [], []],
        (_, start) => {
          init = start as () => void;
        },
      );
      setUp.request();
    });
    // The first report of the box's size makes the chart; later ones resize it.
    const resize = new ResizeObserver(([entry]) => {
      box = { width: Math.round(entry.contentRect.width), height: Math.round(entry.contentRect.height) };
      if (u && !init) u.setSize({ width: box.width, height: plotHeight() });
      else if (!u) create.request();
    });
    resize.observe(element);
    // `version` says when the series grew; a new series object, that they were replaced.
    const unsubscribe = useTrainingStore.subscribe((now, before) => {
      if (now.version !== before.version || now.series !== drawn) redraw.request();
    });
    return () => {
      unsubscribe();
      create.cancel();
      setUp.cancel();
      redraw.cancel();
      resize.disconnect();
      u?.destroy();
    };
  }, []);

  return <div className="run-chart" ref={host} data-testid="run-chart" />;
}
