/**
 * Lets the messages waiting for this thread in (pause, stop, ping) while a run goes on: resolves in a task
 * of its own, after them. A message this thread posts itself rather than `setTimeout(0)`: browsers clamp
 * nested timeouts to 4 ms, which cost the engine worker a fifth of each 15 ms slice of training.
 */
export function messageYielder(): () => Promise<void> {
  if (typeof MessageChannel === 'undefined') return () => new Promise((resolve) => setTimeout(resolve, 0));
  const channel = new MessageChannel();
  // Node: the channel keeps the process alive only while a yield waits on it.
  const port = channel.port1 as typeof channel.port1 & { ref?(): void; unref?(): void };
  const waiting: (() => void)[] = [];
  port.addEventListener('message', () => {
    if (waiting.length === 1) port.unref?.();
    waiting.shift()?.();
  });
  port.start();
  port.unref?.();
  return () =>
    new Promise((resolve) => {
      if (waiting.length === 0) port.ref?.();
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}
