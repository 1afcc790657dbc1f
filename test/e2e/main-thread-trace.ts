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
}

/**
 * Traces the page's main thread until `stop`, which lists its tasks that took over `overMs` of the thread's
 * CPU time, each as "64 ms in resume (+120 ms)" (its phase, and how long after the phase began).
 *
 * Thread time (the trace's `tdur`) is the check a busy machine cannot fail: a long task's duration (what
 * PerformanceObserver reports) is wall time, and grows whenever other work takes the core; the page's own
 * work does not. The page's main thread is the one the phase marks were set on.
 */
export async function traceMainThread(
  browser: Browser,
  page: Page,
  overMs = 50,
): Promise<{ stop(): Promise<string[]> }> {
  await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
  return {
    async stop() {
      const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
      const events: TraceEvent[] = Array.isArray(trace) ? trace : trace.traceEvents;
      const marks = events.filter((e) => e.name.startsWith(PHASE_MARK)).sort((a, b) => a.ts - b.ts);
      if (marks.length === 0) throw new Error('no phase was marked while tracing');
      const { pid, tid } = marks[0];
      return events
        .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask')
        .filter((task) => task.ts >= marks[0].ts && (task.tdur ?? 0) > overMs * 1000)
        .sort((a, b) => a.ts - b.ts)
        .map((task) => {
          const mark = marks.filter((m) => m.ts <= task.ts).at(-1) ?? marks[0];
          const ms = Math.round((task.tdur ?? 0) / 1000);
          return `${ms} ms in ${mark.name.slice(PHASE_MARK.length)} (+${Math.round((task.ts - mark.ts) / 1000)} ms)`;
        });
    },
  };
}
