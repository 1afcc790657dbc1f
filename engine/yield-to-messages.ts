/** How often a long piece of work (a run, the learning-rate test) lets messages in: every 15 ms at most. */
export const MESSAGE_SLICE_MS = 15;

/**
 * Lets the messages waiting for this thread in (pause, stop, ping) while a run goes on: resolves in a task
 * of its own, after them. Not `setTimeout(0)`: browsers clamp nested timeouts to 4 ms, which cost the engine
 * worker a fifth of each 15 ms slice of training. In a browser, a message this thread posts itself (a task
 * after those already queued); in Node, `setImmediate` (the next turn of the event loop, after its timers
 * and I/O: a port's messages there are drained in one go, so a message to itself would keep the loop from
 * ever turning, and the parent's messages and every timer would wait forever).
 */
export function messageYielder(): () => Promise<void> {
  if (typeof setImmediate === 'function') return () => new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'undefined') return () => new Promise((resolve) => setTimeout(resolve, 0));
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.addEventListener('message', () => waiting.shift()?.());
  channel.port1.start();
  return () =>
    new Promise((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}
