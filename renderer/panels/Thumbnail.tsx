import { useEffect, useRef } from 'react';

/** Whether a sample's shape draws as a picture: [1, H, W] or [3, H, W]. */
export const drawable = (shape: readonly number[]) => shape.length === 3 && (shape[0] === 1 || shape[0] === 3);

/** An input drawn as a picture: [1, H, W] in gray, [3, H, W] in colour, scaled to its own range. */
export function Thumbnail({ input, shape }: { input: Float32Array; shape: readonly number[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [channels, height, width] = shape;
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of input) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    const image = context.createImageData(width, height);
    const plane = width * height;
    for (let k = 0; k < plane; k++) {
      for (let c = 0; c < 3; c++) image.data[4 * k + c] = (input[(channels === 3 ? c : 0) * plane + k] - lo) * scale;
      image.data[4 * k + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [input, channels, height, width]);
  return <canvas ref={canvas} width={width} height={height} className="thumbnail" />;
}
