#!/usr/bin/env node
// `npm start` (electron-vite dev) and `npm run preview` (electron-vite preview): make sure Electron's binary
// is here, then hand over to electron-vite with its path, so electron-vite never looks for it itself.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ElectronUnavailable, ensureElectronBinary } from './electron-binary.mjs';

const [mode, ...rest] = process.argv.slice(2);
if (mode !== 'dev' && mode !== 'preview') {
  console.error('usage: node scripts/electron-app.mjs dev|preview [electron-vite options]');
  process.exit(2);
}

let binary;
try {
  binary = ensureElectronBinary();
} catch (error) {
  if (!(error instanceof ElectronUnavailable)) throw error;
  console.error(error.message);
  process.exit(1);
}

// The package's exports hide its bin folder from resolve(); its package.json is exported.
const electronViteDir = dirname(createRequire(import.meta.url).resolve('electron-vite/package.json'));
const electronVite = join(electronViteDir, 'bin/electron-vite.js');
const child = spawn(process.execPath, [electronVite, mode, ...rest], {
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_EXEC_PATH: binary },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
