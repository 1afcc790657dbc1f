import { defineConfig } from 'vitest/config';
import { HANG_MS } from './test/helpers/hang-guard';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // The command-line tools and helpers that tests start as child processes, bundled once per run; a Python
    // server that starts Python programs with torch imported already.
    globalSetup: ['test/setup/bundle-scripts.ts', 'test/setup/python-zygote.ts'],
    // The CPU kernels with fused multiply-adds, as the app and the command line run them (relaxed SIMD).
    setupFiles: ['cli/wasm-features.ts'],
    // Limits that catch a hang only (test/helpers/hang-guard.ts): every wait is bounded by work.
    testTimeout: 2 * HANG_MS,
    hookTimeout: HANG_MS,
    expect: { poll: { timeout: HANG_MS } },
    // Two files at a time even on 2 cores (vitest's default there is one): many files mostly wait on other
    // processes (Chromium's software GPU, the command line, a writer being killed). Tests are bounded by
    // their work, not the clock, so sharing the machine slows them without failing them.
    maxWorkers: 2,
    // Files share their worker process rather than each loading the engine again (a third of the suite's
    // start-up time). Safe because no unit test mocks a module or stubs a global: test/lint/shared-process.
    isolate: false,
  },
});
