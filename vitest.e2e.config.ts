import { defineConfig } from 'vitest/config';

/** End-to-end tests: the built web app in Debian's Chromium, driven by playwright-core. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
