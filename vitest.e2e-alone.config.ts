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
    // One more run when a frame budget is missed: the same page's longest answer to Train measures 75 to
    // 111 ms of thread time from run to run under the 4x throttle (bench:page), so one slow reading is noise,
    // while a page over its budget fails both runs.
    retry: 1,
  },
});
