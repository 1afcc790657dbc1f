import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { cspPlugin } from './scripts/vite-csp-plugin';

export default defineConfig({
  main: {
    build: { outDir: 'out/main', lib: { entry: 'main/index.ts' } },
  },
  preload: {
    // A sandboxed preload must be a single CommonJS file.
    build: {
      outDir: 'out/preload',
      lib: { entry: 'main/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react(), cspPlugin()],
    worker: { format: 'es' },
    build: { outDir: 'out/renderer', assetsInlineLimit: 0, rollupOptions: { input: 'renderer/index.html' } },
  },
});
