import { useEffect, useRef } from 'react';

/** Whether a sample's shape draws as a picture: [1, H, W] or [3, H, W]. */
export const drawable = (shape: readonly number[]) => shape.length === 3 && (shape[0] === 1 || shape[0] === 3);

/**
 * An input drawn as a picture: [1, H, W] in gray, [3, H, W] in colour, scaled to its own range or to the
 * range given (to compare pictures, as the augmentation preview's brightness).
 */
export function Thumbnail({
  input,
  shape,
  range,
}: {
  input: Float32Array;
  shape: readonly number[];
  range?: readonly [number, number];
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [channels, height, width] = shape;
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (context) context.putImageData(pictureOf(context, input, [channels, height, width], range), 0, 0);
  }, [input, channels, height, width, range]);
  return <canvas ref={canvas} width={width} height={height} className="thumbnail" />;
}

/** [1 or 3, H, W] values as a gray or colour picture, scaled to their own range. */
export function pictureOf(
  context: CanvasRenderingContext2D,
  values: Float32Array,
  shape: readonly number[],
  range?: readonly [number, number],
): ImageData {
  const [channels, height, width] = shape;
  const image = context.createImageData(width, height);
  let [lo, hi] = range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (!range)
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const plane = width * height;
  for (let k = 0; k < plane; k++) {
    for (let c = 0; c < 3; c++) image.data[4 * k + c] = (values[(channels === 3 ? c : 0) * plane + k] - lo) * scale;
    image.data[4 * k + 3] = 255;
  }
  return image;
}
