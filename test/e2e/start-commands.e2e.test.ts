// The README's first command, `npm start`, and its siblings `npm run build` and `npm run preview`, run whole
// on a machine without Electron's binary and without the internet: Electron honours
// ELECTRON_OVERRIDE_DIST_PATH, so a stand-in executable (test/helpers/electron-stand-in.ts) records how it
// was launched and shows the development page in Chromium under the policy main applies.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElectronUnavailable, ensureElectronBinary, explainDownloadFailure } from '../../scripts/electron-binary.mjs';
import type { Launch } from '../helpers/electron-stand-in';
import { artifactsDir } from './browser';

const root = join(import.meta.dirname, '../..');

let standInDir: string;
let launchLog: string;

beforeAll(() => {
  mkdirSync(artifactsDir, { recursive: true });
  standInDir = mkdtempSync(join(artifactsDir, 'electron-stand-in-'));
  launchLog = join(standInDir, 'launch.json');
  const executable = join(standInDir, 'electron');
  writeFileSync(
    executable,
    `#!/bin/sh\nexec "${join(root, 'node_modules/.bin/tsx')}" "${join(root, 'test/helpers/electron-stand-in.ts')}" "$@"\n`,
  );
  chmodSync(executable, 0o755);
});

/** Runs an npm script to its end (the stand-in exits, and electron-vite with it); returns its output. */
function runNpm(script: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', script, {
      cwd: root,
      env: {
        ...process.env,
        ELECTRON_OVERRIDE_DIST_PATH: standInDir,
        NETLOOM_STAND_IN_LOG: launchLog,
        ELECTRON_EXEC_PATH: '',
        CI: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

function readLaunch(): Launch {
  return JSON.parse(readFileSync(launchLog, 'utf8'));
}

const builtFiles = ['out/main/index.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];

describe('the start commands, offline, with a stand-in for Electron', () => {
  it('npm start builds main and preload, serves the page, launches Electron at the app, and the canvas shows', async () => {
    const started = Date.now();
    const { code, output } = await runNpm(['start']);
    expect(code, output).toBe(0);
    const launch = readLaunch();
    expect(launch.argv[0]).toBe('.');
    expect(launch.cwd).toBe(root);
    expect(launch.entry).toBe(join(root, 'out/main/index.js'));
    expect(launch.entryExists).toBe(true);
    expect(statSync(join(root, 'out/main/index.js')).mtimeMs).toBeGreaterThan(started - 1000);
    expect(launch.rendererUrl).toMatch(/^http:\/\/localhost:\d+/);
    // Under main's development policy (scripts from the app only, plus Vite's nonce) the page renders.
    expect(launch.rendered).toBe(true);
    expect(launch.pageErrors).toEqual([]);
  });

  it('npm run build writes main, preload and the page with its policy', async () => {
    const { code, output } = await runNpm(['run', 'build']);
    expect(code, output).toBe(0);
    for (const file of builtFiles) expect(existsSync(join(root, file)), file).toBe(true);
    const page = readFileSync(join(root, 'out/renderer/index.html'), 'utf8');
    // The built page carries the strict policy itself (quotes written as HTML entities), with no nonce.
    expect(page).toMatch(/http-equiv="Content-Security-Policy" content="[^"]*script-src &#39;self&#39;;/);
    expect(page).not.toMatch(/nonce/);
  });

  it('npm run preview builds and launches Electron at the built app, with no development server', async () => {
    const { code, output } = await runNpm(['run', 'preview']);
    expect(code, output).toBe(0);
    const launch = readLaunch();
    expect(launch.argv[0]).toBe('.');
    expect(launch.entryExists).toBe(true);
    expect(launch.rendererUrl).toBeNull();
    for (const file of builtFiles) expect(existsSync(join(root, file)), file).toBe(true);
  });
});

describe('a first start that cannot download Electron', () => {
  /** A fresh copy of the electron package (no binary, no path.txt), resolved against the project's modules. */
  function freshElectronPackage(): string {
    const dir = mkdtempSync(join(artifactsDir, 'electron-package-'));
    const source = join(root, 'node_modules/electron');
    for (const file of ['package.json', 'install.js', 'index.js', 'checksums.json'])
      copyFileSync(join(source, file), join(dir, file));
    return dir;
  }

  it('says it is downloading, then why it failed and what to do, and launches nothing', () => {
    const electronDir = freshElectronPackage();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Nothing listens on port 9 of this machine: the download is refused, as offline.
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: mkdtempSync(join(artifactsDir, 'electron-cache-')),
    };
    const said: string[] = [];
    let failure: unknown;
    try {
      ensureElectronBinary({ env, log: (line: string) => said.push(line), electronDir });
    } catch (error) {
      failure = error;
    }
    expect(said.join('\n')).toMatch(/First start: downloading Electron \d+\.\d+\.\d+ .*from http:\/\/127\.0\.0\.1:9\//);
    expect(failure).toBeInstanceOf(ElectronUnavailable);
    const message = (failure as Error).message;
    expect(message).toMatch(/could not be downloaded: no connection to http:\/\/127\.0\.0\.1:9\//);
    expect(message).toMatch(/HTTPS_PROXY/);
    expect(message).toMatch(/ELECTRON_OVERRIDE_DIST_PATH/);
    expect(message).toMatch(/npm run web/);
    expect(existsSync(join(electronDir, 'path.txt'))).toBe(false);
  });

  it('names the cause for each way a download fails', () => {
    const env = {};
    expect(explainDownloadFailure('getaddrinfo ENOTFOUND github.com', env)).toMatch(/did not resolve/);
    expect(explainDownloadFailure('HTTPError: Response code 407 (Proxy Authentication Required)', env)).toMatch(
      /proxy refused/,
    );
    expect(explainDownloadFailure('HTTPError: Response code 404 (Not Found)', env)).toMatch(/no Electron of this/);
    expect(explainDownloadFailure('Error: Generated checksum for "electron.zip" did not match', env)).toMatch(
      /checksum/,
    );
    expect(explainDownloadFailure("EACCES: permission denied, mkdir 'dist'", env)).toMatch(/no permission/);
    expect(explainDownloadFailure('something odd happened', env)).toMatch(/installer failed: something odd/);
  });
});
