// Finds Electron's executable for `npm start` and `npm run preview`, downloading it on the first start.
//
// Electron (since 45) has no install script: its binary is fetched the first time `require('electron')`
// runs, and that call is what writes the `path.txt` electron-vite looks for. electron-vite never makes the
// call, so a fresh checkout failed with "Electron uninstall". We run Electron's own installer
// (`install-electron`, the same one `require('electron')` runs) with its error captured, so a failed
// download can be explained in plain words, then ask `require('electron')` for the path.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where Electron's binary is downloaded from: its mirror when one is set, else GitHub's releases. */
export function downloadSource(env = process.env) {
  return env.ELECTRON_MIRROR || env.npm_config_electron_mirror || 'https://github.com/electron/electron/releases';
}

/** Why a download failed, in words a user can act on, from the installer's error output. */
export function explainDownloadFailure(errorText, env = process.env) {
  const text = String(errorText);
  const source = downloadSource(env);
  if (/\b407\b|proxy/i.test(text))
    return `the proxy refused the download of ${source} (check HTTPS_PROXY and its credentials)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(text))
    return `the name of ${source} did not resolve: this machine looks offline, or needs a proxy`;
  if (/fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|timed out/i.test(text))
    return `no connection to ${source}: this machine looks offline, or needs a proxy`;
  if (/\b404\b/.test(text)) return `${source} has no Electron of this version for this platform (HTTP 404)`;
  if (/checksum|sha256/i.test(text))
    return 'the downloaded file did not match its checksum (a proxy or mirror altered it); nothing was installed';
  if (/EACCES|EPERM|EROFS/.test(text))
    return 'the binary could not be written into node_modules/electron (no permission)';
  if (/ENOSPC/.test(text)) return 'the disk is full';
  const lastLine =
    text
      .trim()
      .split('\n')
      .find((line) => /error/i.test(line)) ??
    text.trim().split('\n')[0] ??
    '';
  return `the installer failed: ${lastLine.slice(0, 300) || 'no reason given'}`;
}

/** What to try next after a failed download; printed under the reason. */
export const downloadHelp = [
  'Behind a proxy: set HTTPS_PROXY=http://host:port and ELECTRON_GET_USE_PROXY=1, then run npm start again.',
  'From a mirror: set ELECTRON_MIRROR (for example https://npmmirror.com/mirrors/electron/).',
  'With an Electron you already have: set ELECTRON_OVERRIDE_DIST_PATH to the folder that holds its executable.',
  'Without Electron: `npm run web` serves the same app to your browser (http://localhost:5173).',
];

/** Whether Electron's binary is already in place (or the user pointed at one), so no download is needed. */
function alreadyInstalled(electronDir, env) {
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return true;
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  return existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

export class ElectronUnavailable extends Error {}

/**
 * The path of Electron's executable. Downloads it first when missing (once, into node_modules/electron/dist,
 * through Electron's cache). Throws ElectronUnavailable with a message for the user when that fails.
 */
export function ensureElectronBinary({
  env = process.env,
  log = console.log,
  electronDir = dirname(require.resolve('electron')),
} = {}) {
  if (env.ELECTRON_EXEC_PATH) return checkedExecutable(env.ELECTRON_EXEC_PATH, 'ELECTRON_EXEC_PATH');
  if (!alreadyInstalled(electronDir, env)) {
    const { version } = require(join(electronDir, 'package.json'));
    log(
      `First start: downloading Electron ${version} for ${process.platform}-${process.arch} ` +
        `(about 100 MB, once) from ${downloadSource(env)}...`,
    );
    const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      env,
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
    });
    if (install.status !== 0) {
      const said = firstLine(install.stderr || String(install.error ?? ''));
      throw new ElectronUnavailable(
        [
          `Netloom could not start: Electron's binary could not be downloaded: ${explainDownloadFailure(install.stderr ?? install.error, env)}.`,
          ...(said ? [`  (the installer said: ${said})`] : []),
          ...downloadHelp.map((line) => `  - ${line}`),
        ].join('\n'),
      );
    }
  }
  // Electron's own lookup: path.txt, or ELECTRON_OVERRIDE_DIST_PATH (it reads process.env).
  const binary = require(electronDir);
  return checkedExecutable(
    binary,
    env.ELECTRON_OVERRIDE_DIST_PATH ? 'ELECTRON_OVERRIDE_DIST_PATH' : 'node_modules/electron',
  );
}

function firstLine(text) {
  return (
    String(text)
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '')
      ?.slice(0, 200) ?? ''
  );
}

function checkedExecutable(path, source) {
  if (!existsSync(path))
    throw new ElectronUnavailable(`Netloom could not start: no Electron executable at ${path} (from ${source}).`);
  return path;
}
