import { useStore } from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import type { NodeTelemetry } from '../../engine/api';
import { drawSoon } from '../charts/draw-soon';
import { type GradientHealth, gradientHealth, NO_GRADIENT } from '../panels/gradient-health';
import { EDITED_DURING_RUN } from '../runtime/changed-layers';
import { useTrainingStore } from '../store/training-store';

/**
 * The badge's size in CSS pixels: a strip at the layer's right, as tall as its two lines of text, there from
 * the start, so the layer keeps its size when a run begins (neighbours' handles and the wires' shape labels
 * stay where they were, and the canvas does not measure every layer again).
 */
const WIDTH = 64;
const HEIGHT = 28;
const FONT = '9px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const INK: Record<GradientHealth, string> = {
  healthy: '#4a5263',
  vanishing: '#1c3aa9',
  exploding: '#b3261e',
  none: '#8a90a0',
};
const BARS = '#7a9cf8';

const NO_STATISTICS = 'statistics of this layer appear here while it trains';

/** At most five characters (six with a sign), so that a value always fits its place. */
function short(v: number): string {
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a >= 0.01 && a < 10) return v.toFixed(2);
  if (a >= 10 && a < 100) return v.toFixed(1);
  if (a >= 100 && a < 1000) return v.toFixed(0);
  return v.toExponential(0);
}

/** The layer's statistics in words: the badge's accessible name and tooltip (the strip shows two of them). */
function wordsOf(t: NodeTelemetry): string {
  const words = [
    `activation mean ${short(t.activation.mean)}, standard deviation ${short(t.activation.std)}`,
    t.gradNorm === undefined ? `gradient: ${NO_GRADIENT}` : `gradient norm ${short(t.gradNorm)} (${gradientHealth(t)})`,
    t.updateRatio !== undefined ? `update-to-weight ratio ${short(t.updateRatio)}` : '',
    t.deadFraction !== undefined
      ? `dead ${Math.round(100 * t.deadFraction)}% (ReLU units zero for the whole batch)`
      : '',
  ];
  return words.filter(Boolean).join('; ');
}

function draw(canvas: HTMLCanvasElement, t: NodeTelemetry, scale: number): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, WIDTH, HEIGHT);
  // The activation histogram: bars standing on the strip's top half.
  const bins = t.activation.histogram;
  const top = Math.max(...bins, 1);
  const barWidth = (WIDTH - 8) / Math.max(bins.length, 1);
  context.fillStyle = BARS;
  bins.forEach((b, i) => {
    const h = (12 * b) / top;
    if (h > 0) context.fillRect(4 + i * barWidth, 14 - h, barWidth * 0.8, h);
  });
  // Below it the gradient's norm, in the colour of its health; the rest is in the words and the inspector.
  context.font = FONT;
  context.fillStyle = INK[gradientHealth(t)];
  context.textAlign = 'center';
  context.fillText(`‖g‖ ${t.gradNorm === undefined ? '–' : short(t.gradNorm)}`, WIDTH / 2, 25);
}

/**
 * Live statistics of a layer while it trains: how its activations are spread, and whether its gradient
 * vanishes (below 1e-7) or explodes (above 1e3): visible at a glance, as in TensorFlow Playground. Empty
 * until the first statistics arrive, but there from the start: the layer's size never changes.
 * Drawn on a canvas of fixed size: every layer's badge changes several times a second, and as text in the
 * page each change had the browser lay out and repaint them all (the page's longest tasks during a run on a
 * slow machine); a canvas is redrawn alone. Its words are its accessible name and its tooltip.
 */
export function TelemetryBadge({ id }: { id: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // Sharp at the canvas's zoom: the backing store follows it (in halves, so panning does not redraw it).
  const zoom = useStore((s) => Math.min(4, Math.max(1, Math.ceil(s.transform[2] * 2) / 2)));
  const scale = zoom * (globalThis.devicePixelRatio || 1);
  const latestScale = useRef(scale);
  latestScale.current = scale;
  // The statistics never go through React: a telemetry frame reaches every layer at once, and re-rendering
  // every layer (and its ports) for it made one long task of each frame. Each badge follows the store itself
  // and draws, with its words, in a task of its own.
  const soon = useMemo(
    () =>
      drawSoon(() => {
        const element = canvas.current;
        if (!element) return;
        const store = useTrainingStore.getState();
        // An edited layer's statistics are the run's layer's, not this one's (see editedLayers).
        const edited = store.editedLayers.has(id);
        const t = edited ? undefined : store.telemetry.get(id);
        const health = t ? gradientHealth(t) : undefined;
        const words = t
          ? `${wordsOf(t)} (all of them in the inspector)`
          : edited && store.telemetry.has(id)
            ? EDITED_DURING_RUN
            : NO_STATISTICS;
        // Attributes written only when they change: each write restyles the badge, even with the same value.
        const warning = health === 'vanishing' || health === 'exploding';
        const className = `telemetry${warning ? ` ${health}` : ''}`;
        if (element.className !== className) element.className = className;
        if (element.dataset.health !== health) {
          if (health) element.dataset.health = health;
          else delete element.dataset.health;
        }
        if (element.title !== words) {
          element.setAttribute('aria-label', words);
          element.title = words;
        }
        if (t) draw(element, t, latestScale.current);
        else element.getContext('2d')?.clearRect(0, 0, element.width, element.height);
      }),
    [id],
  );
  useEffect(() => {
    const unsubscribe = useTrainingStore.subscribe((now, before) => {
      if (now.telemetry.get(id) !== before.telemetry.get(id) || now.editedLayers !== before.editedLayers)
        soon.request();
    });
    soon.request();
    return () => {
      unsubscribe();
      soon.cancel();
    };
  }, [id, soon]);
  // A new scale resizes the canvas, which clears it: drawn again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scale is the reason to draw again
  useEffect(() => soon.request(), [scale, soon]);
  return (
    <canvas
      ref={canvas}
      className="telemetry"
      data-testid={`telemetry-${id}`}
      role="img"
      aria-label={NO_STATISTICS}
      title={NO_STATISTICS}
      width={Math.round(WIDTH * scale)}
      height={Math.round(HEIGHT * scale)}
    />
  );
}
