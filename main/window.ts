import { join } from 'node:path';
import { BrowserWindow, type Session, shell } from 'electron';
import { contentSecurityPolicy, devNonceVariable, isAllowedExternalUrl, isAppUrl } from './security';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
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

/** Session-wide rules: CSP on every response in development (the built page carries its own), no permissions. */
export function secureSession(session: Session): void {
  if (devServerUrl) {
    const policy = contentSecurityPolicy('dev', process.env[devNonceVariable]);
    session.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
    });
  }
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
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
