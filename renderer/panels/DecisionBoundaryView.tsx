import { useEffect, useRef } from 'react';
import type { DecisionBoundary } from '../../engine/api';
import { useTrainingStore } from '../store/training-store';

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
const SIZE = 168;

function draw(canvas: HTMLCanvasElement, b: DecisionBoundary): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  // The grid, each cell in its class's colour, paler where the network is unsure.
  const image = context.createImageData(b.resolution, b.resolution);
  const pixels = image.data;
  for (let k = 0; k < b.predicted.length; k++) {
    const [r, g, bl] = colour(b.predicted[k]);
    const strength = Math.max(0, (b.confidence[k] - 1 / b.classes) / (1 - 1 / b.classes));
    const keep = 0.15 + 0.45 * strength;
    pixels[4 * k] = 255 - (255 - r) * keep;
    pixels[4 * k + 1] = 255 - (255 - g) * keep;
    pixels[4 * k + 2] = 255 - (255 - bl) * keep;
    pixels[4 * k + 3] = 255;
  }
  const cells = document.createElement('canvas');
  cells.width = b.resolution;
  cells.height = b.resolution;
  cells.getContext('2d')?.putImageData(image, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(cells, 0, 0, SIZE, SIZE);
  // The training points on top: one path per class, filled and outlined once (a draw call per point made
  // each redraw a long task on a slow machine).
  context.strokeStyle = '#fff';
  context.lineWidth = 0.8;
  for (let label = 0; label < b.classes; label++) {
    context.beginPath();
    for (const p of b.points) {
      if (p.label !== label) continue;
      const px = ((p.x - b.x[0]) / (b.x[1] - b.x[0])) * SIZE;
      const py = ((b.y[1] - p.y) / (b.y[1] - b.y[0])) * SIZE;
      context.moveTo(px + 2.2, py);
      context.arc(px, py, 2.2, 0, 2 * Math.PI);
    }
    const [r, g, bl] = colour(label);
    context.fillStyle = `rgb(${r}, ${g}, ${bl})`;
    context.fill();
    context.stroke();
  }
}

/** The decision boundary of a network of 2-D points as it trains (TensorFlow Playground's view). */
export function DecisionBoundaryView() {
  const boundary = useTrainingStore((s) => s.boundary);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current && boundary) draw(canvas.current, boundary);
  }, [boundary]);
  if (!boundary) return null;
  return (
    <figure className="decision-boundary" data-testid="decision-boundary" data-points={boundary.points.length}>
      <canvas ref={canvas} width={SIZE} height={SIZE} aria-label="decision boundary" />
      <figcaption>predicted class over the input plane, with the training points</figcaption>
    </figure>
  );
}
