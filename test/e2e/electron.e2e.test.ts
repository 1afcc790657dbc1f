import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifactsDir } from './browser';

const root = join(import.meta.dirname, '../..');
const electronDir = join(createRequire(import.meta.url).resolve('electron'), '..');

/** The Electron binary, when this machine has it (it is fetched at first launch, which needs the internet). */
function electronBinary(): string | null {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (!binary)
  console.warn(
    'Electron desktop test skipped: no Electron binary on this machine (it downloads at first `npm start`). ' +
      'The same renderer, worker and engine are tested in Chromium by the page tests (shell, training, runs, …); main is tested in test/main.',
  );

describe.skipIf(!binary)('the desktop app (Electron)', () => {
  it('opens one isolated, sandboxed window with the canvas and the named bridge only', async () => {
    execFileSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'ignore' });
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(root, 'out/main/index.js'), '--no-sandbox'],
      cwd: root,
    });
    try {
      const page = await app.firstWindow();
      await page.waitForSelector('.react-flow');
      const exposed = await page.evaluate(() => ({
        bridge: Object.keys(window.netloom ?? {}).sort(),
        hasRequire: typeof (window as unknown as { require?: unknown }).require !== 'undefined',
        hasProcess: typeof (window as unknown as { process?: unknown }).process !== 'undefined',
      }));
      expect(exposed).toEqual({
        bridge: [
          'onMenuCommand',
          'openDatasetFiles',
          'openGraph',
          'openRecent',
          'readDatasetChunk',
          'recentFiles',
          'saveGraph',
          'saveGraphAs',
        ],
        hasRequire: false,
        hasProcess: false,
      });
      await page.screenshot({ path: join(artifactsDir, 'electron-window.png') });
    } finally {
      await app.close();
    }
  });
});
