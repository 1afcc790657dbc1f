/**
 * A drawing deferred to a task of its own, requested any number of times and done once: the page's long
 * tasks are the sum of what one message triggers, so a canvas redraw must not ride in the same task as
 * React's commit of the panels that changed with it. A macrotask (setTimeout 0), not a frame callback:
 * those run inside the frame's own task, with its style, layout and paint.
 */
export function drawSoon(draw: () => void): { request(): void; cancel(): void } {
  let pending: ReturnType<typeof setTimeout> | null = null;
  return {
    request() {
      pending ??= setTimeout(() => {
        pending = null;
        draw();
      }, 0);
    },
    cancel() {
      if (pending !== null) clearTimeout(pending);
      pending = null;
    },
  };
}
