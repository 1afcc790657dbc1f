import { useEffect, useMemo, useRef, useState } from 'react';
import {
  type ClassBoundary,
  labelPlane,
  type PlaneReading,
  readPlane,
  type ValueSurface,
} from '../../engine/train/decision-boundary';
import { drawSoon } from '../charts/draw-soon';
import { useTrainingStore } from '../store/training-store';
import { figure } from './figures';

const palette = [
  [59, 108, 246],
  [232, 93, 60],
  [46, 160, 67],
  [163, 92, 210],
  [230, 170, 30],
  [20, 170, 180],
  [120, 120, 120],
  [210, 60, 140],
];
const colour = (c: number) => palette[c % palette.length];

/** What one picture shows: a classifier's classes (or one label's two), or a regression's values. */
type Plane = ClassBoundary | ValueSurface;
const SIZE = 168;

/**
 * A regression's colour for a value on its targets' scale: blue at the low end, white in the middle,
 * orange at the high end (TensorFlow Playground's diverging scale), clamped beyond the ends.
 */
export function valueColour(value: number, [low, high]: [number, number]): [number, number, number] {
  const t = high > low ? Math.min(1, Math.max(0, (value - low) / (high - low))) : 0.5;
  const [end, keep] = t < 0.5 ? [palette[0], 1 - 2 * t] : [palette[1], 2 * t - 1];
  return [255 - (255 - end[0]) * keep, 255 - (255 - end[1]) * keep, 255 - (255 - end[2]) * keep];
}

/** A cell's colour: its class's, paler where the network is unsure; or its predicted value's. */
function cellColour(b: Plane, k: number): [number, number, number] {
  if (b.kind === 'values') return valueColour(b.values[k], b.range);
  const [r, g, bl] = colour(b.predicted[k]);
  const strength = Math.max(0, (b.confidence[k] - 1 / b.classes) / (1 - 1 / b.classes));
  const keep = 0.15 + 0.45 * strength;
  return [255 - (255 - r) * keep, 255 - (255 - g) * keep, 255 - (255 - bl) * keep];
}

/**
 * Draws boundaries onto one canvas. The grid's cells go through a small canvas kept between frames; the
 * training points, the same for a whole run, are drawn once onto a layer of their own and copied after that
 * (a path of hundreds of arcs per frame was most of a redraw).
 */
class BoundaryPainter {
  private readonly cells = document.createElement('canvas');
  private readonly points = document.createElement('canvas');
  private pointsOf = '';

  constructor(readonly canvas: HTMLCanvasElement) {
    this.points.width = SIZE;
    this.points.height = SIZE;
  }

  /**
   * Draws the boundary, or, when its training points are new, only their layer: hundreds of arcs filled and
   * outlined were most of the first drawing's task (32-49 ms with the CPU throttled 4x), so the layer is drawn
   * in a task of its own and the boundary in the next. Returns whether the boundary is drawn.
   */
  draw(b: Plane, variant: string): boolean {
    if (this.pointsKey(b, variant) !== this.pointsOf) {
      this.drawPoints(b, variant);
      return false;
    }
    const context = this.canvas.getContext('2d');
    const cellContext = this.cellsSized(b.resolution).getContext('2d');
    if (!context || !cellContext) return true;
    // The grid, each cell in its class's or its value's colour.
    const image = cellContext.createImageData(b.resolution, b.resolution);
    const pixels = image.data;
    for (let k = 0; k < b.resolution * b.resolution; k++) {
      const [r, g, bl] = cellColour(b, k);
      pixels[4 * k] = r;
      pixels[4 * k + 1] = g;
      pixels[4 * k + 2] = bl;
      pixels[4 * k + 3] = 255;
    }
    cellContext.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(this.cells, 0, 0, SIZE, SIZE);
    context.drawImage(this.points, 0, 0);
    return true;
  }

  private cellsSized(resolution: number): HTMLCanvasElement {
    if (this.cells.width !== resolution) {
      this.cells.width = resolution;
      this.cells.height = resolution;
    }
    return this.cells;
  }

  /** Which points, over which plane, coloured by which label: the layer is drawn again when it changes. */
  private pointsKey(b: Plane, variant: string): string {
    const first = b.points[0];
    const last = b.points.at(-1);
    return `${variant} ${b.points.length} ${b.x} ${b.y} ${first?.x} ${first?.y} ${last?.x} ${last?.y}`;
  }

  /**
   * The training points, filled and outlined once: one path per class, or (a regression's, each in its
   * target's colour) a path per point.
   */
  private drawPoints(b: Plane, variant: string): void {
    this.pointsOf = this.pointsKey(b, variant);
    const context = this.points.getContext('2d');
    if (!context) return;
    context.clearRect(0, 0, SIZE, SIZE);
    context.strokeStyle = '#fff';
    context.lineWidth = 0.8;
    const dot = (p: { x: number; y: number }) => {
      const px = ((p.x - b.x[0]) / (b.x[1] - b.x[0])) * SIZE;
      const py = ((b.y[1] - p.y) / (b.y[1] - b.y[0])) * SIZE;
      context.moveTo(px + 2.2, py);
      context.arc(px, py, 2.2, 0, 2 * Math.PI);
    };
    const paint = (rgb: readonly number[]) => {
      context.fillStyle = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
      context.fill();
      context.stroke();
    };
    if (b.kind === 'values') {
      // Outlined in grey: a point near the middle of the scale is white, like the plane around it.
      context.strokeStyle = '#777';
      context.lineWidth = 0.6;
      for (const p of b.points) {
        context.beginPath();
        dot(p);
        paint(valueColour(p.value, b.range));
      }
      return;
    }
    for (let label = 0; label < b.classes; label++) {
      context.beginPath();
      for (const p of b.points) if (p.label === label) dot(p);
      paint(colour(label));
    }
  }
}

/**
 * A reading in words: "at x₁ 0.52, x₂ −0.31: class 2 (87%)", one label's answer ("…: not upper (80%)"),
 * or the value there.
 */
function readingText(r: PlaneReading, ofLabel: boolean): string {
  const at = `at x₁ ${figure(r.x)}, x₂ ${figure(r.y)}`;
  if (r.kind === 'values') return `${at}: predicted ${figure(r.value)}`;
  return `${at}: ${ofLabel ? '' : 'class '}${r.name ?? r.predicted} (${(100 * r.confidence).toFixed(0)}%)`;
}

/**
 * The decision boundary of a classifier of 2-D points, or the predicted value of a regression over them, as
 * it trains (TensorFlow Playground's view); under the pointer, the point and what the network says there.
 */
export function DecisionBoundaryView() {
  const received = useTrainingStore((s) => s.boundary);
  // Several labels: one plane at a time, the label chosen below (kept while the run sends new planes).
  const [chosen, setChosen] = useState(0);
  const label = received?.kind === 'labels' ? Math.min(chosen, received.labels - 1) : 0;
  const boundary = useMemo(
    () => (received?.kind === 'labels' ? labelPlane(received, label) : received),
    [received, label],
  );
  const canvas = useRef<HTMLCanvasElement>(null);
  // Where the pointer is over the picture (fractions of its width and height): read again as the plane changes.
  const [pointer, setPointer] = useState<{ across: number; down: number } | null>(null);
  const latest = useRef<{ painter: BoundaryPainter; boundary: Plane; variant: string } | null>(null);
  // Drawn in a task of its own, never inside the commit of what changed with the same message.
  const soon = useMemo(() => {
    const drawing = drawSoon(() => {
      const now = latest.current;
      if (now && !now.painter.draw(now.boundary, now.variant)) drawing.request();
    });
    return drawing;
  }, []);
  useEffect(() => () => soon.cancel(), [soon]);
  useEffect(() => {
    const element = canvas.current;
    if (!element || !boundary) return;
    const painter = latest.current?.painter.canvas === element ? latest.current.painter : new BoundaryPainter(element);
    latest.current = { painter, boundary, variant: String(label) };
    soon.request();
  }, [boundary, label, soon]);
  if (!boundary) return null;
  return (
    <figure
      className="decision-boundary"
      data-testid="decision-boundary"
      data-kind={received?.kind}
      data-points={boundary.points.length}
    >
      {received?.kind === 'labels' && (
        <label className="plane-label">
          label shown{' '}
          <select data-testid="plane-label" value={label} onChange={(e) => setChosen(Number(e.target.value))}>
            {Array.from({ length: received.labels }, (_, o) => (
              <option key={String(o)} value={o}>
                {received.outputNames?.[o] ?? `label ${o}`}
              </option>
            ))}
          </select>
        </label>
      )}
      <canvas
        ref={canvas}
        width={SIZE}
        height={SIZE}
        aria-label="decision boundary"
        onPointerMove={(event) => {
          const box = event.currentTarget.getBoundingClientRect();
          setPointer({ across: (event.clientX - box.left) / box.width, down: (event.clientY - box.top) / box.height });
        }}
        onPointerLeave={() => setPointer(null)}
      />
      <figcaption>
        {pointer ? (
          <span data-testid="plane-reading">
            {readingText(readPlane(boundary, pointer.across, pointer.down), received?.kind === 'labels')}
          </span>
        ) : received?.kind === 'labels' ? (
          `where the network says yes to ${boundary.kind === 'classes' ? boundary.classNames?.[1] : ''} (orange) and no (blue), with the training points`
        ) : boundary.kind === 'classes' ? (
          'predicted class over the input plane, with the training points'
        ) : (
          `predicted value over the input plane, with the training points: blue ${figure(boundary.range[0])}, orange ${figure(boundary.range[1])}`
        )}
      </figcaption>
    </figure>
  );
}
