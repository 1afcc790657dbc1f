import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { targetKindOf } from '../../engine/data/describe';
import { useDocumentStore } from '../store/document-store';
import { type RunSeries, useTrainingStore } from '../store/training-store';
import { decimatedChartData } from './decimate';
import { drawSoon } from './draw-soon';

/** Points per series the chart draws at most: about one per pixel of its width (as uPlot knows it: no layout read). */
const bucketsFor = (width: number) => Math.max(200, Math.min(2000, width));

/** Validation points are marked while there are few; past that the line alone reads better (and costs less). */
const FEW_EPOCHS = 100;

/** The plot's height at least, however small the results area is made. */
const MIN_PLOT_HEIGHT = 80;

/** The curves, in the order of the chart's data columns after the steps. */
const SERIES = [
  { label: 'train loss', scale: 'loss', stroke: '#3b6cf6', width: 1 },
  { label: 'validation loss', scale: 'loss', stroke: '#1c3aa9', width: 2, epochs: true },
  { label: 'train accuracy', scale: 'acc', stroke: '#7cc08a', width: 1 },
  { label: 'validation accuracy', scale: 'acc', stroke: '#1f7a35', width: 2, epochs: true },
  { label: 'learning rate', scale: 'lr', stroke: '#c28a00', width: 1, dash: [4, 4] },
] as const;

/** uPlot's options for the chart: its size, and how validation points are marked. */
function chartOptions(width: number, height: number, points: uPlot.Series.Points): uPlot.Options {
  return {
    width,
    height,
    scales: {
      x: { time: false },
      loss: { auto: true },
      // 0 to 1 while there is an accuracy; none (and so no axis) for a regression, which has none.
      acc: { range: (_, min, max) => (min === null || max === null ? [null, null] : [0, 1]) },
      lr: { auto: true },
    },
    axes: [
      { label: 'step' },
      { scale: 'loss', label: 'loss' },
      { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } },
      { scale: 'lr', show: false },
    ],
    series: [
      {},
      ...SERIES.map((c) => ({
        label: c.label,
        scale: c.scale,
        stroke: c.stroke,
        width: c.width,
        ...('dash' in c ? { dash: [...c.dash] } : {}),
        // Validation comes once an epoch: marked while few, and joined across the steps between.
        ...('epochs' in c ? { points, spanGaps: true } : {}),
      })),
    ],
    // The legend is the component's own (uPlot's made most of the chart's first, long task).
    legend: { show: false },
  };
}

/**
 * Makes, draws and drops a chart off the page once the page is idle after it opens, so that the browser
 * has compiled uPlot's code before the first run: made cold, the first chart was one of the longest tasks
 * of the page as a run opened on a slow machine.
 */
export function warmUpChart(): void {
  const idle = globalThis.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 200));
  idle(() => {
    const u = new uPlot(chartOptions(300, 150, { show: true, size: 6 }), [
      [0, 1],
      [1, 0.5],
      [null, 0.6],
      [0.2, 0.4],
      [null, 0.5],
      [0.1, 0.1],
    ]);
    setTimeout(() => u.destroy(), 0);
  });
}

/**
 * Loss and accuracy of every step and of every epoch's validation, and the learning rate, on one chart
 * (uPlot), a long run decimated to about one point per pixel. It redraws at most once per progress frame,
 * in a task of its own: never inside React's commit of the panels that changed with the same message.
 */
export function RunChart() {
  const host = useRef<HTMLDivElement>(null);
  const plotHost = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  // Before the first step, words over the empty axes say what will come (laid over: nothing moves when they go).
  const empty = useTrainingStore((s) => s.series.length === 0);
  // A regression's steps have no accuracy: its curves leave the legend (and its axis the chart). Before the
  // first step, the document says where its settings tell (mean squared error against values to fit).
  const stepsWithout = useTrainingStore((s) => (s.series.length > 0 ? Number.isNaN(s.series.accuracy[0]) : null));
  const fitsValues = useDocumentStore(
    (s) => s.document.training.loss.kind === 'mse' && targetKindOf(s.document) === 'tensor',
  );
  const withoutAccuracy = stepsWithout ?? fitsValues;

  useEffect(() => {
    const element = host.current;
    const plotElement = plotHost.current;
    if (!element || !plotElement) return;
    let u: uPlot | null = null;
    /** uPlot's first layout and drawing, while the chart is made but not yet set up. */
    let init: (() => void) | null = null;
    let drawn: RunSeries | null = null;
    // The plot's box as the resize observer last gave it (the chart's room less the legend's): reading it
    // from the element would lay the page out inside the task that makes the chart.
    let box = { width: 600, height: 165 };
    const points = { show: () => useTrainingStore.getState().series.epochsSeen <= FEW_EPOCHS, size: 6 };
    const plotHeight = () => Math.max(MIN_PLOT_HEIGHT, box.height);
    // Each step a task of its own, a frame after the one before, never inside the commit that showed the
    // results area (the task that answers Train would otherwise hold them all): the chart made, set up, drawn.
    /** Set once the chart is set up and a frame has been painted since. */
    let ready = false;
    const redraw = drawSoon(() => {
      if (!u || !ready) return;
      // A box that changed while the chart was being set up (the observer resizes it only once set up);
      // the same size again would clear and reallocate uPlot's canvas for nothing.
      if (drawn === null && (u.width !== box.width || u.height !== plotHeight()))
        u.setSize({ width: box.width, height: plotHeight() });
      // A new run (or document) brings new series; the same run's series grow in place.
      const series = useTrainingStore.getState().series;
      drawn = series;
      u.setData(decimatedChartData(series, bucketsFor(u.width)));
      element.dataset.points = String(series.length);
    });
    const setUp = drawSoon(
      () => {
        if (!u || !init) return;
        plotElement.append(u.root);
        init();
        init = null;
        chart.current = u;
        firstDraw.request();
      },
      { afterPaint: true },
    );
    // The first drawing a frame after the set-up's layout, like each step before it.
    const firstDraw = drawSoon(
      () => {
        ready = true;
        redraw.request();
      },
      { afterPaint: true },
    );
    const create = drawSoon(
      () => {
        u = new uPlot(chartOptions(box.width, plotHeight(), points), [[], [], [], [], [], []], (_, start) => {
          init = start as () => void;
        });
        setUp.request();
      },
      { afterPaint: true },
    );
    // The first report of the box's size makes the chart; later ones resize it.
    const resize = new ResizeObserver(([entry]) => {
      box = { width: Math.round(entry.contentRect.width), height: Math.round(entry.contentRect.height) };
      if (u && !init) u.setSize({ width: box.width, height: plotHeight() });
      else if (!u) create.request();
    });
    resize.observe(plotElement);
    // `version` says when the series grew; a new series object, that they were replaced.
    const unsubscribe = useTrainingStore.subscribe((now, before) => {
      if (now.version !== before.version || now.series !== drawn) redraw.request();
    });
    return () => {
      unsubscribe();
      create.cancel();
      setUp.cancel();
      firstDraw.cancel();
      redraw.cancel();
      resize.disconnect();
      chart.current = null;
      u?.destroy();
    };
  }, []);

  const toggle = (i: number) => {
    const next = new Set(hidden);
    if (!next.delete(i)) next.add(i);
    setHidden(next);
    chart.current?.setSeries(i + 1, { show: !next.has(i) });
  };
  return (
    <div className="run-chart" ref={host} data-testid="run-chart">
      {/* uPlot's root is appended after the hint: React keeps only the hint. */}
      <div className="run-chart-plot" ref={plotHost}>
        {empty && (
          <p className="run-chart-empty" data-testid="run-chart-empty">
            {withoutAccuracy ? 'The loss appears' : 'The loss and accuracy appear'} here as the network trains.
          </p>
        )}
      </div>
      {/* Each curve named in its colour; a click hides or shows it. Wraps on a narrow chart. */}
      <div className="run-chart-legend" data-testid="run-chart-legend">
        {SERIES.map((c, i) =>
          withoutAccuracy && c.scale === 'acc' ? null : (
            <button key={c.label} type="button" aria-pressed={!hidden.has(i)} onClick={() => toggle(i)}>
              <span
                className="swatch"
                style={{ borderColor: c.stroke, borderTopStyle: 'dash' in c ? 'dashed' : 'solid' }}
              />
              {c.label}
            </button>
          ),
        )}
      </div>
    </div>
  );
}
