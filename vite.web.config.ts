import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cspPlugin } from './scripts/vite-csp-plugin';

/**
 * Cross-origin isolation, so the engine worker gets SharedArrayBuffer (its tensors live in shared
 * WebAssembly memory); every resource of the app is same-origin.
 */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Web mode: the same renderer served to a plain browser, with browser fallbacks for files. */
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), cspPlugin()],
  worker: { format: 'es' },
  // Data files stay files: the CSP forbids fetching data: URLs.
  build: { outDir: '../dist-web', emptyOutDir: true, chunkSizeWarningLimit: 1500, assetsInlineLimit: 0 },
  server: { host: 'localhost', port: 5173, headers: isolation },
  preview: { host: 'localhost', port: 4173, headers: isolation },
});
