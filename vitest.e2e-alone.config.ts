import { defineConfig } from 'vitest/config';

/** End-to-end tests that measure the page's frames: run alone, once the other tests are done (npm test). */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.alone.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
