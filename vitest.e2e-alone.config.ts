import { defineConfig } from 'vitest/config';
import { HANG_MS } from './test/helpers/hang-guard';

/** End-to-end tests that measure the page's frames: run alone, once the other tests are done (npm test). */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.alone.test.ts'],
    // Limits that catch a hang only (test/helpers/hang-guard.ts): every wait is bounded by work.
    testTimeout: 2 * HANG_MS,
    hookTimeout: HANG_MS,
    expect: { poll: { timeout: HANG_MS } },
    fileParallelism: false,
    // A failed test reports what its open pages were doing (test/e2e/report-on-failure.ts), without the
    // debugger's session (its events in the page would be measured with the page's tasks).
    setupFiles: ['test/e2e/report-on-failure.ts'],
    env: { NETLOOM_E2E_STACKS: 'off' },
    // One more run when a frame budget is missed: the tasks are read as their CPU time at full speed, which
    // other work on the machine barely moves (unlike the CPU time under Chromium's throttling, which holds
    // the throttle's spinning, charged by the wall clock: 30 to 77 ms for the same frames from run to run),
    // but a garbage collection or a cache-cold frame can still land on a control's frame once.
    retry: 1,
  },
});
