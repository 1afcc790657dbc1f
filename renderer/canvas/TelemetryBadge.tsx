import { useStore } from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import type { NodeTelemetry } from '../../engine/api';
import { drawSoon } from '../charts/draw-soon';

/** The badge's size in CSS pixels (the layer's width less its padding); fixed, so the layer never moves. */
const WIDTH = 150;
const HEIGHT = 34;
const FONT = '9px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const INK = { healthy: '#4a5263', vanishing: '#1c3aa9', exploding: '#b3261e' } as const;
const BARS = '#7a9cf8';

type Health = keyof typeof INK;

/** At most five characters (six with a sign), so that a value always fits its place. */
function short(v: number): string {
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a >= 0.01 && a < 10) return v.toFixed(2);
  if (a >= 10 && a < 100) return v.toFixed(1);
  if (a >= 100 && a < 1000) return v.toFixed(0);
  return v.toExponential(0);
}

const healthOf = (t: NodeTelemetry): Health =>
  t.gradNorm < 1e-7 ? 'vanishing' : t.gradNorm > 1e3 ? 'exploding' : 'healthy';

/** A label and its value, drawn as "label value"; `cells` is the value's room in digits. */
interface Item {
  label: string;
  value: string;
  cells: number;
}

/** What the badge shows, in two rows (the first after the histogram), and in words for its accessible name. */
function itemsOf(t: NodeTelemetry): { first: Item[]; second: Item[]; words: string } {
  const first = [
    { label: 'μ', value: short(t.activation.mean), cells: 6 },
    { label: 'σ', value: short(t.activation.std), cells: 5 },
  ];
  const second = [{ label: '‖g‖', value: short(t.gradNorm), cells: 5 }];
  if (t.updateRatio !== undefined) second.push({ label: 'Δw/w', value: short(t.updateRatio), cells: 5 });
  if (t.deadFraction !== undefined)
    second.push({ label: 'dead', value: `${Math.round(100 * t.deadFraction)}%`, cells: 4 });
  const words = [
    `activation mean ${first[0].value}, standard deviation ${first[1].value}`,
    `gradient norm ${second[0].value} (${healthOf(t)})`,
    t.updateRatio !== undefined ? `update-to-weight ratio ${short(t.updateRatio)}` : '',
    t.deadFraction !== undefined
      ? `dead ${Math.round(100 * t.deadFraction)}% (ReLU units zero for the whole batch)`
      : '',
  ];
  return { first, second, words: words.filter(Boolean).join('; ') };
}

/** Widths of the labels (and of a digit) in the badge's font, measured once: they never change. */
const measured = new Map<string, number>();
const widthOf = (context: CanvasRenderingContext2D, text: string) => {
  let w = measured.get(text);
  if (w === undefined) {
    w = context.measureText(text).width;
    measured.set(text, w);
  }
  return w;
};

/** Draws a row of items centred in the badge from `left`, on the baseline `y`. */
function drawRow(context: CanvasRenderingContext2D, items: Item[], left: number, y: number): void {
  const digit = widthOf(context, '0');
  const gap = 6;
  const widths = items.map((it) => widthOf(context, `${it.label} `) + it.cells * digit);
  const total = widths.reduce((s, w) => s + w, 0) + gap * (items.length - 1);
  let x = left + (WIDTH - left - total) / 2;
  items.forEach((it, i) => {
    context.fillText(`${it.label} ${it.value}`, x, y);
    x += widths[i] + gap;
  });
}

function draw(canvas: HTMLCanvasElement, t: NodeTelemetry, scale: number): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, WIDTH, HEIGHT);
  const { first, second } = itemsOf(t);
  // The activation histogram: bars standing on a 48 × 14 box at the left of the first row.
  const bins = t.activation.histogram;
  const top = Math.max(...bins, 1);
  const barWidth = 48 / Math.max(bins.length, 1);
  context.fillStyle = BARS;
  bins.forEach((b, i) => {
    const h = (14 * b) / top;
    if (h > 0) context.fillRect(4 + i * barWidth, 17 - h, barWidth * 0.8, h);
  });
  context.font = FONT;
  context.fillStyle = INK[healthOf(t)];
  drawRow(context, first, 54, 14);
  drawRow(context, second, 0, 29);
}

/**
 * Live statistics of a layer while it trains: how its activations are spread, and whether its gradient
 * vanishes (below 1e-7) or explodes (above 1e3): visible at a glance, as in TensorFlow Playground.
 * Drawn on a canvas of fixed size: every layer's badge changes several times a second, and as text in the
 * page each change had the browser lay out and repaint them all (the page's longest tasks during a run on a
 * slow machine); a canvas is redrawn alone. Its words are its accessible name and its tooltip.
 */
export function TelemetryBadge({ id, t }: { id: string; t: NodeTelemetry | undefined }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // Sharp at the canvas's zoom: the backing store follows it (in halves, so panning does not redraw it).
  const zoom = useStore((s) => Math.min(4, Math.max(1, Math.ceil(s.transform[2] * 2) / 2)));
  const scale = zoom * (globalThis.devicePixelRatio || 1);
  // Each badge draws in a task of its own: a telemetry frame reaches every layer at once, and drawing them
  // all inside React's commit of that frame made one long task of it.
  const latest = useRef({ t, scale });
  latest.current = { t, scale };
  const soon = useMemo(
    () =>
      drawSoon(() => {
        const { t, scale } = latest.current;
        if (canvas.current && t) draw(canvas.current, t, scale);
      }),
    [],
  );
  useEffect(() => () => soon.cancel(), [soon]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new scale resizes the canvas, which clears it: drawn again
  useEffect(() => {
    if (t) soon.request();
  }, [t, scale, soon]);
  const health = t ? healthOf(t) : undefined;
  const words = t ? itemsOf(t).words : 'no statistics yet';
  return (
    <canvas
      ref={canvas}
      className={`telemetry${health && health !== 'healthy' ? ` ${health}` : ''}`}
      data-testid={`telemetry-${id}`}
      data-health={health}
      role="img"
      aria-label={words}
      title={words}
      width={Math.round(WIDTH * scale)}
      height={Math.round(HEIGHT * scale)}
    />
  );
}
