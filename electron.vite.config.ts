import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { devNonceVariable } from './main/security';
import { cspPlugin } from './scripts/vite-csp-plugin';

export default defineConfig(({ command }) => {
  // While developing, Vite stamps this nonce on the page's scripts (React's fast-refresh preamble is inline)
  // and main, started by electron-vite with this process's environment, allows it in its policy.
  const devScriptNonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;
  if (devScriptNonce) process.env[devNonceVariable] = devScriptNonce;
  return {
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
      html: devScriptNonce ? { cspNonce: devScriptNonce } : undefined,
      build: {
        outDir: 'out/renderer',
        assetsInlineLimit: 0,
        rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
      },
    },
  };
});
