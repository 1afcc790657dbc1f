import { defineConfig } from 'vitest/config';
import { HANG_MS } from './test/helpers/hang-guard';

/** End-to-end tests: the built web app in Debian's Chromium, driven by playwright-core. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    // Limits that catch a hang only (test/helpers/hang-guard.ts): every wait is bounded by work.
    testTimeout: 2 * HANG_MS,
    hookTimeout: HANG_MS,
    expect: { poll: { timeout: HANG_MS } },
    fileParallelism: false,
    // A failed test reports what its open pages were doing (test/e2e/report-on-failure.ts).
    setupFiles: ['test/e2e/report-on-failure.ts'],
  },
});
