import { afterNextPaint } from '../runtime/paint-later';

/**
 * A drawing deferred to a task of its own, requested any number of times and done once: the page's long
 * tasks are the sum of what one message triggers, so a canvas redraw must not ride in the same task as
 * React's commit of the panels that changed with it. A macrotask (setTimeout 0), not a frame callback:
 * those run inside the frame's own task, with its style, layout and paint. With `afterPaint`, the task
 * comes after the page's next frame: steps that each change the page (a chart made, set up, drawn) are then
 * laid out and painted a frame apart rather than together.
 */
export function drawSoon(draw: () => void, { afterPaint = false } = {}): { request(): void; cancel(): void } {
  let cancelPending: (() => void) | null = null;
  const run = () => {
    cancelPending = null;
    draw();
  };
  return {
    request() {
      if (cancelPending) return;
      if (afterPaint) cancelPending = afterNextPaint(run);
      else {
        const timer = setTimeout(run, 0);
        cancelPending = () => clearTimeout(timer);
      }
    },
    cancel() {
      cancelPending?.();
      cancelPending = null;
    },
  };
}
