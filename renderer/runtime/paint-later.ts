import { useEffect, useState } from 'react';

/**
 * Runs `then` in a task after the page's next frame. The browser lays out and paints, in one task, every
 * change made since its last frame: changes that one user action brings (the training bar, the settings
 * locked, the results area, the chart) cost one long task together, and a short one each when they are made
 * a frame apart. Returns a cancel function.
 */
export function afterNextPaint(then: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(then, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** `value` as it was `frames` painted frames ago: it follows each change that many frames later. */
export function usePaintedLater<T>(value: T, frames: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    let left = frames;
    let cancel = () => {};
    const next = () => {
      left -= 1;
      if (left <= 0) setShown(value);
      else cancel = afterNextPaint(next);
    };
    cancel = afterNextPaint(next);
    return () => cancel();
  }, [value, shown, frames]);
  return shown;
}

/**
 * How many of an area's parts to show: none at first, then one more a frame after each. The area takes its
 * whole room at once; its parts fill it in turn, each mounted, laid out and painted in a frame of its own
 * rather than all of them in one long task.
 */
export function useStagedParts(count: number): number {
  const [parts, setParts] = useState(0);
  useEffect(() => {
    if (parts >= count) return;
    return afterNextPaint(() => setParts(parts + 1));
  }, [parts, count]);
  return parts;
}
