import type { Browser, Page } from 'playwright-core';

/** A phase's mark in the trace: `phase()` in browser.ts sets one as each phase begins. */
export const PHASE_MARK = 'netloom:phase:';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { src_file?: string; src_func?: string };
}

/**
 * Where Chromium's own housekeeping tasks are posted from: they run on the page's thread but do none of its
 * work. PartitionAlloc's purge of free memory (posted when the renderer counts as in the background, as a
 * headless one can) measured 51 to 86 ms under 4x throttling, with no script, style, layout or paint in it.
 */
const HOUSEKEEPING = ['base/allocator/partition_alloc_support.cc'];

/**
 * A task of the page's main thread: its CPU time, the phase it ran in, how long after the phase began, and
 * the function that posted it (Chromium's, e.g. ScheduledActionSendBeginMainFrame for a frame).
 */
export interface MainThreadTask {
  ms: number;
  phase: string;
  after: number;
  postedBy: string;
}

/** "64 ms in resume (+120 ms, ScheduledActionSendBeginMainFrame)". */
export const describeTask = (t: MainThreadTask) => `${t.ms} ms in ${t.phase} (+${t.after} ms, ${t.postedBy})`;

/**
 * Traces the page's main thread until `stop`, which lists its tasks that took over `overMs` of the thread's
 * CPU time, each as "64 ms in resume (+120 ms, ScheduledActionSendBeginMainFrame)" (its phase, how long
 * after the phase began, and what posted it); `stopTasks`
 * gives the same tasks as data.
 *
 * Thread time (the trace's `tdur`) is the check a busy machine cannot fail: a long task's duration (what
 * PerformanceObserver reports) is wall time, and grows whenever other work takes the core; the page's own
 * work does not. The page's main thread is the one the phase marks were set on. Under the DevTools
 * protocol's CPU throttling the thread's time holds the throttle's spinning too, which grows with the
 * machine's load (see slowDown in browser.ts): read it at full speed where a budget is checked.
 */
export async function traceMainThread(
  browser: Browser,
  page: Page,
  overMs = 50,
): Promise<{ stop(): Promise<string[]>; stopTasks(): Promise<MainThreadTask[]> }> {
  await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
  const stopTasks = async (): Promise<MainThreadTask[]> => {
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    const events: TraceEvent[] = Array.isArray(trace) ? trace : trace.traceEvents;
    const marks = events.filter((e) => e.name.startsWith(PHASE_MARK)).sort((a, b) => a.ts - b.ts);
    if (marks.length === 0) throw new Error('no phase was marked while tracing');
    const { pid, tid } = marks[0];
    return events
      .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask')
      .filter((task) => !HOUSEKEEPING.includes(task.args?.src_file ?? ''))
      .filter((task) => task.ts >= marks[0].ts && (task.tdur ?? 0) > overMs * 1000)
      .sort((a, b) => a.ts - b.ts)
      .map((task) => {
        const mark = marks.filter((m) => m.ts <= task.ts).at(-1) ?? marks[0];
        return {
          ms: Math.round((task.tdur ?? 0) / 1000),
          phase: mark.name.slice(PHASE_MARK.length),
          after: Math.round((task.ts - mark.ts) / 1000),
          postedBy: task.args?.src_func ?? 'unknown',
        };
      });
  };
  return { stopTasks, stop: async () => (await stopTasks()).map(describeTask) };
}
