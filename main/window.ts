import { join } from 'node:path';
import { app, BrowserWindow, shell } from 'electron';
import { isAllowedExternalUrl, isAppUrl } from './security';
import { developmentUrl } from './session-rules';

/** The dev server's page while developing; never in a packaged app. */
export const devServerUrl = developmentUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
const appPage = join(import.meta.dirname, '../renderer/index.html');

export function isTrustedPage(url: string): boolean {
  return isAppUrl(url, devServerUrl, `file://${appPage}`);
}

/** The app window: isolated, sandboxed, no Node in the page; the preload is its only bridge. */
export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    title: 'Netloom',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(appPage);
  return window;
}

/** No navigation away from the app, no new windows; allow-listed links open in the user's browser. */
export function lockDownContents(contents: Electron.WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedPage(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedPage(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
