import { useEffect, useRef } from 'react';
import { pictureOf } from '../Thumbnail';

/**
 * Colour of a value in [0, 1] on a dark-to-bright ramp (black, purple, orange, pale yellow: perceptually
 * ordered like matplotlib's "inferno"), or, for signed data, blue through white to red around zero.
 */
function colour(t: number, signed: boolean): [number, number, number] {
  if (signed) {
    // t in [0, 1] with 0.5 at zero.
    const s = Math.abs(t - 0.5) * 2;
    return t >= 0.5 ? [255, 255 * (1 - s), 255 * (1 - s)] : [255 * (1 - s), 255 * (1 - s), 255];
  }
  const stops: [number, number, number][] = [
    [0, 0, 4],
    [87, 16, 110],
    [188, 55, 84],
    [249, 142, 9],
    [252, 255, 164],
  ];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return [0, 1, 2].map((c) => stops[i][c] + f * (stops[i + 1][c] - stops[i][c])) as [number, number, number];
}

export interface HeatmapProps {
  /** [rows, columns], row by row. */
  values: Float32Array;
  rows: number;
  columns: number;
  /** Signed data (a hidden state): coloured around zero, by its largest magnitude; else by its own range. */
  signed?: boolean;
  /** A picture under the map ([C, H, W] values, gray or colour), the map stretched over it half transparent. */
  under?: { values: Float32Array; shape: readonly number[] };
  label: string;
  testId?: string;
}

/** A map of values as colours, on its own or over the picture it explains. */
export function Heatmap({ values, rows, columns, signed = false, under, label, testId }: HeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [height, width] = under ? [under.shape[1], under.shape[2]] : [rows, columns];
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const map = document.createElement('canvas');
    map.width = columns;
    map.height = rows;
    const mapContext = map.getContext('2d')!;
    const image = mapContext.createImageData(columns, rows);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const magnitude = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    for (let k = 0; k < rows * columns; k++) {
      const t = signed ? 0.5 + values[k] / (2 * magnitude) : hi > lo ? (values[k] - lo) / (hi - lo) : 0;
      const [r, g, b] = colour(t, signed);
      image.data.set([r, g, b, 255], 4 * k);
    }
    mapContext.putImageData(image, 0, 0);
    context.clearRect(0, 0, width, height);
    if (under) {
      context.putImageData(pictureOf(context, under.values, under.shape), 0, 0);
      context.globalAlpha = 0.55;
    }
    context.imageSmoothingEnabled = Boolean(under);
    context.drawImage(map, 0, 0, width, height);
    context.globalAlpha = 1;
  }, [values, rows, columns, signed, under, width, height]);
  return (
    <figure className="heatmap" data-testid={testId}>
      <canvas ref={canvas} width={width} height={height} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
